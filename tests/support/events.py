"""Hand-built EventRecords shaped like the seed story's events (Pakistan, Afghanistan, the TTP).

Shared by the alerting unit tests (through the ``make_event`` fixture), the property tests and the bad-input and
alerting integration tests, so they all build the same events. Sides are filled in by the extractor's own side
resolution (``assign_sides``), as they are on the events topic, unless a test passes ``sides=`` itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_contracts import (
    Actor,
    ActorClass,
    Alert,
    EventDate,
    EventRecord,
    Evidence,
    Factuality,
    Location,
    PloverType,
    QuadClass,
    Sector,
    Side,
    SidePair,
    pair_of,
)
from powderkeg_extractor.core.sides import assign_sides

T0 = datetime(2025, 10, 29, 9, 0, tzinfo=UTC)

PAKISTAN = Actor(text="Pakistan", name="Pakistan", country="PAK", sector=Sector.GOVERNMENT, code="PAKGOV")
AFGHANISTAN = Actor(text="Kabul", name="Afghanistan", country="AFG", sector=Sector.GOVERNMENT, code="AFGGOV")
TTP = Actor(text="TTP", name="Tehrik-i-Taliban Pakistan", country="PAK", sector=Sector.INSURGENTS, code="PAKREB")
NOBODY = Actor(reason="no recipient in the sentence")

QUAD = {
    PloverType.REQUEST: QuadClass.VERBAL_CONFLICT,
    PloverType.SUPPORT: QuadClass.VERBAL_COOPERATION,
    PloverType.CONCEDE: QuadClass.VERBAL_COOPERATION,
    PloverType.COOPERATE: QuadClass.MATERIAL_COOPERATION,
    PloverType.AID: QuadClass.MATERIAL_COOPERATION,
    PloverType.RETREAT: QuadClass.MATERIAL_COOPERATION,
    PloverType.PROTEST: QuadClass.MATERIAL_CONFLICT,
    PloverType.REJECT: QuadClass.VERBAL_CONFLICT,
    PloverType.THREATEN: QuadClass.VERBAL_CONFLICT,
    PloverType.SANCTION: QuadClass.VERBAL_CONFLICT,
    PloverType.ACCUSE: QuadClass.VERBAL_CONFLICT,
    PloverType.COERCE: QuadClass.MATERIAL_CONFLICT,
    PloverType.ASSAULT: QuadClass.MATERIAL_CONFLICT,
    PloverType.MOBILIZE: QuadClass.MATERIAL_CONFLICT,
    PloverType.AGREE: QuadClass.VERBAL_COOPERATION,
    PloverType.CONSULT: QuadClass.VERBAL_COOPERATION,
}


EventFactory = Callable[..., EventRecord]


def build_event(
    event_type: PloverType,
    cameo: str,
    sentence: str,
    trigger: str,
    *,
    mode: str | None = None,
    actor: Actor = PAKISTAN,
    recipient: Actor = AFGHANISTAN,
    location: Location | None = None,
    factuality: Factuality = Factuality.ASSERTED,
    speaker: Actor | None = None,
    goldstein: float = -5.0,
    confidence: float = 0.8,
    article: str = "art-1",
    story: str | None = None,
    published_at: datetime | None = T0,
    url: str | None = None,
    event_date: EventDate | None = None,
    **extra: Any,
) -> EventRecord:
    digest = hashlib.sha256(f"{article}|{cameo}|{trigger}|{sentence}".encode()).hexdigest()[:16]
    start = max(0, sentence.find(trigger))
    record = EventRecord(
        event_id=f"ev-{digest}",
        article_id=article,
        story_id=story or article,
        event_type=event_type,
        mode=mode,
        cameo_code=cameo,
        quad_class=QUAD[event_type],
        pentacode={
            QuadClass.VERBAL_COOPERATION: 1,
            QuadClass.MATERIAL_COOPERATION: 2,
            QuadClass.VERBAL_CONFLICT: 3,
        }.get(QUAD[event_type], 4),
        goldstein=goldstein,
        actor=actor,
        recipient=recipient,
        location=location or Location(reason="no place in the sentence"),
        event_date=event_date or EventDate(reason="no date expression"),
        factuality=factuality,
        speaker=speaker,
        evidence=Evidence(
            sentence=sentence,
            start=0,
            end=len(sentence),
            trigger=trigger,
            trigger_start=start,
            trigger_end=start + len(trigger),
        ),
        confidence=confidence,
        published_at=published_at,
        url=url or f"https://news.example/{article}",
        source="NN ONLINE",
        extractor_version="test",
        **extra,
    )
    return record if "sides" in extra else assign_sides([record])[0]


# Sentences of the seed story (or shaped like them), shared by the engine tests.
TALKS = (
    "Pakistan on Wednesday said its latest round of peace talks with Afghanistan's Taliban government has collapsed "
    "in Istanbul, accusing Kabul of refusing to crack down on militants."
)
BORDER = "Border crossings remain shut for more than two weeks, leaving hundreds of trucks stranded on both sides."
STRIKES = "Military strikes by Pakistan earlier this month on what it described as TTP hideouts triggered clashes."
CLASHES = "Deadly clashes along the border this month left dozens of civilians, soldiers and insurgents dead."
THREAT = "Tarar warned that Pakistan's patience has run its course and vowed to take all necessary measures."
CEASEFIRE = (
    "A previous round hosted by Qatar in Doha produced a ceasefire on Oct. 19, which both sides say remains in effect."
)
IN_AFGHANISTAN = Location(place="Afghanistan", country="AFG")


def state_pair(key: str) -> SidePair:
    """The pair of two countries' state sides, from an interstate key such as ``"AFG-PAK"``."""
    a, b = key.split("-")
    return pair_of(*(Side(country=c, actor_class=ActorClass.GOVERNMENT, label=c) for c in (a, b)))


def signals(alerts: list) -> dict[str, object]:
    return {alert.signal: alert for alert in alerts}


def talks_alert(make_event: EventFactory) -> Alert:
    """The talks_failed alert the engine raises for the seed story's collapsed talks."""
    sentence = "Pakistan said peace talks with Afghanistan have collapsed."
    event = make_event(PloverType.REJECT, "125", sentence, "collapsed", mode="meet")
    return next(a for a in AlertEngine().process(event) if a.signal == "talks_failed")
