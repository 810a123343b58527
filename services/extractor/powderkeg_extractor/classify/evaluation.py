"""Scoring the classifier and the extractor's classify stage against labelled sentences.

The systems compared are the extractor itself, run with different classify stages (``evaluate_classifier.py``), and
the classifier's own label (:func:`classifier_prediction`). :class:`TableReader` stands in for the classifier where
every sentence must be read by a model that never trained on it: it returns the cross-validation's out-of-fold
reading of each sentence, so the stage under test is the one the service runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from powderkeg_contracts.models import PloverType
from powderkeg_extractor.classify.combine import THRESHOLD, keeps
from powderkeg_extractor.classify.keys import sentence_key
from powderkeg_extractor.classify.labels import CONFLICT_TYPES
from powderkeg_extractor.classify.reading import SentenceReading
from powderkeg_extractor.evaluate import NONE, Prediction, class_scores, macro_f1

PENTACODES = ("0", "1", "2", "3", "4")


class TableReader:
    """A :class:`~powderkeg_extractor.classify.reading.Reader` answering from a table of readings by sentence key.

    The extractor's sentencizer may cut one gold row into several candidate sentences; a part that has no reading
    of its own gets the reading of the row it comes from (``wholes``), which is what the table's model read.
    """

    def __init__(
        self, name: str, table: Mapping[str, SentenceReading], wholes: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.table = table
        self.wholes = wholes or {}

    @classmethod
    def of(cls, name: str, texts: Sequence[str], readings: Sequence[SentenceReading]) -> TableReader:
        """The table of ``texts`` read as ``readings``, answering for their parts too."""
        keys = [sentence_key(t) for t in texts]
        return cls(name, dict(zip(keys, readings, strict=True)), dict(zip(keys, texts, strict=True)))

    def classify(self, texts: Sequence[str]) -> list[SentenceReading]:
        """The table's reading of each text, or of the row it is part of.

        Raises:
            KeyError: a text has no reading (the table was made for other sentences).
        """
        out: list[SentenceReading] = []
        for text in texts:
            key = sentence_key(text)
            if key not in self.table:
                key = next((k for k, whole in self.wholes.items() if text.strip() in whole), key)
            if key not in self.table:
                raise KeyError(f"{self.name}: no reading for the sentence {text[:60]!r}")
            out.append(self.table[key])
        return out


def classifier_prediction(reading: SentenceReading, threshold: float = THRESHOLD) -> Prediction:
    """The classifier's own label in the evaluation's terms (statements: label ``none``, pentacode 0)."""
    if not keeps(reading, threshold):
        return Prediction(label=NONE, pentacode=None)
    typ = reading.event_type
    return Prediction(label=typ.value if typ else NONE, pentacode=reading.pentacode)


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
