"""The store's pure parts: event rows and facets, the escalation index series, filters, cursors and CSV cells."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from powderkeg_contracts import Factuality
from powderkeg_store.core import index
from powderkeg_store.core.filters import (
    AlertQuery,
    EventQuery,
    FilterError,
    decode_cursor,
    encode_cursor,
    parse_query,
    parse_time,
)
from powderkeg_store.core.rows import event_facets, event_row, event_time
from powderkeg_store.core.tabular import cell, csv_lines
from tests.support.store_factory import T0, event

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def test_event_time_follows_alertings_fallbacks() -> None:
    e = event(1, minutes=5)
    assert event_time(e) == T0 + timedelta(minutes=5)
    undated = e.model_copy(update={"published_at": None})
    received = datetime(2026, 3, 2, tzinfo=UTC)
    assert event_time(undated, received) == received
    assert event_time(undated) is None


def test_facets_cover_every_country_and_side_once() -> None:
    row = event_row(event(1, source="PAK", target="AFG", place_country="AFG"), T0)
    assert event_facets(row) == ["c:AFG", "c:PAK", "s:AFG", "s:PAK"]
    one_sided = event_row(event(2, source="IND", target=None), T0)
    assert event_facets(one_sided) == ["c:IND", "s:IND"]


def test_conflict_mass_weights_factuality_and_ignores_cooperation() -> None:
    assert index.conflict_mass(-10.0, 1.0, Factuality.ASSERTED) == 1.0
    assert index.conflict_mass(-5.0, 0.8, Factuality.CLAIMED) == pytest.approx(0.2)
    assert index.conflict_mass(-10.0, 1.0, Factuality.NEGATED) == 0.0
    assert index.conflict_mass(3.0, 1.0, Factuality.ASSERTED) == 0.0


def test_index_is_mass_per_day_and_halves_every_fast_half_life() -> None:
    c = [index.Contribution(T0, "s1", "195", 1.0)]
    points = index.series(c, start=T0, end=T0 + timedelta(hours=12), step=timedelta(hours=6))
    per_day = math.log(2) / (index.FAST_HALF_LIFE_HOURS / 24)
    assert [p.index for p in points] == pytest.approx([per_day, per_day / 2, per_day / 4], rel=1e-3)
    assert points[0].events == 1 and points[1].events == 0
    assert all(p.baseline >= index.BASELINE_FLOOR for p in points)


def test_index_counts_a_story_and_code_once() -> None:
    copies = [index.Contribution(T0 + timedelta(minutes=m), "same-story", "195", 1.0) for m in range(5)]
    single = [index.Contribution(T0, "same-story", "195", 1.0)]
    kw = {"start": T0 + timedelta(hours=1), "end": T0 + timedelta(hours=1), "step": timedelta(hours=1)}
    assert index.series(copies, **kw) == index.series(single, **kw)


def test_index_rejects_an_empty_step() -> None:
    with pytest.raises(ValueError, match="step"):
        index.series([], start=T0, end=T0, step=timedelta(0))


def test_times_are_iso_or_spans_back_from_now() -> None:
    assert parse_time("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_time("7d", NOW) == NOW - timedelta(days=7)
    assert parse_time("2026-03-01", NOW) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_time("2026-03-01T10:00:00+02:00", NOW) == datetime(2026, 3, 1, 8, tzinfo=UTC)
    with pytest.raises(ValueError, match="neither ISO"):
        parse_time("yesterday", NOW)


def test_query_strings_become_validated_filters() -> None:
    q = parse_query(AlertQuery, {"severity": "warning,critical", "status": "open", "country": "pak"}, NOW)
    assert [s.value for s in q.severity] == ["warning", "critical"]
    assert {s.value for s in q.status} == {"raised", "updated"}
    assert q.country == "PAK"
    e = parse_query(EventQuery, {"cameo": "19", "min_confidence": "0.5", "since": "7d"}, NOW)
    assert (e.cameo, e.min_confidence, e.since) == ("19", 0.5, NOW - timedelta(days=7))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"country": "Pakistan"}, "country"),
        ({"since": "last week"}, "since"),
        ({"limit": "5000"}, "limit"),
        ({"colour": "red"}, "colour"),
        ({"side": "PAK; DROP TABLE"}, "side"),
    ],
)
def test_bad_filters_name_the_parameter(params: dict[str, str], field: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_query(AlertQuery, params, NOW)
    assert caught.value.field == field


def test_cursors_round_trip_and_reject_forgeries() -> None:
    values = [T0, "ev-1"]
    assert decode_cursor(encode_cursor(values), (datetime, str)) == values
    with pytest.raises(FilterError, match="cursor"):
        decode_cursor("not-a-cursor", (datetime, str))
    with pytest.raises(FilterError, match="cursor"):
        decode_cursor(encode_cursor([1, "x"]), (datetime, str))


def test_csv_cells_are_what_spreadsheets_expect() -> None:
    assert cell(None) == "" and cell(True) == "true" and cell(T0) == "2026-03-01T12:00:00+00:00"
    assert cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert cell("-7.5") == "-7.5"
    lines = list(csv_lines(["a", "b"], [{"a": "x,y", "b": 1}]))
    assert lines == ["a,b\r\n", '"x,y",1\r\n']
