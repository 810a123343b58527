"""Where accepted articles and dead letters go: Kafka (the service) or standard output (``--dry-run``).

kafka-python is ingest's producer client on purpose: ingest is synchronous I/O (files, stdin, feed fetches, a
request handler that answers only after its articles are acknowledged), so a blocking producer with futures fits it
better than an asyncio client, and faust's aiokafka stays with the stream processors. kafka-python is imported when
a :class:`KafkaSink` is built, so ``--help`` and ``--dry-run`` do not load a Kafka client at all.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Protocol, TextIO

from powderkeg_contracts import Article, DeadLetter, topics
from powderkeg_runtime.codec import encode
from powderkeg_runtime.dlq import Headers

log = logging.getLogger(__name__)

PRODUCER_OVERHEAD_BYTES = 256_000
"""Room for the Article's other fields and JSON escapes on top of the text limit."""


class PublishError(RuntimeError):
    """The broker did not acknowledge some messages; the batch must not be recorded as done."""


class Sink(Protocol):
    def article(self, article: Article) -> None: ...

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None: ...

    def flush(self) -> None:
        """Block until everything sent is acknowledged; raise :class:`PublishError` if anything failed."""
        ...

    def close(self) -> None: ...


class KafkaSink:
    """Publishes Articles (key ``article_id``) and dead letters with an idempotent, ``acks=all`` producer."""

    def __init__(self, bootstrap: str, *, max_text_bytes: int, client_id: str = "powderkeg-ingest") -> None:
        from kafka import KafkaProducer

        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            compression_type="gzip",
            linger_ms=5,
            max_request_size=3 * max_text_bytes + PRODUCER_OVERHEAD_BYTES,
        )
        self._lock = threading.Lock()
        self._failures: list[str] = []
        self.sent: dict[str, int] = {}

    def _send(self, topic: str, key: bytes | None, value: bytes, headers: Headers | None = None) -> None:
        future = self._producer.send(topic, key=key, value=value, headers=headers or [])
        future.add_errback(self._failed, topic)
        self.sent[topic] = self.sent.get(topic, 0) + 1

    def _failed(self, error: BaseException, topic: str) -> None:
        with self._lock:
            self._failures.append(f"{topic}: {error}")
        log.error("produce to %s failed: %s", topic, error)

    def article(self, article: Article) -> None:
        self._send(topics.ARTICLES, article.article_id.encode(), encode(article))

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None:
        self._send(topics.INGEST_DLQ, None, encode(letter), headers)

    def flush(self) -> None:
        from kafka.errors import KafkaError

        try:
            self._producer.flush(timeout=60)
        except KafkaError as exc:
            raise PublishError(f"flush failed: {exc}") from exc
        with self._lock:
            failures, self._failures = self._failures, []
        if failures:
            raise PublishError(f"{len(failures)} message(s) not acknowledged, first: {failures[0]}")

    def close(self) -> None:
        self._producer.close(timeout=30)


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
