"""Logging set-up, called once by each entry point (never at import time), and the message context of log lines.

JSON lines carry the service name, every ``extra=`` field of the call, and, while a stage handles a consumed
message, its topic, partition, offset and article id (:func:`message_context`, :func:`bind`), so one ``grep`` of an
article id or an offset finds every line about it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HANDLER_NAME = "powderkeg"
"""The name of the handler :func:`configure_logging` installs (tests remove it after an entry point ran)."""

_CONTEXT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("powderkeg_log_context", default=None)

# The attributes every LogRecord has; anything else on a record came from ``extra=`` or a filter.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def message_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` (topic, partition, offset...) to every log record made inside the block (this task only)."""
    token = _CONTEXT.set({**(_CONTEXT.get() or {}), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind(**fields: Any) -> None:
    """Add ``fields`` to the current :func:`message_context` (the article id, once the message is decoded)."""
    current = _CONTEXT.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


class _ContextFilter(logging.Filter):
    """Puts the service name and the current message context on each record (an explicit ``extra=`` wins)."""

    def __init__(self, service: str | None) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if self.service is not None and not hasattr(record, "service"):
            record.service = self.service
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the service, context and ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def build_handler(*, json_lines: bool, service: str | None, stream: TextIO | None = None) -> logging.Handler:
    """The handler :func:`configure_logging` installs: text or JSON lines, with the service and message context."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(_ContextFilter(service))
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        prefix = f"{service} " if service else ""
        handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {prefix}%(name)s: %(message)s"))
    return handler


def configure_logging(
    level: str = "INFO", *, json_lines: bool = False, service: str | None = None, stream: TextIO | None = None
) -> None:
    """Log to ``stream`` (standard error) at ``level`` (one of :data:`LEVELS`), as text or JSON lines, naming
    ``service``.

    Raises:
        ValueError: ``level`` is not one of :data:`LEVELS` (settings and options check it before).
    """
    if level.upper() not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    root = logging.getLogger()
    root.handlers[:] = [build_handler(json_lines=json_lines, service=service, stream=stream)]
    root.setLevel(level.upper())
    for noisy in ("kafka", "aiokafka", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
