"""Running a faust agent in process with ``agent.test_context()``: no broker, sends captured.

The app must be finalized, use ``store="memory://"``, and have its flow control resumed, or ``put()`` hangs. A test
context starts no producer, so the stage's ``send`` is a :class:`CapturedSends` instead.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import faust

# After a faust agent's test_context, CPython 3.11.7 fails to build the AST of a module imported later in the session
# ("SystemError: AST constructor recursion depth mismatch"; any faust agent reproduces it). The one such import is the
# hypothesis pytest plugin's lazy import at session end, so it is done here, before any agent runs.
import hypothesis.internal.observability  # noqa: F401


@dataclass
class CapturedSends:
    """A stand-in for :func:`powderkeg_runtime.produce.send_counted` that records ``(topic, key, value, headers)``."""

    sent: list[tuple[str, bytes, bytes, Any]] = field(default_factory=list)

    async def __call__(self, topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        self.sent.append((topic.get_topic_name(), key, value, headers))

    def on(self, topic: str) -> list[tuple[bytes, bytes, dict[str, bytes]]]:
        """What was sent to ``topic``: key, value and headers (as a dict), in order."""
        return [(key, value, dict(headers or ())) for name, key, value, headers in self.sent if name == topic]


def ready_for_test(app: faust.App) -> faust.App:
    """Finalize ``app`` and resume its flow control, as ``test_context()`` needs."""
    app.finalize()
    app.flow_control.resume()
    return app


def run_agent(
    app: faust.App, agent: Any, *values: bytes, settled: Callable[[], bool] = lambda: True, bound_s: float = 60.0
) -> None:
    """Put ``values`` through ``agent`` in its test context, one after another, until ``settled()`` holds.

    ``put()`` returns once the agent has taken the value, which is after the previous one was processed; the last one
    may still be in progress (the extractor parses in a thread), so the context stays open until ``settled()``
    holds or ``bound_s`` passes (a bound, not a timed assertion: the test asserts on what was sent).
    """

    async def go() -> None:
        async with agent.test_context() as running:
            for value in values:
                await running.put(value)
            deadline = time.monotonic() + bound_s
            while not settled() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)

    app.loop.run_until_complete(go())
    # The stopped agent leaves coroutines and async generators for the garbage collector. Finalized later, in the
    # middle of an unrelated ast.parse, they make CPython 3.11.7 fail it ("AST constructor recursion depth
    # mismatch"); collected here, at a quiet moment, they cannot.
    gc.collect()
