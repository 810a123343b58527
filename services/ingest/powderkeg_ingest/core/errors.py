"""Why ingest rejects an input: one catalogue of stable reason codes.

Each reason is a bounded metric label (``powderkeg_ingest_rejected_total{reason}``) and the dead letter's error class,
so the codes here are the only values that label can take.

Hierarchy::

    IngestError(ValueError)        an input that cannot become an Article; ``reason`` is one of REASONS
"""

from __future__ import annotations

from typing import Final, Literal

Reason = Literal[
    "empty_text",
    "too_large",
    "invalid_id",
    "invalid_field",
    "invalid_json",
    "invalid_utf8",
    "not_an_object",
    "missing_text",
    "unreadable",
    "unsupported_media_type",
    "fetch_refused",
    "fetch_failed",
    "outside_folder",
    "internal_error",
]

REASONS: Final[tuple[str, ...]] = Reason.__args__  # type: ignore[attr-defined]


class IngestError(ValueError):
    """An input that cannot become an Article, with a stable ``reason`` code and a human-readable message."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: Reason = reason
        self.detail = message
