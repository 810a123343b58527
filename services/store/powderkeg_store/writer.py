"""Idempotent writes: one batch of consumed messages in one transaction.

- Events are keyed by ``event_id``: an event already stored is left alone (``INSERT ... ON CONFLICT DO NOTHING``),
  and only events stored for the first time count towards pairs, sides and the map, so a replay changes nothing.
- Alerts are keyed by ``alert_id``; the highest revision wins. Every revision is kept for the timeline; a revision
  that is not higher than the stored one (a redelivery, a replay) changes nothing else.
- Outcomes are keyed by ``article_id``; rejects (undecodable messages) by topic, partition and offset.

The caller commits the transaction and only then the Kafka offsets (see ``consumer``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from powderkeg_contracts import Alert, ArticleOutcome, EventRecord
from powderkeg_store import schema
from powderkeg_store.core.rows import alert_row, event_facets, event_row, event_time, outcome_row, place_key


@dataclass(frozen=True, slots=True)
class Reject:
    """A message that could not be decoded, kept with the reason and the original bytes."""

    topic: str
    partition: int
    offset: int
    reason: str
    message: str
    key: bytes | None
    value: bytes | None


@dataclass
class Batch:
    events: list[tuple[EventRecord, datetime | None]] = field(default_factory=list)
    """Each event with the time the broker received it (None outside Kafka)."""
    alerts: list[Alert] = field(default_factory=list)
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.events) + len(self.alerts) + len(self.outcomes) + len(self.rejects)


@dataclass
class WriteResult:
    events_new: int = 0
    events_seen: int = 0
    alerts_new: int = 0
    alerts_replaced: int = 0
    alerts_stale: int = 0
    outcomes_new: int = 0
    rejects: int = 0
    changed_alerts: list[str] = field(default_factory=list)


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``_do_update`` on PostgreSQL and SQLite alike."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"the store runs on PostgreSQL or SQLite, not {conn.dialect.name}")


def _stored(conn: Connection, key: Any, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` the table of ``key`` already holds. Writes are partitioned like the topics (one consumer
    owns an id's partition), so nothing stores these ids between this read and the insert that follows."""
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):
        found.update(conn.execute(select(key).where(key.in_(wanted[start : start + 1000]))).scalars())
    return found


def _upsert(
    conn: Connection,
    table: Table,
    keys: list[str],
    rows: list[dict[str, Any]],
    *,
    add: Sequence[str] = (),
    least: Sequence[str] = (),
    greatest: Sequence[str] = (),
) -> None:
    """Insert ``rows``; on a key already there, add the ``add`` columns and keep the least/greatest of the others
    (CASE rather than LEAST/GREATEST, which SQLite lacks). Rows are sorted by key so that writers lock in order."""
    stmt = _insert(conn, table)
    new, old = stmt.excluded, table.c
    update: dict[str, Any] = {c: old[c] + new[c] for c in add}
    update |= {c: case((new[c] < old[c], new[c]), else_=old[c]) for c in least}
    update |= {c: case((new[c] > old[c], new[c]), else_=old[c]) for c in greatest}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update), rows)


def write_batch(conn: Connection, batch: Batch, now: datetime) -> WriteResult:
    """Write ``batch`` inside the caller's transaction; see the module docstring for what "idempotent" means."""
    result = WriteResult()
    _write_events(conn, batch.events, now, result)
    for alert in sorted(batch.alerts, key=lambda a: (a.alert_id, a.revision)):
        _write_alert(conn, alert, now, result)
    if batch.outcomes:
        outcomes = {o.article_id: outcome_row(o) for o in batch.outcomes}
        known = _stored(conn, schema.outcomes.c.article_id, outcomes)
        fresh = [row for key, row in outcomes.items() if key not in known]
        if fresh:
            conn.execute(_insert(conn, schema.outcomes).on_conflict_do_nothing(index_elements=["article_id"]), fresh)
        result.outcomes_new = len(fresh)
    if batch.rejects:
        stmt = _insert(conn, schema.rejects).on_conflict_do_nothing(index_elements=["topic", "partition", "offset"])
        conn.execute(stmt, [{**dataclasses.asdict(r), "rejected_at": now} for r in batch.rejects])
        result.rejects = len(batch.rejects)
    return result


def _write_events(
    conn: Connection, events: Sequence[tuple[EventRecord, datetime | None]], now: datetime, result: WriteResult
) -> None:
    rows: dict[str, dict[str, Any]] = {}
    for event, received_at in events:
        if event.event_id not in rows:
            rows[event.event_id] = {**event_row(event, event_time(event, received_at) or now), "stored_at": now}
    if not rows:
        return
    stored = _stored(conn, schema.events.c.event_id, rows)
    new = [row for key, row in rows.items() if key not in stored]
    result.events_new = len(new)
    result.events_seen = len(rows) - len(new)
    if not new:
        return
    # DO NOTHING as well: an id stored meanwhile by another writer is skipped, never an error.
    conn.execute(_insert(conn, schema.events).on_conflict_do_nothing(index_elements=["event_id"]), new)
    facets = [{"facet": f, "time": r["time"], "event_id": r["event_id"]} for r in new for f in event_facets(r)]
    if facets:
        conn.execute(_insert(conn, schema.event_facets).on_conflict_do_nothing(), facets)
    _count_pairs(conn, new)
    _count_sides(conn, new)
    _count_places(conn, new)


def _count_pairs(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["pair_key"] is None:
            continue
        g = grouped.get(r["pair_key"])
        if g is None:
            countries = sorted({c for c in (r["side1_country"], r["side2_country"]) if c})
            sorted_sides = sorted(
                [(r["side1_key"], r["side1_label"]), (r["side2_key"], r["side2_label"])],
                key=lambda s: (s[0] is None, s[0] or ""),
            )
            distinct = list(dict.fromkeys(s for s in sorted_sides if s[0] is not None))
            g = grouped[r["pair_key"]] = {
                "pair_key": r["pair_key"],
                "pair_label": r["pair_label"],
                "conflict_kind": r["conflict_kind"],
                "side1_key": distinct[0][0],
                "side1_label": distinct[0][1],
                "side2_key": distinct[1][0] if len(distinct) > 1 else None,
                "side2_label": distinct[1][1] if len(distinct) > 1 else None,
                "country1": countries[0] if countries else None,
                "country2": countries[1] if len(countries) > 1 else None,
                "n_events": 0,
                "first_time": r["time"],
                "last_time": r["time"],
            }
        g["n_events"] += 1
        g["first_time"] = min(g["first_time"], r["time"])
        g["last_time"] = max(g["last_time"], r["time"])
    if not grouped:
        return
    rows = sorted(grouped.values(), key=lambda g: g["pair_key"])
    _upsert(conn, schema.pairs, ["pair_key"], rows, add=["n_events"], least=["first_time"], greatest=["last_time"])


def _count_sides(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        for prefix, actor in (("side1", "actor1"), ("side2", "actor2")):
            key = r[f"{prefix}_key"]
            if key is None:
                continue
            g = grouped.setdefault(
                key,
                {
                    "side_key": key,
                    "label": r[f"{prefix}_label"],
                    "country": r[f"{prefix}_country"],
                    "actor_class": r[f"{actor}_class"],
                    "n_events": 0,
                    "last_time": r["time"],
                    "_events": set(),
                },
            )
            if r["event_id"] not in g["_events"]:
                g["_events"].add(r["event_id"])
                g["n_events"] += 1
            g["last_time"] = max(g["last_time"], r["time"])
    if not grouped:
        return
    values = [{k: v for k, v in g.items() if k != "_events"} for _, g in sorted(grouped.items())]
    _upsert(conn, schema.sides, ["side_key"], values, add=["n_events"], greatest=["last_time"])


def _count_places(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    grouped: dict[tuple[date, str], dict[str, Any]] = {}
    for r in rows:
        key = place_key(r)
        if key is None:
            continue
        day = r["time"].date()
        g = grouped.setdefault(
            (day, key),
            {
                "day": day,
                "place_key": key,
                "location": r["location"],
                "country": r["country"],
                "admin1": r["admin1"],
                "latitude": r["latitude"],
                "longitude": r["longitude"],
                "geo_precision": r["geo_precision"],
                "n_events": 0,
                "n_conflict": 0,
                "mass": 0.0,
            },
        )
        g["n_events"] += 1
        g["n_conflict"] += 1 if r["goldstein"] < 0 else 0
        g["mass"] += r["conflict_mass"]
    if not grouped:
        return
    _upsert(conn, schema.place_days, ["day", "place_key"], [grouped[k] for k in sorted(grouped)],
            add=["n_events", "n_conflict", "mass"])


def _write_alert(conn: Connection, alert: Alert, now: datetime, result: WriteResult) -> None:
    row = alert_row(alert)
    revision = {
        "alert_id": alert.alert_id,
        "revision": alert.revision,
        "status": row["status"],
        "severity": row["severity"],
        "summary": row["summary"],
        "escalation_index": row["escalation_index"],
        "last_seen": row["last_seen"],
        "n_events": row["n_events"],
        "record": row["record"],
        "stored_at": now,
    }
    conn.execute(
        _insert(conn, schema.alert_revisions).on_conflict_do_nothing(index_elements=["alert_id", "revision"]),
        [revision],
    )
    alerts = schema.alerts
    current = conn.execute(select(alerts.c.revision).where(alerts.c.alert_id == alert.alert_id)).scalar()
    if current is not None and alert.revision <= current:
        result.alerts_stale += 1
        return
    changes = schema.alert_changes
    seq = conn.execute(
        changes.insert()
        .values(alert_id=alert.alert_id, revision=alert.revision, changed_at=now)
        .returning(changes.c.seq)
    ).scalar_one()
    values = {**row, "change_seq": seq, "stored_at": now}
    if current is None:
        conn.execute(alerts.insert().values(**values))
        result.alerts_new += 1
    else:
        conn.execute(update(alerts).where(alerts.c.alert_id == alert.alert_id).values(**values))
        result.alerts_replaced += 1
    links = [{"alert_id": alert.alert_id, "event_id": e} for e in dict.fromkeys(alert.event_ids)]
    if links:
        conn.execute(_insert(conn, schema.alert_events).on_conflict_do_nothing(), links)
    result.changed_alerts.append(alert.alert_id)


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
