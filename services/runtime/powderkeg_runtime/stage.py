"""The stage skeleton every faust service runs: decode, handle, send, acknowledge.

Per message, one at a time:

1. **decode** the value into the stage's contract model; a bad value is dead-lettered with its
   :class:`~powderkeg_runtime.codec.DecodeError` kind as the reason;
2. **handle**: the service's handler turns the model into :class:`Output` records. A handler error is dead-lettered
   (reason from :class:`Rejected`, else the stage's ``error_reason``) unless it is one of ``crash_on``;
3. **send** the outputs: all but the last are handed to the producer in order and awaited together (one produce
   request per partition, not one round trip each), then the last, which so is durable only once all the others are:
   the extractor's outcome, the record that an article's events are complete. Each output's ``on_sent`` hook runs
   once it is acknowledged. Outputs are measured first: one over the producer's limit dead-letters the message
   (``output_too_large``) with nothing sent; a send the broker refuses for the record itself (too large, corrupt)
   dead-letters it too (``output_refused``), and the last output is then not sent;
4. **acknowledge**: only now does the agent hand the message back, so faust commits its offset after the outputs
   are durable (at-least-once).

A poison message never blocks its partition: when its dead letter is refused for the record itself, it is recorded
by reference (coordinates, size, SHA-256, reason; no payload), counted in ``powderkeg_messages_skipped_total`` and
skipped; if even the reference is refused, the log line is the record. Whatever else escapes (a timeout or a broker
that is gone, a ``crash_on`` error) is not the message's fault: it exits the worker with status 75 before faust can
ack the message, so the restarted worker replays it. The agent runs with
``concurrency=1``: with more, faust can commit past a message still in flight and a crash loses it (faust #606).
Metrics are a middleware around steps 1-3 (:mod:`powderkeg_runtime.middleware`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import faust
from pydantic import BaseModel

from powderkeg_contracts import limits
from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.dlq import StageName, dead_letter
from powderkeg_runtime.lag import sample_consumer_lag
from powderkeg_runtime.logs import bind, message_context
from powderkeg_runtime.metrics import CONSUMER_LAG, MESSAGES_SKIPPED
from powderkeg_runtime.middleware import Handled, Middleware, PrometheusMiddleware
from powderkeg_runtime.produce import Send, enqueue_by, enqueue_counted, refused_record, send_counted
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


class OutputTooLarge(ValueError):
    """An output the producer would refuse: its key and value exceed ``PRODUCER_MAX_REQUEST_BYTES``."""


def check_output_sizes(outputs: Sequence[Output]) -> None:
    """Raise :class:`OutputTooLarge` for the first output that cannot be produced, before anything is sent."""
    for output in outputs:
        size = len(output.key) + len(output.value) + limits.RECORD_OVERHEAD_BYTES
        if size > limits.PRODUCER_MAX_REQUEST_BYTES:
            raise OutputTooLarge(
                f"an output of {size} bytes for {output.topic.get_topic_name()} exceeds the producer's limit of "
                f"{limits.PRODUCER_MAX_REQUEST_BYTES} bytes"
            )


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
        send: Send | None = None,
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
        self.send = send or send_counted
        self.enqueue = enqueue_by(send) if send is not None else enqueue_counted
        self.middleware = middleware or PrometheusMiddleware(name)
        self.exit_for_replay = exit_for_replay

    async def consume(self, message: Any) -> None:
        """Process one message, or exit for replay when it can be neither processed nor dead-lettered.

        Every log line made meanwhile carries the message's topic, partition and offset (and, once decoded, the
        article id), through :func:`~powderkeg_runtime.logs.message_context`.
        """
        with message_context(topic=message.topic, partition=message.partition, offset=message.offset):
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
        bind(article_id=getattr(value, "article_id", None))
        try:
            outputs = await self.handler(value, message)
        except Rejected as exc:
            return await self._reject(message, exc.cause, exc.reason)
        except self.crash_on:
            raise
        except Exception as exc:  # a bug in the handler: dead-letter with the reason rather than ack silently
            return await self._reject(message, exc, self.error_reason)
        try:
            check_output_sizes(outputs)
        except OutputTooLarge as exc:
            return await self._reject(message, exc, "output_too_large")
        for wave in (outputs[:-1], outputs[-1:]):
            refusal = await self._send_together(wave)
            if refusal is not None:
                return await self._reject(message, refusal, "output_refused")
        return Handled(ingested_at=self.ingested_at(value))

    async def _send_together(self, outputs: Sequence[Output]) -> BaseException | None:
        """Hand ``outputs`` over in order, then wait for every acknowledgement; a refusal of a record, if any.

        Every record handed over is waited for before anything is decided (nothing is left pending). The first
        failure in output order counts: a refusal is returned (the message is dead-lettered), any other failure is
        raised (the worker exits and the message is replayed). ``on_sent`` runs for the outputs before it.
        """
        pending: list[Awaitable[None]] = []
        handing_over: BaseException | None = None
        for output in outputs:
            try:
                pending.append(await self.enqueue(output.topic, output.key, output.value))
            except Exception as exc:
                handing_over = exc
                break
        results = await asyncio.gather(*pending, return_exceptions=True)
        failure = next((result for result in results if isinstance(result, BaseException)), handing_over)
        for output, result in zip(outputs, results, strict=False):
            if isinstance(result, BaseException):
                break
            if output.on_sent is not None:
                output.on_sent()
        if failure is None:
            return None
        if not refused_record(failure):
            raise failure
        return failure

    async def _reject(self, message: Any, error: BaseException, reason: str) -> Handled:
        try:
            await self._letter(message, error, reason, reference_only=False)
        except Exception as refusal:
            if not refused_record(refusal):
                raise
            await self._skip(message, error, reason, refusal)
        return Handled(rejected=reason)

    async def _letter(self, message: Any, error: BaseException, reason: str, *, reference_only: bool) -> None:
        await dead_letter(
            message,
            error,
            reason,
            stage=self.name,
            dlq_topic=self.dlq_topic,
            log=self.log,
            send=self.send,
            reference_only=reference_only,
        )

    async def _skip(self, message: Any, error: BaseException, reason: str, refusal: BaseException) -> None:
        """Record a message whose dead letter was refused by reference, count it and let it be acked."""
        original = message.value or b""
        where = (
            f"{message.topic}[{message.partition}]@{message.offset} "
            f"({len(original)} bytes, sha256 {hashlib.sha256(original).hexdigest()})"
        )
        said = str(error) if str(error).startswith(f"{reason}: ") else f"{reason}: {error}"
        cause = RuntimeError(f"{said}; its dead letter was refused: {refusal}")
        try:
            await self._letter(message, cause, reason, reference_only=True)
        except Exception as again:
            if not refused_record(again):
                raise
            self.log.critical("skipped %s (%s), no letter could be written (%s): %s", where, reason, again, cause)
        MESSAGES_SKIPPED.labels(stage=self.name, reason=reason).inc()
        self.log.error("skipped %s after its dead letter was refused: %s", where, refusal)

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
