"""What a sink is, and the retry loop every sink shares.

An attempt's ``timeout`` is a total deadline (connect, send, answer), and at most :data:`MAX_ANSWER_BYTES` of an
answer are read: a receiver that trickles bytes or streams an endless body costs one attempt's deadline, no more.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Protocol

import httpx

from powderkeg_contracts import Alert

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 4096
"""Of a receiver's answer, only this much is read (for the log line of a failure)."""
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Statuses worth retrying; any other 4xx means the request itself is wrong and retrying cannot help."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: ``attempts`` tries, delays ``base * 2**n`` capped at ``max_delay``, with jitter in [50%, 100%]
    so that many workers recovering together do not hammer a receiver in lockstep."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 5.0

    def delay(self, retry: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2**retry) * random.uniform(0.5, 1.0))


@dataclass(frozen=True)
class Delivery:
    """The result of delivering one alert to one sink."""

    sink: str
    ok: bool
    attempts: int
    status: int | None
    error: str | None = None


class Sink(Protocol):
    name: str

    def build_request(self, alert: Alert) -> httpx.Request:
        """The HTTP request that delivers ``alert``."""


class AttemptCounter(Protocol):
    def __call__(self, sink: str, *, retried: bool) -> None: ...


async def _attempt(client: httpx.AsyncClient, request: httpx.Request) -> tuple[int, bytes]:
    """Send ``request``; the status and at most :data:`MAX_ANSWER_BYTES` of the answer."""
    response = await client.send(request, stream=True)
    try:
        if response.is_stream_consumed:  # a transport that read the answer already (httpx.MockTransport)
            return response.status_code, response.content[:MAX_ANSWER_BYTES]
        answer = b""
        async for chunk in response.aiter_raw():
            answer += chunk
            if len(answer) >= MAX_ANSWER_BYTES:
                break
        return response.status_code, answer[:MAX_ANSWER_BYTES]
    finally:
        await response.aclose()


async def deliver(
    client: httpx.AsyncClient,
    sink: Sink,
    alert: Alert,
    policy: RetryPolicy,
    on_attempt: AttemptCounter | None = None,
) -> Delivery:
    """Send ``alert`` to ``sink``, retrying transient failures; never raises for HTTP or network errors."""
    status: int | None = None
    error: str | None = None
    for attempt in range(policy.attempts):
        if attempt:
            await asyncio.sleep(policy.delay(attempt - 1))
        if on_attempt is not None:
            on_attempt(sink.name, retried=attempt > 0)
        try:
            async with asyncio.timeout(policy.timeout):
                status, answer = await _attempt(client, sink.build_request(alert))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            status, error = None, f"{type(exc).__name__}: {exc}"
            continue
        except TimeoutError:
            status, error = None, f"no complete answer within {policy.timeout:.1f}s"
            continue
        if 200 <= status < 300:
            on_delivered = getattr(sink, "on_delivered", None)
            if on_delivered is not None:
                on_delivered(alert)
            return Delivery(sink=sink.name, ok=True, attempts=attempt + 1, status=status)
        error = f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}"
        if status not in RETRYABLE_STATUS:
            return Delivery(sink=sink.name, ok=False, attempts=attempt + 1, status=status, error=error)
    return Delivery(sink=sink.name, ok=False, attempts=policy.attempts, status=status, error=error)
