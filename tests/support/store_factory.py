"""Small contract objects for the store's tests: events and alerts with just the fields a test cares about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from powderkeg_contracts import (
    Actor,
    ActorClass,
    Alert,
    AlertStatus,
    Direction,
    EventDate,
    EventRecord,
    EventSides,
    Evidence,
    Factuality,
    Location,
    PloverType,
    QuadClass,
    Severity,
    Side,
    pair_of,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NAMES = {"AFG": "Afghanistan", "PAK": "Pakistan", "IND": "India", "SDN": "Sudan", "KEN": "Kenya"}


def side(country: str, actor_class: ActorClass = ActorClass.STATE_FORCES, group: str | None = None) -> Side:
    label = NAMES.get(country, country) if group is None else f"{group} ({country})"
    return Side(country=country, actor_class=actor_class, group=group, label=label)


def event(
    n: int,
    *,
    source: str = "PAK",
    target: str | None = "AFG",
    place_country: str | None = None,
    minutes: int = 0,
    goldstein: float = -10.0,
    story: str | None = None,
    factuality: Factuality = Factuality.ASSERTED,
    cameo: str = "195",
    **location: Any,
) -> EventRecord:
    src = side(source)
    tgt = side(target) if target else None
    return EventRecord(
        event_id=f"ev-{n:06d}",
        article_id=f"art-{n:06d}",
        story_id=story or f"story-{n:06d}",
        event_type=PloverType.ASSAULT,
        mode="aerial",
        cameo_code=cameo,
        quad_class=QuadClass.MATERIAL_CONFLICT,
        pentacode=4,
        goldstein=goldstein,
        actor=Actor(name=NAMES.get(source, source), country=source, actor_class=ActorClass.STATE_FORCES),
        recipient=Actor(name=NAMES.get(target or "", target), country=target),
        location=Location(place=location.get("place"), country=place_country, latitude=location.get("latitude"),
                          longitude=location.get("longitude"), precision=location.get("precision"),
                          geonames_id=location.get("geonames_id")),
        event_date=EventDate(),
        factuality=factuality,
        evidence=Evidence(sentence=f"Sentence {n} about a strike.", start=0, end=10, trigger="strike",
                          trigger_start=0, trigger_end=6),
        confidence=0.9,
        sides=EventSides(source=src, target=tgt),
        published_at=T0 + timedelta(minutes=minutes),
        url=f"https://news.example/{n}",
        source="Example News",
        extractor_version="test",
    )


def alert(revision: int, *, alert_id: str = "armed_clash.AFG-PAK.abc", severity: Severity = Severity.WARNING,
          status: AlertStatus = AlertStatus.RAISED, events: tuple[str, ...] = ("ev-000001",),
          minutes: int = 0) -> Alert:
    sides = pair_of(side("AFG"), side("PAK"))
    return Alert(
        alert_id=alert_id,
        signal="armed_clash",
        title="Armed clashes",
        direction=Direction.ESCALATION,
        severity=severity,
        status=status,
        revision=revision,
        sides=sides,
        kind=sides.kind,
        countries=sides.countries,
        summary=f"revision {revision}",
        confidence=0.8,
        event_ids=events,
        article_ids=tuple(e.replace("ev", "art") for e in events),
        evidence=("Sentence 1 about a strike.",),
        escalation_index=1.5 * revision,
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=minutes),
    )
