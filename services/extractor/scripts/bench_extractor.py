"""Benchmark: the extractor against bare ``en_core_web_sm`` ``nlp.pipe`` over the same VOA articles, in one run.

The baseline is what a naive extractor would pay (the full pipeline over every sentence of every article); the
extractor parses only candidate sentences, without NER. Prints articles/s, tokens/s (tokens of the full texts, so
both rows count the same work) and the ratio. Figures, not assertions: speed depends on the machine.

Usage:
    python services/extractor/scripts/bench_extractor.py [--data DIR | --voa voa_stories.jsonl] [--repeat 3]

``--voa`` defaults to ``voa/voa_stories.jsonl`` in the development-data folder (``powderkeg_extractor/devdata.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import json
import sys
import time
from pathlib import Path

from powderkeg_contracts.models import Article, Origin
from powderkeg_extractor.devdata import add_data_option, dev_data


def _articles(path: Path) -> list[Article]:
    now = dt.datetime.now(dt.UTC)
    out: list[Article] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        out.append(
            Article(
                article_id=f"voa-{row['id']}",
                text=text,
                ingested_at=now,
                published_at=now,
                origin=Origin.JSONL,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_option(parser)
    parser.add_argument("--voa", type=Path, help="VOA articles JSONL (default: DATA/voa/voa_stories.jsonl)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each side")
    args = parser.parse_args(argv)

    from powderkeg_extractor.core.nlp import MODEL_PACKAGES
    from powderkeg_extractor.core.pipeline import Extractor

    module = None
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
            break
        except ImportError:
            continue
    if module is None:
        sys.stderr.write("no en_core_web_sm model installed\n")
        return 2
    bare = module.load()
    articles = _articles(args.voa or dev_data(args.data) / "voa" / "voa_stories.jsonl")
    texts = [a.text for a in articles]
    tokens = sum(len(bare.tokenizer(t)) for t in texts)
    extractor = Extractor.packaged()
    extractor.extract_batch(articles[:2])  # warm-up: lexicon, resolver, first-call allocations
    list(bare.pipe(texts[:2]))

    def best(fn: object) -> float:
        times = []
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return min(times)

    t_bare = best(lambda: list(bare.pipe(texts)))
    events: list[int] = []
    t_ext = best(lambda: events.append(sum(len(r) for r in extractor.extract_batch(articles))))
    n = len(articles)
    print(f"{n} VOA articles, {tokens} tokens (best of {args.repeat})")
    print(f"{'':32} {'seconds':>8} {'articles/s':>11} {'tokens/s':>10}")
    print(f"{'bare en_core_web_sm nlp.pipe':32} {t_bare:8.2f} {n / t_bare:11.1f} {tokens / t_bare:10.0f}")
    print(f"{'powderkeg Extractor':32} {t_ext:8.2f} {n / t_ext:11.1f} {tokens / t_ext:10.0f}")
    print(f"ratio extractor/bare throughput: {t_bare / t_ext:.2f}x; events extracted: {events[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
