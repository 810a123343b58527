"""``make eval-dev``: the rules alone, the classifier alone and the extractor with its classify stage, each on data
it never saw.

* ``conflibert``, ``gsr``, ``voa_dev``: the cross-validation folds. Every sentence is read by the int8 model of the
  fold that never trained on it (``training/cv/<variant>.jsonl``, written by ``make train-cv``), through
  :class:`~powderkeg_extractor.classify.evaluation.TableReader`, so the stage scored is the one the service runs.
* ``voa_holdout``: the 29 held-out VOA articles, read by the shipped model; scored once, at the end.

The systems are the extractor with different classify stages (:data:`SYSTEMS`) and the classifier's own label. The
rules never trained on any of these, but they were tuned by looking at GSR and ConfliBERT errors, so their figures
there are development figures (docs/extraction.md). Source/target token F1 follows ConfliBERT
(``powderkeg_extractor.token_f1``), beside the older span match.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from powderkeg_extractor.classify import SentenceClassifier, SentenceReading
from powderkeg_extractor.classify.evaluation import (
    PENTACODES,
    TableReader,
    classifier_prediction,
    confusion,
    pentacode_label,
    score_labelled,
)
from powderkeg_extractor.classify.keys import sentence_key
from powderkeg_extractor.classify.labels import families_of
from powderkeg_extractor.classify.reading import Reader
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.devdata import add_data_option, dev_data
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
CV_DIR = TRAINING / "cv"
FIRST_CV = CV_DIR / "oof_predictions.jsonl"
_BATCH = 64

SYSTEMS: dict[str, tuple[str, str]] = {
    "rules": ("classify.gate.none.v1", "classify.combine.none.v1"),
    "gated": ("classify.gate.political.v1", "classify.combine.attach.v1"),
    "agree": ("classify.gate.political.v1", "classify.combine.agree.v1"),
}
"""The extractor's classify stage under test: (gate, combine). ``rules`` is the extractor without a classifier."""
CLASSIFIER = "classifier"
Rows = list[dict[str, object]]
Predictions = dict[str, list[Prediction]]


def run_systems(texts: Sequence[str], reader: Reader) -> tuple[Predictions, list[list[Detection]]]:
    """Each system's sentence predictions (every text a one-sentence article), and the rules' detections."""
    from powderkeg_extractor.core.pipeline import Extractor
    from powderkeg_extractor.core.stages import PIPELINE

    base = Extractor.packaged(classifier=False)
    preds: Predictions = {}
    rules: list[list[Detection]] = []
    for name, (gate, combine) in SYSTEMS.items():
        order = [gate, *PIPELINE[1:-1], combine]
        clf = None if name == "rules" else reader
        ex = Extractor(base.nlp, base.lexicon, base.ontology, base.ranker, base.resolvers, order=order, classifier=clf)
        found: list[list[Detection]] = []
        for start in range(0, len(texts), _BATCH):
            batch = [_article(start + i, t) for i, t in enumerate(texts[start : start + _BATCH])]
            found += ex.detect_batch(batch)
        preds[name] = [best_prediction(d) for d in found]
        rules = found if name == "rules" else rules
    preds[CLASSIFIER] = [classifier_prediction(r) for r in reader.classify(texts)]
    return preds, rules


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


def read_oof(path: Path) -> dict[str, tuple[int, SentenceReading]]:
    """The out-of-fold readings of a variant, by sentence key, with their fold."""
    table: dict[str, tuple[int, SentenceReading]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            table[row["key"]] = (int(row["fold"]), SentenceReading.from_probabilities(f"cv-fold{row['fold']}", row))
    return table


def oof_readings(path: Path, texts: Sequence[str]) -> tuple[list[SentenceReading], list[int]]:
    """The out-of-fold reading and fold of each text.

    Raises:
        SystemExit: a text has none (the predictions are of other rows: rerun ``make train-cv``).
    """
    table = read_oof(path)
    readings, folds = [], []
    for text in texts:
        found = table.get(sentence_key(text))
        if found is None:
            raise SystemExit(f"{path}: no out-of-fold prediction for a sentence; rerun `make train-cv`")
        folds.append(found[0])
        readings.append(found[1])
    return readings, folds


def _token_f1s(
    result: dict[str, Any],
    texts: list[str],
    gold: dict[str, list[list[str]]],
    p: list[Prediction],
    subsets: dict[str, list[int]],
) -> None:
    for role, spans in gold.items():
        for suffix, idx in subsets.items():
            score = token_f1([texts[i] for i in idx], [spans[i] for i in idx], [actor_texts(p, role)[i] for i in idx])
            result[f"{role}_token_f1{suffix}"] = score.model_dump()


def eval_conflibert(rows: Rows, readings: list[SentenceReading], folds: list[int]) -> dict[str, Any]:
    texts = [str(r["text"]) for r in rows]
    preds, _rules = run_systems(texts, TableReader.of("oof", texts, readings))
    real = [i for i, r in enumerate(rows) if not r.get("also_in_plover_gsr", False)]
    gold = {role: [list(r[f"{role}_spans"]) for r in rows] for role in ("source", "target")}  # type: ignore[call-overload]
    out: dict[str, Any] = {}
    for name, p in preds.items():
        result: dict[str, Any] = score_conflibert(rows, p)

        def penta(idx: list[int], p: list[Prediction] = p) -> float:
            return float(score_conflibert([rows[i] for i in idx], [p[i] for i in idx])["all"]["pentacode_macro_f1"])  # type: ignore[index]

        result["folds_all"] = per_fold(folds, penta)
        result["folds_real_news"] = per_fold(folds, penta, keep=set(real))
        if name != CLASSIFIER:
            _token_f1s(result, texts, gold, p, {"": list(range(len(rows))), "_real_news": real})
        result["pentacode_confusion"] = confusion(
            [str(r["pentacode"]) for r in rows], [pentacode_label(x) for x in p], list(PENTACODES)
        )
        out[name] = result
    return out


def eval_gsr(rows: Rows, readings: list[SentenceReading], folds: list[int]) -> dict[str, Any]:
    texts = [str(r["text"]) for r in rows]
    preds, _rules = run_systems(texts, TableReader.of("oof", texts, readings))
    out: dict[str, Any] = {}
    for name, p in preds.items():
        result: dict[str, Any] = score_plover(rows, p)
        for figure in ("pentacode_macro_f1", "plover_macro_f1"):

            def score(idx: list[int], f: str = figure, p: list[Prediction] = p) -> float:
                return float(score_plover([rows[i] for i in idx], [p[i] for i in idx])[f])  # type: ignore[arg-type]

            result[f"folds_{figure}"] = per_fold(folds, score)
        out[name] = result
    return out


def side_heads(
    rows: Rows, readings: Sequence[SentenceReading], detections: Sequence[list[Detection]]
) -> dict[str, Any]:
    """Factuality of the gold events (classifier head against the rules' top record) and signal families."""
    events = [i for i, r in enumerate(rows) if r["event"] and r.get("factuality")]
    gold = [str(rows[i]["factuality"]) for i in events]
    clf = [readings[i].factuality.value for i in events]
    tops = [max(detections[i], key=lambda d: d.confidence) if detections[i] else None for i in events]
    ruled = [(g, c, t.record.factuality.value) for g, c, t in zip(gold, clf, tops, strict=True) if t and t.record]
    fam_gold = [set(families_of(r.get("signals") or [])) for r in rows]  # type: ignore[arg-type]
    fam_pred = [set(r.families()) for r in readings]
    tp = sum(len(g & p) for g, p in zip(fam_gold, fam_pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(fam_gold, fam_pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(fam_gold, fam_pred, strict=True))
    precision, recall = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return {
        "factuality_n": len(events),
        "factuality_classifier_accuracy": sum(g == p for g, p in zip(gold, clf, strict=True)) / max(1, len(events)),
        "factuality_classifier_macro_f1": macro_f1(class_scores(gold, clf, sorted(set(gold)))),
        "factuality_rules_n": len(ruled),
        "factuality_rules_accuracy": sum(g == r for g, _c, r in ruled) / max(1, len(ruled)),
        "factuality_classifier_accuracy_on_rules_subset": sum(g == c for g, c, _r in ruled) / max(1, len(ruled)),
        "families_gold": sum(len(g) for g in fam_gold),
        "families_precision": precision,
        "families_recall": recall,
        "families_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def eval_voa(
    rows: Rows, readings: list[SentenceReading], folds: list[int] | None, reader: Reader | None = None
) -> dict[str, Any]:
    """A VOA split; ``reader`` (the packaged model on the holdout) reads the stage's sentences as in the product."""
    texts = [str(r["text"]) for r in rows]
    preds, rules = run_systems(texts, reader or TableReader.of("voa", texts, readings))
    gold = {role: [[str(r[role])] if r.get(role) else [] for r in rows] for role in ("source", "target")}
    out: dict[str, Any] = {"side_heads": side_heads(rows, readings, rules)}
    for name, p in preds.items():
        result: dict[str, Any] = score_labelled(rows, p)
        if folds is not None:
            for figure in ("pentacode_macro_f1", "pentacode_with_none_macro_f1", "event_f1"):

                def score(idx: list[int], f: str = figure, p: list[Prediction] = p) -> float:
                    return float(score_labelled([rows[i] for i in idx], [p[i] for i in idx])[f])  # type: ignore[arg-type]

                result[f"folds_{figure}"] = per_fold(folds, score)
        if name != CLASSIFIER:
            _token_f1s(result, texts, gold, p, {"": list(range(len(rows)))})
        out[name] = result
    return out


def variants(dev: Path, labels: Path) -> dict[str, dict[str, float]]:
    """The classifier alone, per cross-validated variant: the three out-of-fold figures the selection averages."""
    cb = load_gold(dev / "conflibert_dev" / "conflibert_dev.jsonl")
    real = [r for r in cb if not r.get("also_in_plover_gsr", False)]
    gsr = load_gold(dev / "plover_gsr" / "plover_gsr.jsonl")
    out: dict[str, dict[str, float]] = {}
    for path in sorted(CV_DIR.glob("*.jsonl")):
        table = read_oof(path)
        voa = [r for r in load_gold(labels) if r.get("split") == "dev" and sentence_key(str(r["text"])) in table]
        if not voa:
            continue  # not a cross-validation of the variants' folds (no VOA dev article): not comparable

        def read(rows: Rows, table: dict[str, tuple[int, SentenceReading]] = table) -> list[Prediction]:
            return [classifier_prediction(table[sentence_key(str(r["text"]))][1]) for r in rows]

        figures = {
            "conflibert_real_news": float(score_conflibert(real, read(real))["all"]["pentacode_macro_f1"]),  # type: ignore[index]
            "gsr": float(score_plover(gsr, read(gsr))["pentacode_macro_f1"]),  # type: ignore[arg-type]
            "voa_dev_with_none": float(score_labelled(voa, read(voa))["pentacode_with_none_macro_f1"]),  # type: ignore[arg-type]
        }
        figures["voa_dev_event_f1"] = float(score_labelled(voa, read(voa))["event_f1"])  # type: ignore[arg-type]
        figures["selection"] = statistics.fmean(
            [figures["conflibert_real_news"], figures["gsr"], figures["voa_dev_with_none"]]
        )
        out[path.stem] = figures
    return out


def oof_path(variant: str) -> Path:
    """The variant's out-of-fold predictions; for the first recipe (``top2``) without its own file, those of the
    first cross-validation, which folded the GSR and ConfliBERT sentences only (no VOA dev article)."""
    path = CV_DIR / f"{variant}.jsonl"
    if not path.exists() and variant == "top2" and FIRST_CV.exists():
        return FIRST_CV
    return path


def shipped_variant() -> str:
    from powderkeg_extractor.classify import package_dir

    manifest = json.loads((package_dir() / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["training"]["hyperparameters"].get("variant", "top2"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``make eval-dev``."""
    from powderkeg_extractor.classify.report import render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_option(parser)
    parser.add_argument("--splits", default="variants,conflibert,gsr,voa_dev,voa_holdout", help="comma-separated")
    parser.add_argument("--variant", help="the cross-validated variant to score (default: the shipped model's)")
    parser.add_argument("--labels", type=Path, default=TRAINING / "data" / "voa_labels.jsonl")
    parser.add_argument("--model", type=Path, help="model folder for the holdout (default: the packaged model)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.splits.split(",") if s.strip()]
    dev = dev_data(args.data)
    oof = oof_path(args.variant or shipped_variant())
    results: dict[str, Any] = {"variant": oof.stem}
    for split in splits:
        if split == "variants":
            results[split] = variants(dev, args.labels)
        elif split in ("conflibert", "gsr"):
            name = "conflibert_dev/conflibert_dev.jsonl" if split == "conflibert" else "plover_gsr/plover_gsr.jsonl"
            rows = load_gold(dev / name)
            readings, folds = oof_readings(oof, [str(r["text"]) for r in rows])
            results[split] = (eval_conflibert if split == "conflibert" else eval_gsr)(rows, readings, folds)
        elif split == "voa_dev":
            keys = read_oof(oof)
            rows = [
                r for r in load_gold(args.labels) if r.get("split") == "dev" and sentence_key(str(r["text"])) in keys
            ]
            if not rows:
                sys.stderr.write(f"{oof.name}: no VOA dev article was cross-validated; voa_dev skipped\n")
                continue
            readings, folds = oof_readings(oof, [str(r["text"]) for r in rows])
            results[split] = eval_voa(rows, readings, folds)
        elif split == "voa_holdout":
            rows = [r for r in load_gold(args.labels) if r.get("split") == "holdout"]
            clf = SentenceClassifier.load(args.model) if args.model else SentenceClassifier.from_package()
            results[split] = eval_voa(rows, clf.classify([str(r["text"]) for r in rows]), None, clf)
        else:
            sys.stderr.write(f"unknown split {split!r} (variants, conflibert, gsr, voa_dev, voa_holdout)\n")
            return 2
    sys.stdout.write(render(results) + "\n")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
