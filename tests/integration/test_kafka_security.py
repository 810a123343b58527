"""Every client through a real broker whose only listener is SASL_SSL (TLS with a CA the harness made; PLAIN,
SCRAM-SHA-256 and SCRAM-SHA-512 users): kafka-python producers, consumers and topic administration, and the faust
alerting worker as a user runs it. A wrong password is refused with a clear error within the configured timeout.

The broker is a second one started by :mod:`tests.support.secure_broker` on free loopback ports; it does not need
or touch the shared stack, and stops when the module ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from powderkeg_contracts import Alert, DeadLetter, PloverType, topics
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.kafka_clients import KafkaAuthError, connect, kafka_python_options
from powderkeg_runtime.kafka_config import KafkaSettings
from tests.support.events import IN_AFGHANISTAN, STRIKES, TTP, build_event
from tests.support.net import free_port, ready
from tests.support.polling import wait_for
from tests.support.secure_broker import USERS, SecureBroker, make_certificates, secure_broker

pytestmark = pytest.mark.integration

RETENTION_MS = 123_456_789


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    with secure_broker(tmp_path_factory.mktemp("sasl-broker")) as running:
        yield running


def _topic_configs(broker: SecureBroker, kafka: KafkaSettings, topic: str) -> dict[str, str]:
    """The configs set on ``topic`` itself (at creation), not the broker's defaults."""
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = connect(kafka, broker.bootstrap, lambda options: KafkaAdminClient(**options))
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        admin.close()
    return {key: str(data["value"]) for key, data in described["topic"][topic].items()}


def _read(broker: SecureBroker, kafka: KafkaSettings, topic: str, want: Any, timeout_s: float = 60) -> list[Any]:
    """Records of ``topic`` from the beginning until ``want(records)`` holds (bounded)."""
    consumer = KafkaConsumer(
        bootstrap_servers=broker.bootstrap, group_id=None, enable_auto_commit=False, **kafka_python_options(kafka)
    )
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while not want(found) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                found.extend(records)
        return found
    finally:
        consumer.close()


@pytest.mark.parametrize("user", sorted(USERS))
def test_kafka_python_clients_work_through_sasl_ssl_with_each_mechanism(broker: SecureBroker, user: str) -> None:
    kafka = broker.settings(user, kafka_retention_ms=RETENTION_MS, kafka_dlq_retention_ms=RETENTION_MS * 2)
    topic = f"pk-secure-{user}-{uuid.uuid4().hex[:6]}"
    ensure_topics(broker.bootstrap, [topic, f"{topic}.dlq"], partitions=2, kafka=kafka, timeout_s=30)
    producer = KafkaProducer(
        bootstrap_servers=broker.bootstrap, acks="all", enable_idempotence=True, **kafka_python_options(kafka)
    )
    try:
        producer.send(topic, key=b"k", value=f"hello from {user}".encode()).get(timeout=20)
    finally:
        producer.close()
    records = _read(broker, kafka, topic, lambda found: bool(found))
    assert [r.value for r in records] == [f"hello from {user}".encode()]
    configs = _topic_configs(broker, kafka, topic)
    assert (configs["retention.ms"], configs["min.insync.replicas"]) == (str(RETENTION_MS), "1")
    assert _topic_configs(broker, kafka, f"{topic}.dlq")["retention.ms"] == str(RETENTION_MS * 2)


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_a_wrong_password_is_refused_with_a_clear_error(broker: SecureBroker, user: str) -> None:
    kafka = broker.settings(user, password="not-the-password", kafka_timeout_seconds=3)
    started = time.monotonic()
    with pytest.raises(KafkaAuthError) as refused:
        ensure_topics(broker.bootstrap, ["pk-secure-never"], kafka=kafka, timeout_s=30)
    assert time.monotonic() - started < 15, "a refused login must not be retried like an unreachable broker"
    message = str(refused.value)
    assert broker.bootstrap in message and f"user {user!r} ({USERS[user][0]})" in message
    assert "not-the-password" not in message


def test_a_broker_certificate_from_an_unknown_ca_is_refused(broker: SecureBroker, tmp_path: Path) -> None:
    other_ca, _ = make_certificates(tmp_path)
    kafka = broker.settings("alice").model_copy(update={"kafka_ssl_cafile": other_ca, "kafka_timeout_seconds": 3})
    with pytest.raises(KafkaAuthError, match=r"refused the TLS handshake.*certificate verify failed"):
        ensure_topics(broker.bootstrap, ["pk-secure-never"], kafka=kafka, timeout_s=30)


def test_a_command_with_a_wrong_password_says_so_in_one_line(broker: SecureBroker) -> None:
    env = {**os.environ, **broker.env("carol"), "POWDERKEG_KAFKA_SASL_PASSWORD": "wrong",
           "POWDERKEG_KAFKA_TIMEOUT_SECONDS": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "powderkeg_cli.main", "dlq", "list", "--bootstrap", broker.bootstrap],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "user 'carol' (SCRAM-SHA-512)" in done.stderr and "Traceback" not in done.stderr


def test_the_faust_alerting_worker_consumes_and_produces_through_sasl_ssl(broker: SecureBroker, tmp_path: Path) -> None:
    port = free_port()
    app_id = f"it-secure-alerting-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        **broker.env("bob"),
        "POWDERKEG_KAFKA_RETENTION_MS": str(RETENTION_MS),
        "POWDERKEG_ALERTING_APP_ID": app_id,
        "POWDERKEG_ALERTING_METRICS_PORT": str(port),
        "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
        "POWDERKEG_FAUST_DATA_DIR": str(tmp_path / "faust"),
    }
    log = tmp_path / "alerting.log"
    with log.open("ab") as out:
        worker = subprocess.Popen([sys.executable, "-m", "powderkeg_cli.main", "alerting"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    reader = broker.settings("carol")
    try:
        wait_for(lambda: ready(port) or worker.poll() is not None, 90, "alerting ready", every_s=0.5)
        assert worker.poll() is None, log.read_text()[-3000:]
        run = uuid.uuid4().hex[:8]
        event = build_event(PloverType.ASSAULT, "195", STRIKES, "strikes", mode="aerial", recipient=TTP,
                            location=IN_AFGHANISTAN, goldstein=-10.0, article=f"{run}-strike",
                            published_at=datetime.now(UTC))
        bad_key = f"bad-{run}".encode()
        producer = connect(reader, broker.bootstrap, lambda options: KafkaProducer(acks="all", **options))
        try:
            producer.send(topics.EVENTS, key=bad_key, value=b'{"event_id": 42').get(timeout=20)
            producer.send(topics.EVENTS, key=event.sides.key.encode(), value=encode(event)).get(timeout=20)
        finally:
            producer.close()

        letters = _read(broker, reader, topics.EVENTS_DLQ, lambda found: any(r.key == bad_key for r in found))
        letter = next(decode(DeadLetter, r.value) for r in letters if r.key == bad_key)
        assert letter.stage == "alerting" and "invalid_json" in letter.error_message

        def ours(found: list[Any]) -> list[Alert]:
            return [a for a in (decode(Alert, r.value) for r in found) if f"{run}-strike" in a.article_ids]

        alerts = ours(_read(broker, reader, topics.ALERTS, lambda found: bool(ours(found))))
        assert alerts, f"no alert for the strike event; worker log: {log.read_text()[-2000:]}"
        assert alerts[0].countries == ("AFG", "PAK")
        # The topics the worker created at start-up carry the configured layout, its table changelogs included.
        assert _topic_configs(broker, reader, topics.EVENTS)["retention.ms"] == str(RETENTION_MS)
        changelogs = [t for t in _list_topics(broker, reader) if t.startswith(app_id) and t.endswith("-changelog")]
        assert changelogs, "the worker's tables created no changelog topic"
        for changelog in changelogs:  # faust's compaction, and the min ISR the transport adds from the settings
            configs = _topic_configs(broker, reader, changelog)
            assert (configs.get("cleanup.policy"), configs.get("min.insync.replicas")) == ("compact", "1"), configs
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)


def _list_topics(broker: SecureBroker, kafka: KafkaSettings) -> list[str]:
    admin = connect(kafka, broker.bootstrap, lambda options: KafkaAdminClient(**options))
    try:
        return list(admin.list_topics())
    finally:
        admin.close()
