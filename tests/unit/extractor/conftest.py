"""Shared fixtures for the extractor's unit tests: one Extractor per session (spaCy loads once)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest

from powderkeg_contracts.models import Article, EventRecord, Origin

SEED_PUBLISHED = dt.datetime(2025, 10, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def extractor():  # type: ignore[no-untyped-def]
    """The rules alone: the tests of the rule coder must not depend on what the sentence classifier lets through."""
    from powderkeg_extractor.core.pipeline import Extractor

    return Extractor.packaged(classifier=False)


@pytest.fixture(scope="session")
def classified_extractor(extractor):  # type: ignore[no-untyped-def]
    """The packaged extractor with its sentence classifier (the same spaCy pipeline as ``extractor``)."""
    from powderkeg_extractor.core.pipeline import Extractor

    return Extractor.packaged(extractor.nlp)


@pytest.fixture(scope="session")
def article_factory() -> Callable[..., Article]:
    def make(text: str, article_id: str = "a1", published_at: dt.datetime | None = SEED_PUBLISHED) -> Article:
        return Article(
            article_id=article_id,
            text=text,
            published_at=published_at,
            ingested_at=SEED_PUBLISHED,
            origin=Origin.FILE,
            content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        )

    return make


@pytest.fixture(scope="session")
def extract(extractor, article_factory) -> Callable[[str], list[EventRecord]]:  # type: ignore[no-untyped-def]
    """The rules' records for ``text`` fed alone as one article."""

    def run(text: str) -> list[EventRecord]:
        return extractor.extract(article_factory(text))

    return run
