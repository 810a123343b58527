"""Bad input at the Kafka level, end to end: malformed values on the articles and events topics, through the real
extractor and alerting services, each lands on its dead-letter topic with Kafka Connect-style reason headers, and
a good message sent after all of them still flows. The unit catalogue (tests/unit/test_bad_input_catalogue.py)
covers every kind at the codec level; this test proves the services act on those errors as documented.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from powderkeg_contracts import Alert, Article, ArticleOutcome, DeadLetter, PloverType, limits, topics
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.articles import article
from tests.support.bad_input import KAFKA_VALUES
from tests.support.events import build_event
from tests.support.kafka import end_offsets, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WATCHED = (topics.ARTICLES_DLQ, topics.EVENTS_DLQ, topics.OUTCOMES, topics.ALERTS)


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Extractor and alerting workers on fresh consumer groups that start at the topics' current end."""
    run = f"badin-{uuid.uuid4().hex[:8]}"
    logs = tmp_path_factory.mktemp("bad-input-logs")
    env = service_env(kafka_bootstrap, run)
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_EXTRACTOR_APP_ID"], [topics.ARTICLES])
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_ALERTING_APP_ID"], [topics.EVENTS])
    ports = {"extractor": free_port(), "alerting": free_port()}
    services = [
        ServiceProcess(
            name, [name], {**env, f"POWDERKEG_{name.upper()}_METRICS_PORT": str(port)}, Path(logs) / f"{name}.log", port
        )
        for name, port in ports.items()
    ]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        yield {"run": run}
    finally:
        for service in services:
            service.stop_quietly()


def test_every_kafka_level_kind_is_dead_lettered_with_reason_headers_and_good_messages_flow(
    kafka_bootstrap: str, pipeline: dict[str, str]
) -> None:
    run = pipeline["run"]
    start = end_offsets(kafka_bootstrap, WATCHED)
    # Sent to articles: every Article-level kind, plus one valid article too large for the extractor.
    expected: dict[bytes, tuple[str, str, str]] = {}
    for kind, (model, raw, reason) in KAFKA_VALUES.items():
        topic = topics.ARTICLES if model is Article else topics.EVENTS
        expected[f"{run}-{kind}".encode()] = (topic, raw, reason)  # type: ignore[assignment]
    for kind in ("invalid_json", "binary_junk", "future_schema_version", "empty_value", "json_array_not_object"):
        model, raw, reason = KAFKA_VALUES[kind]
        if kind == "future_schema_version":
            raw = json.dumps({**json.loads(raw or b"{}"), "schema_version": 3}).encode()
        expected[f"{run}-events-{kind}".encode()] = (topics.EVENTS, raw, reason)  # type: ignore[assignment]
    huge = article(f"{run}-too-large").model_copy(update={"text": "Pakistan accused Afghanistan. " * 10_000})
    expected[f"{run}-too-large".encode()] = (topics.ARTICLES, encode(huge), "too_large")  # type: ignore[assignment]

    good_article = article(f"{run}-good")
    good_event = build_event(
        PloverType.ASSAULT,
        "195",
        "Pakistani jets bombed positions in Afghanistan.",
        "bombed",
        mode="aerial",
        article=f"{run}-good-event",
    )
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, max_request_size=2_000_000
    )
    try:
        for key, (topic, raw, _) in expected.items():
            producer.send(topic, key=key, value=raw)
        producer.flush()
        producer.send(topics.ARTICLES, key=good_article.article_id.encode(), value=encode(good_article))
        producer.send(topics.EVENTS, key=b"AFG-PAK", value=encode(good_event))
        producer.flush()
    finally:
        producer.close()

    letters: dict[bytes, tuple[str, DeadLetter, dict[str, bytes]]] = {}
    outcome: ArticleOutcome | None = None
    alerts: dict[str, Alert] = {}  # by signal: one event may raise several

    def arrived() -> bool:
        nonlocal outcome
        for record in read_topics(kafka_bootstrap, WATCHED, start=start):
            if record.topic in (topics.ARTICLES_DLQ, topics.EVENTS_DLQ) and record.key in expected:
                letters[record.key] = (record.topic, decode(DeadLetter, record.value), dict(record.headers))
            elif record.topic == topics.OUTCOMES and record.key == good_article.article_id.encode():
                outcome = decode(ArticleOutcome, record.value)
            elif record.topic == topics.ALERTS:
                candidate = decode(Alert, record.value)
                if good_event.article_id in candidate.article_ids:
                    alerts[candidate.signal] = candidate
        return len(letters) == len(expected) and outcome is not None and "military_strike" in alerts

    wait_for(arrived, 120, "every bad message dead-lettered and the good ones through", every_s=2.0)

    for key, (topic, raw, reason) in expected.items():
        dlq_topic, letter, headers = letters[key]
        assert dlq_topic == topics.dead_letter_topic(topic), key
        assert letter.original_topic == topic and letter.stage == (
            "extractor" if topic == topics.ARTICLES else "alerting"
        )
        assert letter.error_message.startswith(f"{reason}: ") or reason == "too_large", (key, letter.error_message)
        assert headers["__connect.errors.topic"] == topic.encode()
        assert int(headers["__connect.errors.partition"]) == letter.original_partition
        assert int(headers["__connect.errors.offset"]) == letter.original_offset
        assert headers["__connect.errors.exception.class.name"] == letter.error_class.encode()
        assert headers["__connect.errors.exception.message"].decode().startswith(letter.error_message[:50])
        original = raw or b""
        assert letter.original_size == len(original) and letter.original_sha256 == hashlib.sha256(original).hexdigest()
        kept = (raw or b"")[: limits.DEAD_LETTER_VALUE_MAX_BYTES]  # a larger original is cut, and says so
        assert letter.truncated is (len(raw or b"") > len(kept))
        assert letter.original_value == base64.b64encode(kept).decode(), key
    too_large = letters[f"{run}-too-large".encode()][1]
    assert too_large.error_class.endswith("ArticleTooLarge") and "chars (limit" in too_large.error_message
    assert outcome is not None and outcome.status.value == "events" and outcome.event_ids
    assert good_event.event_id in alerts["military_strike"].event_ids, "the good event raised its military_strike alert"
