"""The geocoder: place names to coordinates, admin-1 and precision, on a small hand-made gazetteer (rules) and on the
packaged one (that the data file holds what the rules need)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from powderkeg_contracts.models import GeoPrecision, Location
from powderkeg_extractor.core.geocode import (
    AMBIGUOUS,
    COUNTRY_ONLY,
    NO_COORDINATES,
    Gazetteer,
    fold,
    geocode,
)

ROWS = [
    # kind, id, name, country, admin1, lat, lon, population, keys
    ["C", "1", "Tripoli", "LBY", "Tarabulus", "32.9", "13.2", "1300000", "tripoli|tarabulus"],
    ["C", "2", "Tripoli", "LBN", "North", "34.4", "35.8", "230000", "tripoli"],
    ["C", "3", "Kandahar", "AFG", "Kandahar", "31.6", "65.7", "500000", "kandahar"],
    ["A", "4", "Kandahar", "AFG", "Kandahar", "31.0", "65.5", "900000", "kandahar|kandahar province"],
    ["C", "5", "Kyiv", "UKR", "Kyiv", "50.45", "30.52", "2900000", "kyiv|kiev"],
    ["C", "6", "Smalltown", "KEN", "Coast", "-3.0", "40.0", "6000", "smalltown"],
    ["C", "7", "Smalltown", "TZA", "Tanga", "-5.0", "39.0", "7000", "smalltown"],
    ["C", "8", "El Fasher", "SDN", "North Darfur", "13.6", "25.3", "250000", "el fasher"],
    ["N", "9", "Syria", "SYR", "", "35.0", "37.0", "22000000", "syria"],
    ["N", "10", "Afghanistan", "AFG", "", "34.5", "69.2", "38000000", "afghanistan"],
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(ROWS)


def test_fold_drops_case_accents_and_punctuation() -> None:
    assert fold("İstanbul") == "istanbul"
    assert fold("Ţarābulus") == "tarabulus"
    assert fold("Pul-e-Khumri") == "pul e khumri"
    assert fold("Ma’arrat") == "maarrat"


def test_a_city_inside_a_longer_phrase(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="the city of Kandahar", country="AFG"), gazetteer=gaz)
    assert (loc.latitude, loc.longitude, loc.precision, loc.geonames_id) == (31.6, 65.7, GeoPrecision.CITY, 3)
    assert loc.admin1 == "Kandahar"


def test_a_division_word_prefers_the_division(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="Kandahar province", country="AFG"), gazetteer=gaz)
    assert loc.precision is GeoPrecision.ADMIN1 and loc.geonames_id == 4


def test_alternate_names_resolve(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="Kiev"), gazetteer=gaz)
    assert loc.geonames_id == 5 and loc.country == "UKR" and loc.precision is GeoPrecision.CITY


def test_the_known_country_picks_the_namesake(gaz: Gazetteer) -> None:
    assert geocode(Location(place="Tripoli", country="LBN"), gazetteer=gaz).geonames_id == 2
    assert geocode(Location(place="Tripoli", country="LBY"), gazetteer=gaz).geonames_id == 1


def test_the_event_context_picks_the_namesake_when_the_location_has_no_country(gaz: Gazetteer) -> None:
    assert geocode(Location(place="Tripoli"), ("LBN", "ISR"), gazetteer=gaz).geonames_id == 2


def test_namesakes_of_similar_size_without_a_country_stay_unresolved(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="Tripoli"), gazetteer=gaz)
    assert loc.latitude is None and loc.reason == AMBIGUOUS
    small = geocode(Location(place="Smalltown"), gazetteer=gaz)
    assert small.latitude is None and small.reason == AMBIGUOUS


def test_lower_case_words_are_never_places(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="military convoy"), gazetteer=gaz)
    assert loc.latitude is None and loc.reason == NO_COORDINATES


def test_an_unknown_place_in_a_known_country_gets_the_country_point(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="a village near the border", country="SYR", reason="inherited"), gazetteer=gaz)
    assert loc.precision is GeoPrecision.COUNTRY and (loc.latitude, loc.longitude) == (35.0, 37.0)
    assert loc.reason == f"inherited; {COUNTRY_ONLY}"
    assert loc.admin1 is None


def test_a_country_named_with_a_direction_is_the_country(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="northeast Syria", country="SYR"), gazetteer=gaz)
    assert loc.precision is GeoPrecision.COUNTRY and loc.reason is None


def test_particles_inside_names(gaz: Gazetteer) -> None:
    loc = geocode(Location(place="fighting in El Fasher"), ("SDN",), gazetteer=gaz)
    assert loc.geonames_id == 8 and loc.admin1 == "North Darfur" and loc.country == "SDN"


def test_locations_with_coordinates_or_without_any_place_are_left_alone(gaz: Gazetteer) -> None:
    placed = Location(place="Kiev", latitude=1.0, longitude=2.0)
    assert geocode(placed, gazetteer=gaz) is placed
    empty = Location(reason="no place attached to the event in the sentence")
    assert geocode(empty, gazetteer=gaz) is empty


def test_a_malformed_data_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("# header\nC\t1\tonly four\tfields\n")
    with pytest.raises(ValueError, match=r"bad\.tsv\.gz:2: expected 9"):
        Gazetteer.load(path)


@pytest.mark.parametrize(
    ("place", "country", "context", "expected"),
    [
        ("Somali city of Beledweyne", "SOM", (), ("SOM", "Hiiraan", GeoPrecision.CITY)),
        ("Helmand province", None, ("AFG",), ("AFG", "Helmand", GeoPrecision.ADMIN1)),
        ("Kiev", None, (), ("UKR", "Kyiv", GeoPrecision.CITY)),
        ("El Fasher", None, ("SDN",), ("SDN", "North Darfur", GeoPrecision.CITY)),
        ("Peshawar", "PAK", (), ("PAK", "Khyber Pakhtunkhwa", GeoPrecision.CITY)),
        ("Khyber Pakhtunkhwa", None, (), ("PAK", "Khyber Pakhtunkhwa", GeoPrecision.ADMIN1)),
        ("central Somalia", "SOM", (), ("SOM", None, GeoPrecision.COUNTRY)),
    ],
)
def test_the_packaged_gazetteer(
    place: str, country: str | None, context: tuple[str, ...], expected: tuple[str, str | None, GeoPrecision]
) -> None:
    loc = geocode(Location(place=place, country=country), context)
    assert (loc.country, loc.admin1, loc.precision) == expected
    assert loc.latitude is not None and loc.longitude is not None and loc.geonames_id is not None
