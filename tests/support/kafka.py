"""Reading the real broker from tests with kafka-python: synchronous, and independent of the services' aiokafka.

- :func:`produce`: records to a topic, flushed (acks=all, idempotent);
- :func:`end_offsets` and :func:`read_topics` (a bounded read from given offsets to the end at call time);
- :func:`read_new`: what arrived on a topic after some offsets, once enough has;
- :func:`group_offsets` and :func:`group_lag`: a group's committed offsets, and what it still has to process.

A fresh consumer group that should skip what earlier tests left on the shared topics is started at the end with
:func:`powderkeg_runtime.kafka_admin.start_group_at_end`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from tests.support.polling import wait_for


def produce(bootstrap: str, topic: str, messages: Iterable[tuple[str | bytes, bytes]]) -> None:
    """Produce ``(key, value)`` pairs to ``topic`` and wait until the broker has every one."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        for key, value in messages:
            producer.send(topic, key=key.encode() if isinstance(key, str) else key, value=value)
        producer.flush(timeout=30)
    finally:
        producer.close()


def end_offsets(bootstrap: str, topic_names: Iterable[str]) -> dict[TopicPartition, int]:
    """The end offset of every partition of ``topic_names`` now (where the next record will go)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(t, p) for t in topic_names for p in sorted(consumer.partitions_for_topic(t) or ())]
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def read_topics(
    bootstrap: str, topic_names: Iterable[str], *, start: Mapping[TopicPartition, int] | None = None
) -> Iterator[Any]:
    """Every record of ``topic_names`` from ``start`` (default: the beginning) to the end offsets at call time."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(t, p) for t in topic_names for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for tp in partitions:
            if start is not None and tp in start:
                consumer.seek(tp, start[tp])
        ends = consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > consumer.position(tp)}
        empty_polls = 0
        while remaining and empty_polls < 10:
            batch = consumer.poll(timeout_ms=1000)
            empty_polls = 0 if batch else empty_polls + 1
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        consumer.close()


def read_new(
    bootstrap: str, topic: str, start: Mapping[TopicPartition, int], want: int, timeout_s: float = 60.0
) -> list[Any]:
    """The records of ``topic`` after the ``start`` offsets, once at least ``want`` have arrived (bounded)."""
    return wait_for(
        lambda: list(read_topics(bootstrap, [topic], start=start)),
        timeout_s,
        f"{want} new records on {topic}",
        every_s=1.0,
        until=lambda records: len(records) >= want,
    )


def group_offsets(bootstrap: str, group: str) -> dict[TopicPartition, OffsetAndMetadata]:
    """The group's committed offsets, as the broker has them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="pk-test-offsets")
    try:
        return dict(admin.list_group_offsets({group: None}).get(group, {}))
    finally:
        admin.close()


def group_lag(bootstrap: str, group: str, topic_names: Iterable[str]) -> dict[str, int]:
    """Per topic: end offset minus the group's committed offset, summed over partitions (no commit counts as 0)."""
    names = list(topic_names)
    committed = group_offsets(bootstrap, group)
    ends = end_offsets(bootstrap, names)
    lag = dict.fromkeys(names, 0)
    for tp, end in ends.items():
        done = committed.get(tp)
        lag[tp.topic] += end - (done.offset if done is not None and done.offset >= 0 else 0)
    return lag
