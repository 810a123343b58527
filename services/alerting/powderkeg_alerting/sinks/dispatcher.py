"""Delivers alert changes to every sink from a bounded queue, off the event-processing path.

The agent only enqueues; a slow or dead receiver can therefore never stall event processing or consumer commits.
When the queue is full the alert is not delivered (counted as a failure for every sink); Kafka still has it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import httpx

from powderkeg_alerting.sinks.base import Delivery, RetryPolicy, Sink, deliver
from powderkeg_contracts import Alert

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000


class Dispatcher:
    """A queue of alerts and a loop that delivers each to every sink."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        policy: RetryPolicy,
        *,
        on_attempt: Callable[..., None] | None = None,
        on_result: Callable[[Delivery], None] | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.sinks = list(sinks)
        self.policy = policy
        self._on_attempt = on_attempt
        self._on_result = on_result
        self._client = client
        self._queue: asyncio.Queue[tuple[Alert, tuple[Sink, ...]]] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def submit(self, alert: Alert, sinks: Sequence[Sink] | None = None) -> bool:
        """Queue ``alert`` for ``sinks`` (all by default); False (and counted failures) when the queue is full."""
        targets = tuple(sinks if sinks is not None else self.sinks)
        if not targets:
            return True
        try:
            self._queue.put_nowait((alert, targets))
        except asyncio.QueueFull:
            for sink in targets:
                self._report(Delivery(sink=sink.name, ok=False, attempts=0, status=None, error="queue full"))
            return False
        return True

    def _report(self, result: Delivery) -> None:
        if not result.ok:
            log.warning("delivery to %s failed after %d attempts: %s", result.sink, result.attempts, result.error)
        if self._on_result is not None:
            self._on_result(result)

    async def run(self) -> None:
        """Deliver queued alerts until cancelled."""
        client = self._client or httpx.AsyncClient(timeout=self.policy.timeout)
        try:
            while True:
                alert, targets = await self._queue.get()
                try:
                    for sink in targets:
                        self._report(await deliver(client, sink, alert, self.policy, self._on_attempt))
                finally:
                    self._queue.task_done()
        finally:
            if self._client is None:
                await client.aclose()

    async def drain(self) -> None:
        """Wait until everything queued so far has been delivered or given up."""
        await self._queue.join()
