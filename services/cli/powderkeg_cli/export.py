"""``powderkeg export``: stored events or alerts as CSV or Parquet, with the API's filters as options.

The filter options are generated from the API's filter models, so ``--country``, ``--since`` and the rest mean
exactly what the query parameters of ``/v1/events`` and ``/v1/alerts`` mean (lists comma-separated, times ISO 8601
or a span back such as ``7d``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

SKIPPED = {"limit", "cursor"}


def build_parser() -> argparse.ArgumentParser:
    from powderkeg_store.core.filters import AlertQuery, EventQuery

    parser = argparse.ArgumentParser(
        prog="powderkeg export",
        description="Write stored events or alerts as CSV (GDELT/ACLED-friendly flat columns, see docs/store.md) "
        "or Parquet. Example: powderkeg export events --country PAK --since 7d -o pak.csv",
    )
    sub = parser.add_subparsers(dest="kind", required=True)
    for kind, model in (("events", EventQuery), ("alerts", AlertQuery)):
        p = sub.add_parser(kind, help=f"Export {kind}.")
        p.add_argument("-o", "--output", required=True, type=Path, help="File to write (.csv or .parquet).")
        p.add_argument("--format", choices=["csv", "parquet"], help="Default: from the output's suffix.")
        p.add_argument("--database-url", help="Default: POWDERKEG_STORE_DATABASE_URL.")
        for name, field in model.model_fields.items():
            if name not in SKIPPED:
                p.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}", help=field.description)
    return parser


def main(argv: list[str]) -> int:
    from powderkeg_store.core.filters import AlertQuery, EventQuery, FilterError, parse_query
    from powderkeg_store.db import open_store
    from powderkeg_store.export import export
    from powderkeg_store.settings import StoreSettings

    args = build_parser().parse_args(argv)
    wanted = args.format or args.output.suffix.lstrip(".")
    fmt: Literal["csv", "parquet"] = "parquet" if wanted == "parquet" else "csv"
    params = {k.removeprefix("filter_"): v for k, v in vars(args).items() if k.startswith("filter_") and v is not None}
    try:
        query: EventQuery | AlertQuery = (
            parse_query(EventQuery, params, datetime.now(UTC))
            if args.kind == "events"
            else parse_query(AlertQuery, params, datetime.now(UTC))
        )
    except FilterError as exc:
        print(f"powderkeg export: --{exc.field.replace('_', '-')}: {exc.message}", file=sys.stderr)
        return 2
    engine = open_store(args.database_url or StoreSettings().store_database_url)
    try:
        count = export(engine, args.kind, query, args.output, fmt)
    finally:
        engine.dispose()
    print(f"{count} {args.kind} written to {args.output} ({fmt})", file=sys.stderr)
    return 0
