"""Store behaviours written once and run on SQLite (tests/unit/store) and on the real PostgreSQL
(tests/integration/test_store_postgres.py): the same code must behave the same on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from powderkeg_contracts import AlertStatus, Severity
from powderkeg_store import queries, schema
from powderkeg_store.core.filters import EventQuery
from powderkeg_store.core.rows import event_facets, event_row
from powderkeg_store.retention import apply_retention
from powderkeg_store.writer import Batch, write_batch
from tests.support.store_factory import T0, alert, event

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def _write(engine: Engine, batch: Batch) -> None:
    with engine.begin() as conn:
        write_batch(conn, batch, NOW)


def _counts(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (schema.events, schema.event_facets, schema.alerts, schema.alert_revisions, schema.place_days)
        } | {
            "pairs": sorted(tuple(r) for r in conn.execute(select(schema.pairs.c.pair_key, schema.pairs.c.n_events))),
            "places": sorted(tuple(r) for r in conn.execute(
                select(schema.place_days.c.place_key, schema.place_days.c.n_events))),
        }


def replay_changes_nothing(engine: Engine) -> None:
    events = [event(i, minutes=i, latitude=34.0, longitude=71.5, geonames_id=1168197, place="Peshawar",
                    place_country="PAK") for i in range(30)]
    batch = Batch(events=[(e, None) for e in events], alerts=[alert(1), alert(2)])
    _write(engine, batch)
    first = _counts(engine)
    _write(engine, batch)
    _write(engine, Batch(events=[(e, None) for e in events[::-1]]))
    assert _counts(engine) == first
    assert first["events"] == 30 and first["pairs"] == [("AFG-PAK", 30)] and first["places"] == [("g1168197", 30)]


def highest_revision_wins(engine: Engine) -> None:
    _write(engine, Batch(alerts=[alert(1, events=("ev-000001",))]))
    _write(engine, Batch(alerts=[alert(3, severity=Severity.CRITICAL, events=("ev-000001", "ev-000002"))]))
    _write(engine, Batch(alerts=[alert(2, status=AlertStatus.UPDATED)]))  # late and lower: history only
    with engine.connect() as conn:
        found = queries.get_alert(conn, "armed_clash.AFG-PAK.abc")
        changes = queries.changes_after(conn, 0)
    assert found is not None
    assert found["alert"]["revision"] == 3 and found["alert"]["severity"] == "critical"
    assert [r["revision"] for r in found["revisions"]] == [1, 2, 3]
    assert [a["revision"] for _, a in changes] == [3]  # the stream sends the current state once


def country_query_is_exact(engine: Engine) -> None:
    specs = [("PAK", "AFG", None), ("IND", "PAK", None), ("IND", "AFG", "PAK"), ("SDN", "SDN", None),
             ("KEN", None, None), ("AFG", "IND", "AFG")] * 7
    events = [event(i, source=s, target=t, place_country=p, minutes=i) for i, (s, t, p) in enumerate(specs)]
    _write(engine, Batch(events=[(e, None) for e in events]))
    expected = {e.event_id for e in events if "c:PAK" in event_facets(event_row(e, T0))}
    with engine.connect() as conn:
        got = _all_pages(conn, EventQuery(country="PAK", limit=4))
        located = _all_pages(conn, EventQuery(location_country="PAK", limit=50))
    assert set(got) == expected and len(got) == len(expected) == 21
    assert set(located) == {e.event_id for e in events if e.location.country == "PAK"}


def _all_pages(conn: object, q: EventQuery) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = queries.list_events(conn, q.model_copy(update={"cursor": cursor}))  # type: ignore[arg-type]
        ids += [e["event_id"] for e in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def pagination_is_stable(engine: Engine) -> None:
    events = [event(i, minutes=i % 50, story=f"s{i}") for i in range(120)]  # many share a time: ids break ties
    _write(engine, Batch(events=[(e, None) for e in events]))
    seen: list[str] = []
    cursor = None
    extra = 1000
    with engine.connect() as conn:
        while True:
            page = queries.list_events(conn, EventQuery(limit=25, cursor=cursor, side="PAK"))
            seen += [e["event_id"] for e in page.items]
            # Newer and older events arrive between pages; the pages already issued must not shift.
            _write(engine, Batch(events=[(event(extra, minutes=500), None), (event(extra + 1, minutes=-500), None)]))
            extra += 2
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    original = {e.event_id for e in events}
    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert all(s in original or s > "ev-001000" for s in seen)
    newest_first = sorted(events, key=lambda e: (e.published_at, e.event_id), reverse=True)
    assert [s for s in seen if s in original] == [e.event_id for e in newest_first]


def retention_deletes_and_keeps_counts(engine: Engine) -> None:
    old = [event(i, minutes=-60 * 24 * 100) for i in range(5)]
    new = [event(i, minutes=i) for i in range(5, 8)]
    _write(engine, Batch(events=[(e, None) for e in old + new], alerts=[alert(1, minutes=-60 * 24 * 100)]))
    result = apply_retention(engine, T0 - timedelta(days=30), chunk=2)
    assert result.events == 5 and result.alerts == 1
    counts = _counts(engine)
    assert counts["events"] == 3 and counts["alerts"] == 0 and counts["pairs"] == [("AFG-PAK", 3)]


ALL = [replay_changes_nothing, highest_revision_wins, country_query_is_exact, pagination_is_stable,
       retention_deletes_and_keeps_counts]
