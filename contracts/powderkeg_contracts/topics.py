"""Kafka topic names: the one place they are spelled.

Every topic carries its contract's major version in its name, so a breaking change to a model ships as a new
topic (``...v2``) that old and new consumers can run side by side.
"""

from __future__ import annotations

ARTICLES = "powderkeg.articles.v1"
"""Normalised, de-duplicated articles (``Article``), keyed by ``article_id``. Written by ingest."""

EVENTS = "powderkeg.events.v2"
"""Structured events (``EventRecord`` v2), keyed by their pair of sides (``EventSides.key``). Written by the
extractor. (``powderkeg.events.v1`` carried v1 records keyed by country dyad.)"""

OUTCOMES = "powderkeg.outcomes.v1"
"""One ``ArticleOutcome`` per processed article, keyed by ``article_id``: the article's events, or an explicit
"no events" / "skipped" record, so that every article that went in can be accounted for."""

ALERTS = "powderkeg.alerts.v2"
"""Escalation alerts (``Alert`` v2, about pairs of sides), keyed by ``alert_id``. Written by alerting.
(``powderkeg.alerts.v1`` carried v1 alerts about country dyads.)"""

DLQ_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """Return the dead-letter topic for an input topic (``powderkeg.articles.v1`` -> ``powderkeg.articles.v1.dlq``)."""
    return topic + DLQ_SUFFIX


INGEST_DLQ = "powderkeg.ingest.v1" + DLQ_SUFFIX
"""Ingest's own dead letters: input lines and pushes that could not become an ``Article``."""

ARTICLES_DLQ = dead_letter_topic(ARTICLES)
EVENTS_DLQ = dead_letter_topic(EVENTS)

INPUT_TOPICS: tuple[str, ...] = (ARTICLES, EVENTS)
ALL_TOPICS: tuple[str, ...] = (ARTICLES, EVENTS, OUTCOMES, ALERTS, INGEST_DLQ, ARTICLES_DLQ, EVENTS_DLQ)

__all__ = [
    "ALERTS",
    "ALL_TOPICS",
    "ARTICLES",
    "ARTICLES_DLQ",
    "DLQ_SUFFIX",
    "EVENTS",
    "EVENTS_DLQ",
    "INGEST_DLQ",
    "INPUT_TOPICS",
    "OUTCOMES",
    "dead_letter_topic",
]
