"""Property-based tests of what effectively-once delivery rests on (hypothesis).

The extractor's own properties (never raises, same text -> same ids) live in tests/unit/extractor/test_properties.py
and the contract round trip in tests/contract. Added here:
- the codec: any bytes at all, and any JSON value, either decode or raise :class:`DecodeError`, never anything else
  (an exception escaping a faust agent acks the message without a dead letter);
- the alert engine: never raises, is deterministic, a redelivered event changes nothing, each alert id is raised
  at most once, and a restart that restores the store from JSON (what the changelog tables do) continues exactly
  as an engine that never stopped;
- the ingest core: never raises, and equal input gives an equal article id and content hash.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.state import EngineStore, EpisodeState, PairIndexState
from powderkeg_contracts import (
    Actor,
    Alert,
    AlertStatus,
    Article,
    ArticleOutcome,
    DeadLetter,
    EventRecord,
    Factuality,
    Origin,
    PloverType,
    Sector,
)
from powderkeg_ingest.core.pipeline import IngestCore, RawArticle
from powderkeg_runtime.codec import DecodeError, decode
from tests.support.events import build_event

MODELS: tuple[type[BaseModel], ...] = (Article, EventRecord, ArticleOutcome, Alert, DeadLetter)
T0 = datetime(2025, 10, 1, tzinfo=UTC)

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300), model=st.sampled_from(MODELS))
def test_decode_of_any_bytes_returns_a_model_or_a_decode_error(raw: bytes, model: type[BaseModel]) -> None:
    try:
        decode(model, raw)
    except DecodeError as exc:
        assert exc.kind in {
            "empty",
            "invalid_utf8",
            "invalid_json",
            "not_an_object",
            "unknown_schema_version",
            "invalid_fields",
        }


@settings(max_examples=150, deadline=None)
@given(value=_json_values, model=st.sampled_from(MODELS))
def test_decode_of_any_json_returns_a_model_or_a_decode_error(value: Any, model: type[BaseModel]) -> None:
    with contextlib.suppress(DecodeError):
        decode(model, json.dumps(value).encode())


# --- the alert engine --------------------------------------------------------------------------------------------

COUNTRIES = ("PAK", "AFG", "IND", "IRN")
# (type, CAMEO code, mode, sentence, trigger): shapes that reach every kind of signal in the packaged rules.
SHAPES = (
    (PloverType.REJECT, "125", "meet", "Peace talks collapsed in Istanbul.", "collapsed"),
    (PloverType.COERCE, "191", "restrict", "The border crossings were shut.", "shut"),
    (PloverType.ASSAULT, "195", "aerial", "Jets carried out airstrikes on hideouts.", "airstrikes"),
    (PloverType.ASSAULT, "193", "firearms", "Troops clashed along the border.", "clashed"),
    (PloverType.THREATEN, "138", "violence", "The minister threatened military action.", "threatened"),
    (PloverType.AGREE, "0871", None, "Both sides agreed to a ceasefire.", "agreed"),
    (PloverType.ACCUSE, "112", "allege", "Kabul accused Islamabad of aggression.", "accused"),
    (PloverType.CONSULT, "045", "third-party", "Qatar mediated the talks.", "mediated"),
)


@st.composite
def events(draw: st.DrawFn) -> EventRecord:
    kind, cameo, mode, sentence, trigger = draw(st.sampled_from(SHAPES))
    a, b = draw(st.sampled_from(COUNTRIES)), draw(st.sampled_from(COUNTRIES))
    minutes = draw(st.integers(min_value=0, max_value=60 * 24 * 10))
    return build_event(
        kind,
        cameo,
        sentence,
        trigger,
        mode=mode,
        actor=Actor(name=a, country=a, sector=Sector.GOVERNMENT),
        recipient=Actor(name=b, country=b, sector=draw(st.sampled_from([Sector.GOVERNMENT, Sector.MILITARY]))),
        factuality=draw(st.sampled_from(list(Factuality))),
        confidence=draw(st.floats(min_value=0.0, max_value=1.0)),
        article=f"art-{draw(st.integers(min_value=0, max_value=30))}",
        published_at=draw(st.one_of(st.none(), st.just(T0 + timedelta(minutes=minutes)))),
    )


def _run(engine: AlertEngine, stream: list[EventRecord]) -> list[Alert]:
    out: list[Alert] = []
    for event in stream:
        out.extend(engine.process(event, received_at=T0))
    return out


_ENGINE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_ENGINE_SETTINGS
@given(stream=st.lists(events(), max_size=40))
def test_engine_never_raises_and_is_deterministic(stream: list[EventRecord]) -> None:
    first = _run(AlertEngine(), stream)
    second = _run(AlertEngine(), stream)
    assert [a.model_dump_json() for a in first] == [a.model_dump_json() for a in second]


@_ENGINE_SETTINGS
@given(stream=st.lists(events(), max_size=40))
def test_redelivered_events_change_nothing_and_each_alert_is_raised_once(stream: list[EventRecord]) -> None:
    engine = AlertEngine()
    alerts = _run(engine, stream)
    assert _run(engine, stream) == []
    raised = Counter(a.alert_id for a in alerts if a.status is AlertStatus.RAISED)
    assert all(count == 1 for count in raised.values()), raised


def _restored(store: EngineStore) -> EngineStore:
    """The store as a restarted worker rebuilds it from its changelog: every value through JSON and back."""
    return EngineStore(
        episodes={k: EpisodeState.model_validate_json(v.model_dump_json()) for k, v in store.episodes.items()},
        seen={k: datetime.fromisoformat(v.isoformat()) for k, v in store.seen.items()},
        pairs={k: PairIndexState.model_validate_json(v.model_dump_json()) for k, v in store.pairs.items()},
    )


@_ENGINE_SETTINGS
@given(stream=st.lists(events(), max_size=40), cut=st.integers(min_value=0, max_value=40))
def test_restart_from_the_persisted_store_continues_like_an_engine_that_never_stopped(
    stream: list[EventRecord], cut: int
) -> None:
    steady = AlertEngine()
    expected = _run(steady, stream)
    before = AlertEngine()
    alerts = _run(before, stream[:cut])
    after = AlertEngine(store=_restored(before.store))
    # A crash replays from the last committed offset: some events before the cut arrive again.
    alerts += _run(after, stream[max(0, cut - 5) :])
    assert [a.model_dump_json() for a in alerts] == [a.model_dump_json() for a in expected]


# --- the ingest core ---------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=400),
    given_id=st.one_of(st.none(), st.text(max_size=40)),
    published=st.one_of(st.none(), st.text(max_size=30)),
)
def test_ingest_core_never_raises_and_ids_follow_the_content(
    text: str, given_id: str | None, published: str | None
) -> None:
    raw = RawArticle(text=text, id=given_id, published_at=published, origin=Origin.JSONL)
    first = IngestCore().accept(raw, now=T0)
    second = IngestCore().accept(raw, now=T0 + timedelta(hours=1))
    assert first.kind == second.kind
    assert (first.reason is None) == (first.article is not None)
    if first.article is not None and second.article is not None:
        assert first.article.article_id == second.article.article_id
        assert first.article.content_hash == second.article.content_hash
        assert first.article.model_dump(exclude={"ingested_at"}) == second.article.model_dump(exclude={"ingested_at"})
