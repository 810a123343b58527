"""Alerting scales out: two workers in one consumer group, one of them SIGKILLed mid-episode, against the real broker.

Six pairs of sides, spread over every partition of ``powderkeg.events.v2``, each get three rounds of a "talks
collapsed" event. Two ``powderkeg alerting`` workers share the group; after round one, one worker is killed (its
partitions move to the other, which rebuilds their tables from the changelogs), after round two it is restarted
(partitions move back). What must hold: each pair has exactly one talks_failed episode (one alert id, never raised
twice with different content), the episode went through revisions 1, 2 and 3 and its last revision lists all
three articles (nothing lost across the rebalances), and both workers evaluated events (the work was shared).
"""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient
from kafka.partitioner.default import murmur2

from powderkeg_contracts import Actor, Alert, AlertStatus, EventRecord, PloverType, Sector, topics
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import ensure_topics, start_group_at_end
from tests.support.events import build_event
from tests.support.kafka import end_offsets, produce, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

COUNTRIES = ["AFG", "IND", "IRN", "CHN", "RUS", "USA", "TUR", "EGY", "SDN", "ETH", "SOM", "KEN", "NGA", "MLI"]


def _partition(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2 of the key), as the extractor's producer and this test's use."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def _pairs(partitions: int, per_partition: int = 2) -> list[tuple[str, str]]:
    """Pakistan-vs-X pairs chosen so that every partition holds ``per_partition`` of them."""
    chosen: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for other in COUNTRIES:
        key = "-".join(sorted(("PAK", other)))
        bucket = chosen[_partition(key, partitions)]
        if len(bucket) < per_partition:
            bucket.append(("PAK", other))
    assert len(chosen) == partitions and all(len(b) == per_partition for b in chosen.values()), chosen
    return [pair for bucket in chosen.values() for pair in bucket]


def _talks(run: str, a: str, b: str, round_: int, when: datetime) -> EventRecord:
    actor = Actor(text=a, name=a, country=a, sector=Sector.GOVERNMENT, code=a)
    recipient = Actor(text=b, name=b, country=b, sector=Sector.GOVERNMENT, code=b)
    sentence = f"{a} said its latest round of peace talks with {b} has collapsed."
    return build_event(
        PloverType.REJECT, "125", sentence, "collapsed", mode="meet", actor=actor, recipient=recipient,
        article=f"{run}-{a}-{b}-{round_}", published_at=when,
    )


def _members(bootstrap: str, group: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        description = admin.describe_groups([group])[group]
        state = description.get("group_state") or description.get("state")
        return len(description.get("members") or []) if state == "Stable" else 0
    finally:
        admin.close()


def _evaluated(port: int) -> float:
    total = 0.0
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith("powderkeg_alerting_events_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_two_workers_share_the_partitions_and_keep_whole_episodes_across_a_kill(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    run = f"scale-{uuid.uuid4().hex[:8]}"
    env = service_env(kafka_bootstrap, run)
    group = env["POWDERKEG_ALERTING_APP_ID"]
    ensure_topics(kafka_bootstrap, topics.ALL_TOPICS)
    partitions = len(end_offsets(kafka_bootstrap, [topics.EVENTS]))
    assert partitions >= 2, "scale-out needs a partitioned events topic"
    start_group_at_end(kafka_bootstrap, group, [topics.EVENTS])
    start = end_offsets(kafka_bootstrap, [topics.ALERTS])
    pairs = _pairs(partitions)
    keys = {"-".join(sorted(p)) for p in pairs}
    ports = [free_port(), free_port()]
    workers = [
        ServiceProcess(
            f"alerting-{n}", ["alerting"], {**env, "POWDERKEG_ALERTING_METRICS_PORT": str(port)},
            tmp_path / f"alerting-{n}.log", port,
        )
        for n, port in enumerate(ports)
    ]
    latest: dict[str, Alert] = {}
    raised: dict[str, set[str]] = defaultdict(set)
    revisions: dict[str, set[int]] = defaultdict(set)

    def collect() -> None:
        for record in read_topics(kafka_bootstrap, [topics.ALERTS], start=start):
            alert = decode(Alert, record.value)
            if alert.signal != "talks_failed" or not any(a.startswith(run) for a in alert.article_ids):
                continue
            revisions[alert.alert_id].add(alert.revision)
            if alert.status is AlertStatus.RAISED:
                raised[alert.alert_id].add(record.value.decode())
            if alert.alert_id not in latest or alert.revision >= latest[alert.alert_id].revision:
                latest[alert.alert_id] = alert

    def reached(revision: int) -> bool:
        collect()
        by_pair = {a.sides.key: a for a in latest.values()}
        return keys <= set(by_pair) and all(by_pair[k].revision >= revision for k in keys)

    def send_round(round_: int) -> None:
        when = datetime.now(UTC) - timedelta(hours=3 - round_)
        events = [_talks(run, a, b, round_, when) for a, b in pairs]
        produce(kafka_bootstrap, topics.EVENTS, [(e.sides.key, encode(e)) for e in events])

    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready()
        wait_for(lambda: _members(kafka_bootstrap, group) == 2, 90, "both workers in the group", every_s=1.0)

        send_round(1)
        wait_for(lambda: reached(1), 90, "round 1: one talks_failed alert per pair", every_s=1.0)
        shares = [_evaluated(port) for port in ports]
        assert all(share > 0 for share in shares), f"both workers evaluate events (per worker: {shares})"

        workers[0].kill()  # a crash: its partitions go to the survivor after the session timeout
        send_round(2)
        wait_for(lambda: reached(2), 120, "round 2 handled by the survivor, episodes continued", every_s=1.0)

        workers[0].start()
        workers[0].wait_ready()
        wait_for(lambda: _members(kafka_bootstrap, group) == 2, 90, "the restarted worker back in the group")
        time.sleep(2)
        send_round(3)
        wait_for(lambda: reached(3), 120, "round 3 after the partitions moved back", every_s=1.0)
    finally:
        for worker in workers:
            worker.stop_quietly()

    by_pair: dict[str, list[str]] = defaultdict(list)
    for alert_id, alert in latest.items():
        by_pair[alert.sides.key].append(alert_id)
    for key in keys:
        assert len(by_pair[key]) == 1, f"{key}: one episode, not one per worker: {by_pair[key]}"
        (alert_id,) = by_pair[key]
        assert len(raised[alert_id]) == 1, f"{alert_id} raised twice with different content"
        assert {1, 2, 3} <= revisions[alert_id], f"{alert_id} revisions {sorted(revisions[alert_id])}"
        mine = sorted(a for a in latest[alert_id].article_ids if a.startswith(run))
        assert len(mine) == 3, f"{alert_id}: every round's article is on the episode: {mine}"
