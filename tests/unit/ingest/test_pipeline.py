"""IngestCore.accept: the decisions the service and the embedded mode act on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from powderkeg_contracts import Origin
from powderkeg_ingest.core.pipeline import CoreConfig, IngestCore, RawArticle

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "seeds" / "000_63084aac38a30e02.txt"
BODY = (
    "Pakistan on Wednesday said its latest round of peace talks with Afghanistan’s Taliban government has collapsed "
    "in Istanbul, accusing Kabul of refusing to crack down on militants."
)


def test_seed_story_becomes_an_article_with_its_source_tag() -> None:
    result = IngestCore().accept(RawArticle(text=SEED.read_text(encoding="utf-8")), now=NOW)
    assert result.kind == "published"
    article = result.article
    assert article is not None
    assert article.source == "NN ONLINE"
    assert article.text.startswith("Pakistan on Wednesday said")
    assert "NN ONLINE" not in article.text
    assert article.language == "en"
    assert article.published_at is None and article.published_at_reason == "not given in the input"
    assert article.article_id == "a-" + article.content_hash[:24]
    assert article.ingested_at == NOW
    assert article.origin is Origin.FILE


def test_fields_from_jsonl_are_carried_and_cleaned() -> None:
    raw = RawArticle.model_validate(
        {
            "id": 8011115,
            "text": "WASHINGTON — " + BODY,
            "title": "  Talks\n collapse ",
            "url": " https://example.org/a ",
            "published": "2025-03-14 20:30:26Z",
            "author": "ignored",
            "origin": "jsonl",
        }
    )
    article = IngestCore().accept(raw, now=NOW).article
    assert article is not None
    assert article.article_id == "8011115"
    assert article.title == "Talks collapse"
    assert article.url == "https://example.org/a"
    assert article.dateline == "WASHINGTON"
    assert article.published_at == datetime(2025, 3, 14, 20, 30, 26, tzinfo=UTC)
    assert article.origin is Origin.JSONL


def test_explicit_source_wins_over_the_agency_in_the_dateline() -> None:
    raw = RawArticle(text="ISLAMABAD (Reuters) - " + BODY, source="Dawn")
    article = IngestCore().accept(raw, now=NOW).article
    assert article is not None
    assert (article.source, article.dateline) == ("Dawn", "ISLAMABAD")


def test_exact_duplicate_is_detected_through_whitespace_and_tag_differences() -> None:
    core = IngestCore()
    first = core.accept(RawArticle(text=BODY, id="first"), now=NOW)
    again = core.accept(RawArticle(text="NN ONLINE:\n  " + BODY.replace(" ", "  ") + "\u200b\n"), now=NOW)
    assert first.kind == "published"
    assert again.kind == "exact_duplicate"
    assert again.duplicate_of == "first"
    assert again.article is None


def test_same_text_gets_the_same_id_in_a_fresh_core() -> None:
    one = IngestCore().accept(RawArticle(text=BODY), now=NOW).article
    two = IngestCore().accept(RawArticle(text=BODY), now=NOW).article
    assert one is not None and two is not None
    assert one.article_id == two.article_id


@pytest.mark.parametrize("text", ["", "   \n\n\t ", "\u200b\u200b", "NN ONLINE:\n   "])
def test_empty_text_is_rejected_clearly(text: str) -> None:
    result = IngestCore().accept(RawArticle(text=text), now=NOW)
    assert result.kind == "rejected"
    assert result.reason == "empty_text"
    assert result.message and "empty" in result.message


def test_text_over_the_size_limit_is_rejected() -> None:
    core = IngestCore(CoreConfig(max_text_bytes=100))
    result = core.accept(RawArticle(text="é" * 60), now=NOW)  # 120 bytes in UTF-8
    assert (result.kind, result.reason) == ("rejected", "too_large")
    assert core.accept(RawArticle(text="e" * 60), now=NOW).kind == "published"


def test_invalid_id_is_rejected_not_raised() -> None:
    result = IngestCore().accept(RawArticle(text=BODY, id="no spaces allowed"), now=NOW)
    assert (result.kind, result.reason) == ("rejected", "invalid_id")


def test_naive_publication_time_adds_a_note() -> None:
    result = IngestCore().accept(RawArticle(text=BODY, published_at="2025-03-14 08:00"), now=NOW)
    assert result.article is not None
    assert result.article.published_at == datetime(2025, 3, 14, 8, tzinfo=UTC)
    assert any("assumed UTC" in note for note in result.notes)


def test_unparsable_publication_time_is_recorded_not_fatal() -> None:
    result = IngestCore().accept(RawArticle(text=BODY, published_at="last Tuesday-ish"), now=NOW)
    assert result.article is not None
    assert result.article.published_at is None
    assert result.article.published_at_reason is not None
    assert result.article.published_at_reason.startswith("unparsable")


def test_non_english_articles_are_tagged_not_dropped() -> None:
    text = "Le Pakistan a annoncé mercredi que les négociations de paix avec les talibans ont échoué à Istanbul."
    result = IngestCore().accept(RawArticle(text=text), now=NOW)
    assert result.kind == "published"
    assert result.article is not None and result.article.language == "fr"


def test_same_text_under_another_explicit_id_is_published_as_a_duplicate() -> None:
    core = IngestCore()
    core.accept(RawArticle(text=BODY, id="outlet-a"), now=NOW)
    copy = core.accept(RawArticle(text=BODY, id="outlet-b"), now=NOW)
    assert copy.kind == "near_duplicate"
    assert copy.article is not None
    assert (copy.article.article_id, copy.article.duplicate_of) == ("outlet-b", "outlet-a")
    assert core.accept(RawArticle(text=BODY, id="outlet-b"), now=NOW).kind == "exact_duplicate"
    assert core.accept(RawArticle(text=BODY), now=NOW).duplicate_of == "outlet-a"
