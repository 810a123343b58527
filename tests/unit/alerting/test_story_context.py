"""Story context: events whose sides name no country take the pair their story is about."""

from __future__ import annotations

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_contracts import Actor, Factuality, PloverType, Sector
from tests.unit.alerting.factory import BORDER, CLASHES, NOBODY, PAKISTAN, TALKS, THREAT, TTP, EventFactory, signals


def test_border_closure_naming_no_country_takes_its_storys_pair(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", article="seed"))
    closure = make_event(
        PloverType.COERCE,
        "191",
        BORDER,
        "shut",
        mode="restrict",
        actor=NOBODY,
        recipient=NOBODY,
        article="seed",
        goldstein=-9.5,
    )
    alert = signals(engine.process(closure))["border_closed"]
    assert alert.dyad.key == "AFG-PAK"
    assert alert.dyad.a_actors == () and alert.dyad.b_actors == (), "context-placed sides are not named actors"


def test_event_before_its_storys_pair_waits_and_is_raised_when_the_pair_arrives(make_event: EventFactory) -> None:
    engine = AlertEngine()
    clash = make_event(
        PloverType.ASSAULT,
        "193",
        CLASHES,
        "clashes",
        mode="firearms",
        actor=NOBODY,
        recipient=NOBODY,
        article="seed",
        goldstein=-10.0,
    )
    waiting = engine.evaluate(clash)
    assert waiting.outcome == "waiting_for_story" and waiting.alerts == []
    talks = engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", article="seed"))
    found = signals(talks)
    assert found["armed_clash"].dyad.key == "AFG-PAK" and found["talks_failed"].dyad.key == "AFG-PAK"


def test_story_context_never_moves_a_third_country_or_a_domestic_event(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", article="seed"))
    qatar = Actor(name="Qatar", country="QAT", sector=Sector.GOVERNMENT)
    elsewhere = make_event(
        PloverType.ASSAULT,
        "193",
        CLASHES,
        "clashes",
        mode="firearms",
        actor=NOBODY,
        recipient=qatar,
        article="seed",
        goldstein=-10.0,
    )
    domestic = make_event(
        PloverType.ASSAULT,
        "193",
        CLASHES,
        "clashed",
        mode="firearms",
        actor=PAKISTAN,
        recipient=TTP,
        article="seed",
        goldstein=-10.0,
    )
    assert engine.evaluate(elsewhere).outcome == "no_dyad"
    assert engine.evaluate(domestic).outcome == "no_dyad"


def test_threat_naming_only_pakistan_joins_its_storys_pair(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", article="seed"))
    threat = make_event(
        PloverType.THREATEN,
        "138",
        THREAT,
        "warned",
        recipient=NOBODY,
        article="seed",
        factuality=Factuality.HYPOTHETICAL,
        goldstein=-7.0,
    )
    assert signals(engine.process(threat))["threat"].dyad.key == "AFG-PAK"
