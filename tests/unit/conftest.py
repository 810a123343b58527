"""Unit tests call entry points in process; an entry point configures the root logger for the process."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from powderkeg_runtime.logs import HANDLER_NAME


@pytest.fixture(autouse=True)
def _no_log_handler_left_behind() -> Iterator[None]:
    """Remove the handler an entry point installed: it writes to this test's captured standard error, which is
    closed afterwards, and every later log line would fail with a "Logging error" traceback."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
