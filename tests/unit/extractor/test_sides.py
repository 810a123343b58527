"""Conflict sides: actor classes, placement in countries, and the article's own pair for sides that name none."""

from __future__ import annotations

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_contracts import Actor, ActorClass, EventRecord, EventSides, Factuality, Location, PloverType, Sector
from powderkeg_extractor.core.sides import ARTICLE_CONTEXT, actor_class, assign_sides, resolve_sides, side_of
from tests.support.events import (
    AFGHANISTAN,
    BORDER,
    CLASHES,
    IN_AFGHANISTAN,
    NOBODY,
    PAKISTAN,
    STRIKES,
    TALKS,
    THREAT,
    TTP,
    build_event,
    signals,
)

RAW = EventSides()
"""Events as the builder makes them, before the article's sides are assigned."""


def _talks() -> EventRecord:
    return build_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", article="seed", sides=RAW)


def test_sectors_map_to_acled_style_classes_and_a_bare_country_is_its_government() -> None:
    assert actor_class(TTP) is ActorClass.REBELS
    assert actor_class(Actor(text="police", country="KEN", sector=Sector.POLICE)) is ActorClass.STATE_FORCES
    assert actor_class(Actor(text="Nigeria", name="Nigeria", country="NGA")) is ActorClass.GOVERNMENT
    assert actor_class(NOBODY) is None and side_of(NOBODY) is None


def test_a_named_group_keeps_its_name_and_a_state_side_is_its_country() -> None:
    ttp = side_of(TTP)
    assert ttp is not None and ttp.key == "PAK.rebels.tehrik_i_taliban_pakistan"
    assert ttp.label == "Tehrik-i-Taliban Pakistan (PAK)"
    state = side_of(PAKISTAN)
    assert state is not None and state.key == "PAK" and state.label == "Pakistan"


def test_an_armed_group_struck_in_another_country_is_placed_where_it_acts() -> None:
    strike = build_event(
        PloverType.ASSAULT, "195", STRIKES, "strikes", recipient=TTP, location=IN_AFGHANISTAN, sides=RAW
    )
    sides = resolve_sides(strike)
    assert sides.target is not None and sides.target.country == "AFG"
    assert sides.key == "AFG.rebels.tehrik_i_taliban_pakistan-PAK"
    at_home = build_event(
        PloverType.ASSAULT, "195", STRIKES, "strikes", recipient=TTP,
        location=Location(place="Waziristan", country="PAK"), sides=RAW,
    )
    assert resolve_sides(at_home).key == "PAK-PAK.rebels.tehrik_i_taliban_pakistan"


def test_border_closure_naming_no_country_takes_its_articles_pair() -> None:
    closure = build_event(
        PloverType.COERCE, "191", BORDER, "shut", mode="restrict", actor=NOBODY, recipient=NOBODY,
        article="seed", goldstein=-9.5, sides=RAW,
    )
    _, placed = assign_sides([_talks(), closure])
    assert placed.sides.key == "AFG-PAK" and placed.sides.rule == ARTICLE_CONTEXT
    alert = signals(AlertEngine().process(placed))["border_closed"]
    assert alert.sides.a_actors == () and alert.sides.b_actors == (), "context-placed sides are not named actors"


def test_an_event_before_the_pair_is_named_is_placed_too() -> None:
    """The whole article is at hand: order within it does not matter."""
    clash = build_event(
        PloverType.ASSAULT, "193", CLASHES, "clashes", mode="firearms", actor=NOBODY, recipient=NOBODY,
        article="seed", goldstein=-10.0, sides=RAW,
    )
    strike = build_event(PloverType.ASSAULT, "195", STRIKES, "strikes", article="seed", goldstein=-10.0, sides=RAW)
    placed, _ = assign_sides([clash, strike])
    assert placed.sides.key == "AFG-PAK"


def test_article_context_never_moves_a_third_country_or_a_domestic_event() -> None:
    qatar = Actor(name="Qatar", country="QAT", sector=Sector.GOVERNMENT)
    elsewhere = build_event(
        PloverType.ASSAULT, "193", CLASHES, "clashes", actor=NOBODY, recipient=qatar, article="seed", sides=RAW
    )
    domestic = build_event(
        PloverType.ASSAULT, "193", CLASHES, "clashed", actor=PAKISTAN, recipient=TTP, article="seed", sides=RAW
    )
    _, moved_elsewhere, moved_domestic = assign_sides([_talks(), elsewhere, domestic])
    assert moved_elsewhere.sides.rule != ARTICLE_CONTEXT and moved_elsewhere.sides.pair is not None
    assert moved_elsewhere.sides.pair.countries == ("QAT",)
    assert moved_domestic.sides.key == "PAK-PAK.rebels.tehrik_i_taliban_pakistan"


def test_threat_naming_only_pakistan_joins_its_articles_pair() -> None:
    threat = build_event(
        PloverType.THREATEN, "138", THREAT, "warned", recipient=NOBODY, article="seed",
        factuality=Factuality.HYPOTHETICAL, goldstein=-7.0, sides=RAW,
    )
    _, placed = assign_sides([_talks(), threat])
    assert placed.sides.key == "AFG-PAK"


def test_an_accused_state_is_no_party_to_an_attack_nobody_is_named_for() -> None:
    """A war of words between two states is the article's pair for its other words, not for its acts of force."""
    accusation = build_event(
        PloverType.ACCUSE, "112", "Pakistan accused Kabul of sheltering the bombers.", "accused",
        article="war-of-words", sides=RAW,
    )
    denial = build_event(
        PloverType.REJECT, "120", "Kabul rejected the allegations.", "rejected", actor=AFGHANISTAN,
        recipient=PAKISTAN, article="war-of-words", sides=RAW,
    )
    bombing = build_event(
        PloverType.ASSAULT, "183", "A bomb exploded at a bus station.", "bomb", mode="explosives",
        actor=NOBODY, recipient=NOBODY, article="war-of-words", goldstein=-10.0, sides=RAW,
    )
    placed_accusation, _, placed_bombing = assign_sides([accusation, denial, bombing])
    assert placed_accusation.sides.key == "AFG-PAK"
    assert placed_bombing.sides.rule != ARTICLE_CONTEXT
    assert "AFG" not in placed_bombing.sides.key.split("-")


def test_an_attack_takes_the_pair_of_the_articles_other_acts_of_force() -> None:
    accusation = build_event(
        PloverType.ACCUSE, "112", "Pakistan accused Kabul of sheltering militants.", "accused",
        article="war", sides=RAW,
    )
    strike = build_event(PloverType.ASSAULT, "195", STRIKES, "strikes", article="war", goldstein=-10.0, sides=RAW)
    clash = build_event(
        PloverType.ASSAULT, "193", CLASHES, "clashes", mode="firearms", actor=NOBODY, recipient=NOBODY,
        article="war", goldstein=-10.0, sides=RAW,
    )
    *_, placed = assign_sides([accusation, strike, clash])
    assert placed.sides.key == "AFG-PAK" and placed.sides.rule == ARTICLE_CONTEXT
