"""Trigger precedence: ordered PETRARCH patterns, light verbs with event nouns, negated cooperation."""

from __future__ import annotations

import pytest

from powderkeg_contracts.models import PloverType


def _types(extractor, article_factory, text: str) -> set[PloverType]:  # type: ignore[no-untyped-def]
    return {r.event_type for r in extractor.extract(article_factory(text))}


def test_light_verb_takes_the_code_of_its_event_noun(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Opposition supporters in Pakistan staged rallies against the government, saying the premier must quit."
    records = extractor.extract(article_factory(text))
    top = max(records, key=lambda r: r.confidence)
    assert top.event_type is PloverType.PROTEST
    assert top.evidence.trigger.startswith("staged")


def test_light_verb_with_attack_noun_is_an_assault(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Militants in Afghanistan launched several attacks on Pakistani border posts."
    assert PloverType.ASSAULT in _types(extractor, article_factory, text)


def test_general_strike_is_a_protest_not_a_military_strike(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Unions in Nepal organized a general strike against the new tax."
    types = _types(extractor, article_factory, text)
    assert PloverType.PROTEST in types
    assert PloverType.ASSAULT not in types


def test_negated_cooperation_is_a_rejection(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory("Pakistan said it would not accept any more Afghan refugees."))
    top = max(records, key=lambda r: r.confidence)
    assert top.event_type is PloverType.REJECT
    assert top.cameo_code.startswith("12")


def test_refusal_verb_negates_its_infinitive(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Afghanistan and Pakistan failed to reach an agreement on border trade in Istanbul."
    types = _types(extractor, article_factory, text)
    assert PloverType.REJECT in types
    assert PloverType.AGREE not in types


def test_negated_conflict_keeps_its_type(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory("Pakistan did not attack Afghan border posts on Monday."))
    assaults = [r for r in records if r.event_type is PloverType.ASSAULT]
    assert assaults and all(r.factuality.value == "negated" for r in assaults)


def test_tied_patterns_prefer_the_verbs_own_sense(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Pakistani troops captured part of a Taliban stronghold near the Afghan border."
    types = _types(extractor, article_factory, text)
    assert PloverType.AGREE not in types
    assert types & {PloverType.COERCE, PloverType.ASSAULT}


def test_announced_tightening_of_a_blockade_is_a_threat(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Pakistan said it would tighten the blockade of Afghan border crossings."
    records = extractor.extract(article_factory(text))
    top = max(records, key=lambda r: r.confidence)
    assert top.event_type is PloverType.THREATEN


def test_reinforcing_forces_is_mobilization(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Pakistan has reinforced its troops along the Afghan border, officials said."
    assert PloverType.MOBILIZE in _types(extractor, article_factory, text)


def test_attribution_is_not_an_event(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    """ "according to a report" names a source; the reported act is the sentence's event."""
    text = "Khartoum is responsible for mass killings in the Darfur region, according to a report by the agency."
    detections = extractor.detect_batch([article_factory(text)])[0]
    assert not [d for d in detections if d.trigger.lower().startswith("according")]
    top = max(detections, key=lambda d: d.confidence)
    assert top.record is not None
    assert top.record.event_type.value == "ASSAULT"


def test_bare_resignation_is_a_change_in_leadership(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Peru's prime minister resigned on Monday amid a corruption scandal."
    records = extractor.extract(article_factory(text))
    top = max(records, key=lambda r: r.confidence)
    assert top.event_type is PloverType.RETREAT
    assert top.cameo_code == "0831"


@pytest.mark.parametrize(
    "text", ["Nepal asked India for fuel.", "Chad asked the World Bank for a faster release of drought funds."]
)
def test_asking_for_something_is_an_appeal_not_a_consultation(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    """CAMEO 020's codebook example is "ask for"; PETRARCH2 lists "ask for" under invite (040, CONSULT)."""
    detections = extractor.detect_batch([article_factory(text)])[0]
    asked = [d for d in detections if d.trigger == "asked"]
    assert asked and all(d.cameo_code.startswith("02") for d in asked)
    assert not [d for d in detections if d.record is not None and d.record.event_type is PloverType.CONSULT]


@pytest.mark.parametrize(
    "text",
    [
        # voa:8009027:14 (dev)
        "In March, the Global Terrorism Index named the Sahel the epicenter of global terrorism for the second year "
        "running.",
        # voa:8010476:10 (dev)
        "The Jairan remained at Liuheng Island until March 3, when it headed south toward Zhuhai Gaolan and docked "
        "at the port on March 8.",
    ],
)
def test_the_month_of_march_is_no_protest_march(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    assert PloverType.PROTEST not in _types(extractor, article_factory, text)


def test_a_march_is_still_a_protest(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Thousands of people marched in Nairobi in March to protest against the tax increase."
    assert PloverType.PROTEST in _types(extractor, article_factory, text)


@pytest.mark.parametrize(
    "text",
    [
        # voa:6180705:6 (dev)
        "The fire's front is 60 kilometers long and officials warn it is simply too big to put out.",
        "Matthaes, a Vietnam dweller of 25 years, warned against hospital care in Vietnam.",  # voa:6181245:31 (dev)
    ],
)
def test_a_warning_that_something_is_so_is_no_threat(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    assert PloverType.THREATEN not in _types(extractor, article_factory, text)


@pytest.mark.parametrize(
    "text",
    [
        # PLOVER gold standard, THREATEN: a future act in the warning's clause
        "Cairo's security chief has warned that police will no longer tolerate rallies by the Kifaya group.",
        # voa:8009314:28 (dev), labelled threat: a conditional act
        "The BLA had warned a day earlier that it would execute security personnel among the hostages if the state "
        "did not release political prisoners.",
        # a warned party
        "Iran warned Israel against any attack on its nuclear sites.",
    ],
)
def test_a_warning_of_an_act_is_a_threat(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    assert PloverType.THREATEN in _types(extractor, article_factory, text)
