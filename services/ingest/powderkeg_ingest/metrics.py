"""Ingest's Prometheus metrics, declared once. Shared pipeline metrics come from ``powderkeg_runtime.metrics``.

Labels are bounded: ``origin`` from the Origin enum, ``reason`` from ``core.errors.REASONS`` (for dropped fields
from ``core.urls.UrlProblem`` and the published_at codes), ``kind`` exact|near,
``language`` from :data:`TRACKED_LANGUAGES` plus ``other`` and ``unknown``, ``feed`` from the configured feeds.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from powderkeg_runtime.metrics import DEAD_LETTERS, LAST_PROCESSED, MESSAGES_PRODUCED, PROCESSING_SECONDS

STAGE = "ingest"

RECEIVED = Counter("powderkeg_ingest_articles_received_total", "Inputs received, by origin.", ["origin"])
PUBLISHED = Counter("powderkeg_ingest_articles_published_total", "Articles published, by topic.", ["topic"])
DUPLICATES = Counter(
    "powderkeg_ingest_duplicates_total", "Duplicates found (exact are skipped, near are published).", ["kind"]
)
REJECTED = Counter("powderkeg_ingest_rejected_total", "Inputs rejected and dead-lettered, by reason.", ["reason"])
LANGUAGE = Counter("powderkeg_ingest_language_total", "Articles published, by detected language.", ["language"])
HTTP_REQUESTS = Counter("powderkeg_ingest_http_requests_total", "Push API requests, by HTTP status code.", ["status"])
FETCH_REFUSED = Counter(
    "powderkeg_ingest_fetch_refused_total", "Feed and page fetches refused before connecting, by reason.", ["reason"]
)
FEED_POLLS = Counter("powderkeg_ingest_feed_polls_total", "Feed polls, by feed and result.", ["feed", "result"])
FEED_ITEMS = Counter(
    "powderkeg_ingest_feed_items_total",
    "Feed items handed on, by result: new, updated (a known id with changed content), deferred (poll deadline).",
    ["result"],
)
FIELDS_DROPPED = Counter(
    "powderkeg_ingest_fields_dropped_total",
    "Input fields left out of a published article, by field (url, published_at) and reason code.",
    ["field", "reason"],
)
PUBLISH_FAILURES = Counter(
    "powderkeg_ingest_publish_failures_total",
    "Units of work the broker did not acknowledge in time; nothing of them was recorded (refused or retried).",
)
PUBLISH_READY = Gauge(
    "powderkeg_ingest_publish_ready", "1 while the producer can publish, 0 after a failure until it can again."
)
FEED_FRESHNESS = Gauge(
    "powderkeg_ingest_feed_freshness_seconds", "Seconds since a feed last gave a new item, by feed.", ["feed"]
)

TRACKED_LANGUAGES = frozenset({"en", "fr", "es", "ar", "ru", "zh", "de", "pt", "fa", "ur", "uk", "tr", "ps", "hi"})


def language_label(code: str | None) -> str:
    """Bound the language label: tracked codes as they are, others as ``other``, no code as ``unknown``."""
    if code is None:
        return "unknown"
    return code if code in TRACKED_LANGUAGES else "other"


__all__ = [
    "DEAD_LETTERS",
    "DUPLICATES",
    "FEED_FRESHNESS",
    "FEED_ITEMS",
    "FEED_POLLS",
    "FETCH_REFUSED",
    "FIELDS_DROPPED",
    "HTTP_REQUESTS",
    "LANGUAGE",
    "LAST_PROCESSED",
    "MESSAGES_PRODUCED",
    "PROCESSING_SECONDS",
    "PUBLISHED",
    "PUBLISH_FAILURES",
    "PUBLISH_READY",
    "RECEIVED",
    "REJECTED",
    "STAGE",
    "language_label",
]
