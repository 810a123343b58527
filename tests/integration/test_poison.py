"""Poison on the events topic, end to end: two real alerting workers in one group, a working webhook, one that
refuses connections and one that never answers, and a stream mixing hostile and good events.

Nothing good is lost (every good event is in an alert, and the working webhook gets it), every message that cannot
be processed has a dead letter with its reason, the oversized and out-of-range ones are processed without harm, no
worker exits, and the group's lag returns to 0. Then the dead-letter topic is made to refuse the letters themselves
(its ``max.message.bytes`` set below their size, as an operator might): a poison message is recorded by reference,
counted in ``powderkeg_messages_skipped_total`` and skipped, and the partition goes on. Bounded in count and time.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType
from pydantic import SecretStr

from powderkeg_contracts import Alert, DeadLetter, EventRecord, PloverType, limits, topics
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.bad_input import KAFKA_VALUES
from tests.support.events import STRIKES, TTP, build_event
from tests.support.kafka import end_offsets, group_lag, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env
from tests.support.webhooks import Receiver, receiving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = SecretStr(uuid.uuid4().hex)
GOOD_EVENTS = 20
WATCHED = (topics.EVENTS_DLQ, topics.ALERTS)


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A webhook that accepts connections and never answers (the kernel completes the handshake; nobody reads)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def workers(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver, silent_port: int
) -> Iterator[dict[str, Any]]:
    """Two alerting workers in one fresh group that starts at the events topic's current end."""
    run = f"poison-{uuid.uuid4().hex[:8]}"
    hooks = [
        {"name": "working", "url": receiver.url, "secret": SECRET.get_secret_value()},
        {"name": "refused", "url": f"http://127.0.0.1:{free_port()}/hook", "secret": "x"},
        {"name": "silent", "url": f"http://127.0.0.1:{silent_port}/hook", "secret": "x"},
    ]
    env = service_env(
        kafka_bootstrap, run, POWDERKEG_ALERTING_WEBHOOKS=json.dumps(hooks), POWDERKEG_ALERTING_DELIVERY_ATTEMPTS="2"
    )
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_ALERTING_APP_ID"], [topics.EVENTS])
    logs = tmp_path_factory.mktemp("poison-logs")
    services = []
    for n in range(2):
        port = free_port()
        worker_env = {**env, "POWDERKEG_ALERTING_METRICS_PORT": str(port)}
        services.append(ServiceProcess(f"alerting-{n}", ["alerting"], worker_env, Path(logs) / f"w{n}.log", port))
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        yield {"run": run, "group": env["POWDERKEG_ALERTING_APP_ID"], "services": services}
    finally:
        for service in services:
            service.stop_quietly()


def _good(run: str, n: int, now: datetime) -> EventRecord:
    return build_event(
        PloverType.ASSAULT,
        "195",
        f"{STRIKES} Report {n}.",
        "strikes",
        mode="aerial",
        recipient=TTP,
        article=f"{run}-good-{n}",
        published_at=now - timedelta(minutes=GOOD_EVENTS - n),
    )


def _renamed(event: EventRecord, article_id: str, **changes: Any) -> EventRecord:
    ids = {"event_id": f"ev-{article_id}", "article_id": article_id, "story_id": article_id}
    return event.model_copy(update={**ids, **changes})


def _hostile(run: str, now: datetime) -> dict[bytes, tuple[bytes, str | None]]:
    """Key -> (value, dead-letter reason or None when the event must be processed, not dead-lettered)."""
    values: dict[bytes, tuple[bytes, str | None]] = {}
    kinds = ("deeply_nested_json", "integer_over_4300_digits", "binary_junk", "event_lone_surrogate_in_evidence")
    for kind in kinds:
        _, raw, reason = KAFKA_VALUES[kind]
        values[f"{run}-{kind}".encode()] = (raw or b"", reason)
    # 900 KB of garbage: gzip makes it a small batch on the wire; the letter must be cut to fit.
    values[f"{run}-garbage-900kb".encode()] = (b"\x9f" * 900_000, "invalid_utf8")
    future = _renamed(_good(run, 0, now), f"{run}-future", published_at=datetime(2099, 1, 1, tzinfo=UTC))
    past = _renamed(future, f"{run}-past", published_at=datetime(1000, 1, 1, tzinfo=UTC))
    huge_offsets = _renamed(future, f"{run}-huge-numbers", published_at=now)
    huge_offsets = huge_offsets.model_copy(
        update={"evidence": huge_offsets.evidence.model_copy(update={"start": 10**300, "end": 10**300 + 1})}
    )
    # Every text at a size whose alert would be several megabytes if copied whole: near the broker's limit itself.
    bloated = _renamed(future, f"{run}-bloated", published_at=now).model_copy(
        update={
            "actor": future.actor.model_copy(update={"name": None, "text": "P" * 150_000}),
            "evidence": future.evidence.model_copy(update={"sentence": STRIKES + " x" * 150_000}),
            "location": future.location.model_copy(update={"place": "Q" * 150_000}),
            "url": "https://news.example/" + "u" * 200_000,
        }
    )
    for event in (future, past, huge_offsets, bloated):
        values[event.article_id.encode()] = (encode(event), None)
    return values


def _metric(port: int, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


def test_a_hostile_stream_loses_nothing_good_and_blocks_no_partition(
    kafka_bootstrap: str, workers: dict[str, Any], receiver: Receiver
) -> None:
    run, now = workers["run"], datetime.now(UTC)
    start = end_offsets(kafka_bootstrap, WATCHED)
    hostile = _hostile(run, now)
    good = [_good(run, n, now) for n in range(GOOD_EVENTS)]
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, compression_type="gzip"
    )
    try:
        bad = iter(hostile.items())
        for event in good:  # interleaved: a hostile message before every good one while they last
            key, (value, _) = next(bad, (None, (b"", None)))
            if key is not None:
                producer.send(topics.EVENTS, key=key, value=value)
            producer.send(topics.EVENTS, key=event.sides.key.encode(), value=encode(event))
        producer.flush(timeout=60)
    finally:
        producer.close()
    letters: dict[bytes, DeadLetter] = {}
    alerted: set[str] = set()
    expected_letters = {key for key, (_, reason) in hostile.items() if reason is not None}
    wanted = {event.event_id for event in good} | {f"ev-{run}-bloated"}
    sizes: list[int] = []

    def settled() -> dict[str, Any]:
        for record in read_topics(kafka_bootstrap, WATCHED, start=start):
            if record.topic == topics.EVENTS_DLQ and record.key in hostile:
                letters[record.key] = decode(DeadLetter, record.value)
            elif record.topic == topics.ALERTS:
                alert = decode(Alert, record.value)
                if any(event_id in wanted for event_id in alert.event_ids):
                    alerted.update(alert.event_ids)
                    sizes.append(len(record.value))
        return {
            "lag": group_lag(kafka_bootstrap, workers["group"], [topics.EVENTS]),
            "exited": [s.name for s in workers["services"] if not s.alive],
            "letters missing": sorted(expected_letters - set(letters)),
            "events not alerted": sorted(wanted - alerted),
        }

    def done(state: dict[str, Any]) -> bool:
        return not state["letters missing"] and not state["events not alerted"] and state["lag"] == {topics.EVENTS: 0}

    try:
        wait_for(
            settled, 180, "every bad message dead-lettered, every good event alerted, lag 0", every_s=2.0, until=done
        )
    except AssertionError:
        for service in workers["services"]:
            print(f"----- {service.name} -----\n{service.log_tail(8000)}")
        raise
    for key in expected_letters:
        letter, (value, reason) = letters[key], hostile[key]
        assert f"{reason}: " in letter.error_message, (key, letter.error_message)
        assert letter.original_size == len(value) and letter.truncated is (
            len(value) > limits.DEAD_LETTER_VALUE_MAX_BYTES
        )
    assert not set(letters) - expected_letters, "the out-of-range and oversized events were processed"
    assert max(sizes) <= limits.PRODUCER_MAX_REQUEST_BYTES

    def delivered() -> set[str]:
        return {event_id for alert, valid in list(receiver.received) if valid for event_id in alert.event_ids}

    good_ids = {event.event_id for event in good}
    wait_for(lambda: good_ids <= delivered(), 60, "the working webhook got every good event despite the dead ones")
    for service in workers["services"]:
        assert service.alive and service.starts == 1, f"{service.name} exited: {service.log_tail()}"
    print(f"\n{len(hostile)} hostile, {GOOD_EVENTS} good; largest alert {max(sizes):,} bytes")


def _max_message_bytes(admin: KafkaAdminClient, topic: str) -> int:
    found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all")
    return int(found["topic"][topic]["max.message.bytes"]["value"])


def test_every_topic_takes_the_brokers_message_limit(kafka_bootstrap: str, workers: dict[str, Any]) -> None:
    """Topics are created without a size override, so each takes ``message.max.bytes``: the contract's limit."""
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="pk-test-topic-limits")
    try:
        for topic in topics.ALL_TOPICS:
            assert _max_message_bytes(admin, topic) == limits.BROKER_MESSAGE_MAX_BYTES, topic
    finally:
        admin.close()


@pytest.fixture
def tiny_dead_letter_topic(kafka_bootstrap: str) -> Iterator[int]:
    """The events' dead-letter topic refusing records over 4 KB for the test, then back to the broker's limit."""
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="pk-test-poison")
    limit = 4_096
    resource = ConfigResource(ConfigResourceType.TOPIC, topics.EVENTS_DLQ, configs={"max.message.bytes": str(limit)})
    try:
        admin.alter_configs([resource])
        assert _max_message_bytes(admin, topics.EVENTS_DLQ) == limit
        yield limit
    finally:
        admin.reset_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.EVENTS_DLQ, configs=["max.message.bytes"])]
        )
        restored = _max_message_bytes(admin, topics.EVENTS_DLQ)
        admin.close()
        assert restored == limits.BROKER_MESSAGE_MAX_BYTES, "the dead-letter topic's limit was not reset"


def test_a_poison_whose_dead_letter_the_broker_refuses_is_skipped_by_reference(
    kafka_bootstrap: str, workers: dict[str, Any], tiny_dead_letter_topic: int
) -> None:
    import hashlib

    run, now = workers["run"], datetime.now(UTC)
    start = end_offsets(kafka_bootstrap, WATCHED)
    poison = b"\x9f" * 50_000  # its letter (the value, base64) is over the topic's limit; a reference is not
    after = _good(run, 100, now).model_copy(update={"published_at": now})
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    try:
        key = after.sides.key.encode()  # the same partition as the good event that follows it
        producer.send(topics.EVENTS, key=key, value=poison)
        producer.send(topics.EVENTS, key=key, value=encode(after))
        producer.flush(timeout=30)
    finally:
        producer.close()
    found: dict[str, Any] = {}

    def through() -> bool:
        for record in read_topics(kafka_bootstrap, WATCHED, start=start):
            if record.topic == topics.EVENTS_DLQ:
                letter = decode(DeadLetter, record.value)
                if letter.original_sha256 == hashlib.sha256(poison).hexdigest():
                    found["letter"], found["headers"] = letter, dict(record.headers)
            elif record.topic == topics.ALERTS and after.event_id in decode(Alert, record.value).event_ids:
                found["alert"] = True
        lag = group_lag(kafka_bootstrap, workers["group"], [topics.EVENTS])
        return "letter" in found and "alert" in found and lag == {topics.EVENTS: 0}

    wait_for(through, 120, "the poison recorded by reference, the good event after it alerted, lag 0", every_s=2.0)
    letter = found["letter"]
    assert letter.truncated and letter.original_value == "" and letter.original_size == len(poison)
    assert letter.original_topic == topics.EVENTS and letter.original_offset is not None
    assert "invalid_utf8" in letter.error_message and found["headers"]["__powderkeg.errors.reference"] == b"true"
    skipped = sum(_metric(s.port, "powderkeg_messages_skipped_total") for s in workers["services"])
    assert skipped == 1
    for service in workers["services"]:
        assert service.alive and service.starts == 1, f"{service.name} exited: {service.log_tail()}"
