"""Event dates: resolve the date expression of a sentence against the article's publication date.

Pure rules, one pass of a few compiled patterns. All candidate expressions are collected, expressions inside a longer
one are dropped ("March 3" inside "March 3, 2024") and the first in the sentence wins. Relative expressions
("on Wednesday", "yesterday", "Oct. 19", "last month") need the publication date; without it they resolve to no date
and say why. A sentence with no expression gets the publication date, flagged "defaulted to publication date".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from powderkeg_contracts.models import EventDate, Granularity

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
}
_NO_PUBLICATION = "relative date expression and no publication date"


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    text: str
    date: dt.date | None
    granularity: Granularity | None
    reason: str | None = None


Handler = Callable[[re.Match[str], dt.date | None], tuple[dt.date | None, Granularity | None, str | None]]


def _month(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _safe(year: int, month: int, day: int) -> dt.date | None:
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)


def _full(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    day = _safe(int(m["year"]), _month(m["month"]), int(m["day"]))
    return (day, Granularity.DAY, None) if day else (None, None, "not a calendar date")


def _iso(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    day = _safe(int(m["year"]), int(m["mon"]), int(m["day"]))
    return (day, Granularity.DAY, None) if day else (None, None, "not a calendar date")


def _month_day(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    if pub is None:
        return None, None, _NO_PUBLICATION
    month, day = _month(m["month"]), int(m["day"])
    for year in (pub.year, pub.year - 1):
        found = _safe(year, month, day)
        if found is not None and found <= pub:
            return found, Granularity.DAY, None
    return None, None, "not a calendar date"


def _month_year(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    return dt.date(int(m["year"]), _month(m["month"]), 1), Granularity.MONTH, None


def _month_only(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    if pub is None:
        return None, None, _NO_PUBLICATION
    month = _month(m["month"])
    year = pub.year if month <= pub.month else pub.year - 1
    return dt.date(year, month, 1), Granularity.MONTH, None


def _year(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    year = int(m["year"])
    if pub is not None and year > pub.year + 1:
        return None, None, "year after publication"
    return dt.date(year, 1, 1), Granularity.YEAR, None


def _weekday(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    if pub is None:
        return None, None, _NO_PUBLICATION
    target = _WEEKDAYS.index(m["weekday"].lower())
    back = (pub.weekday() - target) % 7
    if m["last"]:
        back = back or 7
    return pub - dt.timedelta(days=back), Granularity.DAY, None


def _relative(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    if pub is None:
        return None, None, _NO_PUBLICATION
    word = " ".join(m.group().lower().split())
    if word in ("today", "tonight", "this morning", "this afternoon", "this evening", "earlier today"):
        return pub, Granularity.DAY, None
    if word in ("yesterday", "last night", "overnight"):
        return pub - dt.timedelta(days=1), Granularity.DAY, None
    if word == "last week":
        return pub - dt.timedelta(days=7), Granularity.DAY, "a week before publication"
    if word.endswith("this month") or word == "this month":
        return pub.replace(day=1), Granularity.MONTH, None
    if word == "last month":
        first = pub.replace(day=1) - dt.timedelta(days=1)
        return first.replace(day=1), Granularity.MONTH, None
    if word.endswith("this year"):
        return dt.date(pub.year, 1, 1), Granularity.YEAR, None
    return dt.date(pub.year - 1, 1, 1), Granularity.YEAR, None


def _ago(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date | None, Granularity | None, str | None]:
    if pub is None:
        return None, None, _NO_PUBLICATION
    count = int(m["n"]) if m["n"].isdigit() else _NUMBERS[m["n"].lower()]
    unit = m["unit"].lower().rstrip("s")
    if unit == "day":
        return pub - dt.timedelta(days=count), Granularity.DAY, None
    if unit == "week":
        return pub - dt.timedelta(weeks=count), Granularity.DAY, None
    if unit == "month":
        total = pub.year * 12 + pub.month - 1 - count
        return dt.date(total // 12, total % 12 + 1, 1), Granularity.MONTH, None
    return dt.date(pub.year - count, 1, 1), Granularity.YEAR, None


_RULES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), _full),
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"), _full),
    (re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b"), _iso),
    (re.compile(rf"\b{_MONTH}\s+{_YEAR}\b"), _month_year),
    (re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:,\s*)?(?:19|20)\d\d)"), _month_day),
    (re.compile(rf"\b{_DAY}\s+{_MONTH}(?!\s*(?:,\s*)?(?:19|20)\d\d)"), _month_day),
    (
        re.compile(
            rf"(?i:\b(?:in|since|last|this|early|late|mid|until|by|earlier in|later in|from)[\s-]+){_MONTH}\b"
            r"(?!\s*(?:[0-3]?\d\b|(?:19|20)\d\d))"
        ),
        _month_only,
    ),
    (
        re.compile(r"(?i)\b(?P<last>last\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
        _weekday,
    ),
    (
        re.compile(
            r"(?i)\b(?:earlier\s+today|today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|last\s+night"
            r"|overnight|last\s+week|(?:earlier\s+|later\s+)?this\s+month|last\s+month|(?:earlier\s+)?this\s+year"
            r"|last\s+year)\b"
        ),
        _relative,
    ),
    (
        re.compile(
            r"(?i)\b(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a|an)\s+"
            r"(?P<unit>days?|weeks?|months?|years?)\s+ago\b"
        ),
        _ago,
    ),
    (
        re.compile(
            r"(?i:\b(?:in|since|of|by|until|from|during|early|late|mid)[\s-]+){_YEAR}\b".replace("{_YEAR}", _YEAR)
        ),
        _year,
    ),
]


def _candidates(sentence: str, pub: dt.date | None) -> list[_Found]:
    found: list[_Found] = []
    for pattern, handler in _RULES:
        for m in pattern.finditer(sentence):
            date, granularity, reason = handler(m, pub)
            found.append(_Found(m.start(), m.end(), m.group(), date, granularity, reason))
    return [
        f
        for f in found
        if not any(
            o is not f and o.start <= f.start and f.end <= o.end and (o.end - o.start) > (f.end - f.start)
            for o in found
        )
    ]


def date_expressions(sentence: str, published_at: dt.datetime | None) -> list[tuple[int, int, EventDate]]:
    """Every date expression of ``sentence`` (char offsets) with what it resolves to, in text order."""
    pub = published_at.date() if published_at is not None else None
    found = sorted(_candidates(sentence, pub), key=lambda f: (f.start, -(f.end - f.start)))
    return [
        (f.start, f.end, EventDate(date=f.date, granularity=f.granularity, text=f.text.strip(), reason=f.reason))
        for f in found
    ]


def period_end(date: EventDate) -> dt.date | None:
    """The last day of the period an expression names ("in 2021" ends on 2021-12-31, "in March" on March 31)."""
    day = date.date
    if day is None or date.granularity in (None, Granularity.DAY):
        return day
    if date.granularity is Granularity.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return dt.date(day.year, 12, 31)


def resolve_date(sentence: str, published_at: dt.datetime | None) -> EventDate:
    """The date of the first date expression in ``sentence``, resolved against the publication date.

    Args:
        sentence: the evidence sentence (or any text).
        published_at: the article's publication time (timezone-aware), or None when unknown.

    Returns:
        An EventDate with the expression in ``text``; ``date`` None with a ``reason`` when the expression cannot be
        resolved; the publication date with reason "defaulted to publication date" when there is no expression.
    """
    pub = published_at.date() if published_at is not None else None
    found = _candidates(sentence, pub)
    if not found:
        if pub is None:
            return EventDate(reason="no date expression and no publication date")
        return EventDate(date=pub, granularity=Granularity.DAY, reason="defaulted to publication date")
    first = min(found, key=lambda f: (f.start, -(f.end - f.start)))
    return EventDate(date=first.date, granularity=first.granularity, text=first.text.strip(), reason=first.reason)
