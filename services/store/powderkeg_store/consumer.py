"""The store's Kafka consumer: poll a batch, write it in one database transaction, then commit the offsets.

kafka-python rather than faust: the store is synchronous database I/O in batches, and it must commit an offset only
after the transaction that holds the message committed. With kafka-python's ``poll`` and an explicit ``commit`` of
exactly the offsets just written, that order is the code's, not a background committer's, and a crash between the
two only replays messages whose writes are idempotent (``writer``). faust would add tables, changelogs and an event
loop the store does not need.

A failed transaction (database away, disk full) writes nothing: the consumer seeks back to the batch's first offsets,
waits with a growing backoff and tries again, and ``/readyz`` reports the error meanwhile. An undecodable message is
kept in ``rejects`` with the reason and the original bytes (the contracts' dead letters are for pipeline stages, and
the store is the end of the line); it never blocks the partition.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from powderkeg_contracts import Alert, ArticleOutcome, EventRecord, topics
from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.kafka_clients import kafka_python_options
from powderkeg_runtime.kafka_config import KafkaSettings
from powderkeg_store import metrics
from powderkeg_store.writer import Batch, Reject, WriteResult, write_batch

log = logging.getLogger(__name__)

TOPICS: tuple[str, ...] = (topics.EVENTS, topics.ALERTS, topics.OUTCOMES)
MAX_BACKOFF_S = 30.0
LAG_EVERY_S = 10.0


def _record_time(timestamp_ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC) if timestamp_ms and timestamp_ms > 0 else None


def decode_records(records: dict[Any, list[Any]], events_topic: str, alerts_topic: str) -> Batch:
    """The batch of a poll: each value decoded by its topic's contract, or kept as a reject with the reason."""
    batch = Batch()
    for tp, messages in records.items():
        metrics.MESSAGES_CONSUMED.labels(topic=tp.topic).inc(len(messages))
        for m in messages:
            try:
                if tp.topic == events_topic:
                    batch.events.append((decode(EventRecord, m.value), _record_time(m.timestamp)))
                elif tp.topic == alerts_topic:
                    batch.alerts.append(decode(Alert, m.value))
                else:
                    batch.outcomes.append(decode(ArticleOutcome, m.value))
            except DecodeError as exc:
                metrics.REJECTED.labels(reason=exc.kind).inc()
                reject = Reject(tp.topic, tp.partition, m.offset, exc.kind, exc.detail[:2000], m.key, m.value)
                batch.rejects.append(reject)
    return batch


class StoreConsumer:
    """Consumes ``topic_names`` (events, alerts, outcomes by default) into the store behind ``engine``."""

    def __init__(
        self,
        engine: Engine,
        *,
        bootstrap: str,
        group_id: str,
        kafka: KafkaSettings | None = None,
        topic_names: Collection[str] = TOPICS,
        batch_max: int = 1000,
        poll_timeout_ms: int = 500,
        on_write: Callable[[WriteResult], None] | None = None,
    ) -> None:
        from kafka import KafkaConsumer

        self.engine = engine
        self.topic_names = tuple(topic_names)
        self.events_topic = next((t for t in self.topic_names if "events" in t), topics.EVENTS)
        self.alerts_topic = next((t for t in self.topic_names if "alerts" in t), topics.ALERTS)
        self.batch_max = batch_max
        self.poll_timeout_ms = poll_timeout_ms
        self.on_write = on_write
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group_id,
            client_id="powderkeg-store",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=batch_max,
            **kafka_python_options(kafka),
        )
        self.consumer.subscribe(list(self.topic_names))
        self.last_error: str | None = None
        self.last_write: float | None = None
        self._lag_at = 0.0

    def step(self) -> int:
        """One poll, write and commit; returns the messages handled. Raises (after seeking back) if the write failed."""
        from kafka.structs import OffsetAndMetadata

        records = self.consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=self.batch_max)
        self._sample_lag()
        if not records:
            return 0
        batch = decode_records(records, self.events_topic, self.alerts_topic)
        started = time.perf_counter()
        try:
            with self.engine.begin() as conn:
                result = write_batch(conn, batch, datetime.now(UTC))
        except SQLAlchemyError:
            for tp, messages in records.items():
                self.consumer.seek(tp, messages[0].offset)
            raise
        # The transaction has committed: only now may the broker learn that these offsets are done.
        self.consumer.commit({tp: OffsetAndMetadata(ms[-1].offset + 1, "", -1) for tp, ms in records.items()})
        elapsed = time.perf_counter() - started
        self._count(result, len(batch), elapsed)
        self.last_error, self.last_write = None, time.time()
        if self.on_write is not None:
            self.on_write(result)
        return len(batch)

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; a failed write is retried with backoff, never skipped."""
        backoff = 0.5
        while not stop.is_set():
            try:
                self.step()
                backoff = 0.5
            except SQLAlchemyError as exc:
                metrics.DB_ERRORS.inc()
                self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                log.error("store write failed, retrying in %.1fs: %s", backoff, self.last_error)
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    def ready(self) -> tuple[bool, str]:
        if self.last_error is not None:
            return False, f"database: {self.last_error}"
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return False, f"database unreachable: {type(exc).__name__}"
        return True, "database reachable"

    def close(self) -> None:
        self.consumer.close(autocommit=False)

    def _count(self, result: WriteResult, size: int, elapsed: float) -> None:
        metrics.BATCH_SECONDS.observe(elapsed)
        metrics.BATCH_SIZE.observe(size)
        metrics.PROCESSING_SECONDS.labels(stage=metrics.STAGE).observe(elapsed / max(size, 1))
        metrics.LAST_PROCESSED.labels(stage=metrics.STAGE).set(time.time())
        for kind, outcome, n in (
            ("event", "new", result.events_new),
            ("event", "duplicate", result.events_seen),
            ("alert", "new", result.alerts_new),
            ("alert", "replaced", result.alerts_replaced),
            ("alert", "stale", result.alerts_stale),
            ("outcome", "new", result.outcomes_new),
        ):
            if n:
                metrics.WRITES.labels(kind=kind, outcome=outcome).inc(n)

    def _sample_lag(self) -> None:
        now = time.monotonic()
        if now - self._lag_at < LAG_EVERY_S:
            return
        self._lag_at = now
        try:
            parts = list(self.consumer.assignment())
            ends = self.consumer.end_offsets(parts) if parts else {}
            for tp in parts:
                lag = max(ends.get(tp, 0) - self.consumer.position(tp), 0)
                metrics.CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
        except Exception as exc:  # lag is a metric; a broker hiccup must not stop consuming
            log.debug("consumer lag not sampled: %s", exc)
