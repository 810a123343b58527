"""Extractor metrics: the shared pipeline metrics plus the extractor's own, each name declared once."""

from __future__ import annotations

from prometheus_client import Counter

from powderkeg_runtime.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    END_TO_END_SECONDS,
    LAST_PROCESSED,
    MESSAGES_CONSUMED,
    MESSAGES_PRODUCED,
    PROCESSING_ATTEMPTS,
    PROCESSING_FAILURES,
    PROCESSING_SECONDS,
)

EVENTS_EXTRACTED = Counter(
    "powderkeg_events_total", "Events extracted, by PLOVER type and factuality.", ["event_type", "factuality"]
)
ARTICLES_OUTCOME = Counter(
    "powderkeg_extractor_articles_total", "Articles processed, by outcome (events, no_events, skipped).", ["outcome"]
)
ARTICLES_SKIPPED = Counter(
    "powderkeg_extractor_skipped_total", "Articles not extracted, by reason (language, too_large).", ["reason"]
)

__all__ = [
    "ARTICLES_OUTCOME",
    "ARTICLES_SKIPPED",
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "END_TO_END_SECONDS",
    "EVENTS_EXTRACTED",
    "LAST_PROCESSED",
    "MESSAGES_CONSUMED",
    "MESSAGES_PRODUCED",
    "PROCESSING_ATTEMPTS",
    "PROCESSING_FAILURES",
    "PROCESSING_SECONDS",
]
