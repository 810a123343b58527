"""Role assignment: a country-less person or group borrows the sentence's only country, never the other side's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powderkeg_contracts.models import Article, EventRecord
from powderkeg_extractor.core.arguments import INHERITED_COUNTRY


@pytest.fixture(scope="module")
def extract(extractor, article_factory) -> Callable[[str], list[EventRecord]]:  # type: ignore[no-untyped-def]
    def run(text: str) -> list[EventRecord]:
        article: Article = article_factory(text)
        return extractor.extract(article)

    return run


def test_unnamed_police_take_the_country_of_the_place(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Riot police fired tear gas at thousands of protesters in Nairobi on Tuesday.")
    police = [r for r in records if r.actor.text == "Riot police"]
    assert police
    assert police[0].actor.country == "KEN"
    assert police[0].actor.code == "KENCOP"
    assert police[0].actor.reason == INHERITED_COUNTRY


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
        if record.actor.reason == INHERITED_COUNTRY:
            pytest.fail(f"{record.actor.text!r} took the country of the other side: {record.actor}")


def test_two_countries_named_is_not_safe(extract: Callable[[str], list[EventRecord]]) -> None:
    records = extract("Rebel commanders said they would attack Chad and Niger next week.")
    assert all(r.actor.reason != INHERITED_COUNTRY for r in records)


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
