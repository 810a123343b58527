"""``powderkeg``: one command line for the embedded pipeline, the three services and the offline tools.

Service and tool commands are imported only when chosen, so ``powderkeg ingest`` never loads spaCy and
``powderkeg --help`` starts instantly. Each delegated command parses its own arguments and has its own ``--help``.

Before any command runs, every ``POWDERKEG_*`` variable of the environment and of ``.env`` must be one that some
settings class reads (a misspelt name is an error naming the closest valid one), and a setting whose value is not
allowed ends the command with one line per problem and exit status 2, not a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from powderkeg_runtime.settings import SettingsError, check_environment

EXIT_SETTINGS = 2
EXIT_INTERRUPTED = 130

# command -> (module, help). Each module exposes ``main(argv: list[str]) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("powderkeg_cli.embedded", "Run the whole pipeline in one process over files or folders (no broker)."),
    "ingest": ("powderkeg_ingest.service", "Ingest service: files, folders, JSONL, stdin, feeds, HTTP push -> Kafka."),
    "extractor": ("powderkeg_extractor.app", "Extractor service: articles -> events (faust worker)."),
    "alerting": ("powderkeg_alerting.app", "Alerting service: events -> alerts, Alertmanager, webhooks (faust)."),
    "store": ("powderkeg_store.service", "Store service: events, alerts -> PostgreSQL; query API and web console."),
    "export": ("powderkeg_cli.export", "Write stored events or alerts as CSV or Parquet, filtered like the API."),
    "extract": ("powderkeg_extractor.offline", "Offline: JSONL or text files in, event records as JSONL out."),
    "eval": ("powderkeg_extractor.evaluate", "Score the extractor against a gold file (PLOVER or pentacode format)."),
    "eval-alerts": ("powderkeg_cli.eval_alerts", "Score the alerts against gold sentences and labelled VOA articles."),
    "bench": ("powderkeg_cli.bench", "Benchmark bare spaCy, the embedded pipeline and the pipeline through Kafka."),
    "bench-scale": ("powderkeg_cli.bench_scale", "Benchmark 1 and 2 workers of each service draining the same load."),
    "dlq": ("powderkeg_cli.dlq", "List dead letters and replay them after a fix."),
    "schemas": ("powderkeg_cli.schemas", "Write or check the JSON Schema files generated from the contracts."),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="powderkeg",
        description="Powderkeg: streaming escalation alerts from the news. Run `powderkeg COMMAND --help` for a "
        "command's options.",
    )
    parser.add_argument("--version", action="version", version=f"powderkeg {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _version() -> str:
    try:
        return version("powderkeg")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _settings_failed(command: str, error: SettingsError) -> int:
    for problem in error.problems:
        print(f"powderkeg {command}: error: {problem}", file=sys.stderr)
    return EXIT_SETTINGS


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not args or args[0] in {"-h", "--help", "--version"}:
        if args and args[0] == "--version":
            parser.parse_args(args[:1])  # prints the version and exits
        parser.print_help()
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        parser.error(f"unknown command {command!r} (choose from {', '.join(COMMANDS)})")
    from powderkeg_cli.envdoc import settings_classes

    try:
        check_environment(cls for _, cls in settings_classes())
        module = importlib.import_module(COMMANDS[command][0])
        entry: Callable[[list[str]], int] = module.main
        return entry(rest)
    except SettingsError as exc:
        return _settings_failed(command, exc)
    except KeyboardInterrupt:  # Ctrl-C in a command that has no handler of its own: stop, without a traceback
        print(f"powderkeg {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
