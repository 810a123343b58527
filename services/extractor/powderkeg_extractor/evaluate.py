"""``powderkeg eval GOLD.jsonl``: score the extractor against a gold file of coded sentences.

Protocol (sentence level): every gold sentence is run through the extractor as a one-sentence article. The
sentence's predicted label is the PLOVER type of its most confident detection, or ``none`` when nothing is
detected or when the most confident detection is a statement (CAMEO 01/02, which has no PLOVER type). Its predicted
pentacode is that detection's pentacode (statements count as class 0); the actor and recipient are that detection's.

Two gold formats, detected from the first line:

* PLOVER (``event_plover_current``, ``actor[{code}]``, ``recipient[...]``): per-type precision/recall/F1 over the
  16 PLOVER types, macro-F1; quad-class macro-F1 (gold: ``quad_plover_manual``; predicted: the PLOVER manual's quad
  of the predicted type); pentacode macro-F1 where the pentacode is the quad class as 1-4 and statements are 0 (the
  PLOVER file has no statements, so SANCTION counts as verbal conflict on both sides); source and recipient country
  accuracy over sentences whose gold side names at least one country.
* ConfliBERT (``pentacode``, ``source_spans``, ``target_spans``): pentacode macro-F1 over 0-4 (predicted from the
  CAMEO root), source/target token F1 (ConfliBERT's measure, ``token_f1.py``) and span match (a predicted actor
  text matches when it and a gold span contain one another after normalisation), overall and on the real-news
  subset (``also_in_plover_gsr`` false).

It scores the rule coder alone: the packaged sentence classifier was trained on these files, so its figures come
from cross-validation instead (``evaluate_classifier.py``, ``make eval-dev``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from powderkeg_contracts.models import Actor, Article, Origin, PloverType
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ontology import QUAD_OF_TYPE, QUAD_PENTACODE, pentacode_of
from powderkeg_extractor.token_f1 import token_f1

NONE = "none"
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_CODE_FIXES = {"JAP": "JPN", "ITL": "ITA"}
_NON_COUNTRY = frozenset({"IGO", "NGO", "IMG", "MNC", "UNO", "EUR"})
_BATCH = 64


class Prediction(BaseModel):
    """The sentence-level prediction used for scoring."""

    model_config = ConfigDict(frozen=True)

    label: str
    pentacode: int | None
    actors: tuple[Actor, ...] = ()
    recipients: tuple[Actor, ...] = ()


class ClassScore(BaseModel):
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def _article(i: int, text: str) -> Article:
    return Article(
        article_id=f"gold-{i}",
        text=text,
        published_at=_EPOCH,
        ingested_at=_EPOCH,
        origin=Origin.JSONL,
        content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def best_prediction(detections: Sequence[Detection]) -> Prediction:
    """The most confident detection of a sentence, as a label, pentacode and roles."""
    if not detections:
        return Prediction(label=NONE, pentacode=None)
    best = max(detections, key=lambda d: d.confidence)
    if best.record is None:
        return Prediction(label=NONE, pentacode=0, actors=best.actors, recipients=best.recipients)
    same = [d for d in detections if d.record is not None and d.record.evidence == best.record.evidence]
    actors = tuple(d.record.actor for d in same if d.record is not None)
    return Prediction(
        label=best.record.event_type.value,
        pentacode=pentacode_of(best.cameo_code),
        actors=actors,
        recipients=best.recipients,
    )


def predict(texts: Sequence[str], extractor: object | None = None, progress: bool = False) -> list[Prediction]:
    """Sentence-level predictions for ``texts`` (one extractor, batched through ``nlp.pipe``; default: the rules)."""
    if extractor is None:
        from powderkeg_extractor.core.pipeline import Extractor

        extractor = Extractor.packaged(classifier=False)
    out: list[Prediction] = []
    for start in range(0, len(texts), _BATCH):
        batch = [_article(start + i, t) for i, t in enumerate(texts[start : start + _BATCH])]
        for detections in extractor.detect_batch(batch):  # type: ignore[attr-defined]
            out.append(best_prediction(detections))
        if progress:
            sys.stderr.write(f"\r{min(start + _BATCH, len(texts))}/{len(texts)} sentences")
    if progress:
        sys.stderr.write("\n")
    return out


def class_scores(gold: Sequence[str], pred: Sequence[str], labels: Iterable[str]) -> list[ClassScore]:
    scores: list[ClassScore] = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(ClassScore(label=label, precision=precision, recall=recall, f1=f1, support=tp + fn))
    return scores


def macro_f1(scores: Sequence[ClassScore]) -> float:
    present = [s for s in scores if s.support > 0]
    return sum(s.f1 for s in present) / len(present) if present else 0.0


def _country(code: str | None) -> str | None:
    if not code or len(code) < 3:
        return None
    code = _CODE_FIXES.get(code[:3], code[:3])
    return None if code in _NON_COUNTRY else code


def country_accuracy(
    gold_sides: Sequence[list[dict[str, object]]], predicted: Sequence[tuple[Actor, ...]]
) -> tuple[float, int]:
    """Share of sentences (whose gold side names a country) where a predicted actor's country is among gold's."""
    hits = total = 0
    for gold, actors in zip(gold_sides, predicted, strict=True):
        countries = {_country(str(a.get("code") or "")) for a in gold} - {None}
        if not countries:
            continue
        total += 1
        hits += any(a.country in countries for a in actors)
    return (hits / total if total else 0.0), total


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def span_accuracy(gold_spans: Sequence[list[str]], predicted: Sequence[tuple[Actor, ...]]) -> tuple[float, int]:
    """Share of sentences with a gold span where a predicted actor text and a gold span contain one another."""
    hits = total = 0
    for spans, actors in zip(gold_spans, predicted, strict=True):
        golds = [_norm(s) for s in spans if _norm(s)]
        if not golds:
            continue
        total += 1
        texts = [_norm(a.text) for a in actors if a.text and _norm(a.text)]
        hits += any(p in g or g in p for p in texts for g in golds)
    return (hits / total if total else 0.0), total


def score_plover(rows: Sequence[dict[str, object]], preds: Sequence[Prediction]) -> dict[str, object]:
    """All PLOVER-format figures for ``rows`` and their predictions."""
    gold = [str(r["event_plover_current"]) for r in rows]
    labels = [t.value for t in PloverType]
    per_type = class_scores(gold, [p.label for p in preds], labels)
    gold_quad = [str(r["quad_plover_manual"]) for r in rows]
    pred_quad = [QUAD_OF_TYPE[PloverType(p.label)].value if p.label != NONE else NONE for p in preds]
    quad = class_scores(gold_quad, pred_quad, sorted(set(gold_quad)))
    gold_penta = [str(QUAD_PENTACODE[QUAD_OF_TYPE[PloverType(g)]]) for g in gold]
    pred_penta = [
        str(QUAD_PENTACODE[QUAD_OF_TYPE[PloverType(p.label)]]) if p.label != NONE else str(p.pentacode) for p in preds
    ]
    penta = class_scores(gold_penta, pred_penta, ["0", "1", "2", "3", "4"])
    source, n_source = country_accuracy([list(r["actor"]) for r in rows], [p.actors for p in preds])  # type: ignore[call-overload]
    target, n_target = country_accuracy([list(r["recipient"]) for r in rows], [p.recipients for p in preds])  # type: ignore[call-overload]
    return {
        "format": "plover",
        "sentences": len(rows),
        "predicted_none": sum(1 for p in preds if p.label == NONE),
        "per_type": [s.model_dump() for s in per_type],
        "plover_macro_f1": macro_f1(per_type),
        "quad_macro_f1": macro_f1(quad),
        "pentacode_macro_f1": macro_f1(penta),
        "source_country_accuracy": source,
        "source_country_n": n_source,
        "recipient_country_accuracy": target,
        "recipient_country_n": n_target,
    }


def score_conflibert(rows: Sequence[dict[str, object]], preds: Sequence[Prediction]) -> dict[str, object]:
    """Pentacode and span figures for the ConfliBERT format, overall and on the real-news subset."""

    def figures(idx: list[int]) -> dict[str, object]:
        gold = [str(rows[i]["pentacode"]) for i in idx]
        pred = [str(preds[i].pentacode) if preds[i].pentacode is not None else NONE for i in idx]
        penta = class_scores(gold, pred, ["0", "1", "2", "3", "4"])
        src, n_src = span_accuracy([list(rows[i]["source_spans"]) for i in idx], [preds[i].actors for i in idx])  # type: ignore[call-overload]
        tgt, n_tgt = span_accuracy([list(rows[i]["target_spans"]) for i in idx], [preds[i].recipients for i in idx])  # type: ignore[call-overload]
        texts = [str(rows[i]["text"]) for i in idx]
        tokens = {
            f"{role}_token_f1": token_f1(
                texts,
                [list(rows[i][f"{role}_spans"]) for i in idx],  # type: ignore[call-overload]
                [[a.text for a in (preds[i].actors if role == "source" else preds[i].recipients)] for i in idx],
            ).f1
            for role in ("source", "target")
        }
        return {
            **tokens,
            "sentences": len(idx),
            "per_pentacode": [s.model_dump() for s in penta],
            "pentacode_macro_f1": macro_f1(penta),
            "source_span_match": src,
            "source_span_n": n_src,
            "target_span_match": tgt,
            "target_span_n": n_tgt,
        }

    everything = list(range(len(rows)))
    real = [i for i in everything if not rows[i].get("also_in_plover_gsr", False)]
    return {"format": "conflibert", "all": figures(everything), "real_news": figures(real)}


def detect_format(row: dict[str, object]) -> str:
    if "event_plover_current" in row:
        return "plover"
    if "pentacode" in row:
        return "conflibert"
    raise ValueError("unknown gold format: expected 'event_plover_current' (PLOVER) or 'pentacode' (ConfliBERT)")


def render(result: dict[str, object]) -> str:
    """A Markdown table of the figures (what docs/extraction.md commits)."""
    lines: list[str] = []
    if result["format"] == "plover":
        lines += ["| PLOVER type | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
        for s in result["per_type"]:  # type: ignore[attr-defined]
            lines.append(
                f"| {s['label']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
            )
        lines += [
            "",
            "| figure | value |",
            "|---|---:|",
            f"| sentences | {result['sentences']} |",
            f"| predicted none | {result['predicted_none']} |",
            f"| PLOVER type macro-F1 | {result['plover_macro_f1']:.3f} |",
            f"| quad-class macro-F1 | {result['quad_macro_f1']:.3f} |",
            f"| pentacode macro-F1 | {result['pentacode_macro_f1']:.3f} |",
            f"| source country accuracy (n={result['source_country_n']}) | {result['source_country_accuracy']:.3f} |",
            f"| recipient country accuracy (n={result['recipient_country_n']}) | "
            f"{result['recipient_country_accuracy']:.3f} |",
        ]
    else:
        lines += [
            "| subset | sentences | pentacode macro-F1 | source token F1 | target token F1 | source span match "
            "| target span match |"
        ]
        lines += ["|---|---:|---:|---:|---:|---:|---:|"]
        for name in ("all", "real_news"):
            f = result[name]
            lines.append(
                f"| {name} | {f['sentences']} | {f['pentacode_macro_f1']:.3f} | "  # type: ignore[index]
                f"{f['source_token_f1']:.3f} | {f['target_token_f1']:.3f} | "  # type: ignore[index]
                f"{f['source_span_match']:.3f} (n={f['source_span_n']}) | "  # type: ignore[index]
                f"{f['target_span_match']:.3f} (n={f['target_span_n']}) |"  # type: ignore[index]
            )
    return "\n".join(lines)


def load_gold(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON: {exc.msg}") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{lineno}: expected an object with a 'text' string")
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``powderkeg eval``."""
    parser = argparse.ArgumentParser(prog="powderkeg eval", description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, help="gold JSONL (PLOVER GSR or ConfliBERT format, auto-detected)")
    parser.add_argument("--json-out", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--limit", type=int, help="score only the first N sentences")
    parser.add_argument(
        "--with-classifier",
        action="store_true",
        help="run the classify stage with the packaged classifier, which was trained on these sets: seen-data figures",
    )
    args = parser.parse_args(argv)
    try:
        rows = load_gold(args.gold)[: args.limit]
        fmt = detect_format(rows[0]) if rows else "plover"
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"powderkeg eval: {exc}\n")
        return 2
    extractor = None
    if args.with_classifier:
        from powderkeg_extractor.core.pipeline import Extractor

        extractor = Extractor.packaged(classifier=True)
    preds = predict([str(r["text"]) for r in rows], extractor, progress=sys.stderr.isatty())
    result = score_plover(rows, preds) if fmt == "plover" else score_conflibert(rows, preds)
    seen = ", with the classifier (trained on this set: seen data)" if extractor and extractor.classifier else ""
    sys.stdout.write(f"{args.gold.name} ({fmt} format{seen})\n\n{render(result)}\n")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
