"""Test articles: :func:`article` for one valid Article, :func:`make_articles` for thousands of synthetic ones.

The synthetic ones are 1-3 sentences from templates modelled on the seed story's sentences. Actors and numbers vary
with a seeded RNG so that every text (and therefore every event id) is unique, while most articles still carry an
event and many dyads cross the alert rules' signals. Built for throughput: the chaos test needs thousands of articles
that the extractor can keep up with on a 2-core machine.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from powderkeg_contracts import Article

STRIKE = "Pakistani jets bombed positions in Afghanistan on Monday, killing 12 people."
"""One sentence with an air strike between two states: the extractor finds events in it."""


def article(article_id: str, text: str = STRIKE, **fields: Any) -> Article:
    """A valid Article of ``text``, as ingest publishes it (English, from JSONL, ingested now); ``fields`` override."""
    values: dict[str, Any] = {
        "published_at": datetime(2025, 10, 29, 9, 0, tzinfo=UTC),
        "ingested_at": datetime.now(UTC),
        "language": "en",
        "origin": "jsonl",
        **fields,
    }
    return Article(article_id=article_id, text=text, content_hash=hashlib.sha256(text.encode()).hexdigest(), **values)

# (country name, demonym, capital): all resolve in the extractor's gazetteer.
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("Pakistan", "Pakistani", "Islamabad"),
    ("Afghanistan", "Afghan", "Kabul"),
    ("India", "Indian", "New Delhi"),
    ("Iran", "Iranian", "Tehran"),
    ("Israel", "Israeli", "Jerusalem"),
    ("Lebanon", "Lebanese", "Beirut"),
    ("Russia", "Russian", "Moscow"),
    ("Ukraine", "Ukrainian", "Kyiv"),
    ("Armenia", "Armenian", "Yerevan"),
    ("Azerbaijan", "Azerbaijani", "Baku"),
    ("Ethiopia", "Ethiopian", "Addis Ababa"),
    ("Sudan", "Sudanese", "Khartoum"),
)

EVENT_TEMPLATES: tuple[str, ...] = (
    "{A} said its latest round of peace talks with {B} has collapsed, accusing {Bcap} of refusing to crack down on "
    "militants responsible for {n} cross-border attacks.",
    "{Adem} military strikes on {n} hideouts in {B} triggered border clashes on {day}.",
    "{Adem} and {Bdem} troops clashed along the border on {day}, leaving {n} soldiers dead.",
    "{A} closed its border crossings with {B} on {day}, leaving {n} trucks stranded on both sides.",
    "{Adem} jets bombed positions in {B} on {day}, killing {n} people.",
    "{Acap} accused {Bcap} of shelling {n} villages near the border.",
    "{A} and {B} agreed to a ceasefire on {day} after {n} hours of talks mediated by Qatar.",
    "{A} imposed sanctions on {B} on {day}, freezing {n} million dollars in assets.",
    "{Adem} police arrested {n} {Bdem} nationals on {day}.",
)

FILLER_TEMPLATES: tuple[str, ...] = (
    "The weather in {Acap} was mild on {day}, with temperatures near {n} degrees.",
    "Markets in {Acap} closed {n} points higher on {day}.",
)

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BASE_TIME = datetime(2025, 10, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChaosArticle:
    article_id: str
    text: str
    published_at: datetime

    def record(self) -> dict[str, str]:
        """The JSONL object the ingest CLI reads."""
        return {
            "id": self.article_id,
            "text": self.text,
            "published_at": self.published_at.isoformat(),
            "source": "chaos-test",
        }


def _sentence(rng: random.Random, templates: tuple[str, ...], serial: int) -> str:
    a, b = rng.sample(COUNTRIES, 2)
    # The serial number makes every sentence (and so every article text and event id) unique.
    return rng.choice(templates).format(
        A=a[0], Adem=a[1], Acap=a[2], B=b[0], Bdem=b[1], Bcap=b[2], n=serial, day=rng.choice(DAYS)
    )


def make_articles(count: int, *, seed: int, prefix: str) -> list[ChaosArticle]:
    """``count`` articles with ids ``<prefix><serial>``, published 5 minutes apart from a fixed base time."""
    rng = random.Random(seed)
    articles = []
    for index in range(count):
        # About one article in ten has no event at all: its outcome is an explicit "no events".
        first = FILLER_TEMPLATES if rng.random() < 0.1 else EVENT_TEMPLATES
        sentences = [_sentence(rng, first, index * 10 + 1)]
        for extra in range(rng.randint(0, 2)):
            templates = FILLER_TEMPLATES if rng.random() < 0.5 else EVENT_TEMPLATES
            sentences.append(_sentence(rng, templates, index * 10 + 2 + extra))
        articles.append(
            ChaosArticle(
                article_id=f"{prefix}{index:05d}",
                text=" ".join(sentences),
                published_at=BASE_TIME + timedelta(minutes=5 * index),
            )
        )
    return articles
