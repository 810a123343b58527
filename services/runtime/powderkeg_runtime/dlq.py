"""Dead-letter records: the reason, the original coordinates in Kafka Connect-style headers, the original bytes.

:func:`build_dead_letter` makes the envelope (ingest, which has no faust, produces it itself); :func:`dead_letter`
sends one for a message a faust agent consumed; :func:`original_bytes` reads the original back for a replay.

A dead letter must itself fit on the broker, whatever it reports on: an original value over
:data:`~powderkeg_contracts.limits.DEAD_LETTER_VALUE_MAX_BYTES` is cut (``truncated``; its size and SHA-256 still
identify it), and so is a key over ``DEAD_LETTER_KEY_MAX_BYTES``; error texts and origins are cut to
``DEAD_LETTER_TEXT_MAX_CHARS`` and made encodable (a lone surrogate in an error message cannot be serialised).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from powderkeg_contracts import DeadLetter, limits
from powderkeg_runtime.codec import encode
from powderkeg_runtime.metrics import DEAD_LETTERS
from powderkeg_runtime.produce import Send, send_counted

Headers = list[tuple[str, bytes]]
StageName = Literal["ingest", "extractor", "alerting"]

MAX_ERROR_MESSAGE = limits.DEAD_LETTER_TEXT_MAX_CHARS


def _text(value: str, limit: int = limits.DEAD_LETTER_TEXT_MAX_CHARS) -> str:
    """``value`` cut to ``limit`` characters, with lone surrogates replaced so that it serialises."""
    return value[:limit].encode("utf-8", "replace").decode("utf-8")


def build_dead_letter(
    *,
    value: bytes | None,
    key: bytes | None,
    stage: StageName,
    error: BaseException,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    origin: str | None = None,
    error_class: str | None = None,
) -> tuple[DeadLetter, Headers]:
    """Return the dead-letter envelope and its headers for a message that failed at ``stage``."""
    cls = _text(error_class or f"{type(error).__module__}.{type(error).__qualname__}")
    message = _text(str(error)) or type(error).__name__
    original = value or b""
    value_cap, key_cap = limits.DEAD_LETTER_VALUE_MAX_BYTES, limits.DEAD_LETTER_KEY_MAX_BYTES
    truncated = len(original) > value_cap or (key is not None and len(key) > key_cap)
    if truncated:
        message = _text(f"[original of {len(original)} bytes cut to fit the dead-letter topic] {message}")
    letter = DeadLetter(
        original_topic=topic,
        original_partition=partition,
        original_offset=offset,
        original_key=base64.b64encode(key[:key_cap]).decode("ascii") if key is not None else None,
        original_value=base64.b64encode(original[:value_cap]).decode("ascii"),
        original_size=len(original),
        original_sha256=hashlib.sha256(original).hexdigest(),
        truncated=truncated,
        stage=stage,
        error_class=cls,
        error_message=message,
        failed_at=datetime.now(UTC),
        origin=_text(origin) if origin is not None else None,
    )
    headers: Headers = [
        ("__connect.errors.topic", (topic or "").encode()),
        ("__connect.errors.partition", str(partition if partition is not None else -1).encode()),
        ("__connect.errors.offset", str(offset if offset is not None else -1).encode()),
        ("__connect.errors.exception.class.name", cls.encode()),
        ("__powderkeg.errors.truncated", b"true" if truncated else b"false"),
        ("__connect.errors.exception.message", message.encode("utf-8", "replace")[:MAX_ERROR_MESSAGE]),
        ("__connect.errors.stage", stage.encode()),
    ]
    return letter, headers


class TruncatedLetter(ValueError):
    """A dead letter whose original was cut: it cannot be replayed, only listed (its hash identifies the original)."""


def original_bytes(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    """The original key and value of a dead letter, for replay.

    Raises:
        TruncatedLetter: the letter holds only the first part of the original.
    """
    if letter.truncated:
        raise TruncatedLetter(
            f"the original ({letter.original_size} bytes, sha256 {letter.original_sha256}) was cut to fit the "
            "dead-letter topic; it cannot be replayed from the letter: re-send it from its source"
        )
    key = base64.b64decode(letter.original_key) if letter.original_key is not None else None
    return key, base64.b64decode(letter.original_value)


async def dead_letter(
    message: Any,
    error: BaseException,
    reason: str,
    *,
    stage: StageName,
    dlq_topic: Any,
    log: logging.Logger,
    send: Send = send_counted,
) -> None:
    """Dead-letter a consumed faust message with Connect-style headers, count it by topic and reason, log it.

    The stage's failure count is the metrics middleware's (:mod:`powderkeg_runtime.middleware`).
    """
    letter, headers = build_dead_letter(
        value=message.value,
        key=message.key,
        stage=stage,
        error=error,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
    )
    await send(dlq_topic, message.key or b"", encode(letter), headers)
    DEAD_LETTERS.labels(topic=dlq_topic.get_topic_name(), reason=reason).inc()
    log.warning("dead-lettered %s[%s]@%s: %s", message.topic, message.partition, message.offset, error)
