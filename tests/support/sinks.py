"""An in-process ingest sink for the ingest shell's unit tests (the integration tests use the real broker)."""

from __future__ import annotations

from powderkeg_contracts import Article, DeadLetter
from powderkeg_runtime.dlq import Headers


class RecordingSink:
    """Records what the ingestor publishes and dead-letters, and how often it flushes."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.letters: list[DeadLetter] = []
        self.flushes = 0

    def article(self, article: Article) -> None:
        self.articles.append(article)

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None:
        self.letters.append(letter)

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        return None
