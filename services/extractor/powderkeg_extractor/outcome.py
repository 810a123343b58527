"""What the extractor does with one article, shared by the Kafka service and the embedded mode.

Every article gets an :class:`ArticleOutcome`: its events, an explicit "no events", or "skipped" with the reason, so
that every article that went in can be accounted for downstream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from powderkeg_contracts import Article, ArticleOutcome, ArticleStatus, EventRecord
from powderkeg_extractor.core.pipeline import Extractor


class ArticleTooLarge(ValueError):
    """The article's text exceeds the extractor's size limit; it is dead-lettered rather than parsed."""


@dataclass(frozen=True, slots=True)
class Processed:
    article: Article
    events: list[EventRecord]
    outcome: ArticleOutcome


def skip_reason(article: Article, languages: Sequence[str]) -> str | None:
    """Why the article is not extracted, or None. Unknown language is extracted (short texts often are)."""
    if article.language and article.language not in languages and article.language != "unknown":
        return f"language:{article.language}"
    return None


def process_articles(
    extractor: Extractor,
    articles: Sequence[Article],
    *,
    languages: Sequence[str],
    max_chars: int,
    now: datetime,
) -> list[Processed]:
    """Extract events from ``articles`` (one ``nlp.pipe`` batch) and give each its outcome.

    Raises:
        ArticleTooLarge: when any article is over ``max_chars``; callers dead-letter that article alone.
    """
    for article in articles:
        if len(article.text) > max_chars:
            raise ArticleTooLarge(f"article {article.article_id} has {len(article.text)} chars (limit {max_chars})")
    to_extract = [a for a in articles if skip_reason(a, languages) is None]
    extracted = dict(zip((a.article_id for a in to_extract), extractor.extract_batch(to_extract), strict=True))
    results = []
    for article in articles:
        reason = skip_reason(article, languages)
        events = extracted.get(article.article_id, [])
        if reason is not None:
            status = ArticleStatus.SKIPPED
        elif events:
            status = ArticleStatus.EVENTS
        else:
            status, reason = ArticleStatus.NO_EVENTS, "no event found in any sentence"
        outcome = ArticleOutcome(
            article_id=article.article_id,
            status=status,
            event_ids=tuple(e.event_id for e in events),
            reason=reason,
            processed_at=now,
            extractor_version=extractor.version,
        )
        results.append(Processed(article=article, events=events, outcome=outcome))
    return results
