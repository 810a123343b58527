"""The extractor alone, with and without its sentence classifier, and bare spaCy: each in a fresh process.

A fresh process per measurement so that each one's resident memory (peak RSS) is its own: loading spaCy, the
gazetteer and the classifier is what the RSS figure is about. Articles are extracted one at a time, as the
extractor service does (one article per Kafka message); the best of ``repeat`` passes is kept.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setup:
    name: str
    classifier: bool
    workers: int = 1


SETUPS: tuple[Setup, ...] = (
    Setup("extractor, rules alone", classifier=False),
    Setup("extractor + classifier, 1 worker", classifier=True, workers=1),
    Setup("extractor + classifier, 2 workers", classifier=True, workers=2),
)


def _articles(path: Path, limit: int | None) -> list[Any]:
    from powderkeg_cli.bench import _load_articles
    from powderkeg_ingest.core.pipeline import IngestCore

    core = IngestCore()
    now = datetime.now(UTC)
    out = [core.accept(raw, now=now).article for raw in _load_articles(path, limit, 1)]
    return [a for a in out if a is not None]


def _rss_mb() -> float:
    """This process's peak resident memory, MB.

    ``VmHWM`` belongs to the process image, so a spawned child does not report its parent's peak, as
    ``getrusage(RUSAGE_SELF).ru_maxrss`` does on Linux (it survives ``exec``); that is the fallback elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare(path: Path, limit: int | None, repeat: int) -> dict[str, Any]:
    import importlib

    from powderkeg_extractor.core.nlp import MODEL_PACKAGES

    texts = [a.text for a in _articles(path, limit)]
    for name in MODEL_PACKAGES:
        try:
            nlp = importlib.import_module(name).load()
            break
        except ImportError:
            continue
    else:
        raise SystemExit(f"none of {', '.join(MODEL_PACKAGES)} is installed")
    list(nlp.pipe(texts[:2]))
    best, tokens = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16))
        best = min(best, time.perf_counter() - start)
    return {"articles": len(texts), "tokens": tokens, "seconds": best, "rss_mb": _rss_mb()}


def _extract(setup: Setup, path: Path, limit: int | None, repeat: int) -> dict[str, Any]:
    from powderkeg_extractor.core.pipeline import Extractor

    articles = _articles(path, limit)
    extractor = Extractor.packaged(classifier=setup.classifier, classifier_workers=setup.workers)
    extractor.extract(articles[0])
    best, records = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        records = sum(len(extractor.extract(a)) for a in articles)
        best = min(best, time.perf_counter() - start)
    candidates = [a.text[s:e] for a in articles for s, e in extractor._candidates(a.text)]
    parsed = len(candidates)
    if extractor.classifier is not None:
        parsed = sum(1 for r in extractor.classifier.classify(candidates) if r.political >= 0.5)
    return {
        "articles": len(articles),
        "seconds": best,
        "records": records,
        "candidates": len(candidates),
        "parsed": parsed,
        "rss_mb": _rss_mb(),
        "classifier": extractor.classifier is not None,
    }


def _child(queue: Any, setup: Setup | None, path: Path, limit: int | None, repeat: int) -> None:
    queue.put(_bare(path, limit, repeat) if setup is None else _extract(setup, path, limit, repeat))


def measure(setup: Setup | None, path: Path, limit: int | None, repeat: int) -> dict[str, Any]:
    """One measurement in a fresh (spawned) process: bare spaCy for ``setup`` None, else the extractor."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, setup, path, limit, repeat))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def report(path: Path, limit: int | None, repeat: int) -> list[dict[str, Any]]:
    """Bare spaCy and every setup, printed as one table with the ratio to bare spaCy of the same run."""
    bare = measure(None, path, limit, repeat)
    rows = [{"name": "bare spaCy nlp.pipe (en_core_web_sm, full texts)", **bare}]
    rows += [{"name": s.name, **measure(s, path, limit, repeat)} for s in SETUPS]
    base = bare["articles"] / bare["seconds"]
    print(f"\nin fresh processes, best of {repeat}, articles one at a time (the extractor service's unit):")
    print(f"{'measurement':<52}{'articles/s':>12}{'x bare':>8}{'peak RSS MB':>13}{'parsed':>14}")
    for row in rows:
        rate = row["articles"] / row["seconds"]
        parsed = f"{row['parsed']}/{row['candidates']}" if "parsed" in row else "all"
        print(f"{row['name']:<52}{rate:>12.2f}{rate / base:>8.2f}{row['rss_mb']:>13.0f}{parsed:>14}")
        row["articles_per_s"], row["ratio"] = rate, rate / base
    if any(r.get("classifier") is False for r in rows[2:]):
        print("  (the classifier did not load: see the warning above; those rows are the rules alone)")
    return rows
