"""Factuality: asserted, negated, hypothetical/future and claimed, with the speaker for reported speech."""

from __future__ import annotations

import pytest

from powderkeg_contracts.models import EventRecord, Factuality, PloverType


def _events(extractor, article_factory, text: str, kind: PloverType) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    return [r for r in extractor.extract(article_factory(text)) if r.event_type is kind]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Indian troops attacked Pakistani posts in Kashmir on Monday.", PloverType.ASSAULT, Factuality.ASSERTED),
        ("Indian troops did not attack Pakistani posts in Kashmir.", PloverType.ASSAULT, Factuality.NEGATED),
        ("Russia never attacked Ukrainian ports, the ministry said.", PloverType.ASSAULT, Factuality.NEGATED),
        ("Iran said it would attack Israeli bases if provoked.", PloverType.THREATEN, Factuality.HYPOTHETICAL),
        ("Finland will give Tanzania a grant of 580 million shillings.", PloverType.AGREE, Factuality.HYPOTHETICAL),
        ("Turkey threatened to close the border with Syria.", PloverType.THREATEN, Factuality.HYPOTHETICAL),
        ("Kabul accused Islamabad of bombing Afghan villages.", PloverType.ACCUSE, Factuality.CLAIMED),
        ("Kabul accused Islamabad of bombing Afghan villages.", PloverType.ASSAULT, Factuality.CLAIMED),
        (
            "Nigeria dismissed allegations that its soldiers had shelled villages in Cameroon.",
            PloverType.ASSAULT,
            Factuality.CLAIMED,
        ),
    ],
)
def test_factuality(extractor, article_factory, text: str, kind: PloverType, expected: Factuality) -> None:  # type: ignore[no-untyped-def]
    events = _events(extractor, article_factory, text, kind)
    assert events, f"no {kind.value} event in {text!r}"
    assert events[0].factuality is expected


def test_announced_acts_are_intents_not_acts(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    """CAMEO codes an act that is only announced as its intent (03x) or threat (13x), never as the act itself."""
    for text in ("Turkey threatened to close the border with Syria.", "Iran said it would attack Israeli bases."):
        records = extractor.extract(article_factory(text))
        assert records and all(r.event_type not in (PloverType.COERCE, PloverType.ASSAULT) for r in records)
    records = extractor.extract(article_factory("Finland will give Tanzania a grant of 580 million shillings."))
    assert records and all(r.event_type is not PloverType.AID for r in records)


def test_claim_names_the_speaker(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    events = _events(
        extractor, article_factory, "Kabul accused Islamabad of bombing Afghan villages.", PloverType.ASSAULT
    )
    assert events[0].speaker is not None and events[0].speaker.country == "AFG"


def test_reported_ceasefire_in_effect_is_asserted_not_a_violation(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Talks in Doha produced a ceasefire on Oct. 19, which both sides say remains in effect."
    records = extractor.extract(article_factory(text))
    ceasefire = [r for r in records if "ceasefire" in r.evidence.trigger]
    assert ceasefire and all(r.factuality is Factuality.ASSERTED for r in ceasefire)
    assert all(r.event_type is not PloverType.ASSAULT for r in records)


def test_an_opinion_is_not_an_assault(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory("The minister said he was pessimistic about the economy."))
    assert not [r for r in records if r.event_type is PloverType.ASSAULT]


def test_an_event_under_an_attitude_word_is_an_opinion(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "The Afghan minister said he was pessimistic about the chances of resuming talks with Pakistan."
    detections = extractor.detect_batch([article_factory(text)])[0]
    top = max(detections, key=lambda d: d.confidence)
    assert top.record is None  # the statement, not the talks
    talks = [d for d in detections if d.record is not None]
    assert all(d.record.factuality is Factuality.HYPOTHETICAL and d.cause == "opinion" for d in talks)


def test_a_reported_event_outranks_the_report(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Afghan fighters have sworn to fight until they control the crossing, Pakistani officials said on Wednesday."
    detections = extractor.detect_batch([article_factory(text)])[0]
    top = max(detections, key=lambda d: d.confidence)
    assert top.record is not None
    assert top.record.event_type is PloverType.THREATEN


@pytest.mark.parametrize(
    "text",
    [
        "The labour office reiterated its demand that Israel ease restrictions on Palestinian workers.",
        "The rebel group insisted on its demands that Burundi's government grant the Hutu majority more rights.",
    ],
)
def test_the_content_of_a_demand_is_requested_not_done(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    """The clause of a demand noun ("its demand that X ease") is the appealed act, hypothetical, not a concession."""
    detections = extractor.detect_batch([article_factory(text)])[0]
    conceded = [d for d in detections if d.record is not None and d.record.event_type is PloverType.CONCEDE]
    assert conceded, f"no CONCEDE candidate in {text!r}"
    assert all(d.record.factuality is Factuality.HYPOTHETICAL and d.cause == "appeal" for d in conceded)


def test_an_act_one_is_accused_of_loses_to_the_accusation(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Amnesty International accused the United States of ignoring international law."
    detections = extractor.detect_batch([article_factory(text)])[0]
    top = max(detections, key=lambda d: d.confidence)
    assert top.record is not None
    assert top.record.event_type is PloverType.ACCUSE


def test_an_allegation_is_not_the_news_its_rejection_is(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    """ "rejected accusations that it had X": X is only claimed; the most confident event is not X."""
    text = "Kenya rejected accusations by rights groups that its police had killed protesters in Nairobi."
    records = extractor.extract(article_factory(text))
    killings = [r for r in records if r.event_type is PloverType.ASSAULT]
    assert killings and all(r.factuality is Factuality.CLAIMED for r in killings)
    detections = extractor.detect_batch([article_factory(text)])[0]
    top = max(detections, key=lambda d: d.confidence)
    assert top.trigger == "rejected" and not top.cameo_code.startswith("19")


@pytest.mark.parametrize(
    "text",
    [
        "If you are seen in the forest, you can be killed.",  # voa:6184384:22 (dev), labelled no signal
        # voa:6202743:10 (dev), labelled no signal: an advisable act, not an announced one
        "Josephine Odumakin said authorities should declare a state of emergency over the spate of abductions.",
    ],
)
def test_a_possible_or_advisable_act_is_no_threat(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory(text))
    assert all(r.event_type is not PloverType.THREATEN for r in records)


@pytest.mark.parametrize(
    "text",
    [
        # PLOVER gold standard PLOVER-GSR01-THREATEN-0018: a possible act on a condition
        "The European Community may halt mediation efforts among Serbia's feuding republics if cooperation by all "
        "parties founders, Dutch Foreign Minister Hans Van den Broek said on Tuesday.",
        # voa:7808748:12 (dev), labelled threat: a possible act its actor holds out
        "Beijing has hinted that it could retaliate with tariffs on German and Italian vehicles.",
    ],
)
def test_a_possible_act_held_out_by_its_actor_is_a_threat(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory(text))
    assert any(r.event_type is PloverType.THREATEN for r in records)


def test_an_act_before_a_court_is_background(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    # voa (dev) 6182455, Haiti: the charges name past crimes, the news is the arrest
    text = (
        "He was also charged with robbing trucks loaded with merchandise, raping, kidnapping and attacking motorists "
        "on National Highway #1."
    )
    violent = [r for r in extractor.extract(article_factory(text)) if r.event_type is PloverType.ASSAULT]
    assert violent and all("legal proceeding" in (r.background_reason or "") for r in violent)
