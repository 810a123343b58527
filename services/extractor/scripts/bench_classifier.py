"""Benchmark: the int8 sentence classifier on one and two threads against full ``en_core_web_sm``, in one run.

The same sentences for every row (all 2,744 sentences of the labelled VOA articles, in the repository). Prints
sentences/s (best of N) and the process's resident memory after each stage. Figures, not assertions: the
development machine is shared, so compare the rows of one run, not runs of different days.

Usage:
    python services/extractor/scripts/bench_classifier.py [--repeat 3] [--limit N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "training" / "data" / "voa_labels.jsonl"


def rss_mb() -> float:
    """Current resident set size of this process (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each row")
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    args = parser.parse_args(argv)
    texts = [json.loads(line)["text"] for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = texts[: args.limit]
    rows: list[tuple[str, float, float]] = []
    start_rss = rss_mb()

    from powderkeg_extractor.classify import SentenceClassifier

    for threads in (1, 2):
        clf = SentenceClassifier.from_package(threads=threads)
        clf.classify(texts[:32])
        seconds = best(lambda clf=clf: clf.classify(texts), args.repeat)  # type: ignore[misc]
        rows.append((f"int8 MiniLM-L6 classifier, {threads} thread(s)", len(texts) / seconds, rss_mb()))
        del clf

    from powderkeg_extractor.core.nlp import MODEL_PACKAGES

    nlp = None
    for name in MODEL_PACKAGES:
        try:
            nlp = importlib.import_module(name).load()
            break
        except ImportError:
            continue
    if nlp is None:
        sys.stderr.write("no en_core_web_sm model installed\n")
        return 2
    list(nlp.pipe(texts[:32]))
    seconds = best(lambda: list(nlp.pipe(texts)), args.repeat)
    rows.append(("full en_core_web_sm pipeline (nlp.pipe)", len(texts) / seconds, rss_mb()))

    sys.stdout.write(f"{len(texts)} sentences, best of {args.repeat}; RSS before loading: {start_rss:.0f} MB\n\n")
    sys.stdout.write("| what | sentences/s | process RSS after (MB) |\n|---|---:|---:|\n")
    for name, rate, rss in rows:
        sys.stdout.write(f"| {name} | {rate:.0f} | {rss:.0f} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
