"""Per-feed polling state and the backoff schedule (pure: the poller in ``sources/feeds.py`` does the fetching)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

MAX_BACKOFF_S = 3600.0
MAX_SEEN_IDS = 2000
"""Item ids remembered per feed: more than any feed lists at once, so old items are never re-published."""


class FeedState(BaseModel):
    """What the poller remembers of one feed between polls and restarts."""

    model_config = ConfigDict(frozen=True)

    url: str
    etag: str | None = None
    last_modified: str | None = None
    seen: tuple[str, ...] = Field(default=(), description="Ids of items already handled, newest last (bounded).")
    versions: dict[str, str] = Field(
        default_factory=dict,
        description="Per seen id, a digest of the item's content: a changed digest is a corrected item, not a repeat.",
    )
    last_new_item_at: datetime | None = None
    failures: int = 0
    next_poll_at: datetime | None = None


def backoff_seconds(interval_s: float, failures: int) -> float:
    """Seconds until the next poll: the interval, doubled per consecutive failure, capped at an hour."""
    if failures <= 0:
        return interval_s
    return float(min(MAX_BACKOFF_S, interval_s * 2 ** min(failures, 20)))
