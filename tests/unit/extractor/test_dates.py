"""resolve_date against a fixed publication date (Wednesday 2025-10-29)."""

from __future__ import annotations

import datetime as dt

import pytest

from powderkeg_contracts.models import Granularity
from powderkeg_extractor.core.dates import resolve_date

PUB = dt.datetime(2025, 10, 29, 12, 0, tzinfo=dt.UTC)
DAY, MONTH, YEAR = Granularity.DAY, Granularity.MONTH, Granularity.YEAR


@pytest.mark.parametrize(
    ("sentence", "date", "granularity", "text"),
    [
        ("Pakistan on Wednesday said talks collapsed.", dt.date(2025, 10, 29), DAY, "Wednesday"),
        ("Officials met on Monday.", dt.date(2025, 10, 27), DAY, "Monday"),
        ("It happened on Thursday.", dt.date(2025, 10, 23), DAY, "Thursday"),
        ("They met last Wednesday.", dt.date(2025, 10, 22), DAY, "last Wednesday"),
        ("A ceasefire on Oct. 19, which both sides say remains.", dt.date(2025, 10, 19), DAY, "Oct. 19"),
        ("signed on October 19", dt.date(2025, 10, 19), DAY, "October 19"),
        ("signed on 19 October", dt.date(2025, 10, 19), DAY, "19 October"),
        ("signed on Dec. 25", dt.date(2024, 12, 25), DAY, "Dec. 25"),
        ("on March 3, 2024 the army moved", dt.date(2024, 3, 3), DAY, "March 3, 2024"),
        ("on 3 March 2024", dt.date(2024, 3, 3), DAY, "3 March 2024"),
        ("clashes earlier this month", dt.date(2025, 10, 1), MONTH, "earlier this month"),
        ("talks last month", dt.date(2025, 9, 1), MONTH, "last month"),
        ("in March 2024", dt.date(2024, 3, 1), MONTH, "March 2024"),
        ("in March", dt.date(2025, 3, 1), MONTH, "in March"),
        ("regained control in 2021", dt.date(2021, 1, 1), YEAR, "in 2021"),
        ("sheltered since 2021", dt.date(2021, 1, 1), YEAR, "since 2021"),
        ("last year", dt.date(2024, 1, 1), YEAR, "last year"),
        ("yesterday", dt.date(2025, 10, 28), DAY, "yesterday"),
        ("today", dt.date(2025, 10, 29), DAY, "today"),
        ("three days ago", dt.date(2025, 10, 26), DAY, "three days ago"),
        ("last week", dt.date(2025, 10, 22), DAY, "last week"),
    ],
)
def test_expressions(sentence: str, date: dt.date, granularity: Granularity, text: str) -> None:
    result = resolve_date(sentence, PUB)
    assert (result.date, result.granularity, result.text) == (date, granularity, text)


def test_first_expression_wins() -> None:
    assert resolve_date("On Monday officials recalled the deal of 2021.", PUB).text == "Monday"


def test_no_expression_defaults_to_publication_date() -> None:
    result = resolve_date("May I say something.", PUB)
    assert (result.date, result.granularity, result.text) == (dt.date(2025, 10, 29), DAY, None)
    assert result.reason == "defaulted to publication date"


def test_relative_expression_without_publication_date_is_empty_with_reason() -> None:
    result = resolve_date("on Wednesday", None)
    assert result.date is None and result.text == "Wednesday" and result.reason


def test_absolute_expression_without_publication_date() -> None:
    assert resolve_date("on March 3, 2024", None).date == dt.date(2024, 3, 3)


def test_nothing_and_no_publication_date() -> None:
    result = resolve_date("nothing here", None)
    assert result.date is None and result.reason == "no date expression and no publication date"


def test_impossible_calendar_date() -> None:
    result = resolve_date("on February 30, 2024", PUB)
    assert result.date is None and result.reason == "not a calendar date"
