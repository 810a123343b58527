"""The service shell's one processing path: an input item goes through the core, out to the sink, into the metrics.

Files, standard input, the HTTP push API and feeds all call :meth:`Ingestor.handle`, so every input is counted,
de-duplicated and dead-lettered the same way. One lock serialises the core and the state (the HTTP API and the feed
poller run in different threads).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from powderkeg_contracts import topics
from powderkeg_ingest import metrics
from powderkeg_ingest.core.errors import IngestError
from powderkeg_ingest.core.pipeline import IngestCore, IngestResult
from powderkeg_ingest.publish import Sink
from powderkeg_ingest.sources.files import InputError, InputRecord, Item
from powderkeg_runtime.dlq import build_dead_letter

log = logging.getLogger(__name__)


class Durable(Protocol):
    def commit(self) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ingestor:
    """Runs items through ``core`` and publishes the results to ``sink``; ``state`` is committed after each flush."""

    def __init__(
        self,
        core: IngestCore,
        sink: Sink,
        *,
        state: Durable | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.core = core
        self.sink = sink
        self.state = state
        self.clock = clock
        self.lock = threading.RLock()
        self.tally: Counter[str] = Counter()

    def handle(self, item: Item) -> IngestResult:
        """Process one item; rejected inputs are dead-lettered here, with ``ref`` (``file:line``) as their origin."""
        with self.lock:
            started = time.perf_counter()
            if isinstance(item, InputError):
                origin_label = item.origin.value
                result = IngestResult(kind="rejected", reason=item.reason, message=item.message)
            else:
                origin_label = item.raw.origin.value
                result = self.core.accept(item.raw, now=self.clock())
            metrics.RECEIVED.labels(origin=origin_label).inc()
            self._record(item, result)
            metrics.PROCESSING_SECONDS.labels(stage=metrics.STAGE).observe(time.perf_counter() - started)
            metrics.LAST_PROCESSED.labels(stage=metrics.STAGE).set(time.time())
            return result

    def _record(self, item: InputRecord | InputError, result: IngestResult) -> None:
        self.tally[result.kind] += 1
        if result.article is not None:
            self.sink.article(result.article)
            metrics.PUBLISHED.labels(topic=topics.ARTICLES).inc()
            metrics.MESSAGES_PRODUCED.labels(topic=topics.ARTICLES).inc()
            metrics.LANGUAGE.labels(language=metrics.language_label(result.article.language)).inc()
            if result.kind == "near_duplicate":
                metrics.DUPLICATES.labels(kind="near").inc()
        elif result.kind == "exact_duplicate":
            metrics.DUPLICATES.labels(kind="exact").inc()
            log.debug("%s: exact duplicate of %s, skipped", item.ref, result.duplicate_of)
        else:
            reason = result.reason or "invalid_field"
            letter, headers = build_dead_letter(
                value=item.data,
                key=None,
                stage="ingest",
                error=IngestError(reason, result.message or reason),
                origin=item.ref,
                error_class=f"powderkeg_ingest.IngestError.{reason}",
            )
            self.sink.dead_letter(letter, headers)
            metrics.REJECTED.labels(reason=reason).inc()
            metrics.DEAD_LETTERS.labels(topic=topics.INGEST_DLQ, reason=reason).inc()
            metrics.MESSAGES_PRODUCED.labels(topic=topics.INGEST_DLQ).inc()
            log.warning("%s: rejected (%s): %s", item.ref, reason, result.message)

    def checkpoint(self) -> None:
        """Wait for the broker to acknowledge everything, then make the de-duplication state durable."""
        with self.lock:
            self.sink.flush()
            if self.state is not None:
                self.state.commit()
