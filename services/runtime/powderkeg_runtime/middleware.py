"""Stage metrics as a middleware around each consumed message, so no handler counts anything itself.

The stage skeleton (:mod:`powderkeg_runtime.stage`) calls ``middleware(message, call_next)``; ``call_next`` decodes,
handles and sends, and returns what became of the message (:class:`Handled`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from powderkeg_runtime.metrics import (
    END_TO_END_SECONDS,
    LAST_PROCESSED,
    MESSAGES_CONSUMED,
    PROCESSING_ATTEMPTS,
    PROCESSING_FAILURES,
    PROCESSING_SECONDS,
)


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one message: processed (``rejected`` is None) or dead-lettered with the reason."""

    rejected: str | None = None
    ingested_at: datetime | None = None
    """When the article behind the message was ingested, for the end-to-end latency (None: not known)."""


CallNext = Callable[[Any], Awaitable[Handled]]
Middleware = Callable[[Any, CallNext], Awaitable[Handled]]


class PrometheusMiddleware:
    """Consumed, attempts, failures by reason, processing seconds, last processed and end-to-end time of a stage.

    Seconds, last-processed and end-to-end are of processed messages only: a dead letter is a failure, not progress.
    """

    def __init__(self, stage: str) -> None:
        self.stage = stage

    async def __call__(self, message: Any, call_next: CallNext) -> Handled:
        MESSAGES_CONSUMED.labels(topic=message.topic).inc()
        PROCESSING_ATTEMPTS.labels(stage=self.stage).inc()
        started = time.perf_counter()
        handled = await call_next(message)
        if handled.rejected is not None:
            PROCESSING_FAILURES.labels(stage=self.stage, reason=handled.rejected).inc()
            return handled
        if handled.ingested_at is not None:
            age = (datetime.now(UTC) - handled.ingested_at).total_seconds()
            END_TO_END_SECONDS.labels(stage=self.stage).observe(max(0.0, age))
        PROCESSING_SECONDS.labels(stage=self.stage).observe(time.perf_counter() - started)
        LAST_PROCESSED.labels(stage=self.stage).set(time.time())
        return handled
