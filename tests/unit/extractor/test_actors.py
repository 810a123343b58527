"""ActorResolver: the seed story's actors, a table of demonyms/capitals/titles/IGOs/armed groups, find() spans."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from powderkeg_contracts.models import Sector
from powderkeg_extractor.core.actors import ActorResolver
from powderkeg_extractor.core.ontology import split_code

AS_OF = dt.date(2025, 10, 29)
GOV, MIL, POL = Sector.GOVERNMENT, Sector.MILITARY, Sector.POLICE
IGO = Sector.INTERNATIONAL_ORGANISATION


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


@pytest.mark.parametrize(
    ("phrase", "country", "sector"),
    [
        ("Pakistan", "PAK", GOV),
        ("Afghanistan’s Taliban government", "AFG", GOV),
        ("Kabul", "AFG", GOV),
        ("Islamabad", "PAK", GOV),
        ("Pakistan’s Information Minister Attaullah Tarar", "PAK", GOV),
        ("Information Minister Attaullah Tarar", "PAK", GOV),
        ("the Taliban regime", "AFG", GOV),
        ("Qatar", "QAT", GOV),
        ("Turkey", "TUR", GOV),
        ("Afghan state media RTA", "AFG", GOV),
        ("the Pakistani Taliban, or TTP", "PAK", Sector.INSURGENTS),
        ("Three Pakistani security officials", "PAK", GOV),
        ("the Taliban delegation", "AFG", GOV),
        ("the Pakistani minister", "PAK", GOV),
    ],
)
def test_seed_story_actors(resolver: ActorResolver, phrase: str, country: str, sector: Sector) -> None:
    actor = resolver.resolve(phrase, as_of=AS_OF)
    assert (actor.country, actor.sector) == (country, sector), actor
    assert actor.text == phrase
    assert actor.code is not None and actor.code.startswith(country)


@pytest.mark.parametrize(
    ("phrase", "country", "sector"),
    [
        ("Pakistani", "PAK", None),
        ("Israeli troops", "ISR", MIL),
        ("Indian police", "IND", POL),
        ("Syrian rebels", "SYR", Sector.REBELS),
        ("Iraqi protesters", "IRQ", Sector.OPPOSITION),
        ("Iranian students", "IRN", Sector.CIVILIANS),
        ("Russian journalists", "RUS", Sector.MEDIA),
        ("Washington", "USA", GOV),
        ("Moscow", "RUS", GOV),
        ("Beijing", "CHN", GOV),
        ("the Kremlin", "RUS", GOV),
        ("the White House", "USA", GOV),
        ("the Pentagon", "USA", MIL),
        ("Moscow’s will", "RUS", GOV),
        ("U.S. military chief General Colin Powell", "USA", MIL),
        ("Serbian army and special police troops", "SRB", MIL),
        ("Israeli Prime Minister Ehud Barak", "ISR", GOV),
        ("Turkish President Turgut Ozal", "TUR", GOV),
        ("French Foreign Minister", "FRA", GOV),
        ("Ukrainian soldiers", "UKR", MIL),
        ("Hamas", "PSE", Sector.REBELS),
        ("Hezbollah", "LBN", Sector.REBELS),
        ("al-Shabab militants", "SOM", Sector.INSURGENTS),
        ("the Houthis", "YEM", Sector.REBELS),
        ("Pakistan's ambassador to the UN", "PAK", GOV),
        ("President of Pakistan", "PAK", GOV),
        ("President Mugabe", "ZWE", GOV),
    ],
)
def test_demonyms_capitals_titles_groups(resolver: ActorResolver, phrase: str, country: str, sector: Sector) -> None:
    actor = resolver.resolve(phrase, as_of=AS_OF)
    assert (actor.country, actor.sector) == (country, sector), actor


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("NATO", "IGOWSTNAT"),
        ("the United Nations", "IGOUNO"),
        ("UN", "IGOUNO"),
        ("the European Union", "IGOEUREEC"),
        ("African Union", "IGOAFRAFU"),
        ("IAEA", "IGOUNOIAE"),
        ("Asia-Pacific Economic Cooperation", "IGOASAAPC"),
    ],
)
def test_international_organisations_have_no_country_and_say_why(
    resolver: ActorResolver, phrase: str, code: str
) -> None:
    actor = resolver.resolve(phrase)
    assert (actor.country, actor.sector, actor.code) == (None, IGO, code)
    assert actor.reason == "international organisation"


def test_taliban_role_depends_on_the_date(resolver: ActorResolver) -> None:
    before = resolver.resolve("the Taliban", as_of=dt.date(2010, 5, 1))
    after = resolver.resolve("the Taliban", as_of=dt.date(2022, 5, 1))
    assert (before.country, before.sector) == ("AFG", Sector.INSURGENTS)
    assert (after.country, after.sector) == ("AFG", GOV)


def test_dated_leader_roles(resolver: ActorResolver) -> None:
    assert resolver.resolve("Donald Trump", as_of=dt.date(2018, 1, 1)).sector is GOV
    assert resolver.resolve("Donald Trump", as_of=dt.date(2023, 1, 1)).sector is Sector.OPPOSITION


@pytest.mark.parametrize("phrase", ["the committee", "xyzzy", "a man"])
def test_unresolved_actor_keeps_text_and_reason(resolver: ActorResolver, phrase: str) -> None:
    actor = resolver.resolve(phrase)
    assert actor.text == phrase and actor.country is None and actor.reason


def test_title_without_country_gives_sector_and_reason(resolver: ActorResolver) -> None:
    actor = resolver.resolve("protesters")
    assert (actor.country, actor.sector) == (None, Sector.OPPOSITION)
    assert actor.reason is not None and "no country" in actor.reason


def test_acronyms_need_capitals(resolver: ActorResolver) -> None:
    assert resolver.resolve("US").country == "USA"
    assert resolver.resolve("U.S.").country == "USA"
    assert resolver.find("They told us to leave.") == []


def test_find_seed_story_mentions(resolver: ActorResolver) -> None:
    text = (
        "In a post on social media platform X, Pakistan’s Information Minister Attaullah Tarar announced that the "
        "talks failed despite efforts by Qatar and Turkey to mediate. He said the Taliban regime showed "
        "indifference to Pakistan’s security concerns. Pakistan has witnessed a surge in attacks it blames on the "
        "Pakistani Taliban, or TTP, a group allied with the Afghan Taliban."
    )
    found = {m.actor.text: m.actor for m in resolver.find(text, as_of=AS_OF)}
    for mention in (
        "Pakistan’s Information Minister Attaullah Tarar",
        "Qatar",
        "Turkey",
        "the Taliban regime",
        "Pakistani Taliban",
        "TTP",
    ):
        assert mention in found, sorted(found)
    assert found["Pakistani Taliban"].code == "PAKINS"
    assert found["Qatar"].country == "QAT"


def test_find_offsets_point_into_the_text_and_do_not_overlap(resolver: ActorResolver) -> None:
    text = "Pakistan said on Wednesday. Officials in Kabul rejected it, and NATO troops stayed."
    matches = resolver.find(text)
    assert [text[m.start : m.end] for m in matches] == [m.actor.text for m in matches]
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    assert "Pakistan" in [m.actor.text for m in matches]
    assert not any(m.actor.text and "." in m.actor.text for m in matches)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("PAKGOV", ("PAK", GOV)),
        ("AFGREB", ("AFG", Sector.REBELS)),
        ("IGOUNO", (None, IGO)),
        ("USA", ("USA", None)),
        ("JAPGOV", ("JPN", GOV)),
        ("~MIL", (None, MIL)),
        ("MNCUSA", ("USA", Sector.BUSINESS)),
    ],
)
def test_split_code(code: str, expected: tuple[str | None, Sector | None]) -> None:
    assert split_code(code)[:2] == expected


def test_former_office_holder_is_not_the_government(resolver: ActorResolver) -> None:
    actor = resolver.resolve("Former Germany Chancellor Willy Brandt")
    assert (actor.country, actor.sector) == ("DEU", Sector.OTHER)


def test_surname_alone_needs_a_title(resolver: ActorResolver) -> None:
    assert resolver.resolve("President Mugabe").country == "ZWE"
    assert (
        resolver.find("Mugabe said nothing.") == [] or resolver.find("Mugabe said nothing.")[0].actor.country != "ZWE"
    )


def test_country_short_names_read_as_government(resolver: ActorResolver) -> None:
    for phrase, country in (("Britain", "GBR"), ("Russia", "RUS"), ("the U.S.", "USA"), ("Ukraine", "UKR")):
        actor = resolver.resolve(phrase)
        assert (actor.country, actor.sector) == (country, GOV), actor


@pytest.mark.parametrize(
    ("phrase", "country"),
    [
        ("ethnic Uzbeks in northern Afghanistan", "AFG"),
        ("the Baluch of Pakistan", "PAK"),
        ("the Tajiks of Afghanistan", "AFG"),
        ("ethnic Albanian rebels in Kosovo", "XKX"),
        ("ethnic Albanian guerrillas", None),
        ("Americans in Iraq", "USA"),
        ("Pakistan's ambassador to the UN", "PAK"),
    ],
)
def test_a_people_is_coded_by_the_state_it_lives_in(resolver: ActorResolver, phrase: str, country: str | None) -> None:
    actor = resolver.resolve(phrase)
    assert actor.country == country, actor
    if country is None and "ethnic" in phrase:
        assert actor.reason is not None and "ethnic" in actor.reason


@pytest.mark.parametrize(
    "phrase",
    [
        "the People 's Republic of China ( PRC )",
        "the Democratic People 's Republic of Korea",
        "people of Iraq of Basra",
    ],
)
def test_tokenised_official_names_resolve_without_error(resolver: ActorResolver, phrase: str) -> None:
    actor = resolver.resolve(phrase)
    assert actor.country is not None


@pytest.mark.parametrize(
    "text",
    [
        "Spokeswoman Malie Joly said the ministers met in Charlevoix.",  # Malie: a former Lesotho minister
        "Former basketball star Michael Jordan visited the stadium.",  # Jordan: a country
    ],
)
def test_a_known_word_inside_an_unknown_name_is_no_actor(resolver: ActorResolver, text: str) -> None:
    found = resolver.find(text, as_of=AS_OF)
    assert all(m.actor.country is None for m in found), [m.actor for m in found]


def test_a_word_after_a_comma_is_not_part_of_the_name(resolver: ActorResolver) -> None:
    found = resolver.find("In a post on platform X, Pakistan's minister spoke.", as_of=AS_OF)
    assert "PAK" in {m.actor.country for m in found}
