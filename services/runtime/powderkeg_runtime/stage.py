"""The stage skeleton every faust service runs: decode, handle, send, acknowledge.

Per message, one at a time:

1. **decode** the value into the stage's contract model; a bad value is dead-lettered with its
   :class:`~powderkeg_runtime.codec.DecodeError` kind as the reason;
2. **handle**: the service's handler turns the model into :class:`Output` records. A handler error is dead-lettered
   (reason from :class:`Rejected`, else the stage's ``error_reason``) unless it is one of ``crash_on``;
3. **send** every output in order, each awaited until the broker acknowledges it, then run its ``on_sent`` hook;
4. **acknowledge**: only now does the agent hand the message back, so faust commits its offset after the outputs
   are durable (at-least-once).

Whatever escapes (a send or a dead letter the broker does not take, a ``crash_on`` error) exits the worker with
status 75 before faust can ack the message, so the restarted worker replays it. The agent runs with
``concurrency=1``: with more, faust can commit past a message still in flight and a crash loses it (faust #606).
Metrics are a middleware around steps 1-3 (:mod:`powderkeg_runtime.middleware`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import faust
from pydantic import BaseModel

from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.dlq import StageName, dead_letter
from powderkeg_runtime.lag import sample_consumer_lag
from powderkeg_runtime.metrics import CONSUMER_LAG
from powderkeg_runtime.middleware import Handled, Middleware, PrometheusMiddleware
from powderkeg_runtime.produce import Send, send_counted
from powderkeg_runtime.replay import crash_for_replay

M = TypeVar("M", bound=BaseModel)

LAG_EVERY_S = 2.0
"""How often the consumer lag of the stage's input is sampled."""


@dataclass(frozen=True, slots=True)
class Output:
    """One record to produce for a consumed message; ``on_sent`` runs once the broker has acknowledged it."""

    topic: Any
    key: bytes
    value: bytes
    on_sent: Callable[[], None] | None = None


class Rejected(Exception):
    """Raised by a handler to dead-letter the message with ``reason``; the letter records ``cause``."""

    def __init__(self, reason: str, cause: BaseException) -> None:
        super().__init__(f"{reason}: {cause}")
        self.reason = reason
        self.cause = cause


Handler = Callable[[M, Any], Awaitable[Sequence[Output]]]
"""``handler(model, message)``: the outputs for one decoded message (``message`` for its timestamp, if needed)."""


class Stage(Generic[M]):
    """One consuming stage: its contract, its handler, its dead-letter topic and what crashes rather than rejects."""

    def __init__(
        self,
        name: StageName,
        model: type[M],
        handler: Handler[M],
        *,
        dlq_topic: Any,
        error_reason: str,
        log: logging.Logger,
        crash_on: tuple[type[BaseException], ...] = (),
        ingested_at: Callable[[M], datetime | None] = lambda _: None,
        send: Send = send_counted,
        middleware: Middleware | None = None,
        exit_for_replay: Callable[[logging.Logger, str], Any] = crash_for_replay,
    ) -> None:
        self.name = name
        self.model = model
        self.handler = handler
        self.dlq_topic = dlq_topic
        self.error_reason = error_reason
        self.log = log
        self.crash_on = crash_on
        self.ingested_at = ingested_at
        self.send = send
        self.middleware = middleware or PrometheusMiddleware(name)
        self.exit_for_replay = exit_for_replay

    async def consume(self, message: Any) -> None:
        """Process one message, or exit for replay when it can be neither processed nor dead-lettered."""
        try:
            await self.middleware(message, self._process)
        except Exception:
            where = f"{message.topic}@{message.offset}"
            self.log.exception("could not process or dead-letter %s", where)
            self.exit_for_replay(self.log, f"{where} neither processed nor dead-lettered")

    async def _process(self, message: Any) -> Handled:
        try:
            value = decode(self.model, message.value)
        except DecodeError as exc:
            return await self._reject(message, exc, exc.kind)
        try:
            outputs = await self.handler(value, message)
        except Rejected as exc:
            return await self._reject(message, exc.cause, exc.reason)
        except self.crash_on:
            raise
        except Exception as exc:  # a bug in the handler: dead-letter with the reason rather than ack silently
            return await self._reject(message, exc, self.error_reason)
        for output in outputs:
            await self.send(output.topic, output.key, output.value)
            if output.on_sent is not None:
                output.on_sent()
        return Handled(ingested_at=self.ingested_at(value))

    async def _reject(self, message: Any, error: BaseException, reason: str) -> Handled:
        await dead_letter(
            message, error, reason, stage=self.name, dlq_topic=self.dlq_topic, log=self.log, send=self.send
        )
        return Handled(rejected=reason)

    def declare(self, app: faust.App, source: Any, *, agent_name: str) -> Any:
        """Declare the stage's agent on ``source`` (``concurrency=1``) and a timer sampling its consumer lag."""

        @app.agent(source, concurrency=1, name=agent_name)
        async def run(stream: faust.StreamT[bytes]) -> None:
            async for event in stream.events():
                await self.consume(event.message)

        @app.timer(interval=LAG_EVERY_S)  # type: ignore[untyped-decorator]  # faust's decorators are untyped
        async def report_lag() -> None:
            sample_consumer_lag(app, CONSUMER_LAG, topics=(source.get_topic_name(),))

        return run
