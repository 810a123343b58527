"""Dead-letter records: the reason, the original coordinates in Kafka Connect-style headers, the original bytes."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Literal

from powderkeg_contracts import DeadLetter

Headers = list[tuple[str, bytes]]

MAX_ERROR_MESSAGE = 2000


def build_dead_letter(
    *,
    value: bytes | None,
    key: bytes | None,
    stage: Literal["ingest", "extractor", "alerting"],
    error: BaseException,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
    origin: str | None = None,
    error_class: str | None = None,
) -> tuple[DeadLetter, Headers]:
    """Return the dead-letter envelope and its headers for a message that failed at ``stage``."""
    cls = error_class or f"{type(error).__module__}.{type(error).__qualname__}"
    message = str(error)[:MAX_ERROR_MESSAGE] or type(error).__name__
    letter = DeadLetter(
        original_topic=topic,
        original_partition=partition,
        original_offset=offset,
        original_key=base64.b64encode(key).decode("ascii") if key is not None else None,
        original_value=base64.b64encode(value or b"").decode("ascii"),
        original_size=len(value or b""),
        original_sha256=hashlib.sha256(value or b"").hexdigest(),
        stage=stage,
        error_class=cls,
        error_message=message,
        failed_at=datetime.now(UTC),
        origin=origin,
    )
    headers: Headers = [
        ("__connect.errors.topic", (topic or "").encode()),
        ("__connect.errors.partition", str(partition if partition is not None else -1).encode()),
        ("__connect.errors.offset", str(offset if offset is not None else -1).encode()),
        ("__connect.errors.exception.class.name", cls.encode()),
        ("__connect.errors.exception.message", message.encode("utf-8", "replace")[:MAX_ERROR_MESSAGE]),
        ("__connect.errors.stage", stage.encode()),
    ]
    return letter, headers


def original_bytes(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    """The original key and value of a dead letter, for replay."""
    key = base64.b64decode(letter.original_key) if letter.original_key is not None else None
    return key, base64.b64decode(letter.original_value)
