"""Readings that keep non-events out of the alerts and put the parties of real ones in place.

Each test has a sentence with the mechanism and, where it matters, its twin without it, so that a rule that simply
dropped every event (or kept every one) would fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powderkeg_contracts.models import Actor, EventRecord, PloverType, QuadClass
from powderkeg_contracts.sides import ActorClass
from powderkeg_extractor.core.classes import class_of


def _conflict(records: list[EventRecord]) -> list[EventRecord]:
    return [r for r in records if r.quad_class in (QuadClass.MATERIAL_CONFLICT, QuadClass.VERBAL_CONFLICT)]


def test_an_act_asked_about_is_no_event_and_the_act_announced_is(extract: Callable[[str], list[EventRecord]]) -> None:
    assert not _conflict(extract("Reporters asked whether Washington would strike Iranian nuclear sites."))
    said = extract("The United States will strike Iranian nuclear sites, the president said.")
    assert [r.event_type for r in _conflict(said)] == [PloverType.THREATEN]


def test_a_released_video_frees_no_one_and_released_hostages_are_freed(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    assert not extract("The militants released a video showing the hostages.")
    freed = extract("The rebels released 20 hostages on Sunday.")
    assert [r.cameo_code for r in freed] == ["0841"]


def test_delegations_of_two_states_meet_each_other(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Delegations of Sudan and South Sudan met in Juba to discuss the border.")
    met = [r for r in records if r.event_type is PloverType.CONSULT and r.evidence.trigger == "met"]
    assert met and met[0].reciprocal
    assert {met[0].actor.country, met[0].recipient.country} == {"SDN", "SSD"}
    assert "Juba" not in (met[0].recipient.text or ""), "the place of the talks is no party to them"


def test_a_blockade_by_protesters_is_a_protest_and_by_soldiers_a_restriction(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    protest = extract("Protesters blockaded the main highway into the capital for a third day.")
    assert [(r.event_type, r.cameo_code) for r in protest] == [(PloverType.PROTEST, "144")]
    soldiers = extract("Soldiers blockaded the main highway into the capital.")
    assert [(r.event_type, r.cameo_code[:3]) for r in soldiers] == [(PloverType.COERCE, "191")]


def test_a_force_noun_that_counts_people_takes_their_class() -> None:
    assert class_of(Actor(text="an army of protesters")) is ActorClass.PROTESTERS
    assert class_of(Actor(text="an army of repair crews")) is not ActorClass.STATE_FORCES
    assert class_of(Actor(text="the Army of Mali")) is ActorClass.STATE_FORCES


def test_a_pronoun_takes_the_earlier_subject_of_its_sentence(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("The militants blew up the tracks near the station, where they stormed a passenger train.")
    stormed = [r for r in records if r.evidence.trigger == "stormed"]
    assert stormed and stormed[0].actor.actor_class is ActorClass.REBELS


@pytest.mark.parametrize(
    "text",
    [
        "A farmer was killed and his son wounded when their plough struck an old mortar shell in the field.",
        "Two workers died in an explosion during the assembly of artillery shells at the plant.",
    ],
)
def test_old_ordnance_and_munitions_at_work_are_accidents(
    extract: Callable[[str], list[EventRecord]], text: str
) -> None:
    assert not [r for r in extract(text) if r.event_type is PloverType.ASSAULT]


def test_a_bombing_is_an_explosive_attack_unless_it_comes_from_the_air(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    market = [r for r in extract("A bombing at a market in Kabul killed 12 people.") if r.evidence.trigger == "bombing"]
    assert [r.cameo_code for r in market] == ["183"]
    raid = extract("Russian aerial bombing of Kharkiv killed five people.")
    assert "195" in {r.cameo_code for r in raid}


def test_a_relic_weapon_that_goes_off_is_an_accident_and_a_roadside_bomb_an_attack(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    # The parse makes a clause of "left over from": the mine is the subject of "left", "exploded" has no subject,
    # and the police who report it must not become its doer.
    relic = "A man was killed when a landmine left over from the 1992-95 war exploded near Zenica, Bosnian police said."
    assert not _conflict(extract(relic))
    attack = "Two soldiers were killed when a roadside bomb exploded under their vehicle, the army said."
    assert {r.cameo_code for r in _conflict(extract(attack))} & {"183"}


def test_craft_deployed_after_a_hazard_are_relief_and_troops_are_not(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    storm = "A typhoon battered the northern Philippines, killing at least 25 people."
    boats = extract(f"{storm} The coast guard and army deployed rubber boats to pluck residents from rooftops.")
    assert not [r for r in boats if r.event_type is PloverType.MOBILIZE]
    ships = extract("Heavy rain lashed the coast on Monday. The navy deployed warships near the disputed islands.")
    assert [r for r in ships if r.event_type is PloverType.MOBILIZE]
