"""Rows to CSV text, the same for the API (``format=csv``) and ``powderkeg export``.

Values are written as analysts' tools read them: times in ISO 8601 UTC, booleans as ``true``/``false``, empty
fields for missing values, and text that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) prefixed with
an apostrophe, so that an opened export never runs anything an article's text put there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """The CSV text of one value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    text = str(value)
    if text.startswith(_FORMULA) and not _numeric(text):
        return "'" + text
    return text


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header line, then one line per row (``\\r\\n`` endings, RFC 4180 quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(row.get(f)) for f in fields])
        yield buffer.getvalue()
