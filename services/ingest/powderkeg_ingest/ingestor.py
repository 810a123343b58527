"""The service shell's one processing path: an input item goes through the core, out to the sink, into the metrics.

Files, standard input, the HTTP push API and feeds all call :meth:`Ingestor.submit` with a unit of work (a push, a
feed poll, 500 lines of a file), so every input is counted, de-duplicated and dead-lettered the same way. One lock
serialises units (the HTTP API and the feed poller run in different threads), so each unit has the state
transaction to itself:

- its de-duplication and feed state is committed only after the broker acknowledged every message of the unit;
- if any message was not acknowledged the transaction is rolled back, the in-memory near-duplicate window rebuilt
  from what was committed, and :class:`~powderkeg_ingest.publish.PublishError` raised: nothing of the unit is
  recorded as done, so a retry is accepted again, never answered "duplicate" for an article that is on no topic;
- metrics and the tally count a unit only once it is committed, so a refused push is not counted as published.

After a failure :class:`PublishHealth` refuses new units for ``retry_after_s`` (the push API answers 503 with
``Retry-After`` without touching the state) and readiness stays false until a unit or a probe succeeds again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from powderkeg_contracts import topics
from powderkeg_ingest import metrics
from powderkeg_ingest.core.errors import IngestError
from powderkeg_ingest.core.pipeline import IngestCore, IngestResult
from powderkeg_ingest.publish import PublishError, Sink
from powderkeg_ingest.sources.files import InputError, InputRecord, Item
from powderkeg_runtime.dlq import build_dead_letter

log = logging.getLogger(__name__)


class Durable(Protocol):
    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class Busy(PublishError):
    """Another unit of work held the ingestor past the wait: nothing of this one was handled; retry."""


class PublishHealth:
    """A circuit breaker over publishing: after a failure, refuse for ``retry_after_s``, then let one unit try.

    ``ready()`` is false from a failure until a unit (or :meth:`Ingestor.probe`) is acknowledged again, which is
    what the service's ``/readyz`` reports.
    """

    def __init__(self, retry_after_s: float = 5.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._open_until: float | None = None
        self._reason: str | None = None

    def failed(self, reason: str) -> None:
        self._open_until = self._clock() + self.retry_after_s
        self._reason = reason
        metrics.PUBLISH_READY.set(0)

    def succeeded(self) -> None:
        self._open_until = None
        self._reason = None
        metrics.PUBLISH_READY.set(1)

    def retry_after(self) -> float | None:
        """Seconds to wait before trying again, or None when a unit may try now."""
        if self._open_until is None:
            return None
        left = self._open_until - self._clock()
        return left if left > 0 else None

    def ready(self) -> tuple[bool, str]:
        if self._reason is None:
            return True, "publishing"
        return False, f"cannot publish: {self._reason[:300]}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ingestor:
    """Runs units of items through ``core`` and publishes the results to ``sink``; ``state`` follows the broker.

    Args:
        on_rollback: called after a rolled-back unit (the service rebuilds its near-duplicate window there).
        lock_wait_s: how long :meth:`submit` waits for another unit to finish before raising :class:`Busy`.
    """

    def __init__(
        self,
        core: IngestCore,
        sink: Sink,
        *,
        state: Durable | None = None,
        clock: Callable[[], datetime] = _utcnow,
        on_rollback: Callable[[], None] | None = None,
        health: PublishHealth | None = None,
        lock_wait_s: float | None = None,
    ) -> None:
        self.core = core
        self.sink = sink
        self.state = state
        self.clock = clock
        self.on_rollback = on_rollback
        self.health = health or PublishHealth()
        self.lock_wait_s = lock_wait_s
        self.lock = threading.RLock()
        self.tally: Counter[str] = Counter()
        self._uncounted: list[Callable[[], None]] = []

    def submit(self, items: Sequence[Item], *, before_commit: Callable[[], None] | None = None) -> list[IngestResult]:
        """Handle ``items`` as one unit: publish, wait for the broker, commit (with ``before_commit``'s writes).

        Raises:
            Busy: another unit held the ingestor longer than ``lock_wait_s``; nothing was handled.
            PublishError: the broker did not acknowledge; nothing of the unit is recorded.
        """
        if not self.lock.acquire(timeout=-1 if self.lock_wait_s is None else self.lock_wait_s):
            raise Busy(f"ingest is busy with another unit for more than {self.lock_wait_s:.0f}s")
        try:
            results = [self.handle(item) for item in items]
            if before_commit is not None:
                before_commit()
            self.checkpoint()
            return results
        finally:
            self.lock.release()

    def handle(self, item: Item) -> IngestResult:
        """Process one item; rejected inputs are dead-lettered here, with ``ref`` (``file:line``) as their origin."""
        with self.lock:
            started = time.perf_counter()
            if isinstance(item, InputError):
                origin_label = item.origin.value
                result = IngestResult(kind="rejected", reason=item.reason, message=item.message)
            else:
                origin_label = item.raw.origin.value
                result = self._accept(item)
            metrics.RECEIVED.labels(origin=origin_label).inc()
            self._record(item, result)
            metrics.PROCESSING_SECONDS.labels(stage=metrics.STAGE).observe(time.perf_counter() - started)
            metrics.LAST_PROCESSED.labels(stage=metrics.STAGE).set(time.time())
            return result

    def _accept(self, item: InputRecord) -> IngestResult:
        try:
            return self.core.accept(item.raw, now=self.clock())
        except Exception as exc:  # a bug in the core must cost one dead-lettered input, never the rest of a batch
            log.exception("%s: the ingest core failed", item.ref)
            return IngestResult(kind="rejected", reason="internal_error", message=f"{type(exc).__name__}: {exc}")

    def _count(self, action: Callable[[], None]) -> None:
        self._uncounted.append(action)

    def _record(self, item: InputRecord | InputError, result: IngestResult) -> None:
        kind = result.kind
        self._count(lambda: self.tally.update([kind]))
        for field, code in result.dropped:
            self._count(metrics.FIELDS_DROPPED.labels(field=field, reason=code).inc)
        if result.article is not None:
            self.sink.article(result.article)
            language = metrics.language_label(result.article.language)
            near = result.kind == "near_duplicate"

            def published() -> None:
                metrics.PUBLISHED.labels(topic=topics.ARTICLES).inc()
                metrics.MESSAGES_PRODUCED.labels(topic=topics.ARTICLES).inc()
                metrics.LANGUAGE.labels(language=language).inc()
                if near:
                    metrics.DUPLICATES.labels(kind="near").inc()

            self._count(published)
        elif result.kind == "exact_duplicate":
            self._count(lambda: metrics.DUPLICATES.labels(kind="exact").inc())
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

            def rejected() -> None:
                metrics.REJECTED.labels(reason=reason).inc()
                metrics.DEAD_LETTERS.labels(topic=topics.INGEST_DLQ, reason=reason).inc()
                metrics.MESSAGES_PRODUCED.labels(topic=topics.INGEST_DLQ).inc()

            self._count(rejected)
            log.warning("%s: rejected (%s): %s", item.ref[:300], reason, (result.message or "")[:300])

    def checkpoint(self) -> None:
        """Wait for the broker to acknowledge the unit, then make its state durable; roll it back otherwise."""
        with self.lock:
            uncounted, self._uncounted = self._uncounted, []
            try:
                self.sink.flush()
            except PublishError as exc:
                self._rollback(exc)
                raise
            if self.state is not None:
                self.state.commit()
            self.health.succeeded()
            for action in uncounted:
                action()

    def _rollback(self, error: PublishError) -> None:
        metrics.PUBLISH_FAILURES.inc()
        self.health.failed(str(error))
        log.error("the broker did not acknowledge a unit of work; nothing of it is recorded: %s", error)
        if self.state is not None:
            self.state.rollback()
        if self.on_rollback is not None:
            self.on_rollback()

    def probe(self) -> bool:
        """Try to reach the broker when publishing has failed and no unit has succeeded since; True if it works."""
        connect = getattr(self.sink, "connect", None)
        if self.health.ready()[0] or connect is None or self.health.retry_after() is not None:
            return self.health.ready()[0]
        with self.lock:
            try:
                connect()
            except PublishError as exc:
                self.health.failed(str(exc))
                return False
            self.health.succeeded()
            log.info("the broker is reachable again; accepting pushes")
            return True
