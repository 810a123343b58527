"""Stored events and alerts as CSV or Parquet files, filtered like the API (``powderkeg export``).

Columns are ``core.columns``'s, in order. Parquet types come from the table definitions (times as UTC timestamps,
dates as dates, counts as integers), so every file has the same schema whether its first rows are empty or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Boolean, Date, Engine, Float, Integer, SmallInteger, Table

from powderkeg_store import queries, schema
from powderkeg_store.core.columns import ALERT_FIELDS, EVENT_FIELDS
from powderkeg_store.core.filters import AlertQuery, EventQuery
from powderkeg_store.core.tabular import csv_lines

Kind = Literal["events", "alerts"]
CHUNK = 10_000


def _arrow_schema(table: Table, fields: tuple[str, ...]) -> Any:
    import pyarrow as pa

    def arrow_type(column: Any) -> Any:
        t = column.type
        if isinstance(t, schema.UTCDateTime):
            return pa.timestamp("us", tz="UTC")
        if isinstance(t, Date):
            return pa.date32()
        if isinstance(t, Boolean):
            return pa.bool_()
        if isinstance(t, Integer | SmallInteger):
            return pa.int64()
        if isinstance(t, Float):
            return pa.float64()
        return pa.string()

    return pa.schema([(name, arrow_type(table.c[name])) for name in fields])


def _rows(engine: Engine, kind: Kind, query: EventQuery | AlertQuery) -> Iterator[dict[str, Any]]:
    with engine.connect() as conn:
        rows: Iterable[Any] = (
            queries.event_rows(conn, query) if isinstance(query, EventQuery) else queries.alert_rows(conn, query)
        )
        for row in rows:
            yield dict(row._mapping)


def export(
    engine: Engine, kind: Kind, query: EventQuery | AlertQuery, out: Path, fmt: Literal["csv", "parquet"]
) -> int:
    """Write every matching row to ``out``; returns the number of rows."""
    fields = EVENT_FIELDS if kind == "events" else ALERT_FIELDS
    rows = _rows(engine, kind, query)
    count = 0
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as fh:
            for i, line in enumerate(csv_lines(fields, rows)):
                fh.write(line)
                count = i
        return count
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = _arrow_schema(schema.events if kind == "events" else schema.alerts, fields)
    with pq.ParquetWriter(out, arrow, compression="zstd") as writer:
        while chunk := list(islice(rows, CHUNK)):
            writer.write_table(pa.Table.from_pylist([{f: r.get(f) for f in fields} for r in chunk], schema=arrow))
            count += len(chunk)
    return count
