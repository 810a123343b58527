"""``make eval-classifier``: the rules alone, the classifier alone and their combination, on data each never saw.

* ``voa_holdout``: the 29 held-out VOA articles of ``training/data/voa_labels.jsonl`` (never trained or tuned on),
  scored with the shipped int8 model.
* ``conflibert`` and ``gsr``: the development sets, scored with the out-of-fold probabilities of
  ``training/cv/oof_predictions.jsonl`` (``make train-cv``: each sentence by the int8 model of the fold that never
  trained on it). Mean and standard deviation over the folds, and the pooled figures.

The rules never trained on any of these, but they were tuned by looking at GSR and ConfliBERT errors, so their
figures there are development figures (docs/extraction.md). The combination is the offline simulation of the
integration policy in ``powderkeg_extractor.classify.evaluation``. Source/target token F1 follows ConfliBERT
(``powderkeg_extractor.token_f1``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from powderkeg_extractor.classify import SentenceClassifier, SentenceReading
from powderkeg_extractor.classify.evaluation import (
    PENTACODES,
    classifier_prediction,
    combine,
    confusion,
    gate,
    pentacode_label,
    score_labelled,
)
from powderkeg_extractor.classify.keys import sentence_key
from powderkeg_extractor.classify.labels import families_of
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.devdata import dev_data
from powderkeg_extractor.evaluate import (
    Prediction,
    _article,
    best_prediction,
    class_scores,
    load_gold,
    macro_f1,
    score_conflibert,
    score_plover,
)
from powderkeg_extractor.token_f1 import token_f1

REPO = Path(__file__).resolve().parents[3]
TRAINING = REPO / "services" / "extractor" / "training"
_BATCH = 64


def detect_all(texts: Sequence[str]) -> list[list[Detection]]:
    """Every rules detection of each text, read as a one-sentence article (the protocol of ``evaluate``)."""
    from powderkeg_extractor.core.pipeline import Extractor

    extractor = Extractor.packaged()
    out: list[list[Detection]] = []
    for start in range(0, len(texts), _BATCH):
        out += extractor.detect_batch([_article(start + i, t) for i, t in enumerate(texts[start : start + _BATCH])])
    return out


def systems(readings: Sequence[SentenceReading], detections: Sequence[list[Detection]]) -> dict[str, list[Prediction]]:
    return {
        "rules": [best_prediction(d) for d in detections],
        "rules_gated": [gate(r, best_prediction(d)) for r, d in zip(readings, detections, strict=True)],
        "classifier": [classifier_prediction(r) for r in readings],
        "combination": [combine(r, d) for r, d in zip(readings, detections, strict=True)],
        "combination_strict": [combine(r, d, strict=True) for r, d in zip(readings, detections, strict=True)],
    }


def actor_texts(preds: Sequence[Prediction], role: str) -> list[list[str | None]]:
    return [[a.text for a in (p.actors if role == "source" else p.recipients)] for p in preds]


def spread(values: Sequence[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0}


def per_fold(
    folds: Sequence[int], figure: Callable[[list[int]], float], keep: set[int] | None = None
) -> dict[str, float]:
    """Mean and standard deviation of ``figure`` over the folds (optionally only the rows in ``keep``)."""
    groups = [[i for i, f in enumerate(folds) if f == k and (keep is None or i in keep)] for k in sorted(set(folds))]
    return spread([figure(idx) for idx in groups])


def oof_readings(path: Path, texts: Sequence[str]) -> tuple[list[SentenceReading], list[int]]:
    table: dict[str, dict[str, object]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            table[row["key"]] = row
    readings, folds = [], []
    for text in texts:
        row = table.get(sentence_key(text))
        if row is None:
            raise SystemExit(f"{path}: no out-of-fold prediction for a sentence; rerun `make train-cv`")
        readings.append(SentenceReading.from_probabilities(f"cv-fold{row['fold']}", row))  # type: ignore[arg-type]
        folds.append(int(row["fold"]))  # type: ignore[call-overload]
    return readings, folds


def eval_conflibert(
    rows: list[dict[str, object]], readings: list[SentenceReading], folds: list[int]
) -> dict[str, object]:
    preds = systems(readings, detect_all([str(r["text"]) for r in rows]))
    texts = [str(r["text"]) for r in rows]
    out: dict[str, object] = {}
    real = [i for i, r in enumerate(rows) if not r.get("also_in_plover_gsr", False)]
    for name, p in preds.items():
        result = score_conflibert(rows, p)

        def penta(idx: list[int], p: list[Prediction] = p) -> float:
            sub = score_conflibert([rows[i] for i in idx], [p[i] for i in idx])
            return float(sub["all"]["pentacode_macro_f1"])  # type: ignore[index]

        result["folds_all"] = per_fold(folds, penta)
        result["folds_real_news"] = per_fold(folds, penta, keep=set(real))
        if name != "classifier":
            for role, field in (("source", "source_spans"), ("target", "target_spans")):
                gold = [list(r[field]) for r in rows]  # type: ignore[call-overload]
                result[f"{role}_token_f1"] = token_f1(texts, gold, actor_texts(p, role)).model_dump()
                score = token_f1(
                    [texts[i] for i in real], [gold[i] for i in real], [actor_texts(p, role)[i] for i in real]
                )
                result[f"{role}_token_f1_real_news"] = score.model_dump()
        gold = [str(r["pentacode"]) for r in rows]
        result["pentacode_confusion"] = confusion(gold, [pentacode_label(x) for x in p], list(PENTACODES))
        out[name] = result
    return out


def eval_gsr(rows: list[dict[str, object]], readings: list[SentenceReading], folds: list[int]) -> dict[str, object]:
    preds = systems(readings, detect_all([str(r["text"]) for r in rows]))
    out: dict[str, object] = {}
    for name, p in preds.items():
        result = score_plover(rows, p)
        for figure in ("pentacode_macro_f1", "plover_macro_f1"):

            def score(idx: list[int], f: str = figure, p: list[Prediction] = p) -> float:
                return float(score_plover([rows[i] for i in idx], [p[i] for i in idx])[f])  # type: ignore[arg-type]

            result[f"folds_{figure}"] = per_fold(folds, score)
        out[name] = result
    return out


def side_heads(
    rows: Sequence[dict[str, object]], readings: Sequence[SentenceReading], detections: Sequence[list[Detection]]
) -> dict[str, object]:
    """Factuality of the gold events (classifier head against the rules' top record) and signal families."""
    events = [i for i, r in enumerate(rows) if r["event"] and r.get("factuality")]
    gold = [str(rows[i]["factuality"]) for i in events]
    clf = [readings[i].factuality.value for i in events]
    tops = [max(detections[i], key=lambda d: d.confidence) if detections[i] else None for i in events]
    ruled = [(g, t.record.factuality.value) for g, t in zip(gold, tops, strict=True) if t and t.record]
    labels = sorted(set(gold))
    fam_gold = [set(families_of(r.get("signals") or [])) for r in rows]  # type: ignore[arg-type]
    fam_pred = [set(r.families()) for r in readings]
    tp = sum(len(g & p) for g, p in zip(fam_gold, fam_pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(fam_gold, fam_pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(fam_gold, fam_pred, strict=True))
    precision, recall = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return {
        "factuality_n": len(events),
        "factuality_classifier_accuracy": sum(g == p for g, p in zip(gold, clf, strict=True)) / max(1, len(events)),
        "factuality_classifier_macro_f1": macro_f1(class_scores(gold, clf, labels)),
        "factuality_rules_n": len(ruled),
        "factuality_rules_accuracy": sum(g == p for g, p in ruled) / max(1, len(ruled)),
        "factuality_classifier_accuracy_on_rules_subset": sum(
            g == p for (g, p), t in zip(zip(gold, clf, strict=True), tops, strict=True) if t and t.record
        )
        / max(1, len(ruled)),
        "families_gold": sum(len(g) for g in fam_gold),
        "families_precision": precision,
        "families_recall": recall,
        "families_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def eval_voa(rows: list[dict[str, object]], readings: list[SentenceReading]) -> dict[str, object]:
    texts = [str(r["text"]) for r in rows]
    detections = detect_all(texts)
    preds = systems(readings, detections)
    out: dict[str, object] = {"side_heads": side_heads(rows, readings, detections)}
    for name, p in preds.items():
        result = score_labelled(rows, p)
        if name != "classifier":
            for role in ("source", "target"):
                gold = [[str(r[role])] if r.get(role) else [] for r in rows]
                result[f"{role}_token_f1"] = token_f1(texts, gold, actor_texts(p, role)).model_dump()
        out[name] = result
    return out


def dev_data_dir(value: str | None) -> Path:
    """``--dev-data``, else the ``POWDERKEG_DEV_DATA`` setting (:func:`powderkeg_extractor.devdata.dev_data`)."""
    if value is None:
        return dev_data()
    path = Path(value)
    return path if path.is_absolute() else REPO / path


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``make eval-classifier``."""
    from powderkeg_extractor.classify.report import render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", help="development data folder (default: $POWDERKEG_DEV_DATA or ../shared/data)")
    parser.add_argument("--splits", default="conflibert,gsr,voa_holdout", help="comma-separated subset to score")
    parser.add_argument("--oof", type=Path, default=TRAINING / "cv" / "oof_predictions.jsonl")
    parser.add_argument("--labels", type=Path, default=TRAINING / "data" / "voa_labels.jsonl")
    parser.add_argument("--model", type=Path, help="model folder (default: the packaged model)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.splits.split(",") if s.strip()]
    dev = dev_data_dir(args.dev_data)
    results: dict[str, object] = {}
    for split in splits:
        if split == "conflibert":
            rows = load_gold(dev / "conflibert_dev" / "conflibert_dev.jsonl")
            readings, folds = oof_readings(args.oof, [str(r["text"]) for r in rows])
            results[split] = eval_conflibert(rows, readings, folds)
        elif split == "gsr":
            rows = load_gold(dev / "plover_gsr" / "plover_gsr.jsonl")
            readings, folds = oof_readings(args.oof, [str(r["text"]) for r in rows])
            results[split] = eval_gsr(rows, readings, folds)
        elif split == "voa_holdout":
            rows = [r for r in load_gold(args.labels) if r.get("split") == "holdout"]
            clf = SentenceClassifier.load(args.model) if args.model else SentenceClassifier.from_package()
            results[split] = eval_voa(rows, clf.classify([str(r["text"]) for r in rows]))
        else:
            sys.stderr.write(f"unknown split {split!r} (conflibert, gsr, voa_holdout)\n")
            return 2
    sys.stdout.write(render(results) + "\n")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
