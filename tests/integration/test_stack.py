"""Checks of the infrastructure itself against the real broker, Prometheus and Alertmanager.

These pin what the services rely on: the broker version works with both Python Kafka clients in the lock file
(kafka-python for admin and the synchronous ingest producer, aiokafka under faust), Prometheus loaded the
project's scrape config, and Alertmanager takes alerts over its v2 API.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.polling import wait_for

pytestmark = pytest.mark.integration

POWDERKEG_JOBS = {"powderkeg-ingest", "powderkeg-extractor", "powderkeg-alerting", "powderkeg-store"}


def test_kafka_python_admin_produce_consume_commit(
    kafka_bootstrap: str, topic_factory: Callable[..., str], unique_group: str
) -> None:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

    topic = topic_factory("kafka-python", partitions=2)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert topic in admin.list_topics()
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    payloads = [f"message-{i}".encode() for i in range(5)]
    try:
        for payload in payloads:
            metadata = producer.send(topic, key=b"dyad", value=payload).get(timeout=30)
            assert metadata.topic == topic
        producer.flush()
    finally:
        producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=unique_group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=20_000,
    )
    try:
        received = []
        for record in consumer:
            received.append(record)
            if len(received) == len(payloads):
                break
        # One key: one partition, so order is kept.
        assert [r.value for r in received] == payloads
        assert len({r.partition for r in received}) == 1
        consumer.commit()
        partition = TopicPartition(topic, received[-1].partition)
        assert consumer.committed(partition) == received[-1].offset + 1
    finally:
        consumer.close()


def test_aiokafka_produce_consume_commit(
    kafka_bootstrap: str, topic_factory: Callable[..., str], unique_group: str
) -> None:
    """faust-streaming runs on aiokafka: the broker version must serve it too."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topic = topic_factory("aiokafka")
    admin_topic = f"pk-test.aiokafka-admin.{uuid.uuid4().hex[:10]}"

    async def scenario() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(admin_topic, num_partitions=1, replication_factor=1)])
            # CreateTopics returns before every broker's metadata lists the topic: poll, within a bound.
            listed: list[str] = []
            async with asyncio.timeout(15):
                while admin_topic not in listed:
                    listed = await admin.list_topics()
                    if admin_topic not in listed:
                        await asyncio.sleep(0.2)
            assert admin_topic in listed
            await admin.delete_topics([admin_topic])
        finally:
            await admin.close()

        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for i in range(3):
                await producer.send_and_wait(topic, key=b"k", value=f"v{i}".encode())
        finally:
            await producer.stop()

        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=unique_group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            values: list[bytes] = []
            async with asyncio.timeout(30):
                while len(values) < 3:
                    batch = await consumer.getmany(timeout_ms=1000)
                    values.extend(r.value for records in batch.values() for r in records if r.value)
            assert values == [b"v0", b"v1", b"v2"]
            await consumer.commit()
            assert await consumer.committed(TopicPartition(topic, 0)) == 3
        finally:
            await consumer.stop()

    asyncio.run(scenario())


def test_prometheus_ready_and_scrapes_powderkeg_jobs(prometheus_url: str) -> None:
    assert httpx.get(f"{prometheus_url}/-/ready", timeout=10).status_code == 200

    def jobs_now() -> dict[str, str]:
        response = httpx.get(f"{prometheus_url}/api/v1/targets", timeout=10)
        response.raise_for_status()
        return {t["labels"]["job"]: t["scrapeUrl"] for t in response.json()["data"]["activeTargets"]}

    # Prometheus fills its target and Alertmanager lists a few seconds after it is ready: poll, within a bound.
    jobs = wait_for(
        jobs_now, 30, "Prometheus to list the jobs", every_s=0.5, until=lambda found: set(found) >= POWDERKEG_JOBS
    )
    assert isinstance(jobs, dict) and set(jobs) >= POWDERKEG_JOBS
    assert jobs["powderkeg-ingest"] == "http://127.0.0.1:9101/metrics"
    assert jobs["powderkeg-extractor"] == "http://127.0.0.1:9102/metrics"
    assert jobs["powderkeg-alerting"] == "http://127.0.0.1:9103/metrics"


def test_prometheus_loaded_rules_and_alertmanager(prometheus_url: str) -> None:
    rules = httpx.get(f"{prometheus_url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    names = {rule["name"] for group in rules for rule in group["rules"]}
    assert "PowderkegServiceDown" in names

    def managers_now() -> list[str]:
        data = httpx.get(f"{prometheus_url}/api/v1/alertmanagers", timeout=10).json()["data"]
        return [am["url"] for am in data["activeAlertmanagers"]]

    urls = wait_for(
        managers_now,
        30,
        "Prometheus to list the Alertmanager",
        every_s=0.5,
        until=lambda found: any("127.0.0.1:9093" in u for u in found),
    )
    assert isinstance(urls, list) and any("127.0.0.1:9093" in u for u in urls), urls


def test_alertmanager_accepts_and_returns_alert(alertmanager_url: str) -> None:
    marker = uuid.uuid4().hex
    now = datetime.now(UTC)
    alert = {
        "labels": {"alertname": "PowderkegIntegrationTest", "signal": "test", "dyad": marker},
        "annotations": {"summary": "posted by tests/integration/test_stack.py"},
        "startsAt": now.isoformat(),
        "endsAt": (now + timedelta(minutes=5)).isoformat(),
    }
    posted = httpx.post(f"{alertmanager_url}/api/v2/alerts", json=[alert], timeout=10)
    assert posted.status_code == 200, posted.text

    response = httpx.get(f"{alertmanager_url}/api/v2/alerts", params={"filter": f'dyad="{marker}"'}, timeout=10)
    response.raise_for_status()
    alerts = response.json()
    assert len(alerts) == 1
    assert alerts[0]["labels"]["alertname"] == "PowderkegIntegrationTest"
    assert alerts[0]["status"]["state"] == "active"


def test_the_input_watchdog_reads_committed_and_end_offsets_from_the_broker(
    kafka_bootstrap: str, topic_factory: Callable[..., str], unique_group: str
) -> None:
    """What ``watch_input`` judges a stall by: per partition, the group's committed offset and the end offset."""
    from kafka import KafkaProducer

    from powderkeg_runtime.kafka_admin import GroupOffsets, start_group_at_end

    topic = topic_factory("watchdog", partitions=2)
    start_group_at_end(kafka_bootstrap, unique_group, [topic])
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        for i in range(3):
            producer.send(topic, value=f"m{i}".encode(), partition=1).get(timeout=30)
    finally:
        producer.close()
    offsets = GroupOffsets(kafka_bootstrap, unique_group)
    try:
        seen = offsets([(topic, 0), (topic, 1)])
    finally:
        offsets.close()
    assert seen == {(topic, 0): (0, 0), (topic, 1): (0, 3)}
