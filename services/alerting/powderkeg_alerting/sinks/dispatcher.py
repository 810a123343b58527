"""Delivers alert changes to every sink, each sink on its own lane: its own bounded queue and its own task.

The agent only enqueues; a slow or dead receiver can therefore never stall event processing or consumer commits,
and since every sink has its own lane, a webhook that never answers delays only its own deliveries: the other
sinks go on at their own pace. Each attempt has a total deadline (``RetryPolicy.timeout``), not a per-read timeout,
so a receiver that trickles its answer is cut off as surely as one that is silent.

When a sink's queue is full, the alert is not queued for that sink: the overflow is counted
(``powderkeg_alert_delivery_dropped_total{sink}``, and as a failed delivery) and logged, never silent. Kafka's
``powderkeg.alerts.v2`` still has the alert, and Alertmanager gets every open alert re-sent periodically.
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
"""Alerts waiting per sink."""


def _count_dropped(sink: str) -> None:
    from powderkeg_alerting.metrics import ALERT_DELIVERY_DROPPED

    ALERT_DELIVERY_DROPPED.labels(sink=sink).inc()


class _Lane:
    """One sink's queue."""

    def __init__(self, sink: Sink, size: int) -> None:
        self.sink = sink
        self.queue: asyncio.Queue[Alert] = asyncio.Queue(maxsize=size)


class Dispatcher:
    """Per-sink queues of alerts and one delivery loop per sink."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        policy: RetryPolicy,
        *,
        on_attempt: Callable[..., None] | None = None,
        on_result: Callable[[Delivery], None] | None = None,
        on_dropped: Callable[[str], None] = _count_dropped,
        client: httpx.AsyncClient | None = None,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.sinks = list(sinks)
        self.policy = policy
        self._on_attempt = on_attempt
        self._on_result = on_result
        self._on_dropped = on_dropped
        self._client = client
        self._lanes = {id(sink): _Lane(sink, queue_size) for sink in self.sinks}

    def _lane(self, sink: Sink) -> _Lane:
        lane = self._lanes.get(id(sink))
        if lane is None:
            raise ValueError(f"sink {sink.name!r} is not one of this dispatcher's sinks")
        return lane

    def submit(self, alert: Alert, sinks: Sequence[Sink] | None = None) -> bool:
        """Queue ``alert`` for ``sinks`` (all by default); False when any sink's queue was full (counted)."""
        queued = True
        for sink in sinks if sinks is not None else self.sinks:
            try:
                self._lane(sink).queue.put_nowait(alert)
            except asyncio.QueueFull:
                queued = False
                self._on_dropped(sink.name)
                self._report(Delivery(sink=sink.name, ok=False, attempts=0, status=None, error="queue full"))
        return queued

    def _report(self, result: Delivery) -> None:
        if not result.ok:
            log.warning("delivery to %s failed after %d attempts: %s", result.sink, result.attempts, result.error)
        if self._on_result is not None:
            self._on_result(result)

    async def _serve(self, lane: _Lane, client: httpx.AsyncClient) -> None:
        while True:
            alert = await lane.queue.get()
            try:
                self._report(await deliver(client, lane.sink, alert, self.policy, self._on_attempt))
            except Exception:  # a sink bug must not end its lane: the alert is counted as failed, the lane goes on
                log.exception("delivery to %s raised", lane.sink.name)
                self._report(Delivery(sink=lane.sink.name, ok=False, attempts=1, status=None, error="sink error"))
            finally:
                lane.queue.task_done()

    async def run(self) -> None:
        """Deliver queued alerts, every sink concurrently, until cancelled."""
        client = self._client or httpx.AsyncClient(timeout=self.policy.timeout)
        tasks = [asyncio.ensure_future(self._serve(lane, client)) for lane in self._lanes.values()]
        try:
            if tasks:
                await asyncio.gather(*tasks)
            else:
                await asyncio.Event().wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._client is None:
                await client.aclose()

    def pending(self, sink: Sink) -> int:
        """Alerts waiting for ``sink``."""
        return self._lane(sink).queue.qsize()

    async def drain(self) -> None:
        """Wait until everything queued so far has been delivered or given up, on every lane."""
        await asyncio.gather(*(lane.queue.join() for lane in self._lanes.values()))
