"""Topic administration with kafka-python (the services create their topics explicitly at start-up rather than rely
on broker auto-creation, so partition counts and the dead-letter topics are always what the contracts say)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from powderkeg_runtime.kafka_clients import connect, kafka_python_options
from powderkeg_runtime.kafka_config import KafkaSettings, TopicSpec, local_defaults, topic_specs

log = logging.getLogger(__name__)


def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    kafka: KafkaSettings | None = None,
    timeout_s: float | None = None,
) -> None:
    """Create ``topics`` if missing, laid out as ``kafka`` says (:func:`~powderkeg_runtime.kafka_config.topic_specs`).

    Waits (bounded by ``timeout_s``, default ``POWDERKEG_KAFKA_TIMEOUT_SECONDS``, 8 s) for an unreachable broker,
    then raises ``RuntimeError`` naming the address: every service calls this first, so a worker started without a
    broker says so and exits non-zero within that time (a supervisor, or compose's ``restart:``, starts it again).
    A refused login raises :class:`~powderkeg_runtime.kafka_clients.KafkaAuthError` at once. ``kafka`` None: a
    local plaintext broker.
    """
    settings = kafka if kafka is not None else local_defaults()
    specs = topic_specs(settings, topics, partitions)
    if timeout_s is None:
        timeout_s = settings.kafka_timeout_seconds
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            # Each attempt takes at most the broker timeout and ends before the deadline, so that the whole wait
            # stays within ``timeout_s`` (a refused login is known after one attempt; see ``connect``).
            attempt_ms = min(int(settings.kafka_timeout_seconds * 1000), _ms_left(deadline) - 500)
            admin = connect(kafka, bootstrap, functools.partial(_admin, max(500, attempt_ms)))
            break
        except KafkaError as exc:
            if time.monotonic() + 0.5 >= deadline:
                raise RuntimeError(f"Kafka at {bootstrap} not reachable within {timeout_s:.0f}s: {exc}") from exc
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            try:
                admin.create_topics([_new_topic(spec) for spec in missing])
                log.info("created topics %s", [spec.name for spec in missing])
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def _ms_left(deadline: float) -> int:
    return int((deadline - time.monotonic()) * 1000)


def _admin(attempt_ms: int, options: dict[str, Any]) -> KafkaAdminClient:
    return KafkaAdminClient(client_id="powderkeg-admin", **{**options, "bootstrap_timeout_ms": attempt_ms})


def _new_topic(spec: TopicSpec) -> NewTopic:
    return NewTopic(
        name=spec.name,
        num_partitions=spec.partitions,
        replication_factor=spec.replication_factor,
        topic_configs=dict(spec.configs),
    )


def start_group_at_end(
    bootstrap: str, group: str, topic_names: Iterable[str], *, kafka: KafkaSettings | None = None
) -> None:
    """Commit the current end offsets of ``topic_names`` for a new consumer ``group``.

    A new faust worker group starts at the earliest offset (``consumer_auto_offset_reset``), which is right for a
    deployment but makes a benchmark or a test replay whatever earlier runs left on the shared topics.
    """
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    names = list(topic_names)
    ensure_topics(bootstrap, names, kafka=kafka)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **kafka_python_options(kafka)
    )
    try:
        partitions = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in ends.items()})
    finally:
        consumer.close()


def describe_group(bootstrap: str, group_id: str, kafka: KafkaSettings | None = None) -> Mapping[str, Any]:
    """The broker's description of a consumer group: state and members with their assigned partitions."""
    options = kafka_python_options(kafka)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{group_id}-watchdog", **options)
    try:
        return dict(admin.describe_groups([group_id])[group_id])
    finally:
        admin.close()


class GroupOffsets:
    """A group's committed offsets and the end offsets of some partitions, as the broker has them.

    Callable with ``(topic, partition)`` pairs; returns per pair (committed offset or None, end offset). Clients are
    kept between calls and rebuilt after an error.
    """

    def __init__(self, bootstrap: str, group_id: str, kafka: KafkaSettings | None = None) -> None:
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.options = kafka_python_options(kafka)
        self._admin: Any = None
        self._consumer: Any = None

    def __call__(self, partitions: Collection[tuple[str, int]]) -> dict[tuple[str, int], tuple[int | None, int]]:
        from kafka import KafkaConsumer
        from kafka.structs import TopicPartition

        try:
            if self._admin is None:
                self._admin = KafkaAdminClient(
                    bootstrap_servers=self.bootstrap, client_id=f"{self.group_id}-watchdog", **self.options
                )
                self._consumer = KafkaConsumer(
                    bootstrap_servers=self.bootstrap, enable_auto_commit=False, **self.options
                )
            tps = [TopicPartition(topic, partition) for topic, partition in partitions]
            committed = dict(self._admin.list_group_offsets({self.group_id: tps}).get(self.group_id, {}))
            ends = self._consumer.end_offsets(tps)
        except Exception:
            self.close()
            raise
        out: dict[tuple[str, int], tuple[int | None, int]] = {}
        for tp in tps:
            done = committed.get(tp)
            out[(tp.topic, tp.partition)] = (done.offset if done is not None and done.offset >= 0 else None, ends[tp])
        return out

    def close(self) -> None:
        for client in (self._admin, self._consumer):
            try:
                if client is not None:
                    client.close()
            except Exception:  # closing a client of a broker that is gone
                pass
        self._admin = self._consumer = None
