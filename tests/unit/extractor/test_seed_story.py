"""The founding seed story: the events an analyst reads in it must come out, with the right roles and factuality."""

from __future__ import annotations

from pathlib import Path

import pytest

from powderkeg_contracts.models import EventRecord, Factuality, PloverType

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_63084aac38a30e02.txt"
"""The committed copy of the development data's seed story (tests/unit/test_seeds.py checks they are the same)."""


@pytest.fixture(scope="module")
def records(extractor, article_factory) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    text = SEED.read_text(encoding="utf-8").split("\n", 1)[1]  # first line "NN ONLINE:" is the source tag
    return extractor.extract(article_factory(text, article_id="seed"))


def _find(records: list[EventRecord], kind: PloverType, trigger_word: str) -> list[EventRecord]:
    return [r for r in records if r.event_type is kind and trigger_word in r.evidence.trigger.lower()]


def test_failed_talks_are_reject_between_pakistan_and_afghanistan(records: list[EventRecord]) -> None:
    collapsed = _find(records, PloverType.REJECT, "collapsed")
    assert collapsed, "the collapse of the Istanbul talks is not extracted"
    event = collapsed[0]
    assert event.actor.country == "PAK"
    assert event.recipient.country == "AFG"
    assert event.factuality is Factuality.ASSERTED
    assert event.location.place is not None and "Istanbul" in event.location.place


def test_border_crossings_shut_is_a_restriction(records: list[EventRecord]) -> None:
    shut = [r for r in records if "crossings" in r.evidence.trigger.lower()]
    assert shut and shut[0].event_type in (PloverType.COERCE, PloverType.SANCTION)
    assert shut[0].factuality is Factuality.ASSERTED


def test_strikes_by_pakistan_and_the_clashes_are_assaults(records: list[EventRecord]) -> None:
    strikes = _find(records, PloverType.ASSAULT, "strikes")
    assert strikes and strikes[0].actor.country == "PAK"
    assert _find(records, PloverType.ASSAULT, "clashes")


def test_tarar_warning_is_a_hypothetical_threat(records: list[EventRecord]) -> None:
    threats = [r for r in records if r.event_type is PloverType.THREATEN]
    assert threats
    assert all(t.factuality is Factuality.HYPOTHETICAL for t in threats)
    assert any(t.actor.country == "PAK" for t in threats)


def test_rta_accusation_is_claimed_by_afghan_media(records: list[EventRecord]) -> None:
    accused = _find(records, PloverType.ACCUSE, "accused")
    assert accused
    event = accused[0]
    assert event.factuality is Factuality.CLAIMED
    assert event.actor.country == "AFG" and event.recipient.country == "PAK"
    assert event.speaker is not None and event.speaker.country == "AFG"


def test_doha_ceasefire_is_asserted_and_not_a_violation(records: list[EventRecord]) -> None:
    ceasefire = [r for r in records if "ceasefire" in r.evidence.trigger.lower()]
    assert ceasefire
    assert all(r.event_type in (PloverType.AGREE, PloverType.RETREAT, PloverType.CONCEDE) for r in ceasefire)
    assert all(r.factuality is Factuality.ASSERTED for r in ceasefire)
    assert not [r for r in records if r.cameo_code == "196"]


def test_mediation_by_qatar_and_turkey_is_third_party_consultation(records: list[EventRecord]) -> None:
    mediation = [r for r in records if r.event_type is PloverType.CONSULT and r.mode == "third-party"]
    assert {r.actor.country for r in mediation} >= {"QAT", "TUR"}


def test_every_record_points_back_into_the_article(records: list[EventRecord]) -> None:
    text = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    for r in records:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.sentence
        assert text[r.evidence.trigger_start : r.evidence.trigger_end] == r.evidence.trigger
        assert r.story_id == "seed" and r.extractor_version.startswith("powderkeg-extractor/")


def test_dates_resolve_against_publication(records: list[EventRecord]) -> None:
    collapsed = _find(records, PloverType.REJECT, "collapsed")[0]
    assert collapsed.event_date.date is not None and collapsed.event_date.date.isoformat() == "2025-10-29"
    ceasefire = next(r for r in records if "ceasefire" in r.evidence.trigger.lower())
    assert ceasefire.event_date.date is not None and ceasefire.event_date.date.isoformat() == "2025-10-19"


def test_strikes_hit_ttp_in_afghanistan(records: list[EventRecord]) -> None:
    """Recipient from "on what it described as TTP hideouts"; place inherited from the paragraph's Afghanistan."""
    strikes = _find(records, PloverType.ASSAULT, "strikes")
    assert strikes[0].recipient.text is not None and "TTP" in strikes[0].recipient.text
    assert strikes[0].location.country == "AFG"
    assert strikes[0].location.reason is not None and "inherited" in strikes[0].location.reason


def test_border_clashes_and_closure_are_between_pakistan_and_afghanistan(records: list[EventRecord]) -> None:
    clashes = _find(records, PloverType.ASSAULT, "clashes")
    assert clashes and all({c.actor.country, c.recipient.country} == {"PAK", "AFG"} for c in clashes)
    shut = [r for r in records if "crossings" in r.evidence.trigger.lower()]
    assert {(r.actor.country, r.recipient.country) for r in shut} == {("PAK", "AFG"), ("AFG", "PAK")}
    assert not [r for r in records if r.event_type is PloverType.ASSAULT and r.recipient.country == "QAT"]


def test_an_agentless_passive_names_no_actor(records: list[EventRecord]) -> None:
    sheltered = _find(records, PloverType.AID, "sheltered")
    assert all(r.actor.country is None for r in sheltered)


def test_talks_failed_despite_mediation_names_afghanistan_not_the_mediators(records: list[EventRecord]) -> None:
    failed = _find(records, PloverType.REJECT, "failed")
    assert failed and all(r.recipient.country == "AFG" for r in failed)
