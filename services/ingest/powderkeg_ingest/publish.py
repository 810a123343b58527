"""Where accepted articles and dead letters go: Kafka (the service) or standard output (``--dry-run``).

kafka-python is ingest's producer client on purpose: ingest is synchronous I/O (files, stdin, feed fetches, a
request handler that answers only after its articles are acknowledged), so a blocking producer with futures fits it
better than an asyncio client, and faust's aiokafka stays with the stream processors. kafka-python is imported when
a :class:`KafkaSink` is built, so ``--help`` and ``--dry-run`` do not load a Kafka client at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from powderkeg_contracts import Article, DeadLetter, limits, topics
from powderkeg_runtime.codec import encode
from powderkeg_runtime.dlq import Headers
from powderkeg_runtime.kafka_clients import kafka_python_options
from powderkeg_runtime.kafka_config import KafkaSettings

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    """The broker did not acknowledge some messages; the unit of work must not be recorded as done."""


class Sink(Protocol):
    def article(self, article: Article) -> None: ...

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None: ...

    def flush(self) -> None:
        """Block until everything sent since the last flush is acknowledged; raise :class:`PublishError` if
        anything failed or did not complete in time. A failure is never reported by a later flush."""
        ...

    def close(self) -> None: ...


class KafkaSink:
    """Publishes Articles (key ``article_id``) and dead letters with an idempotent, ``acks=all`` producer.

    Each :meth:`flush` waits for the futures of the messages sent since the previous one, with one total deadline
    (``timeout_s``), and reads their outcome from the futures themselves: an error callback that runs after
    ``flush`` returned can therefore never be charged to the next unit of work. After a failure the producer is
    discarded (its unsent batches aborted) and the next send builds a fresh one, so neither a stuck idempotence
    sequence nor an old batch delivered late can follow the refusal.

    Sizes come from :mod:`powderkeg_contracts.limits`: the producer's ``max_request_size`` is below the broker's
    ``message.max.bytes``, and the ingest core refuses articles over ``ARTICLE_MAX_BYTES`` before they get here.
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        timeout_s: float = 30.0,
        client_id: str = "powderkeg-ingest",
        connect_timeout_s: float = 5.0,
        prepare: Callable[[], None] | None = None,
        kafka: KafkaSettings | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.kafka = kafka
        self._prepare = prepare
        self.timeout_s = timeout_s
        self.client_id = client_id
        self.connect_timeout_s = connect_timeout_s
        self._producer: Any = None
        self._pending: list[tuple[str, Any]] = []
        self.sent: dict[str, int] = {}

    def _build(self) -> Any:
        from kafka import KafkaProducer

        request_ms = max(1000, int(self.timeout_s * 1000) - 100)
        return KafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,
            compression_type="gzip",
            linger_ms=5,
            max_request_size=limits.PRODUCER_MAX_REQUEST_BYTES,
            request_timeout_ms=request_ms,
            delivery_timeout_ms=request_ms + 100,
            max_block_ms=int(min(self.connect_timeout_s, self.timeout_s) * 1000),
            bootstrap_timeout_ms=int(self.connect_timeout_s * 1000),
            **kafka_python_options(self.kafka),
        )

    def connect(self) -> None:
        """Prepare the topics (once), build the producer (bootstrap) and fetch the articles topic's metadata."""
        from kafka.errors import KafkaError

        if self._prepare is not None:
            try:
                self._prepare()
            except Exception as exc:  # the admin client's errors are not all KafkaErrors (RuntimeError on timeout)
                raise PublishError(f"cannot prepare the topics at {self.bootstrap}: {exc}") from exc
            self._prepare = None
        try:
            if self._producer is None:
                self._producer = self._build()
            self._producer.partitions_for(topics.ARTICLES)
        except (KafkaError, OSError) as exc:
            self.reset()
            raise PublishError(f"cannot reach the broker at {self.bootstrap}: {exc}") from exc

    def _send(self, topic: str, key: bytes | None, value: bytes, headers: Headers | None = None) -> None:
        from kafka.errors import KafkaError

        try:
            if self._producer is None:
                self._producer = self._build()
            future = self._producer.send(topic, key=key, value=value, headers=headers or [])
        except (KafkaError, OSError, ValueError) as exc:  # no broker to bootstrap with, buffer full, closed
            self._pending.append((topic, _Failed(exc)))
            return
        self._pending.append((topic, future))
        self.sent[topic] = self.sent.get(topic, 0) + 1

    def article(self, article: Article) -> None:
        self._send(topics.ARTICLES, article.article_id.encode(), encode(article))

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None:
        self._send(topics.INGEST_DLQ, None, encode(letter), headers)

    def flush(self) -> None:
        from kafka.errors import KafkaError

        pending, self._pending = self._pending, []
        if not pending:
            return
        deadline = time.monotonic() + self.timeout_s
        failures: list[str] = []
        if self._producer is not None:
            try:
                self._producer.flush(timeout=self.timeout_s)
            except KafkaError as exc:
                failures.append(f"flush: {exc}")
        for topic, future in pending:
            if not future.is_done:
                remaining = deadline - time.monotonic()
                with contextlib.suppress(Exception):  # the outcome is read from the future itself, below
                    future.get(timeout=max(0.0, remaining))
            if not future.is_done:
                failures.append(f"{topic}: not acknowledged within {self.timeout_s:.0f}s")
            elif future.exception is not None:
                failures.append(f"{topic}: {type(future.exception).__name__}: {future.exception}")
        if failures:
            self.reset()
            raise PublishError(f"{len(failures)} of {len(pending)} message(s) not acknowledged, first: {failures[0]}")

    def reset(self) -> None:
        """Discard the producer without waiting: its unsent batches fail, the next send builds a new one."""
        producer, self._producer = self._producer, None
        self._pending = []
        if producer is None:
            return
        sender = getattr(producer, "_sender", None)
        if sender is not None:
            sender.force_close()  # kafka-python's close(0) raises while batches are incomplete; abort them first
            sender.join(self.connect_timeout_s)
        try:
            producer.close(timeout=0)
        except Exception as exc:  # a half-built or already failed producer: nothing more to release
            log.debug("closing a discarded producer: %s", exc)

    def close(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=self.timeout_s)
            except Exception as exc:
                log.warning("producer close: %s", exc)
                self.reset()


class _Failed:
    """A send that failed before it reached the producer's buffer, shaped like a kafka-python future."""

    is_done = True

    def __init__(self, exception: BaseException) -> None:
        self.exception = exception

    def get(self, timeout: float | None = None) -> None:
        raise self.exception


class StdoutSink:
    """Writes Articles as JSON lines to ``out`` and dead letters to ``err`` (``--dry-run``: no broker needed)."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self._out = out
        self._err = err

    def article(self, article: Article) -> None:
        self._out.write(article.model_dump_json() + "\n")

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None:
        summary = {"dead_letter": letter.origin, "error": letter.error_message}
        self._err.write(json.dumps(summary, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        self._out.flush()
