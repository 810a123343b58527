"""The one poll helper: wait, within a bound, for something the system does asynchronously.

A bound, not a timed assertion: how fast it happens is measured by benchmarks, never asserted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    check: Callable[[], T],
    timeout_s: float,
    what: str,
    *,
    every_s: float = 0.25,
    until: Callable[[T], bool] = bool,
) -> T:
    """Call ``check`` until ``until(value)`` holds (default: the value is truthy) and return that value.

    Raises:
        AssertionError: after ``timeout_s``, naming ``what`` and the last value seen.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what} (last: {value!r:.300})")
        time.sleep(every_s)
