"""The alerting service as a user runs it (`powderkeg alerting`), against the real broker.

Events are produced to ``powderkeg.events.v2`` with kafka-python; alerts and dead letters are read back from the
real topics. The worker is stopped with SIGTERM and restarted on the same consumer group to check that its tables
(changelog topics) carry open alerts and seen event ids across the restart. Needs `bash deploy/stack.sh up`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from pydantic import SecretStr

from powderkeg_contracts import (
    Actor,
    Alert,
    AlertStatus,
    DeadLetter,
    EventDate,
    EventRecord,
    Evidence,
    Factuality,
    Location,
    PloverType,
    QuadClass,
    Sector,
    topics,
)
from powderkeg_extractor.core.sides import assign_sides
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import ensure_topics
from tests.support.kafka import produce
from tests.support.net import ready
from tests.support.polling import wait_for
from tests.support.webhooks import Receiver, receiving

pytestmark = pytest.mark.integration

METRICS_PORT = 19113
SECRET = SecretStr(uuid.uuid4().hex)
TALKS = "Pakistan said its latest round of peace talks with Afghanistan's Taliban government has collapsed."
STRIKES = "Military strikes by Pakistan on what it described as TTP hideouts triggered the recent border clashes."


class Worker:
    """One `powderkeg alerting` process; the same ``app_id`` across restarts means the same group and tables."""

    def __init__(self, bootstrap: str, app_id: str, log: Path, webhook_url: str) -> None:
        hooks = [{"name": "it", "url": webhook_url, "secret": SECRET.get_secret_value()}]
        self.env = {
            **os.environ,
            "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
            "POWDERKEG_ALERTING_APP_ID": app_id,
            "POWDERKEG_ALERTING_METRICS_PORT": str(METRICS_PORT),
            "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
            "POWDERKEG_ALERTING_WEBHOOKS": json.dumps(hooks),
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "powderkeg_cli.main", "alerting"],
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: ready(METRICS_PORT) or self.proc.poll() is not None, 120, "alerting ready", every_s=0.5)
        assert self.proc.poll() is None, self.log.read_text()[-3000:]

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("alerting did not stop within 30 s of SIGTERM")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as server:
        yield server


@pytest.fixture
def worker(kafka_bootstrap: str, tmp_path: Path, receiver: Receiver) -> Iterator[Worker]:
    ensure_topics(kafka_bootstrap, topics.ALL_TOPICS)
    proc = Worker(kafka_bootstrap, f"it-alerting-{uuid.uuid4().hex[:8]}", tmp_path / "alerting.log", receiver.url)
    proc.start()
    try:
        yield proc
    finally:
        if proc.proc is not None and proc.proc.poll() is None:
            proc.stop()


def _read(bootstrap: str, topic: str, keep: Callable[[object], bool], until: Callable[[list], bool]) -> list:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"it-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    found: list = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not until(found):
        found.extend(record for record in consumer if keep(record))
    consumer.close()
    return found


PAKISTAN = Actor(name="Pakistan", country="PAK", sector=Sector.GOVERNMENT)
AFGHANISTAN = Actor(name="Afghanistan", country="AFG", sector=Sector.GOVERNMENT)
TTP = Actor(name="Tehrik-i-Taliban Pakistan", country="PAK", sector=Sector.INSURGENTS)


def _event(kind: str, article: str, story: str, when: datetime) -> EventRecord:
    talks = kind == "talks"
    sentence, trigger = (TALKS, "collapsed") if talks else (STRIKES, "strikes")
    record = EventRecord(
        event_id=f"{article}-{kind}",
        article_id=article,
        story_id=story,
        event_type=PloverType.REJECT if talks else PloverType.ASSAULT,
        mode="meet" if talks else "aerial",
        cameo_code="125" if talks else "195",
        quad_class=QuadClass.VERBAL_CONFLICT if talks else QuadClass.MATERIAL_CONFLICT,
        pentacode=3 if talks else 4,
        goldstein=-5.0 if talks else -10.0,
        actor=PAKISTAN,
        recipient=AFGHANISTAN if talks else TTP,
        location=Location(reason="none") if talks else Location(place="Afghanistan", country="AFG"),
        event_date=EventDate(reason="no date expression"),
        factuality=Factuality.ASSERTED,
        evidence=Evidence(
            sentence=sentence,
            start=0,
            end=len(sentence),
            trigger=trigger,
            trigger_start=sentence.index(trigger),
            trigger_end=sentence.index(trigger) + len(trigger),
        ),
        confidence=0.8,
        published_at=when,
        url=f"https://news.example/{article}",
        extractor_version="test",
    )
    return assign_sides([record])[0]


def _mine(alert: Alert, run: str) -> list[str]:
    return [a for a in alert.article_ids if a.startswith(run)]


def _seed_like(run: str, copies: int, story: str | None = None) -> list[EventRecord]:
    """The seed story's talks and strikes, as ``copies`` near-duplicate articles of one story."""
    now = datetime.now(UTC)
    story = story or f"{run}-copy0"
    return [_event(kind, f"{run}-copy{n}", story, now) for n in range(copies) for kind in ("talks", "strikes")]


def test_events_become_grouped_alerts_bad_bytes_are_dead_lettered_and_restarts_remember(
    kafka_bootstrap: str, worker: Worker, receiver: Receiver
) -> None:
    run = uuid.uuid4().hex[:8]
    events = _seed_like(run, copies=3)
    bad_key = f"bad-{run}".encode()
    bad = (bad_key, b'{"event_id": 42')
    produce(kafka_bootstrap, topics.EVENTS, [bad, *((e.sides.key, encode(e)) for e in events)])

    def mine(record: object) -> bool:
        alert = decode(Alert, record.value)  # type: ignore[attr-defined]
        return any(a.startswith(run) for a in alert.article_ids)

    expected = {"talks_failed", "military_strike"}

    def complete(found: list) -> bool:
        latest = {decode(Alert, r.value).signal: decode(Alert, r.value) for r in found}
        return expected <= set(latest) and all(len(_mine(latest[s], run)) == 3 for s in expected)

    records = _read(kafka_bootstrap, topics.ALERTS, mine, complete)
    alerts = [decode(Alert, r.value) for r in records]
    by_signal: dict[str, set[str]] = {}
    for alert in alerts:
        by_signal.setdefault(alert.signal, set()).add(alert.alert_id)
    # escalation_surge may join them: the pair's index also counts earlier AFG-PAK events on the shared topic.
    assert expected <= set(by_signal) <= expected | {"escalation_surge"}, by_signal
    # (A surge is of the pair, not of this story: other modules' AFG-PAK stories on the shared topic can raise,
    # resolve and raise one again around ours, so only the two signals of the story are held to one episode.)
    one_each = all(len(by_signal[signal]) == 1 for signal in expected)
    assert one_each, f"three copies of one story must be one alert per signal: {by_signal}"
    assert all(r.key == decode(Alert, r.value).alert_id.encode() for r in records)
    final = {a.signal: a for a in alerts}
    assert final["military_strike"].countries == ("AFG", "PAK")
    # Earlier AFG-PAK talks events on the shared topic may belong to the same episode; ours count as one story.
    assert len(_mine(final["talks_failed"], run)) == 3
    assert [s for s in final["talks_failed"].story_ids if s.startswith(run)] == [f"{run}-copy0"]

    letters = _read(
        kafka_bootstrap,
        topics.EVENTS_DLQ,
        lambda r: r.key == bad_key,
        lambda found: bool(found),  # type: ignore[attr-defined]
    )
    assert letters, "the malformed event never reached the dead-letter topic"
    letter = decode(DeadLetter, letters[0].value)
    headers = dict(letters[0].headers)
    assert letter.stage == "alerting" and "invalid_json" in letter.error_message
    assert headers["__connect.errors.topic"] == topics.EVENTS.encode()

    # The same alert changes reach the signed webhook (delivery runs beside the agent, so it may trail a little).
    delivered = lambda: {a.signal for a, _ in receiver.received if _mine(a, run)} >= expected  # noqa: E731
    wait_for(delivered, 30, "webhook deliveries", every_s=0.5)
    assert all(valid for _, valid in receiver.received), "every delivery must carry a valid signature"

    assert worker.stop() == 0
    worker.start()
    # The same events again (a replay), plus one new article of the same story: only the new one may change state.
    extra = _seed_like(f"{run}-late", copies=1, story=f"{run}-copy0")[0]
    produce(kafka_bootstrap, topics.EVENTS, [(e.sides.key, encode(e)) for e in [*events, extra]])

    def has_four(found: list) -> bool:
        alerts = (decode(Alert, r.value) for r in found)
        return any(a.signal == "talks_failed" and len(_mine(a, run)) == 4 for a in alerts)

    after = [decode(Alert, r.value) for r in _read(kafka_bootstrap, topics.ALERTS, mine, has_four)]
    talks = [a for a in after if a.signal == "talks_failed" and a.revision > final["talks_failed"].revision]
    assert talks, "the new article after the restart raised nothing"
    assert {a.alert_id for a in talks} == by_signal["talks_failed"], "a restart must not open a new episode"
    assert talks[0].revision == final["talks_failed"].revision + 1, "replayed events must not count again"
    assert all(a.status is not AlertStatus.RESOLVED for a in talks)
