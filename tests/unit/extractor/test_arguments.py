"""Role assignment: a country-less person or group borrows the sentence's only country, never the other side's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powderkeg_contracts.models import EventRecord
from powderkeg_extractor.core.stages.arguments import ACTOR_PARSE, INHERITED_COUNTRY


def test_unnamed_police_take_the_country_of_the_place(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Riot police fired tear gas at thousands of protesters in Nairobi on Tuesday.")
    police = [r for r in records if r.actor.text == "Riot police"]
    assert police
    assert police[0].actor.country == "KEN"
    assert police[0].actor.code == "KENCOP"
    assert police[0].actor.reason == f"{ACTOR_PARSE}: {INHERITED_COUNTRY}"


@pytest.mark.parametrize(
    "text",
    [
        "Senior officials threatened to close the border with Uzbekistan.",
        "Army commanders vowed to retaliate against Ukraine after the strike.",
        "Officials accused Afghanistan of sheltering militants.",
    ],
)
def test_the_other_side_is_not_the_actors_country(extract: Callable[[str], list[EventRecord]], text: str) -> None:
    records = extract(text)
    assert records
    for record in records:
        if INHERITED_COUNTRY in (record.actor.reason or ""):
            pytest.fail(f"{record.actor.text!r} took the country of the other side: {record.actor}")


def test_two_countries_named_is_not_safe(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Rebel commanders said they would attack Chad and Niger next week.")
    assert all(INHERITED_COUNTRY not in (r.actor.reason or "") for r in records)


def test_own_prepositional_phrase_is_not_the_other_side(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Lawmakers from Ghana's ruling party called on the finance minister to resign.")
    assert records
    assert records[0].actor.country == "GHA"


def test_a_domestic_event_keeps_its_recipient(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("President Yahya Jammeh threatened to arrest Gambian opposition leaders who boycott the vote.")
    threats = [r for r in records if r.actor.country == "GMB"]
    assert threats
    assert threats[0].recipient.country == "GMB"
    assert threats[0].recipient.text != threats[0].actor.text


def test_a_thing_as_object_gives_way_to_the_party_it_names(extract: Callable[[str], list[EventRecord]]) -> None:
    """ "signed an agreement with X": the agreement is what was signed, X is the other party."""
    records = extract("Kenya signed a trade agreement with the African Union on Monday.")
    assert records
    assert {r.recipient.text for r in records} == {"African Union"}


def test_a_passive_subject_is_never_the_fallback_actor(extract: Callable[[str], list[EventRecord]]) -> None:
    """The agent of "was indicted by the court" has no country; the indicted person must not become the actor."""
    records = extract("A former defence minister of Uganda was indicted by the International Criminal Court on Friday.")
    assert records
    for record in records:
        assert record.actor.country != "UGA", record.actor
        assert record.actor.text == "International Criminal Court"
        assert record.recipient.country == "UGA"


def test_a_statement_names_the_party_it_is_about(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    """A statement with no addressee takes the first other country or organisation after its verb as recipient
    (pentacode 0 scoring keeps statements; the Kafka topic does not carry them)."""
    detections = extractor.detect_batch(
        [article_factory("Chile's foreign minister said on Monday that Peru would have to respect the ruling.")]
    )[0]
    statements = [d for d in detections if d.record is None and d.cameo_code.startswith("01")]
    assert statements
    assert [r.country for r in statements[0].recipients] == ["PER"]
