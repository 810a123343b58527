"""Scoring the classifier against the rules, and the offline simulation of the integration policy.

``combine`` applies ``classify.combine`` (the gate, then the rules' detection agreeing with the classifier's main
event) to a sentence's rules detections; when none agrees, the sentence takes the classifier's own label with the
actors of the rules' best detection, or, in the *strict* variant, nothing (what a stage that only ever emits rules
records would do). ``gate`` is the rules' own prediction behind the gate alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from powderkeg_extractor.classify.combine import THRESHOLD, keeps, main_detection
from powderkeg_extractor.classify.labels import CONFLICT_TYPES
from powderkeg_extractor.classify.reading import SentenceReading
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ontology import pentacode_of
from powderkeg_extractor.evaluate import NONE, Prediction, best_prediction, class_scores, macro_f1

PENTACODES = ("0", "1", "2", "3", "4")


def classifier_prediction(reading: SentenceReading, threshold: float = THRESHOLD) -> Prediction:
    """The classifier's own label in the evaluation's terms (statements: label ``none``, pentacode 0)."""
    if not keeps(reading, threshold):
        return Prediction(label=NONE, pentacode=None)
    typ = reading.event_type
    return Prediction(label=typ.value if typ else NONE, pentacode=reading.pentacode)


def gate(reading: SentenceReading, rules: Prediction, threshold: float = THRESHOLD) -> Prediction:
    """The rules' own prediction, dropped when the classifier says the sentence holds no political event."""
    return rules if keeps(reading, threshold) else Prediction(label=NONE, pentacode=None)


def _as_prediction(chosen: Detection, detections: Sequence[Detection]) -> Prediction:
    if chosen.record is None:
        return Prediction(label=NONE, pentacode=0, actors=chosen.actors, recipients=chosen.recipients)
    evidence = chosen.record.evidence
    actors = tuple(d.record.actor for d in detections if d.record is not None and d.record.evidence == evidence)
    return Prediction(
        label=chosen.record.event_type.value,
        pentacode=pentacode_of(chosen.cameo_code),
        actors=actors or (chosen.record.actor,),
        recipients=chosen.recipients,
    )


def combine(
    reading: SentenceReading, detections: Sequence[Detection], threshold: float = THRESHOLD, strict: bool = False
) -> Prediction:
    """The sentence's prediction under the integration policy (module docstring)."""
    if not keeps(reading, threshold):
        return Prediction(label=NONE, pentacode=None)
    chosen = main_detection(reading, detections)
    if chosen is not None:
        return _as_prediction(chosen, detections)
    typ, penta = reading.event_type, reading.pentacode
    if strict:
        return Prediction(label=NONE, pentacode=None)
    rules = best_prediction(detections)
    return Prediction(
        label=typ.value if typ else NONE, pentacode=penta, actors=rules.actors, recipients=rules.recipients
    )


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Counts of (gold row, predicted column); predictions outside ``labels`` fall in a last ``none`` column."""
    cols = [*labels, NONE] if NONE not in labels else list(labels)
    matrix = [[0] * len(cols) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        if g in labels:
            matrix[labels.index(g)][cols.index(p) if p in cols else len(cols) - 1] += 1
    return matrix


def pentacode_label(p: Prediction) -> str:
    return str(p.pentacode) if p.pentacode is not None else NONE


def score_labelled(rows: Sequence[dict[str, object]], preds: Sequence[Prediction]) -> dict[str, object]:
    """Figures for rows in the annotation guide's format (the VOA labels): event detection, pentacode and type of
    the gold events, and false conflict alarms on disaster and accident sentences."""
    gold_event = [bool(r["event"]) for r in rows]
    pred_event = [p.pentacode is not None for p in preds]
    tp = sum(g and p for g, p in zip(gold_event, pred_event, strict=True))
    fp = sum(p and not g for g, p in zip(gold_event, pred_event, strict=True))
    fn = sum(g and not p for g, p in zip(gold_event, pred_event, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    events = [i for i, g in enumerate(gold_event) if g]
    gold_penta = [str(rows[i]["pentacode"]) for i in events]
    pred_penta = [pentacode_label(preds[i]) for i in events]
    all_gold = [str(r["pentacode"]) if r["event"] else NONE for r in rows]
    all_pred = [pentacode_label(p) for p in preds]
    typed = [i for i in events if rows[i].get("plover")]
    from powderkeg_contracts.models import PloverType

    types = class_scores(
        [str(rows[i]["plover"]) for i in typed], [preds[i].label for i in typed], [t.value for t in PloverType]
    )
    hazards = [i for i, r in enumerate(rows) if not r["event"] and r.get("topic") in ("disaster", "accident")]
    alarms = sum(1 for i in hazards if preds[i].label in CONFLICT_TYPES)
    nonevents = [i for i, g in enumerate(gold_event) if not g]
    return {
        "sentences": len(rows),
        "events": len(events),
        "event_precision": precision,
        "event_recall": recall,
        "event_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "pentacode_macro_f1": macro_f1(class_scores(gold_penta, pred_penta, PENTACODES)),
        "pentacode_with_none_macro_f1": macro_f1(class_scores(all_gold, all_pred, [*PENTACODES, NONE])),
        "plover_macro_f1": macro_f1(types),
        "plover_n": len(typed),
        "hazard_sentences": len(hazards),
        "hazard_conflict_share": alarms / len(hazards) if hazards else 0.0,
        "nonevent_false_event_share": sum(1 for i in nonevents if pred_event[i]) / len(nonevents) if nonevents else 0.0,
        "pentacode_confusion": confusion(all_gold, all_pred, [*PENTACODES, NONE]),
    }
