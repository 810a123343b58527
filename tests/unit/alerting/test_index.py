"""The escalation index of a pair of sides: decay in event time, dedupe by story, surge against its own baseline."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.index import EscalationIndex, IndexParams
from powderkeg_contracts import AlertStatus, Factuality, PloverType, Severity
from tests.support.events import T0, EventFactory, state_pair

ACCUSE = "Kabul accused Islamabad of provoking the tension."


def accusations(make_event: EventFactory, n: int, start: timedelta, step: timedelta, tag: str) -> list:
    """``n`` accusations from distinct stories: verbal conflict that matches no signal rule by itself."""
    return [
        make_event(
            PloverType.ACCUSE,
            "112",
            ACCUSE,
            "accused",
            article=f"{tag}-{i}",
            goldstein=-2.0,
            confidence=1.0,
            published_at=T0 + start + i * step,
        )
        for i in range(n)
    ]


def test_one_event_decays_with_the_fast_half_life(make_event: EventFactory) -> None:
    index = EscalationIndex(IndexParams(), {})
    event = make_event(PloverType.ASSAULT, "195", "Jets struck a village.", "struck", goldstein=-10.0, confidence=1.0)
    _, value = index.observe(event.sides.pair, event, T0)
    assert value == pytest.approx(math.log(2) * 24 / 6, rel=1e-3)
    later, _ = index.value("AFG-PAK", T0 + timedelta(hours=6))
    assert later == pytest.approx(value / 2, rel=1e-3)


def test_copies_of_one_story_count_once_and_negated_events_not_at_all(make_event: EventFactory) -> None:
    index = EscalationIndex(IndexParams(), {})
    for n in range(10):
        event = make_event(
            PloverType.ASSAULT,
            "195",
            "Jets struck.",
            "struck",
            goldstein=-10.0,
            confidence=1.0,
            article=f"copy-{n}",
            story="story-1",
        )
        _, value = index.observe(event.sides.pair, event, T0)
    assert value == pytest.approx(math.log(2) * 4, rel=1e-3)
    denied = make_event(
        PloverType.ASSAULT,
        "195",
        "Jets did not strike.",
        "strike",
        goldstein=-10.0,
        factuality=Factuality.NEGATED,
        article="denial",
    )
    _, after = index.observe(denied.sides.pair, denied, T0)
    assert after == pytest.approx(value)


def test_a_burst_of_unmatched_conflict_raises_a_surge_and_it_resolves_when_it_cools(make_event: EventFactory) -> None:
    engine = AlertEngine()
    for event in accusations(make_event, 4, timedelta(0), timedelta(days=1), "baseline"):
        assert engine.process(event) == [], "a slow trickle is the pair's baseline, not a surge"
    burst = accusations(make_event, 12, timedelta(days=5), timedelta(minutes=10), "burst")
    raised = [a for e in burst for a in engine.process(e) if a.signal == "escalation_surge"]
    assert raised, "twelve accusations in two hours should surge over a baseline of one a day"
    assert raised[0].status is AlertStatus.RAISED and raised[0].escalation_index is not None
    assert len({a.alert_id for a in raised}) == 1
    assert raised[-1].severity in (Severity.WARNING, Severity.CRITICAL)
    resolved = [a for a in engine.advance(T0 + timedelta(days=6)) if a.signal == "escalation_surge"]
    assert len(resolved) == 1 and resolved[0].status is AlertStatus.RESOLVED
    assert resolved[0].alert_id == raised[0].alert_id


def test_a_busy_pair_needs_a_bigger_rise_than_a_quiet_one(make_event: EventFactory) -> None:
    """The same burst surges over a quiet pair but not over one that has carried an accusation an hour for weeks."""
    burst = accusations(make_event, 12, timedelta(days=28, minutes=30), timedelta(minutes=10), "burst")
    quiet, busy = AlertEngine(), AlertEngine()
    for event in accusations(make_event, 24 * 28, timedelta(0), timedelta(hours=1), "busy"):
        busy.process(event)
    assert [a for e in burst for a in quiet.process(e) if a.signal == "escalation_surge"]
    assert not [a for e in burst for a in busy.process(e) if a.signal == "escalation_surge"]


def test_replay_gives_the_same_index_and_surge(make_event: EventFactory) -> None:
    events = accusations(make_event, 12, timedelta(0), timedelta(minutes=10), "burst")
    runs = []
    for _ in range(2):
        engine = AlertEngine()
        runs.append([(a.alert_id, a.escalation_index) for e in events for a in engine.process(e)])
    assert runs[0] == runs[1] and runs[0]


def test_top_bounds_the_exported_pairs(make_event: EventFactory) -> None:
    index = EscalationIndex(IndexParams(), {})
    for n, dyad in enumerate(["AFG-PAK", "IND-PAK", "ISR-LBN", "RUS-UKR"]):
        for k in range(n + 1):
            event = make_event(
                PloverType.ASSAULT, "195", "Shelling.", "shelling", goldstein=-10.0, article=f"{dyad}-{k}"
            )
            index.observe(state_pair(dyad), event, T0)
    top = index.top(T0, 2)
    assert [d for d, _ in top] == ["RUS-UKR", "ISR-LBN"]


def test_one_article_full_of_conflict_is_not_a_surge(make_event: EventFactory) -> None:
    engine = AlertEngine()
    codes = ["112", "1121", "1122", "1123", "1124", "1125", "111", "113", "114", "115", "116", "117", "118", "119"]
    events = [
        make_event(PloverType.ACCUSE, code, ACCUSE, "accused", article="one", goldstein=-3.0, confidence=1.0)
        for code in codes
    ]
    assert not [a for e in events for a in engine.process(e) if a.signal == "escalation_surge"]
    second = make_event(PloverType.ACCUSE, "112", ACCUSE, "accused", article="two", goldstein=-3.0, confidence=1.0)
    assert [a for a in engine.process(second) if a.signal == "escalation_surge"], "a second story confirms the rise"
