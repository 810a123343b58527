"""Producing from a faust agent: every send awaited until the broker acknowledges it, then counted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from powderkeg_runtime.metrics import MESSAGES_PRODUCED

Send = Callable[..., Awaitable[None]]
"""``send(topic, key, value, headers=None)``: what the stage skeleton produces with (tests pass a capture)."""


async def send_counted(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
    """Produce to a faust topic and wait for the broker's acknowledgement, then count it.

    Awaiting the send before the agent returns is what makes faust commit the source offset only after the output
    is durable (at-least-once).
    """
    pending = await topic.send(key=key, value=value, headers=headers, force=True)
    await pending
    MESSAGES_PRODUCED.labels(topic=topic.get_topic_name()).inc()
