"""Contract models to flat rows: one row per event, alert and outcome, with the columns the store keeps.

The event columns are the flat, GDELT/ACLED-friendly ones the CSV export and the API share (``core.columns``), so an
event is flattened once, here. Event time follows alerting's fallback chain (publication time, event date, the
broker's record time, ingestion time) so that the store and the alerts agree on when an event happened.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from powderkeg_contracts import Actor, Alert, ArticleOutcome, EventRecord, Severity, Side
from powderkeg_store.core.index import conflict_mass

SEVERITY_RANK: dict[str, int] = {Severity.INFO.value: 1, Severity.WARNING.value: 2, Severity.CRITICAL.value: 3}
"""Sort rank of each severity: the console lists critical alerts first."""


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def event_time(event: EventRecord, received_at: datetime | None = None) -> datetime | None:
    """When the event happened, as alerting dates it; None when nothing dates it."""
    if event.published_at is not None:
        return _utc(event.published_at)
    if event.event_date.date is not None:
        return datetime.combine(event.event_date.date, time(0), tzinfo=UTC)
    for candidate in (received_at, event.ingested_at):
        if candidate is not None:
            return _utc(candidate)
    return None


def _actor(prefix: str, actor: Actor) -> dict[str, Any]:
    return {
        f"{prefix}_name": actor.name,
        f"{prefix}_text": actor.text,
        f"{prefix}_country": actor.country,
        f"{prefix}_code": actor.code,
        f"{prefix}_sector": actor.sector.value if actor.sector else None,
        f"{prefix}_class": actor.actor_class.value if actor.actor_class else None,
    }


def _side(prefix: str, side: Side | None) -> dict[str, Any]:
    return {
        f"{prefix}_key": side.key if side else None,
        f"{prefix}_label": side.label if side else None,
        f"{prefix}_country": side.country if side else None,
    }


def event_row(event: EventRecord, when: datetime) -> dict[str, Any]:
    """The stored row of ``event`` dated ``when`` (see :func:`event_time`)."""
    pair = event.sides.pair
    loc = event.location
    row: dict[str, Any] = {
        "event_id": event.event_id,
        "article_id": event.article_id,
        "story_id": event.story_id,
        "time": when,
        "event_date": event.event_date.date,
        "date_granularity": event.event_date.granularity.value if event.event_date.granularity else None,
        "published_at": _utc(event.published_at),
        "ingested_at": _utc(event.ingested_at),
        "event_type": event.event_type.value,
        "mode": event.mode,
        "cameo_code": event.cameo_code,
        "cameo_root": event.cameo_code[:2],
        "quad_class": event.quad_class.value,
        "pentacode": event.pentacode,
        "goldstein": event.goldstein,
        **_actor("actor1", event.actor),
        **_actor("actor2", event.recipient),
        **_side("side1", event.sides.source),
        **_side("side2", event.sides.target),
        "pair_key": pair.key if pair else None,
        "pair_label": pair.label if pair else None,
        "conflict_kind": pair.kind.value if pair else None,
        "location": loc.place,
        "country": loc.country,
        "admin1": loc.admin1,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "geo_precision": loc.precision.value if loc.precision else None,
        "geonames_id": loc.geonames_id,
        "location_reason": loc.reason,
        "factuality": event.factuality.value,
        "confidence": event.confidence,
        "speaker": event.speaker.name if event.speaker else None,
        "reciprocal": event.reciprocal,
        "main": event.main,
        "background_reason": event.background_reason,
        "evidence": event.evidence.sentence,
        "trigger": event.evidence.trigger,
        "source": event.source,
        "source_url": event.url,
        "extractor_version": event.extractor_version,
        "conflict_mass": conflict_mass(event.goldstein, event.confidence, event.factuality),
    }
    return row


def event_facets(row: dict[str, Any]) -> list[str]:
    """The keys an event is found by in ``country`` and ``side`` queries: ``c:<ISO3>`` for every country it involves
    (where it happened, the actors' and the sides' countries) and ``s:<side key>`` for both sides."""
    countries = {row[c] for c in ("country", "actor1_country", "actor2_country", "side1_country", "side2_country")}
    sides = {row["side1_key"], row["side2_key"]}
    return sorted({f"c:{c}" for c in countries if c} | {f"s:{s}" for s in sides if s})


def alert_row(alert: Alert) -> dict[str, Any]:
    """The stored row of one alert revision."""
    sides = alert.sides
    countries = list(alert.countries)
    return {
        "alert_id": alert.alert_id,
        "revision": alert.revision,
        "signal": alert.signal,
        "title": alert.title,
        "direction": alert.direction.value,
        "severity": alert.severity.value,
        "severity_rank": SEVERITY_RANK[alert.severity.value],
        "status": alert.status.value,
        "pair_key": sides.key,
        "pair_label": sides.label,
        "conflict_kind": alert.kind.value,
        "side1_key": sides.a.key,
        "side1_label": sides.a.label,
        "side2_key": sides.b.key if sides.b else None,
        "side2_label": sides.b.label if sides.b else None,
        "country1": countries[0] if countries else None,
        "country2": countries[1] if len(countries) > 1 else None,
        "summary": alert.summary,
        "confidence": alert.confidence,
        "escalation_index": alert.escalation_index,
        "first_seen": _utc(alert.first_seen),
        "last_seen": _utc(alert.last_seen),
        "resolved_at": _utc(alert.resolved_at),
        "n_events": len(alert.event_ids),
        "n_articles": len(alert.article_ids),
        "n_stories": len(alert.story_ids) or len(alert.article_ids),
        "record": alert.model_dump(mode="json"),
    }


def outcome_row(outcome: ArticleOutcome) -> dict[str, Any]:
    return {
        "article_id": outcome.article_id,
        "status": outcome.status.value,
        "n_events": len(outcome.event_ids),
        "reason": outcome.reason,
        "processed_at": _utc(outcome.processed_at),
        "extractor_version": outcome.extractor_version,
    }


def place_key(row: dict[str, Any]) -> str | None:
    """The map's key of an event's place: its GeoNames id, else its rounded coordinates; None without coordinates."""
    if row["latitude"] is None or row["longitude"] is None:
        return None
    if row["geonames_id"] is not None:
        return f"g{row['geonames_id']}"
    return f"{row['latitude']:.2f},{row['longitude']:.2f}"
