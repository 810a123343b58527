"""Contract tests: the models round-trip, reject what they must, and match the committed JSON Schema files."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from powderkeg_contracts import (
    Actor,
    ActorClass,
    Alert,
    Article,
    ConflictKind,
    DeadLetter,
    EventDate,
    EventRecord,
    Evidence,
    Factuality,
    Location,
    PloverType,
    QuadClass,
    Side,
    SidePair,
    pair_of,
    side_key,
    topics,
)
from powderkeg_contracts.models import MODELS
from powderkeg_contracts.schema import SCHEMA_DIR, render_schemas
from powderkeg_contracts.sides import SIDE_KEY_PATTERN, EventSides
from powderkeg_runtime.codec import DecodeError, decode, encode

NOW = datetime(2025, 10, 29, 12, 0, tzinfo=UTC)


def make_article(**overrides: object) -> Article:
    fields: dict[str, object] = {
        "article_id": "a-1",
        "text": "Pakistan said talks collapsed.",
        "ingested_at": NOW,
        "origin": "file",
        "content_hash": "0" * 64,
    }
    fields.update(overrides)
    return Article.model_validate(fields)


def make_event(**overrides: object) -> EventRecord:
    fields: dict[str, object] = {
        "event_id": "ev-1",
        "article_id": "a-1",
        "story_id": "a-1",
        "event_type": PloverType.REJECT,
        "mode": "meet",
        "cameo_code": "125",
        "quad_class": QuadClass.VERBAL_CONFLICT,
        "pentacode": 3,
        "goldstein": -5.0,
        "actor": Actor(text="Pakistan", name="Pakistan", country="PAK", sector="government"),
        "recipient": Actor(text="Kabul", name="Afghanistan", country="AFG", sector="government"),
        "location": Location(place="Istanbul", country="TUR"),
        "event_date": EventDate(date=date(2025, 10, 29), granularity="day", text="on Wednesday"),
        "factuality": Factuality.ASSERTED,
        "evidence": Evidence(sentence="s", start=0, end=1, trigger="collapsed", trigger_start=0, trigger_end=1),
        "confidence": 0.9,
        "extractor_version": "test",
    }
    fields.update(overrides)
    return EventRecord.model_validate(fields)


def test_committed_schemas_match_the_models() -> None:
    rendered = render_schemas()
    committed = {p.name for p in SCHEMA_DIR.glob("*.json")}
    assert committed == set(rendered), "schema files added or removed: run `powderkeg schemas`"
    for name, text in rendered.items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == text, f"{name} is stale: run `powderkeg schemas`"


@pytest.mark.parametrize("model", list(MODELS.values()), ids=list(MODELS))
def test_models_are_frozen_strict_and_versioned(model: type) -> None:
    config = model.model_config
    assert config.get("frozen") is True
    assert config.get("extra") == "forbid"
    assert "schema_version" in model.model_fields


def test_event_round_trips_and_validates_against_its_schema() -> None:
    event = make_event()
    raw = encode(event)
    assert decode(EventRecord, raw) == event
    schema = json.loads((SCHEMA_DIR / "event_record.v2.json").read_text())
    jsonschema.validate(json.loads(raw), schema)


def test_unknown_fields_and_future_versions_are_rejected() -> None:
    obj = json.loads(encode(make_article()))
    with pytest.raises(DecodeError) as extra:
        decode(Article, json.dumps({**obj, "surprise": 1}).encode())
    assert extra.value.kind == "invalid_fields"
    with pytest.raises(DecodeError) as future:
        decode(Article, json.dumps({**obj, "schema_version": 2}).encode())
    assert future.value.kind == "unknown_schema_version"
    with pytest.raises(DecodeError) as older:
        decode(EventRecord, json.dumps({**json.loads(encode(make_event())), "schema_version": 1}).encode())
    assert older.value.kind == "unknown_schema_version", "a v1 event is not silently read as v2"


@pytest.mark.parametrize("version", ["1", 1.0, True, None, [1]])
def test_lax_schema_versions_are_rejected(version: object) -> None:
    obj = json.loads(encode(make_article()))
    with pytest.raises(DecodeError) as err:
        decode(Article, json.dumps({**obj, "schema_version": version}).encode())
    assert err.value.kind == "unknown_schema_version"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00", "invalid_utf8"),
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"article_id": "a"}', "invalid_fields"),
    ],
)
def test_malformed_bytes_get_a_named_reason(raw: bytes, kind: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode(Article, raw)
    assert err.value.kind == kind


def test_naive_datetimes_and_bad_country_codes_are_rejected() -> None:
    with pytest.raises(ValidationError):
        make_article(ingested_at=datetime(2025, 1, 1))
    with pytest.raises(ValidationError):
        Actor(country="Pakistan")


PAK = Side(country="PAK", actor_class=ActorClass.GOVERNMENT, label="Pakistan")
AFG = Side(country="AFG", actor_class=ActorClass.STATE_FORCES, label="Afghanistan")
RSF = Side(country="SDN", actor_class=ActorClass.REBELS, group="Rapid Support Forces", label="RSF (SDN)")
SUDAN = Side(country="SDN", actor_class=ActorClass.STATE_FORCES, label="Sudan")


def test_state_sides_are_their_country_so_an_interstate_pair_keeps_its_dyad_key() -> None:
    pair = pair_of(PAK, AFG)
    assert pair.key == "AFG-PAK" and pair.kind is ConflictKind.INTERSTATE and pair.countries == ("AFG", "PAK")
    assert pair_of(AFG, PAK) == pair, "the pair is unordered"


def test_a_named_armed_group_is_its_own_side_inside_one_country() -> None:
    pair = pair_of(RSF, SUDAN)
    assert pair.key == "SDN-SDN.rebels.rapid_support_forces"
    assert pair.kind is ConflictKind.INTRASTATE and pair.countries == ("SDN",)
    other = Side(country="SDN", actor_class=ActorClass.REBELS, group="SPLM-N", label="SPLM-N (SDN)")
    assert pair_of(other, SUDAN).key != pair.key, "two insurgencies in one country are two pairs"


def test_side_keys_are_bounded_and_follow_one_pattern() -> None:
    long_name = "Jama'at Nusrat al-Islam wal-Muslimin " * 5
    key = side_key("MLI", ActorClass.REBELS, long_name)
    assert re.fullmatch(SIDE_KEY_PATTERN, key) and len(key) <= 3 + 1 + len("political_militia") + 1 + 32
    assert side_key(None, ActorClass.PROTESTERS) == "INT.protesters"
    for side in (PAK, AFG, RSF, SUDAN):
        assert re.fullmatch(SIDE_KEY_PATTERN, side.key), side.key


def test_a_pair_must_be_sorted_and_one_side_alone_is_one_sided() -> None:
    with pytest.raises(ValidationError):
        SidePair(a=PAK, b=AFG)
    alone = pair_of(PAK, PAK)
    assert alone.b is None and alone.key == "PAK" and alone.kind is ConflictKind.ONE_SIDED


def test_event_sides_key_the_event_and_keys_round_trip_through_json() -> None:
    sides = EventSides(source=RSF, target=SUDAN)
    assert sides.key == "SDN-SDN.rebels.rapid_support_forces" and EventSides().key == "unknown"
    event = make_event(sides=sides)
    raw = json.loads(encode(event))
    assert raw["sides"]["key"] == sides.key and raw["sides"]["source"]["key"] == RSF.key
    assert decode(EventRecord, encode(event)) == event, "derived keys are written out and ignored when read back"


def test_models_are_immutable() -> None:
    article = make_article()
    with pytest.raises(ValidationError):
        article.text = "changed"  # type: ignore[misc]


def test_every_input_topic_has_a_dead_letter_topic() -> None:
    for topic in topics.INPUT_TOPICS:
        assert topics.dead_letter_topic(topic) in topics.ALL_TOPICS
    assert all(t.startswith("powderkeg.") for t in topics.ALL_TOPICS)


_text = st.text(min_size=1, max_size=200)


@settings(max_examples=60, deadline=None)
@given(text=_text, title=st.none() | _text, conf=st.floats(0, 1), gold=st.floats(-10, 10))
def test_round_trip_property(text: str, title: str | None, conf: float, gold: float) -> None:
    article = make_article(text=text, title=title)
    assert decode(Article, encode(article)) == article
    event = make_event(confidence=conf, goldstein=gold, evidence=Evidence(
        sentence=text, start=0, end=len(text), trigger=text[:5], trigger_start=0, trigger_end=min(5, len(text))
    ))
    assert decode(EventRecord, encode(event)) == event


def test_alert_and_dead_letter_round_trip() -> None:
    alert = Alert(
        alert_id="al-1",
        signal="talks_failed",
        direction="escalation",
        severity="warning",
        status="raised",
        revision=1,
        title="Talks failed or deadlocked",
        sides=pair_of(PAK, AFG).model_copy(update={"a_actors": ("Afghanistan",), "b_actors": ("Pakistan",)}),
        kind=ConflictKind.INTERSTATE,
        countries=("AFG", "PAK"),
        summary="Talks failed",
        confidence=0.8,
        event_ids=("ev-1",),
        article_ids=("a-1",),
        first_seen=NOW,
        last_seen=NOW,
    )
    assert decode(Alert, encode(alert)) == alert
    with pytest.raises(ValidationError):
        alert.model_validate({**alert.model_dump(), "kind": "intrastate"})
    letter = DeadLetter(
        original_topic=topics.ARTICLES, original_value="e30=", original_size=2, original_sha256="0" * 64,
        stage="extractor", error_class="X", error_message="bad", failed_at=NOW,
    )
    assert decode(DeadLetter, encode(letter)) == letter


def test_env_example_lists_every_setting() -> None:
    from powderkeg_cli.envdoc import ENV_EXAMPLE, render_env_example

    assert ENV_EXAMPLE.read_text(encoding="utf-8") == render_env_example(), "run `powderkeg schemas --env`"
