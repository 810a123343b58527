"""Retention: what is older than the retention period (event time for events, last activity for alerts) is
deleted in chunks, each in its own transaction, keeping the pair and side counts in step with what remains."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, select, update

from powderkeg_store import schema

log = logging.getLogger(__name__)

CHUNK = 5000


@dataclass
class RetentionResult:
    events: int = 0
    alerts: int = 0
    outcomes: int = 0
    place_days: int = 0
    rejects: int = 0


def apply_retention(engine: Engine, cutoff: datetime, *, chunk: int = CHUNK) -> RetentionResult:
    """Delete everything older than ``cutoff``; safe to run while the consumer writes (each chunk is consistent)."""
    result = RetentionResult()
    while True:
        with engine.begin() as conn:
            deleted = _delete_event_chunk(conn, cutoff, chunk)
        result.events += deleted
        if deleted < chunk:
            break
    with engine.begin() as conn:
        result.alerts = _delete_alerts(conn, cutoff)
        result.outcomes = conn.execute(delete(schema.outcomes).where(schema.outcomes.c.processed_at < cutoff)).rowcount
        result.place_days = conn.execute(
            delete(schema.place_days).where(schema.place_days.c.day < cutoff.date())
        ).rowcount
        result.rejects = conn.execute(delete(schema.rejects).where(schema.rejects.c.rejected_at < cutoff)).rowcount
        conn.execute(delete(schema.pairs).where(schema.pairs.c.n_events <= 0))
        conn.execute(delete(schema.sides).where(schema.sides.c.n_events <= 0))
    return result


def _delete_event_chunk(conn: Connection, cutoff: datetime, chunk: int) -> int:
    ev = schema.events
    ids = (
        select(ev.c.event_id, ev.c.pair_key, ev.c.side1_key, ev.c.side2_key)
        .where(ev.c.time < cutoff)
        .order_by(ev.c.time)
        .limit(chunk)
        .subquery()
    )
    rows = conn.execute(select(ids)).all()
    if not rows:
        return 0
    event_ids = [r.event_id for r in rows]
    pair_counts: dict[str, int] = {}
    side_counts: dict[str, int] = {}
    for r in rows:
        if r.pair_key:
            pair_counts[r.pair_key] = pair_counts.get(r.pair_key, 0) + 1
        for key in {r.side1_key, r.side2_key} - {None}:
            side_counts[key] = side_counts.get(key, 0) + 1
    for key, n in sorted(pair_counts.items()):
        conn.execute(update(schema.pairs).where(schema.pairs.c.pair_key == key).values(
            n_events=schema.pairs.c.n_events - n))
    for key, n in sorted(side_counts.items()):
        conn.execute(update(schema.sides).where(schema.sides.c.side_key == key).values(
            n_events=schema.sides.c.n_events - n))
    facets = schema.event_facets
    for start in range(0, len(event_ids), 500):
        part = event_ids[start : start + 500]
        conn.execute(delete(facets).where(facets.c.event_id.in_(part), facets.c.time < cutoff))
        conn.execute(delete(ev).where(ev.c.event_id.in_(part)))
    return len(event_ids)


def _delete_alerts(conn: Connection, cutoff: datetime) -> int:
    al = schema.alerts
    old = [r[0] for r in conn.execute(select(al.c.alert_id).where(al.c.last_seen < cutoff)).all()]
    for start in range(0, len(old), 500):
        part = old[start : start + 500]
        for table in (schema.alert_events, schema.alert_revisions, schema.alert_changes, al):
            conn.execute(delete(table).where(table.c.alert_id.in_(part)))
    return len(old)


def oldest_event_time(conn: Connection) -> datetime | None:
    value = conn.execute(select(func.min(schema.events.c.time))).scalar()
    return value if isinstance(value, datetime) else None


__all__ = ["RetentionResult", "apply_retention", "oldest_event_time"]
