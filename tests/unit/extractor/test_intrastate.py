"""Intrastate events: actor classes, reciprocal parties, victims, sides inside one country, no agent, background.

Sentences marked GSR are from the PLOVER gold standard in the development data (``plover_gsr.jsonl``, by id); the
others are the shapes early-warning desks report most (clashes, bombings, disasters, retrospectives).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powderkeg_contracts.models import EventRecord, PloverType, QuadClass
from powderkeg_contracts.sides import ActorClass


def _assaults(records: list[EventRecord]) -> list[EventRecord]:
    return [r for r in records if r.event_type is PloverType.ASSAULT]


def test_an_exchange_of_fire_is_one_reciprocal_event_between_both_parties(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    records = _assaults(extract("Armenia and Azerbaijan exchanged heavy artillery fire along their border."))
    assert len(records) == 1
    record = records[0]
    assert record.reciprocal
    assert (record.actor.country, record.recipient.country) == ("ARM", "AZE")
    assert "fire" not in (record.recipient.text or "")


def test_coordinated_modifiers_of_one_noun_are_two_parties(extract: Callable[[str], list[EventRecord]]) -> None:
    records = _assaults(extract("Indian and Chinese troops clashed in the Himalayas."))
    assert len(records) == 1
    record = records[0]
    assert record.reciprocal
    assert {record.actor.country, record.recipient.country} == {"IND", "CHN"}
    assert record.actor.actor_class is record.recipient.actor_class is ActorClass.STATE_FORCES


def test_police_firing_on_demonstrators_is_a_domestic_pair(extract: Callable[[str], list[EventRecord]]) -> None:
    # GSR PLOVER-GSR01-FIGHT-0006
    records = _assaults(
        extract(
            "Egyptian police opened fire to disperse Moslem fundamentalist demonstrators on Monday night, killing one "
            "person and arresting 12, security sources said."
        )
    )
    killed = [r for r in records if r.recipient.actor_class is ActorClass.CIVILIANS]
    assert killed
    sides = killed[0].sides
    assert sides is not None and sides.source is not None and sides.target is not None
    assert (sides.source.country, sides.source.actor_class) == ("EGY", ActorClass.STATE_FORCES)
    assert (sides.target.country, sides.target.actor_class) == ("EGY", ActorClass.CIVILIANS)


def test_a_passive_attack_has_its_agent_as_actor_and_its_victims_as_recipient(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    # GSR PLOVER-GSR01-ASSAULT-0001
    records = _assaults(
        extract(
            "A temporary camp for Congolese refugees was attacked by Burundian militiamen armed with machetes, "
            "killing at least 156 people, the UN refugee agency reported."
        )
    )
    assert records
    assert all(r.actor.country == "BDI" for r in records)
    assert all(r.actor.actor_class is ActorClass.POLITICAL_MILITIA for r in records)
    victims = [r for r in records if r.recipient.actor_class is ActorClass.CIVILIANS]
    assert victims and victims[0].recipient.country == "COD"


def test_a_named_armed_group_keeps_its_name_against_the_state(extract: Callable[[str], list[EventRecord]]) -> None:
    records = _assaults(extract("Boko Haram fighters attacked a military base in Borno state, killing 12 soldiers."))
    assert records
    for record in records:
        sides = record.sides
        assert sides is not None and sides.source is not None and sides.target is not None
        assert sides.source.group == "Boko Haram" and sides.source.actor_class is ActorClass.REBELS
        assert (sides.target.country, sides.target.actor_class) == ("NGA", ActorClass.STATE_FORCES)


def test_an_unnamed_bomber_is_an_armed_group_of_the_country_where_it_struck(
    extract: Callable[[str], list[EventRecord]],
) -> None:
    records = _assaults(extract("A suicide bomber killed 30 people at a mosque in Peshawar."))
    assert records
    sides = records[0].sides
    assert sides is not None and sides.source is not None and sides.target is not None
    assert (sides.source.country, sides.source.actor_class) == ("PAK", ActorClass.POLITICAL_MILITIA)
    assert (sides.target.country, sides.target.actor_class) == ("PAK", ActorClass.CIVILIANS)


@pytest.mark.parametrize(
    "text",
    [
        "An earthquake killed eight people in Indonesia.",
        "Floods destroyed hundreds of homes in northern Pakistan.",
    ],
)
def test_a_natural_hazard_is_no_political_violence(extract: Callable[[str], list[EventRecord]], text: str) -> None:
    records = extract(text)
    assert not [r for r in records if r.quad_class is QuadClass.MATERIAL_CONFLICT]


def test_a_span_that_lasted_years_is_background(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("That agreement ended an ethnically rooted war that lasted more than three years.")
    assert records
    assert all(r.background_reason is not None for r in records)


def test_todays_event_is_not_background(extract: Callable[[str], list[EventRecord]]) -> None:
    records = _assaults(extract("Sudan's army launched airstrikes on Rapid Support Forces positions in Khartoum."))
    assert records
    assert all(r.background_reason is None for r in records)
