"""Normalisation, datelines and source tags, dates and language: the pure text steps of the ingest core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from powderkeg_ingest.core.normalize import detect_language, normalize_text, parse_published, split_dateline


def test_curly_quotes_dashes_and_accents_are_kept() -> None:
    text = "Tarar warned that Pakistan’s “patience has run its course” — in Zürich."
    assert normalize_text(text) == text


def test_composed_and_decomposed_forms_normalise_to_the_same_text() -> None:
    assert normalize_text("Zu\u0308rich") == normalize_text("Z\u00fcrich") == "Z\u00fcrich"


def test_ligatures_are_not_rewritten() -> None:
    # NFKC would turn U+FB01 into "fi"; NFC keeps what the outlet wrote.
    assert normalize_text("\ufb01nal") == "\ufb01nal"


def test_control_and_zero_width_characters_are_removed_newlines_kept() -> None:
    raw = "Kabul\u200b said\x07 no.\u00ad\nSecond\u00a0line\tends."
    assert normalize_text(raw) == "Kabul said no.\nSecond line ends."


def test_whitespace_runs_collapse_and_paragraph_breaks_stay() -> None:
    raw = "  First   para.  \r\n\r\n\r\n\r\nSecond\r\npara.   \n\n\n"
    assert normalize_text(raw) == "First para.\n\nSecond\npara."


def test_source_tag_line_is_stripped_into_source() -> None:
    head = split_dateline("NN ONLINE:\nPakistan on Wednesday said talks collapsed.")
    assert head.text == "Pakistan on Wednesday said talks collapsed."
    assert head.source == "NN ONLINE"
    assert head.dateline == "NN ONLINE"


@pytest.mark.parametrize(
    ("text", "place", "agency", "rest"),
    [
        ("ISLAMABAD (Reuters) - Pakistan said.", "ISLAMABAD", "Reuters", "Pakistan said."),
        ("KABUL, Afghanistan (AP) — The Taliban said.", "KABUL, Afghanistan", "AP", "The Taliban said."),
        ("WASHINGTON — The State Department said.", "WASHINGTON", None, "The State Department said."),
        ("GENEVA, March 3 (Reuters) - Talks resumed.", "GENEVA", "Reuters", "Talks resumed."),
        ("NEW YORK -- Stocks fell.", "NEW YORK", None, "Stocks fell."),
        # A plain hyphen after a place, with no agency: a common wire style.
        ("OUAGADOUGOU - Gunmen attacked an army base.", "OUAGADOUGOU", None, "Gunmen attacked an army base."),
        ("SAN SALVADOR - Heavy rain fell.", "SAN SALVADOR", None, "Heavy rain fell."),
    ],
)
def test_datelines_are_stripped(text: str, place: str, agency: str | None, rest: str) -> None:
    head = split_dateline(text)
    assert (head.dateline, head.source, head.text) == (place, agency, rest)


@pytest.mark.parametrize(
    "text",
    [
        "U.S. - China trade talks resumed.", "NATO - Russia council met.", "ASEAN - China talks opened.",
        "I - for one - disagree.", "Kabul — quiet.", "PARIS - based firms grew.",
    ],
)
def test_headline_style_openings_are_not_datelines(text: str) -> None:
    head = split_dateline(text)
    assert head.text == text
    assert head.dateline is None


def test_tag_line_and_dateline_together() -> None:
    head = split_dateline("NN ONLINE:\nISLAMABAD (Reuters) - Talks collapsed.")
    assert (head.dateline, head.source, head.text) == ("ISLAMABAD", "Reuters", "Talks collapsed.")


def test_dates_with_offsets_become_utc() -> None:
    parsed = parse_published("2025-03-14T20:30:26+05:00")
    assert parsed.value == datetime(2025, 3, 14, 15, 30, 26, tzinfo=UTC)
    assert parsed.value is not None and parsed.value.utcoffset() == timedelta(0)
    assert parsed.reason is None and parsed.note is None


def test_rfc822_dates_with_named_zones_are_parsed() -> None:
    parsed = parse_published("Fri, 14 Mar 2025 16:35:50 EST")
    assert parsed.value == datetime(2025, 3, 14, 21, 35, 50, tzinfo=UTC)


def test_voa_style_z_suffix() -> None:
    assert parse_published("2025-03-14 20:30:26Z").value == datetime(2025, 3, 14, 20, 30, 26, tzinfo=UTC)


def test_naive_dates_are_taken_as_utc_with_a_note() -> None:
    parsed = parse_published("2025-03-14 20:30")
    assert parsed.value == datetime(2025, 3, 14, 20, 30, tzinfo=UTC)
    assert parsed.note is not None and "UTC" in parsed.note


def test_unknown_zone_abbreviation_is_treated_as_naive() -> None:
    parsed = parse_published("2025-03-14 20:30 XYZT")
    assert parsed.value == datetime(2025, 3, 14, 20, 30, tzinfo=UTC)
    assert parsed.note is not None


def test_aware_datetime_objects_are_converted() -> None:
    given = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=-3)))
    assert parse_published(given).value == datetime(2025, 1, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize("value", ["not a date", "2025-13-45", "x" * 200])
def test_unparsable_dates_give_none_and_a_reason(value: str) -> None:
    parsed = parse_published(value)
    assert parsed.value is None
    assert parsed.reason is not None and parsed.reason.startswith("unparsable")


def test_missing_date_gives_a_reason() -> None:
    assert parse_published(None) == (None, "not given in the input", None)
    assert parse_published("  ").value is None


def test_language_english_and_french_are_told_apart() -> None:
    english = "Pakistan on Wednesday said its latest round of peace talks with the Taliban has collapsed in Istanbul."
    french = "Le Pakistan a annoncé mercredi que les négociations de paix avec les talibans ont échoué à Istanbul."
    assert detect_language(english).code == "en"
    assert detect_language(french).code == "fr"


def test_language_is_deterministic() -> None:
    text = "Die Gespräche zwischen Pakistan und Afghanistan sind in Istanbul gescheitert, sagte der Minister."
    assert len({detect_language(text).code for _ in range(5)}) == 1


def test_short_text_language_is_unknown_with_a_reason() -> None:
    result = detect_language("Talks failed.")
    assert result.code is None
    assert result.reason is not None and "too short" in result.reason


def test_english_shortcut_does_not_swallow_other_languages() -> None:
    spanish = (
        "Pakistán dijo el miércoles que la última ronda de conversaciones de paz con el gobierno talibán de "
        "Afganistán fracasó en Estambul, acusando a Kabul de negarse a tomar medidas contra los militantes."
    )
    assert detect_language(spanish).code == "es"


def test_normalisation_of_ascii_text_is_identity() -> None:
    text = "Plain ASCII line one.\nLine two, with (parentheses) and 'quotes'."
    assert normalize_text(text) == text
