"""Error analysis on a gold file: confusion matrix, and every miss grouped by its cause.

Causes (first that applies):

* ``nothing``: no trigger at all in the sentence (lexicon gap or pre-filter);
* ``statement``: the top detection is a statement/appeal (CAMEO 01/02) although gold has an event;
* ``wrong-choice``: a candidate of the gold type exists but another candidate was more confident;
* ``wrong-code/<kind>``: no candidate has the gold type; grouped by the kind of the chosen trigger
  (verb default, pattern, supplement, noun, predicate).

Usage:
    python services/extractor/scripts/error_analysis.py DATA/plover_gsr/plover_gsr.jsonl [--show 40]
    python services/extractor/scripts/error_analysis.py DATA/conflibert_dev/conflibert_dev.jsonl --real

where DATA is the development-data folder (see ``powderkeg_extractor/devdata.py``).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ontology import pentacode_of
from powderkeg_extractor.evaluate import NONE, _article, best_prediction, load_gold

_BATCH = 64


def _label(row: dict[str, object], fmt: str) -> str:
    if fmt == "plover":
        return str(row["event_plover_current"])
    return str(row["pentacode"])


def _pred_label(detections: list[Detection], fmt: str) -> str:
    pred = best_prediction(detections)
    if fmt == "plover":
        return pred.label
    return str(pred.pentacode) if pred.pentacode is not None else NONE


def _cand_label(d: Detection, fmt: str) -> str:
    if d.record is None:
        return "STATEMENT" if fmt == "plover" else "0"
    if fmt == "plover":
        return d.record.event_type.value
    return str(pentacode_of(d.cameo_code))


def _cause(gold: str, detections: list[Detection], fmt: str) -> str:
    if not detections:
        return "nothing"
    best = max(detections, key=lambda d: d.confidence)
    if best.record is None and gold not in ("0",):
        return "statement"
    if any(_cand_label(d, fmt) == gold for d in detections):
        return "wrong-choice"
    return f"wrong-code/{best.kind}"


def _describe(d: Detection, fmt: str) -> str:
    return f"{_cand_label(d, fmt)}:{d.cameo_code}:{d.kind}:'{d.trigger}'@{d.confidence:.2f}/d{d.depth}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--real", action="store_true", help="ConfliBERT: only also_in_plover_gsr == false")
    parser.add_argument("--show", type=int, default=30, help="misses to print per cause")
    args = parser.parse_args(argv)

    from powderkeg_extractor.core.pipeline import Extractor

    rows = load_gold(args.gold)
    fmt = "plover" if "event_plover_current" in rows[0] else "conflibert"
    if args.real:
        rows = [r for r in rows if not r.get("also_in_plover_gsr", False)]
    extractor = Extractor.packaged()
    detections: list[list[Detection]] = []
    for start in range(0, len(rows), _BATCH):
        batch = [_article(start + i, str(r["text"])) for i, r in enumerate(rows[start : start + _BATCH])]
        detections.extend(extractor.detect_batch(batch))
    gold = [_label(r, fmt) for r in rows]
    pred = [_pred_label(d, fmt) for d in detections]
    labels = sorted(set(gold) | set(pred))
    confusion = collections.Counter(zip(gold, pred, strict=True))
    width = max(len(lbl) for lbl in labels) + 1
    print("confusion (rows gold, columns predicted)")
    print(" " * width + "".join(f"{lbl[:5]:>6}" for lbl in labels))
    for g in labels:
        print(f"{g:<{width}}" + "".join(f"{confusion[(g, p)] or '.':>6}" for p in labels))
    causes: dict[str, list[int]] = collections.defaultdict(list)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if g != p:
            causes[_cause(g, detections[i], fmt)].append(i)
    oracle = sum(1 for g, ds in zip(gold, detections, strict=True) if any(_cand_label(d, fmt) == g for d in ds))
    print(
        f"\n{len(rows)} sentences, {sum(1 for g, p in zip(gold, pred, strict=True) if g == p)} right; "
        f"oracle (gold among candidates) {oracle}"
    )
    for cause, idx in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"\n## {cause}: {len(idx)}")
        for i in idx[: args.show]:
            cands = " | ".join(_describe(d, fmt) for d in sorted(detections[i], key=lambda d: -d.confidence))
            print(f"- gold {gold[i]} pred {pred[i]}: {rows[i]['text'][:160]}\n    {cands}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
