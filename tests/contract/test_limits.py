"""The size chain holds end to end: the largest article ingest publishes, the largest dead letter of any input and
the extractor's messages for the largest article it takes all fit under the producers' and the broker's limits."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from powderkeg_contracts import Article, Origin, limits
from powderkeg_ingest.core.pipeline import IngestCore, RawArticle
from powderkeg_runtime.codec import encode
from powderkeg_runtime.dlq import build_dead_letter

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 1, 2, tzinfo=UTC)
RECORD_OVERHEAD = limits.RECORD_OVERHEAD_BYTES


def _record_size(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] = ()) -> int:  # type: ignore[assignment]
    return len(key or b"") + len(value) + sum(len(k) + len(v) for k, v in headers) + RECORD_OVERHEAD


def test_the_limits_are_ordered() -> None:
    assert limits.ARTICLE_MAX_BYTES + 1024 < limits.PRODUCER_MAX_REQUEST_BYTES < limits.BROKER_MESSAGE_MAX_BYTES
    assert limits.BROKER_MESSAGE_MAX_BYTES <= limits.CONSUMER_FETCH_MAX_BYTES
    assert limits.DEAD_LETTER_MAX_BYTES < limits.PRODUCER_MAX_REQUEST_BYTES
    # The worst-escaped text (two bytes per byte) and the other fields fit in an article.
    assert 2 * limits.TEXT_MAX_BYTES + 6 * (limits.TITLE_MAX_CHARS + limits.SOURCE_MAX_CHARS) < limits.ARTICLE_MAX_BYTES
    # The largest valid single-article push, JSON-escaped at its worst (\\u00XX: 6 bytes per byte), is not a 413.
    assert 6 * (limits.TEXT_MAX_BYTES + limits.TITLE_MAX_CHARS) + limits.URL_MAX_CHARS < limits.HTTP_BODY_MAX_BYTES
    assert 6 * limits.TEXT_MAX_BYTES < limits.INPUT_LINE_MAX_BYTES


def test_the_broker_is_configured_with_the_contract_limit() -> None:
    template = (REPO / "deploy/kafka/server.properties.template").read_text(encoding="utf-8")
    (value,) = re.findall(r"^message\.max\.bytes=(\d+)$", template, re.MULTILINE)
    assert int(value) == limits.BROKER_MESSAGE_MAX_BYTES
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    broker = compose["services"]["kafka"]["environment"]
    assert int(broker["KAFKA_MESSAGE_MAX_BYTES"]) == limits.BROKER_MESSAGE_MAX_BYTES


def test_every_producer_and_consumer_takes_its_sizes_from_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stage to stage: ingest's kafka-python producer and the faust workers' producers and consumers agree."""
    import kafka

    from powderkeg_ingest.publish import KafkaSink
    from powderkeg_runtime.settings import ServiceSettings
    from powderkeg_runtime.worker import make_app

    app = make_app("limits-check", ServiceSettings(faust_data_dir=tmp_path))
    assert app.conf.producer_max_request_size == limits.PRODUCER_MAX_REQUEST_BYTES
    assert app.conf.consumer_max_fetch_size == limits.CONSUMER_FETCH_MAX_BYTES
    built: list[dict[str, object]] = []
    monkeypatch.setattr(kafka, "KafkaProducer", lambda **options: built.append(options))
    KafkaSink("127.0.0.1:1")._build()  # the options only; no client is created
    assert built[0]["max_request_size"] == limits.PRODUCER_MAX_REQUEST_BYTES
    # The stages' own pre-send check leaves room for the record's framing under the producer's limit.
    assert limits.RECORD_OVERHEAD_BYTES < limits.BROKER_MESSAGE_MAX_BYTES - limits.PRODUCER_MAX_REQUEST_BYTES


def _largest_raw(text_char: str) -> RawArticle:
    """Every field at its limit, made of the characters that cost the most bytes once JSON-encoded."""
    per_char = len(text_char.encode())
    text = "Pakistan " + text_char * ((limits.TEXT_MAX_BYTES - 9) // per_char)
    return RawArticle(
        text=text,
        title="\U0001f4a3" * limits.TITLE_MAX_CHARS,
        source="\U0001f4a3" * limits.SOURCE_MAX_CHARS,
        url="https://news.example/" + "a" * (limits.URL_MAX_CHARS - 21),
        published_at="2025-10-29T10:00:00+05:00",
        id="x" * 128,
        origin=Origin.HTTP,
    )


@pytest.mark.parametrize("text_char", ['"', "\\", "\U0001f4a3", "é"], ids=["quote", "backslash", "emoji", "accent"])
def test_the_largest_article_ingest_publishes_fits(text_char: str) -> None:
    result = IngestCore().accept(_largest_raw(text_char), now=NOW)
    assert result.article is not None, result.message
    value = encode(result.article)
    assert len(value) <= limits.ARTICLE_MAX_BYTES
    assert _record_size(result.article.article_id.encode(), value) < limits.PRODUCER_MAX_REQUEST_BYTES


def test_one_byte_more_text_is_rejected_before_the_producer() -> None:
    raw = RawArticle(text="x" * (limits.TEXT_MAX_BYTES + 1), origin=Origin.HTTP)
    result = IngestCore().accept(raw, now=NOW)
    assert result.kind == "rejected" and result.reason == "too_large"


def test_the_largest_dead_letter_of_any_input_fits() -> None:
    hostile = "\x01\ud800" * 1_000_000  # escapes to 6 bytes per character; a lone surrogate cannot be encoded
    letter, headers = build_dead_letter(
        value=b"\xff" * 10_000_000,
        key=b"k" * 10_000_000,
        stage="ingest",
        error=ValueError(hostile),
        origin=hostile,
        error_class=hostile,
    )
    value = encode(letter)
    assert letter.truncated and letter.original_size == 10_000_000
    assert letter.original_sha256 == hashlib.sha256(b"\xff" * 10_000_000).hexdigest()
    assert len(value) <= limits.DEAD_LETTER_MAX_BYTES
    assert _record_size(b"k" * limits.DEAD_LETTER_KEY_MAX_BYTES, value, headers) < limits.PRODUCER_MAX_REQUEST_BYTES


def test_the_largest_article_dead_lettered_downstream_fits() -> None:
    """The extractor dead-letters an article over its own limit: the letter about the largest article fits."""
    article = IngestCore().accept(_largest_raw('"'), now=NOW).article
    assert article is not None
    letter, headers = build_dead_letter(
        value=encode(article),
        key=article.article_id.encode(),
        stage="extractor",
        error=ValueError("too large"),
        topic="powderkeg.articles.v1",
        partition=2,
        offset=10**12,
    )
    assert letter.truncated
    assert _record_size(article.article_id.encode(), encode(letter), headers) < limits.PRODUCER_MAX_REQUEST_BYTES


@pytest.mark.slow
def test_the_extractors_messages_for_the_largest_article_it_takes_fit() -> None:
    """Events and the outcome of an article at the extractor's limit, dense with events, quotes and long sentences."""
    from powderkeg_extractor.core.pipeline import Extractor
    from powderkeg_extractor.outcome import process_articles
    from powderkeg_extractor.settings import ExtractorSettings

    max_chars = ExtractorSettings().extractor_max_chars
    unit = 'Pakistan\'s army said "it struck Taliban positions in Afghanistan" on Monday. '
    run_on = "Pakistan accused Afghanistan of attacks and India threatened Iran and " * 300
    text = (unit * (max_chars // len(unit)) + run_on)[:max_chars]
    article = Article(
        article_id="x" * 128,
        text=text,
        url="https://news.example/" + "a" * (limits.URL_MAX_CHARS - 21),
        source="\U0001f4a3" * limits.SOURCE_MAX_CHARS,
        ingested_at=NOW,
        origin=Origin.HTTP,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        language="en",
    )
    assert len(encode(article)) <= limits.ARTICLE_MAX_BYTES
    [processed] = process_articles(Extractor.packaged(), [article], languages=("en",), max_chars=max_chars, now=NOW)
    assert len(processed.events) > 1000
    largest_event = max(len(encode(e)) for e in processed.events)
    outcome = len(encode(processed.outcome))
    print(f"events {len(processed.events)}, largest event {largest_event} B, outcome {outcome} B")
    assert largest_event + RECORD_OVERHEAD < limits.PRODUCER_MAX_REQUEST_BYTES
    assert outcome + RECORD_OVERHEAD < limits.PRODUCER_MAX_REQUEST_BYTES
