"""The bad-input catalogue, unit level: every malformed input is either rejected with a named reason or processed
without an exception, never a crash. docs/reliability.md lists each kind, where it is caught and the test here.

Three levels, matching where each input is met in the running system:
- Kafka message values, as the extractor and alerting decode them (:func:`powderkeg_runtime.codec.decode`): a
  :class:`DecodeError` whose ``kind`` becomes the dead letter's reason;
- article texts that are valid contracts but hostile content, as the extractor core meets them;
- ingest input lines, as the ingest core and its JSONL reader meet them: a rejection with a stable reason code.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from powderkeg_contracts import Article, ArticleStatus, DeadLetter, EventRecord, Origin
from powderkeg_ingest.core.pipeline import CoreConfig, IngestCore, RawArticle
from powderkeg_ingest.sources.files import InputError, InputRecord, parse_json_line
from powderkeg_runtime.codec import DecodeError, decode, encode
from powderkeg_runtime.dlq import MAX_ERROR_MESSAGE, build_dead_letter, original_bytes
from tests.support.bad_input import KAFKA_VALUES, NOW, article_dict, as_json, event_dict


@pytest.mark.parametrize("kind", sorted(KAFKA_VALUES))
def test_kafka_value_is_rejected_with_its_reason(kind: str) -> None:
    model, raw, expected = KAFKA_VALUES[kind]
    with pytest.raises(DecodeError) as caught:
        decode(model, raw)
    assert caught.value.kind == expected
    assert str(caught.value).startswith(f"{expected}: ")


def test_the_good_samples_used_above_do_decode() -> None:
    """The catalogue's bad values are one change away from these; both must be valid for the tests to mean much."""
    assert decode(Article, as_json(article_dict())).article_id == "cat-1"
    assert decode(EventRecord, as_json(event_dict())).event_id == "ev-1"


def test_dead_letter_carries_connect_headers_and_the_exact_bytes() -> None:
    raw = b"\xff\x00 not json"
    try:
        decode(Article, raw)
    except DecodeError as exc:
        letter, headers = build_dead_letter(
            value=raw, key=b"k1", stage="extractor", error=exc, topic="powderkeg.articles.v1", partition=2, offset=41
        )
    names = dict(headers)
    assert names["__connect.errors.topic"] == b"powderkeg.articles.v1"
    assert names["__connect.errors.partition"] == b"2"
    assert names["__connect.errors.offset"] == b"41"
    assert names["__connect.errors.exception.class.name"] == b"powderkeg_runtime.codec.DecodeError"
    assert names["__connect.errors.exception.message"].startswith(b"invalid_utf8: ")
    assert original_bytes(decode(DeadLetter, encode(letter))) == (b"k1", raw)


def test_dead_letter_of_a_huge_error_message_is_bounded() -> None:
    letter, headers = build_dead_letter(value=b"x", key=None, stage="alerting", error=ValueError("\u00e9" * 50_000))
    assert len(letter.error_message) == MAX_ERROR_MESSAGE
    assert len(dict(headers)["__connect.errors.exception.message"]) <= MAX_ERROR_MESSAGE


# --- article content the extractor meets: valid contracts, hostile text ------------------------------------------


def _article(text: str, language: str | None = "en") -> Article:
    return Article(
        article_id="cat-1",
        text=text,
        published_at=NOW,
        ingested_at=NOW,
        language=language,
        origin=Origin.JSONL,
        content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


@pytest.fixture(scope="module")
def extractor():  # type: ignore[no-untyped-def]
    from powderkeg_extractor.core.pipeline import Extractor

    return Extractor.packaged()


def _process(extractor: Any, article: Article, max_chars: int = 200_000) -> Any:
    from powderkeg_extractor.outcome import process_articles

    [processed] = process_articles(extractor, [article], languages=("en",), max_chars=max_chars, now=NOW)
    return processed


HOSTILE_TEXTS: dict[str, tuple[str, str | None]] = {
    "control_characters": ("Pakistan\x00 accused\x1b[31m Afghanistan\x07 of attacks.\x7f", "en"),
    "extremely_long_sentence": (" ".join(["Pakistan accused Afghanistan of attacks and"] * 1500) + ".", "en"),
    "extremely_long_token": ("Pakistan accused " + "A" * 100_000 + " of attacks.", "en"),
    "html_instead_of_text": (
        "<html><body><p>Pakistan <b>accused</b> Afghanistan of attacks.</p><script>alert(1)</script></body></html>",
        "en",
    ),
    "whitespace_and_punctuation_only": (" \n\t . , ; -- ... ", "en"),
    "emoji_rtl_and_zero_width": ("Pakistan \u202e\u200b\U0001f4a3 accused \u2066Afghanistan\u2069 of attacks.", "en"),
    "unknown_language_code": ("Pakistan accused Afghanistan of attacks.", "unknown"),
    "numbers_only": ("1 2 3 4 5 6 7 8 9 10 " * 200, "en"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_text_gets_an_outcome_without_raising(extractor: Any, kind: str) -> None:
    text, language = HOSTILE_TEXTS[kind]
    processed = _process(extractor, _article(text, language))
    assert processed.outcome.article_id == "cat-1"
    assert processed.outcome.status in (ArticleStatus.EVENTS, ArticleStatus.NO_EVENTS)
    assert set(processed.outcome.event_ids) == {e.event_id for e in processed.events}
    assert processed.outcome.status is not ArticleStatus.NO_EVENTS or processed.outcome.reason


@pytest.mark.parametrize(
    ("kind", "text", "language"),
    [
        ("non_english_french", "Le Pakistan a accusé l'Afghanistan d'abriter des militants.", "fr"),
        ("non_english_chinese", "巴基斯坦指责阿富汗庇护武装分子。", "zh-cn"),
        ("non_english_arabic", "اتهمت باكستان أفغانستان بإيواء مسلحين.", "ar"),
    ],
)
def test_non_english_text_is_skipped_with_the_language_as_reason(
    extractor: Any, kind: str, text: str, language: str
) -> None:
    processed = _process(extractor, _article(text, language))
    assert processed.outcome.status is ArticleStatus.SKIPPED
    assert processed.outcome.reason == f"language:{language}"
    assert processed.events == []


def test_text_over_the_extractor_limit_is_refused_before_parsing(extractor: Any) -> None:
    from powderkeg_extractor.outcome import ArticleTooLarge

    with pytest.raises(ArticleTooLarge, match="300000 chars"):
        _process(extractor, _article("x" * 300_000))


# --- ingest inputs: JSONL lines and raw articles ----------------------------------------------------------------


INGEST_LINES: dict[str, tuple[bytes, str]] = {
    "ingest_invalid_json": (b'{"text": "unterminated', "invalid_json"),
    "ingest_invalid_utf8": (b'{"text": "\xc3\x28"}', "invalid_utf8"),
    "ingest_not_an_object": (b'["Pakistan accused Afghanistan"]', "not_an_object"),
    "ingest_missing_text": (b'{"title": "no body"}', "missing_text"),
    "ingest_null_text": (b'{"text": null}', "missing_text"),
    "ingest_text_wrong_type": (b'{"text": {"nested": true}}', "invalid_field"),
}


@pytest.mark.parametrize("kind", sorted(INGEST_LINES))
def test_ingest_line_is_rejected_with_its_reason(kind: str) -> None:
    line, reason = INGEST_LINES[kind]
    item = parse_json_line(line, ref="input.jsonl:1", origin=Origin.JSONL)
    assert isinstance(item, InputError)
    assert item.reason == reason
    assert item.data == line


INGEST_ARTICLES: dict[str, tuple[dict[str, Any], str]] = {
    "ingest_empty_text": ({"text": ""}, "empty_text"),
    "ingest_only_controls_and_spaces": ({"text": " \x00\u200b\t \n "}, "empty_text"),
    "ingest_ten_megabyte_text": ({"text": "x" * 10_000_000}, "too_large"),
    "ingest_invalid_id": ({"text": "Pakistan accused Afghanistan.", "id": "has spaces/and slashes"}, "invalid_id"),
    "ingest_id_over_128_chars": ({"text": "Pakistan accused Afghanistan.", "id": "x" * 200}, "invalid_id"),
}


@pytest.mark.parametrize("kind", sorted(INGEST_ARTICLES))
def test_ingest_article_is_rejected_with_its_reason(kind: str) -> None:
    fields, reason = INGEST_ARTICLES[kind]
    core = IngestCore(CoreConfig(max_text_bytes=400_000))
    result = core.accept(RawArticle.model_validate({**fields, "origin": "jsonl"}), now=NOW)
    assert result.kind == "rejected"
    assert result.reason == reason
    assert result.article is None


def test_ingest_unparseable_date_is_kept_empty_with_a_reason_not_rejected() -> None:
    line = b'{"text": "Pakistan accused Afghanistan of attacks.", "published_at": "the day after tomorrow-ish"}'
    item = parse_json_line(line, ref="input.jsonl:1", origin=Origin.JSONL)
    assert isinstance(item, InputRecord)
    result = IngestCore().accept(item.raw, now=NOW)
    assert result.article is not None
    assert result.article.published_at is None and result.article.published_at_reason
