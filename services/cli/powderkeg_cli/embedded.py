"""``powderkeg run``: the whole pipeline in one process, no broker.

The same pure cores the services run (ingest's normalise/de-duplicate, the extractor, the alert engine) wired
directly: files in, alerts out. Useful to try Powderkeg on a laptop, to replay a folder of articles, and as the
reference the Kafka pipeline is compared with.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from powderkeg_contracts import Alert, Article, ArticleOutcome, EventRecord
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.settings import configured_extractor
from powderkeg_ingest.core.near import NearIndex
from powderkeg_ingest.core.pipeline import IngestCore, IngestResult, RawArticle
from powderkeg_ingest.sources.files import InputError, read_inputs
from powderkeg_runtime.settings import DevDataSettings

REPO_ROOT = Path(__file__).resolve().parents[3]
MAX_FILE_BYTES = 50_000_000


def default_voa_path(dev_data: DevDataSettings) -> Path:
    """The 89 VOA articles of the development data (``POWDERKEG_DEV_DATA``) when present, else the selection
    committed in seeds/."""
    full = dev_data.path("voa", "voa_stories.jsonl")
    return full if full.exists() else REPO_ROOT / "seeds" / "voa" / "voa_selection.jsonl"


@dataclass
class PipelineResult:
    articles: list[Article] = field(default_factory=list)
    ingest: list[IngestResult] = field(default_factory=list)
    input_errors: list[InputError] = field(default_factory=list)
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    """The latest revision of every alert, in the order alerts were first raised."""
    revisions: list[Alert] = field(default_factory=list)
    """Every revision of every alert, in the order they were made."""


def run_pipeline(
    raws: Iterable[RawArticle],
    *,
    input_errors: Sequence[InputError] = (),
    now: datetime | None = None,
    extractor: Extractor | None = None,
) -> PipelineResult:
    """Ingest, extract and alert over ``raws`` in one process (``extractor``: a loaded one to reuse)."""
    from powderkeg_alerting.core.engine import AlertEngine
    from powderkeg_extractor.outcome import process_articles

    clock = now or datetime.now(UTC)
    result = PipelineResult(input_errors=list(input_errors))
    core = IngestCore(near=NearIndex())
    for raw in raws:
        decision = core.accept(raw, now=clock)
        result.ingest.append(decision)
        if decision.article is not None:
            result.articles.append(decision.article)
    extractor = extractor or configured_extractor()
    processed = process_articles(extractor, result.articles, languages=("en",), max_chars=10_000_000, now=clock)
    engine = AlertEngine()
    latest: dict[str, Alert] = {}
    for item in processed:
        result.outcomes.append(item.outcome)
        for event in item.events:
            result.events.append(event)
            for alert in engine.process(event):
                latest[alert.alert_id] = alert
                result.revisions.append(alert)
    result.alerts = list(latest.values())
    return result


def _read(paths: Sequence[str]) -> tuple[list[RawArticle], list[InputError]]:
    raws: list[RawArticle] = []
    errors: list[InputError] = []
    for item in read_inputs(paths, stdin=sys.stdin.buffer, max_file_bytes=MAX_FILE_BYTES):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            raws.append(item.raw)
    return raws, errors


SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def for_duty_officer(alerts: Sequence[Alert]) -> list[Alert]:
    """Most severe first, then the most recent: the order a duty officer reads in."""
    return sorted(alerts, key=lambda a: (SEVERITY_RANK[a.severity.value], -a.last_seen.timestamp(), a.alert_id))


def _print_table(result: PipelineResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    if console.width < 120:
        console = Console(width=120)
    table = Table(title=f"Powderkeg alerts ({len(result.alerts)}), most severe first", show_lines=True, expand=True)
    table.add_column("signal", style="bold", overflow="fold")
    table.add_column("sev.")
    table.add_column("sides", style="cyan", overflow="fold")
    table.add_column("factuality")
    table.add_column("art.", justify="right")
    table.add_column("first seen")
    table.add_column("summary and evidence", overflow="fold", ratio=1)
    for alert in for_duty_officer(result.alerts):
        sev_style = {"critical": "bold red", "warning": "yellow"}.get(alert.severity.value, "")
        evidence = alert.evidence[0] if alert.evidence else ""
        evidence = evidence if len(evidence) <= 220 else evidence[:217] + "..."
        claimed = f"claimed by {', '.join(alert.claimed_by)}" if alert.claimed_by else "asserted"
        table.add_row(
            alert.signal,
            f"[{sev_style}]{alert.severity.value}[/]" if sev_style else alert.severity.value,
            f"{alert.sides.label}\n[dim]{alert.kind.value}[/]",
            f"{claimed}\nconf {alert.confidence:.2f}",
            str(len(alert.article_ids)),
            alert.first_seen.strftime("%Y-%m-%d %H:%M"),
            f"{alert.summary}\n[dim]“{evidence}”[/]" + (f"\n[blue]{alert.urls[-1]}[/]" if alert.urls else ""),
        )
    console.print(table)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="powderkeg run",
        description="Run ingest, extraction and alerting in one process over files, folders, JSONL or stdin (-), "
        "and print the alerts. No Kafka broker needed.",
    )
    parser.add_argument("paths", nargs="*", default=["seeds"], help="Files or folders (default: seeds).")
    parser.add_argument("--json", action="store_true", help="Print one JSON object per alert per line.")
    parser.add_argument("--events", action="store_true", help="Also print every event record as JSON lines.")
    parser.add_argument(
        "--serve", action="store_true", help="Keep the results in a SQLite store and open the web console on them."
    )
    parser.add_argument("--store", default=".powderkeg/store.sqlite", help="SQLite file of --serve (kept).")
    parser.add_argument("--port", type=int, default=8090, help="Port of the console with --serve (0: any free port).")
    args = parser.parse_args(argv)
    raws, errors = _read(args.paths)
    result = run_pipeline(raws, input_errors=errors)
    for error in errors:
        print(f"input error: {error.ref}: {error.reason}: {error.message}", file=sys.stderr)
    for decision in result.ingest:
        if decision.kind == "rejected":
            print(f"rejected: {decision.reason}: {decision.message}", file=sys.stderr)
    if args.events:
        for event in result.events:
            print(event.model_dump_json())
    if args.json:
        for alert in for_duty_officer(result.alerts):
            print(alert.model_dump_json())
    else:
        _print_table(result)
    duplicates = sum(1 for d in result.ingest if d.kind in {"exact_duplicate", "near_duplicate"})
    print(
        f"{len(raws)} inputs, {len(result.articles)} articles ({duplicates} duplicates), {len(errors)} input errors, "
        f"{len(result.events)} events, {len(result.alerts)} alerts",
        file=sys.stderr,
    )
    if args.serve:
        from powderkeg_cli.console import serve_results

        return serve_results(result, store=args.store, port=args.port)
    return 1 if errors else 0
