"""resolve_place: cities, capitals, regions and countries to ISO countries; unknown places keep their name."""

from __future__ import annotations

import pytest

from powderkeg_extractor.core.actors import ActorResolver


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Istanbul", "TUR"),
        ("Doha", "QAT"),
        ("Kabul", "AFG"),
        ("Islamabad", "PAK"),
        ("Pakistan", "PAK"),
        ("Afghanistan", "AFG"),
        ("Helmand province", "AFG"),
        ("Peshawar", "PAK"),
        ("Gaza", "PSE"),
        ("Kyiv", "UKR"),
        ("Washington", "USA"),
        ("İstanbul", "TUR"),
        ("northwest Pakistan", "PAK"),
    ],
)
def test_known_places(resolver: ActorResolver, name: str, country: str) -> None:
    location = resolver.resolve_place(name)
    assert (location.place, location.country, location.reason) == (name, country, None)


@pytest.mark.parametrize("name", ["Atlantis", "the border", "Hamas", "Attaullah Tarar"])
def test_unknown_or_non_place_names_keep_the_name_and_say_why(resolver: ActorResolver, name: str) -> None:
    location = resolver.resolve_place(name)
    assert location.place == name and location.country is None and location.reason


def test_empty_place(resolver: ActorResolver) -> None:
    assert resolver.resolve_place("").reason == "empty place name"
