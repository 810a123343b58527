"""Producing from a faust agent: every record acknowledged by the broker before the agent moves on, then counted.

Two forms: :func:`send_counted` hands one record over and waits for its acknowledgement; :func:`enqueue_counted`
only hands it over and returns what to await, so that a message's outputs go out together in one produce request per
partition rather than one round trip each (the stage skeleton's way, :mod:`powderkeg_runtime.stage`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import errors as aiokafka_errors

from powderkeg_runtime.metrics import MESSAGES_PRODUCED

Send = Callable[..., Awaitable[None]]
"""``send(topic, key, value, headers=None)``: what the stage skeleton produces with (tests pass a capture)."""

Enqueue = Callable[..., Awaitable[Awaitable[None]]]
"""``enqueue(topic, key, value, headers=None)``: hand a record to the producer, in call order; the awaitable it
returns completes once the broker has acknowledged the record (and raises what the broker answered if not)."""


async def send_counted(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
    """Produce to a faust topic and wait for the broker's acknowledgement, then count it.

    Awaiting the send before the agent returns is what makes faust commit the source offset only after the output
    is durable (at-least-once).
    """
    await (await enqueue_counted(topic, key, value, headers))


async def enqueue_counted(topic: Any, key: bytes, value: bytes, headers: Any = None) -> Awaitable[None]:
    """Hand a record to the faust topic's producer; await the result for the acknowledgement, which is then counted.

    Records handed over one after the other keep that order in each partition (the producer is idempotent, so a
    retried batch does not reorder them either).
    """
    pending = await topic.send(key=key, value=value, headers=headers, force=True)
    return _acknowledged(pending, topic.get_topic_name())


async def _acknowledged(pending: Awaitable[Any], topic: str) -> None:
    await pending
    MESSAGES_PRODUCED.labels(topic=topic).inc()


def enqueue_by(send: Send) -> Enqueue:
    """An :data:`Enqueue` made of a ``send`` that completes at once (the tests' captures): it sends when called."""

    async def enqueue(topic: Any, key: bytes, value: bytes, headers: Any = None) -> Awaitable[None]:
        await send(topic, key, value, headers)
        return _done()

    return enqueue


async def _done() -> None:
    return None


REFUSED_RECORD_ERRORS: tuple[type[BaseException], ...] = (
    aiokafka_errors.MessageSizeTooLargeError,
    aiokafka_errors.RecordTooLargeError,
    aiokafka_errors.CorruptRecordException,
)
"""Send errors that are the record's fault: sending it again fails again. Any other error (timeouts, connections,
authorisation, a closed producer) is the broker's or the setup's, and the message is replayed instead."""


def refused_record(exc: BaseException) -> bool:
    """Whether a failed send was refused for the record itself (too large, corrupt), not for the broker's state."""
    return isinstance(exc, REFUSED_RECORD_ERRORS)
