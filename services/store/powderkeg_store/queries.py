"""The read side: the queries behind the API, the console and ``powderkeg export``.

Lists are paged by keyset (a cursor holds the sort key of the last row), so a page never repeats or skips a row that
existed when the first page was read, whatever is written meanwhile. Country and side filters read
``event_facets`` in time order; everything else is a plain filter on ``events`` or ``alerts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, String, and_, cast, func, or_, select, tuple_

from powderkeg_store import schema
from powderkeg_store.core import index as index_core
from powderkeg_store.core.columns import EVENT_FIELDS
from powderkeg_store.core.filters import AlertQuery, EventQuery, decode_cursor, encode_cursor

ev = schema.events
al = schema.alerts


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# --- alerts --------------------------------------------------------------------------------------------------


def alert_summary(row: Any) -> dict[str, Any]:
    """An alert as lists show it: the published alert without its id lists, plus what the store knows."""
    record = dict(row.record)
    for name in ("event_ids", "article_ids", "story_ids"):
        record.pop(name, None)
    record["n_events"], record["n_articles"], record["n_stories"] = row.n_events, row.n_articles, row.n_stories
    record["change_seq"] = row.change_seq
    record["stored_at"] = _iso(row.stored_at)
    return record


def _alert_filters(q: AlertQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.signal:
        where.append(al.c.signal.in_(q.signal))
    if q.severity:
        where.append(al.c.severity.in_([s.value for s in q.severity]))
    if q.status:
        where.append(al.c.status.in_([s.value for s in q.status]))
    if q.kind:
        where.append(al.c.conflict_kind.in_([k.value for k in q.kind]))
    if q.country:
        where.append(or_(al.c.country1 == q.country, al.c.country2 == q.country))
    if q.side:
        where.append(or_(al.c.side1_key == q.side, al.c.side2_key == q.side))
    if q.pair:
        where.append(al.c.pair_key == q.pair)
    if q.since:
        where.append(al.c.last_seen >= q.since)
    if q.until:
        where.append(al.c.first_seen < q.until)
    if q.q:
        pattern = _like(q.q)
        where.append(
            or_(
                al.c.title.ilike(pattern, escape="\\"),
                al.c.summary.ilike(pattern, escape="\\"),
                al.c.pair_label.ilike(pattern, escape="\\"),
                cast(al.c.record, String).ilike(pattern, escape="\\"),
            )
        )
    return where


def list_alerts(conn: Connection, q: AlertQuery) -> Page:
    if q.sort == "severity":
        keys = [al.c.severity_rank, al.c.last_seen, al.c.alert_id]
        kinds: tuple[type, ...] = (int, datetime, str)
    else:
        keys = [al.c.last_seen, al.c.alert_id]
        kinds = (datetime, str)
    stmt = select(al).where(*_alert_filters(q))
    if q.cursor:
        stmt = stmt.where(tuple_(*keys) < tuple_(*decode_cursor(q.cursor, kinds)))
    rows = conn.execute(stmt.order_by(*[k.desc() for k in keys]).limit(q.limit + 1)).all()
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = encode_cursor([getattr(rows[-1], k.name) for k in keys]) if more and rows else None
    return Page([alert_summary(r) for r in rows], cursor)


def alert_rows(conn: Connection, q: AlertQuery) -> Iterator[Any]:
    """Every alert matching ``q`` (no paging), newest first: for CSV and Parquet."""
    stmt = select(al).where(*_alert_filters(q)).order_by(al.c.last_seen.desc(), al.c.alert_id.desc())
    yield from conn.execute(stmt.execution_options(yield_per=1000))


def get_alert(conn: Connection, alert_id: str) -> dict[str, Any] | None:
    """The alert as last published, its revisions (the timeline) and its stored events."""
    row = conn.execute(select(al).where(al.c.alert_id == alert_id)).first()
    if row is None:
        return None
    rev = schema.alert_revisions
    revisions = conn.execute(
        select(rev.c.revision, rev.c.status, rev.c.severity, rev.c.summary, rev.c.escalation_index,
               rev.c.last_seen, rev.c.n_events, rev.c.stored_at)
        .where(rev.c.alert_id == alert_id)
        .order_by(rev.c.revision)
    ).all()
    links = schema.alert_events
    events = conn.execute(
        select(*[ev.c[name] for name in EVENT_FIELDS])
        .join(links, links.c.event_id == ev.c.event_id)
        .where(links.c.alert_id == alert_id)
        .order_by(ev.c.time, ev.c.event_id)
    ).all()
    stored_ids = {e.event_id for e in events}
    return {
        "alert": dict(row.record),
        "stored": {"revision": row.revision, "change_seq": row.change_seq, "stored_at": _iso(row.stored_at)},
        "revisions": [{k: _iso(v) for k, v in r._mapping.items()} for r in revisions],
        "events": [_event_dict(e) for e in events],
        "missing_events": [e for e in row.record.get("event_ids", []) if e not in stored_ids],
    }


# --- events --------------------------------------------------------------------------------------------------


def _event_dict(row: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in row._mapping.items()}


def _event_select(q: EventQuery, columns: list[Any]) -> tuple[Select[Any], list[Any]]:
    """The filtered select and the columns it is ordered by (newest first)."""
    stmt = select(*columns)
    order = [ev.c.time, ev.c.event_id]
    facets = [f"c:{q.country}"] if q.country else []
    facets += [f"s:{q.side}"] if q.side else []
    first = None
    for facet in facets:
        alias = schema.event_facets.alias()
        stmt = stmt.join(alias, and_(alias.c.event_id == ev.c.event_id, alias.c.facet == facet))
        if first is None:
            first = alias
    if first is not None:
        order = [first.c.time, first.c.event_id]
    else:
        stmt = stmt.select_from(ev)
    where: list[ColumnElement[bool]] = []
    if q.since:
        where.append(order[0] >= q.since)
    if q.until:
        where.append(order[0] < q.until)
    if q.event_type:
        where.append(ev.c.event_type.in_([t.value for t in q.event_type]))
    if q.cameo:
        where.append(ev.c.cameo_root == q.cameo[:2] if len(q.cameo) >= 2 else ev.c.cameo_root.like(f"{q.cameo}%"))
        if len(q.cameo) > 2:
            where.append(ev.c.cameo_code.like(f"{q.cameo}%"))
    if q.location_country:
        where.append(ev.c.country == q.location_country)
    if q.pair:
        where.append(ev.c.pair_key == q.pair)
    if q.kind:
        where.append(ev.c.conflict_kind.in_([k.value for k in q.kind]))
    if q.factuality:
        where.append(ev.c.factuality.in_([f.value for f in q.factuality]))
    if q.min_confidence is not None:
        where.append(ev.c.confidence >= q.min_confidence)
    if q.actor:
        pattern = _like(q.actor)
        where.append(or_(*[ev.c[c].ilike(pattern, escape="\\") for c in
                           ("actor1_name", "actor2_name", "actor1_text", "actor2_text")]))
    if q.location:
        pattern = _like(q.location)
        where.append(or_(ev.c.location.ilike(pattern, escape="\\"), ev.c.admin1.ilike(pattern, escape="\\")))
    return stmt.where(*where), order


def list_events(conn: Connection, q: EventQuery) -> Page:
    stmt, order = _event_select(q, [ev.c[name] for name in EVENT_FIELDS])
    if q.cursor:
        stmt = stmt.where(tuple_(*order) < tuple_(*decode_cursor(q.cursor, (datetime, str))))
    rows = conn.execute(stmt.order_by(order[0].desc(), order[1].desc()).limit(q.limit + 1)).all()
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = encode_cursor([rows[-1].time, rows[-1].event_id]) if more and rows else None
    return Page([_event_dict(r) for r in rows], cursor)


def event_rows(conn: Connection, q: EventQuery) -> Iterator[Any]:
    """Every event matching ``q`` (no paging), newest first: for CSV and Parquet."""
    stmt, order = _event_select(q, [ev.c[name] for name in EVENT_FIELDS])
    yield from conn.execute(stmt.order_by(order[0].desc(), order[1].desc()).execution_options(yield_per=2000))


def get_event(conn: Connection, event_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(*[ev.c[n] for n in EVENT_FIELDS]).where(ev.c.event_id == event_id)).first()
    if row is None:
        return None
    links = schema.alert_events
    alert_ids = conn.execute(select(links.c.alert_id).where(links.c.event_id == event_id)).scalars().all()
    return {**_event_dict(row), "alert_ids": list(alert_ids)}


# --- pairs, sides, map ---------------------------------------------------------------------------------------


def _row_dict(row: Any) -> dict[str, Any]:
    return {k: _iso(v) for k, v in row._mapping.items()}


def list_pairs(
    conn: Connection, *, country: str | None, kind: list[str], text: str | None, limit: int
) -> list[dict[str, Any]]:
    p = schema.pairs
    stmt = select(p)
    if country:
        stmt = stmt.where(or_(p.c.country1 == country, p.c.country2 == country))
    if kind:
        stmt = stmt.where(p.c.conflict_kind.in_(kind))
    if text:
        stmt = stmt.where(p.c.pair_label.ilike(_like(text), escape="\\"))
    rows = conn.execute(stmt.order_by(p.c.last_time.desc(), p.c.pair_key).limit(limit)).all()
    open_alerts = _open_alerts_by_pair(conn, [r.pair_key for r in rows])
    return [{**_row_dict(r), "open_alerts": open_alerts.get(r.pair_key, {})} for r in rows]


def _open_alerts_by_pair(conn: Connection, keys: list[str]) -> dict[str, dict[str, int]]:
    if not keys:
        return {}
    stmt = (
        select(al.c.pair_key, al.c.severity, func.count())
        .where(al.c.pair_key.in_(keys), al.c.status != "resolved")
        .group_by(al.c.pair_key, al.c.severity)
    )
    out: dict[str, dict[str, int]] = {}
    for key, severity, n in conn.execute(stmt):
        out.setdefault(key, {})[severity] = int(n)
    return out


def get_pair(conn: Connection, pair_key: str) -> dict[str, Any] | None:
    row = conn.execute(select(schema.pairs).where(schema.pairs.c.pair_key == pair_key)).first()
    if row is None:
        return None
    return {**_row_dict(row), "open_alerts": _open_alerts_by_pair(conn, [pair_key]).get(pair_key, {})}


def pair_index(conn: Connection, pair_key: str, start: datetime, end: datetime, step: timedelta) -> dict[str, Any]:
    """The pair's escalation index from its stored events (``core.index``), and the values its alerts carried."""
    rows = conn.execute(
        select(ev.c.time, ev.c.story_id, ev.c.cameo_code, ev.c.conflict_mass).where(
            ev.c.pair_key == pair_key,
            ev.c.time >= start - index_core.WARMUP,
            ev.c.time <= end,
            ev.c.conflict_mass > 0,
        )
    ).all()
    points = index_core.series(
        (index_core.Contribution(r.time, r.story_id, r.cameo_code, r.conflict_mass) for r in rows),
        start=start,
        end=end,
        step=step,
    )
    rev = schema.alert_revisions
    marks = conn.execute(
        select(rev.c.alert_id, rev.c.revision, rev.c.last_seen, rev.c.escalation_index, rev.c.severity,
               rev.c.status, al.c.signal, al.c.title)
        .join(al, al.c.alert_id == rev.c.alert_id)
        .where(al.c.pair_key == pair_key, rev.c.last_seen >= start, rev.c.last_seen <= end)
        .order_by(rev.c.last_seen)
    ).all()
    return {
        "pair_key": pair_key,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "step_seconds": int(step.total_seconds()),
        "points": [{"time": p.time.isoformat(), "index": p.index, "baseline": p.baseline, "events": p.events}
                   for p in points],
        "alerts": [_row_dict(m) for m in marks],
    }


def list_sides(conn: Connection, *, country: str | None, text: str | None, limit: int) -> list[dict[str, Any]]:
    s = schema.sides
    stmt = select(s)
    if country:
        stmt = stmt.where(s.c.country == country)
    if text:
        stmt = stmt.where(or_(s.c.label.ilike(_like(text), escape="\\"), s.c.side_key.ilike(_like(text), escape="\\")))
    rows = conn.execute(stmt.order_by(s.c.n_events.desc(), s.c.side_key).limit(limit)).all()
    return [_row_dict(r) for r in rows]


def get_side(conn: Connection, side_key: str) -> dict[str, Any] | None:
    row = conn.execute(select(schema.sides).where(schema.sides.c.side_key == side_key)).first()
    if row is None:
        return None
    p = schema.pairs
    pairs = conn.execute(
        select(p).where(or_(p.c.side1_key == side_key, p.c.side2_key == side_key))
        .order_by(p.c.last_time.desc()).limit(50)
    ).all()
    return {**_row_dict(row), "pairs": [_row_dict(r) for r in pairs]}


def map_places(conn: Connection, *, since: datetime, until: datetime, country: str | None) -> list[dict[str, Any]]:
    """Events per place between ``since`` and ``until`` (whole days), most events first."""
    d = schema.place_days
    stmt = (
        select(
            d.c.place_key,
            func.max(d.c.location).label("location"),
            func.max(d.c.country).label("country"),
            func.max(d.c.admin1).label("admin1"),
            func.max(d.c.latitude).label("latitude"),
            func.max(d.c.longitude).label("longitude"),
            func.max(d.c.geo_precision).label("geo_precision"),
            func.sum(d.c.n_events).label("n_events"),
            func.sum(d.c.n_conflict).label("n_conflict"),
            func.sum(d.c.mass).label("mass"),
            func.max(d.c.day).label("last_day"),
        )
        .where(d.c.day >= since.date(), d.c.day <= until.date())
        .group_by(d.c.place_key)
    )
    if country:
        stmt = stmt.where(d.c.country == country)
    rows = conn.execute(stmt.order_by(func.sum(d.c.n_events).desc()).limit(2000)).all()
    return [
        {**_row_dict(r), "n_events": int(r.n_events), "n_conflict": int(r.n_conflict), "mass": round(r.mass, 3),
         "last_day": r.last_day.isoformat()}
        for r in rows
    ]


# --- live changes and stats ----------------------------------------------------------------------------------


def changes_after(conn: Connection, seq: int, limit: int = 100) -> list[tuple[int, dict[str, Any]]]:
    """Alerts stored new or replaced after change ``seq``, oldest change first, each with its change seq."""
    ch = schema.alert_changes
    rows = conn.execute(
        select(ch.c.seq, al).join(al, al.c.alert_id == ch.c.alert_id)
        .where(ch.c.seq > seq, al.c.change_seq == ch.c.seq)
        .order_by(ch.c.seq).limit(limit)
    ).all()
    return [(int(r.seq), alert_summary(r)) for r in rows]


def last_change(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(schema.alert_changes.c.seq), 0))).scalar_one())


def stats(conn: Connection, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    latest = conn.execute(select(func.max(ev.c.time))).scalar()
    anchor = latest if isinstance(latest, datetime) else now
    day_ago = anchor - timedelta(days=1)
    events_24h = conn.execute(select(func.count()).select_from(ev).where(ev.c.time >= day_ago)).scalar_one()
    open_rows = conn.execute(
        select(al.c.severity, func.count()).where(al.c.status != "resolved").group_by(al.c.severity)
    ).all()
    outcomes = schema.outcomes
    articles_24h = conn.execute(
        select(func.count()).select_from(outcomes).where(outcomes.c.processed_at >= now - timedelta(days=1))
    ).scalar_one()
    return {
        "latest_event_time": _iso(latest),
        "events_last_24h": int(events_24h),
        "events_window_end": anchor.isoformat(),
        "articles_processed_last_24h": int(articles_24h),
        "open_alerts": {sev: int(n) for sev, n in open_rows},
        "pairs": int(conn.execute(select(func.count()).select_from(schema.pairs)).scalar_one()),
        "last_change": last_change(conn),
    }
