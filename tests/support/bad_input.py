"""Malformed Kafka message values, one per kind, with the :class:`DecodeError` kind each must produce.

The unit catalogue (tests/unit/test_bad_input_catalogue.py) decodes each one; the integration test
(tests/integration/test_bad_input.py) sends each through the real services and checks its dead letter.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime
from typing import Any

from powderkeg_contracts import Article, EventRecord

NOW = datetime(2025, 10, 29, 12, 0, tzinfo=UTC)


def article_dict(**changes: Any) -> dict[str, Any]:
    text = changes.pop("text", "Pakistan accused Afghanistan of sheltering militants.")
    base = {
        "schema_version": 1,
        "article_id": "cat-1",
        "text": text,
        "ingested_at": NOW.isoformat(),
        "origin": "jsonl",
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
    }
    base.update(changes)
    return base


def event_dict(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": "ev-1",
        "article_id": "cat-1",
        "story_id": "cat-1",
        "event_type": "ASSAULT",
        "mode": "aerial",
        "cameo_code": "195",
        "quad_class": "material_conflict",
        "pentacode": 4,
        "goldstein": -10.0,
        "actor": {"name": "Pakistan", "country": "PAK"},
        "recipient": {"name": "Afghanistan", "country": "AFG"},
        "location": {},
        "event_date": {},
        "factuality": "asserted",
        "evidence": {"sentence": "s", "start": 0, "end": 1, "trigger": "t", "trigger_start": 0, "trigger_end": 1},
        "confidence": 0.9,
        "extractor_version": "test",
    }
    base.update(changes)
    return base


def as_json(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def without(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


# kind -> (model, raw value, expected DecodeError kind)
KAFKA_VALUES: dict[str, tuple[type, bytes | None, str]] = {
    "empty_value": (Article, b"", "empty"),
    "tombstone_null_value": (Article, None, "empty"),
    "invalid_json": (Article, b'{"article_id": "x", "text": 42', "invalid_json"),
    "truncated_json": (Article, as_json(article_dict())[:40], "invalid_json"),
    "utf8_bom_before_json": (Article, b"\xef\xbb\xbf" + as_json(article_dict()), "invalid_json"),
    "invalid_utf8": (Article, b'{"text": "\xff\xfe"}', "invalid_utf8"),
    "binary_junk": (Article, bytes(random.Random(7).randrange(256) for _ in range(512)), "invalid_utf8"),
    "deeply_nested_json": (Article, b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
    "integer_over_4300_digits": (Article, b'{"n": ' + b"9" * 5000 + b"}", "invalid_json"),
    "json_array_not_object": (Article, as_json([article_dict()]), "not_an_object"),
    "json_string_not_object": (Article, as_json("Pakistan accused Afghanistan"), "not_an_object"),
    "json_null": (Article, b"null", "not_an_object"),
    "future_schema_version": (Article, as_json(article_dict(schema_version=2)), "unknown_schema_version"),
    "schema_version_as_string": (Article, as_json(article_dict(schema_version="1")), "unknown_schema_version"),
    "missing_required_field": (Article, as_json(without(article_dict(), "text")), "invalid_fields"),
    "extra_unknown_field": (Article, as_json(article_dict(author="someone")), "invalid_fields"),
    "empty_text": (Article, as_json(article_dict(text="")), "invalid_fields"),
    "wrong_field_type": (Article, as_json(article_dict(ingested_at=[2025, 10, 29])), "invalid_fields"),
    "unknown_enum_value": (Article, as_json(article_dict(origin="carrier-pigeon")), "invalid_fields"),
    "naive_datetime": (Article, as_json(article_dict(ingested_at="2025-10-29T12:00:00")), "invalid_fields"),
    "id_with_spaces": (Article, as_json(article_dict(article_id="a b")), "invalid_fields"),
    "id_over_128_chars": (Article, as_json(article_dict(article_id="a" * 129)), "invalid_fields"),
    "lone_surrogate_escape": (Article, b'{"article_id": "x", "text": "a\\ud800b"}', "invalid_fields"),
    "event_unknown_plover_type": (EventRecord, as_json(event_dict(event_type="EXPLODE")), "invalid_fields"),
    "event_bad_cameo_code": (EventRecord, as_json(event_dict(cameo_code="9999x")), "invalid_fields"),
    "event_goldstein_out_of_range": (EventRecord, as_json(event_dict(goldstein=-11.0)), "invalid_fields"),
    "event_nan_confidence": (
        EventRecord,
        as_json(event_dict())[:-1] + b', "speaker": null, "url": NaN}',
        "invalid_fields",
    ),
    "event_article_on_events_topic": (EventRecord, as_json(article_dict()), "unknown_schema_version"),
}
