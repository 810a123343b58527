"""The extractor's faust agent in process: ``agent.test_context()`` with ``store="memory://"``, no broker.

The real extractor (spaCy) runs behind the real stage skeleton; only producing is replaced by a capture, because a
test context starts no producer. The real producer and the broker are covered by tests/integration/test_pipeline.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY

from powderkeg_contracts import Article, ArticleOutcome, ArticleStatus, DeadLetter, EventRecord, topics
from powderkeg_extractor.app import AGENT, build_app
from powderkeg_extractor.settings import ExtractorSettings
from powderkeg_runtime.codec import decode, encode
from tests.support.agents import CapturedSends, ready_for_test, run_agent
from tests.support.articles import article


def _failures(reason: str) -> float:
    return REGISTRY.get_sample_value(
        "powderkeg_processing_failures_total", {"stage": "extractor", "reason": reason}
    ) or 0.0


Runner = Callable[..., CapturedSends]


@pytest.fixture
def run(extractor: Any) -> Iterator[Runner]:
    """Run articles through a fresh app's agent; every article must end with one outcome or one dead letter."""

    def go(*values: bytes, max_chars: int = 200_000, with_extractor: Any = extractor) -> CapturedSends:
        settings = ExtractorSettings(extractor_app_id="test-extractor", extractor_max_chars=max_chars)
        captured = CapturedSends()
        app = ready_for_test(build_app(settings, with_extractor, send=captured, store="memory://"))
        settled = lambda: len(captured.on(topics.OUTCOMES)) + len(captured.on(topics.ARTICLES_DLQ)) >= len(values)  # noqa: E731
        run_agent(app, app.agents[AGENT], *values, settled=settled)
        return captured

    yield go


def test_events_keyed_by_their_pair_of_sides_then_the_outcome_listing_them(run: Runner) -> None:
    captured = run(encode(article("strike-1")))
    names = [name for name, *_ in captured.sent]
    assert names[-1] == topics.OUTCOMES and set(names[:-1]) == {topics.EVENTS}, "events first, then the outcome"
    events = [(key, decode(EventRecord, value)) for key, value, _ in captured.on(topics.EVENTS)]
    assert all(key == event.sides.key.encode() for key, event in events)
    assert b"AFG-PAK" in [key for key, _ in events], "the jets' strike is between the two states"
    [(key, value, _)] = captured.on(topics.OUTCOMES)
    outcome = decode(ArticleOutcome, value)
    assert key == b"strike-1" and outcome.status is ArticleStatus.EVENTS
    assert list(outcome.event_ids) == [event.event_id for _, event in events]


def test_other_languages_get_a_skipped_outcome_and_no_events(run: Runner) -> None:
    captured = run(encode(article("fr-1", "Le Pakistan a bombardé l'Afghanistan.", language="fr")))
    assert captured.on(topics.EVENTS) == []
    [(_, value, _)] = captured.on(topics.OUTCOMES)
    outcome = decode(ArticleOutcome, value)
    assert outcome.status is ArticleStatus.SKIPPED and outcome.reason == "language:fr"


def test_bad_bytes_and_too_large_articles_are_dead_lettered_with_their_reason(run: Runner) -> None:
    too_large_before = _failures("too_large")
    captured = run(b'{"article_id": 42', encode(article("long-1")), max_chars=40)
    assert captured.on(topics.OUTCOMES) == [] and captured.on(topics.EVENTS) == []
    letters = [(decode(DeadLetter, value), headers) for _, value, headers in captured.on(topics.ARTICLES_DLQ)]
    assert [letter.error_class.rsplit(".", 1)[-1] for letter, _ in letters] == ["DecodeError", "ArticleTooLarge"]
    bad, long = letters
    assert bad[0].stage == "extractor" and bad[1]["__connect.errors.topic"] == topics.ARTICLES.encode()
    assert "invalid_json" in bad[1]["__connect.errors.exception.message"].decode()
    assert long[1]["__connect.errors.offset"] == b"1"
    assert _failures("too_large") == too_large_before + 1, "the metrics middleware counts the failure by reason"


class _Broken:
    version = "broken"

    def extract_batch(self, articles: list[Article]) -> list[list[EventRecord]]:
        raise ZeroDivisionError("extractor bug")


def test_an_extractor_bug_is_dead_lettered_not_acked_silently(run: Runner) -> None:
    captured = run(encode(article("bug-1")), with_extractor=_Broken())
    letters = [decode(DeadLetter, value) for _, value, _ in captured.on(topics.ARTICLES_DLQ)]
    assert [letter.error_class for letter in letters] == ["builtins.ZeroDivisionError"]
    assert captured.on(topics.OUTCOMES) == []
