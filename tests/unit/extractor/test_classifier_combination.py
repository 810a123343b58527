"""The offline combination policy and the labelled-set scoring, on real rules detections and hand-set readings."""

from __future__ import annotations

import pytest

from powderkeg_extractor.classify import SentenceReading
from powderkeg_extractor.classify.evaluation import classifier_prediction, combine, score_labelled
from powderkeg_extractor.classify.labels import CLASSES, FAMILIES, NONEVENT, STATEMENT
from powderkeg_extractor.evaluate import NONE, Prediction

ACCUSATION = "Pakistan accused Afghanistan of sheltering militants who attacked its border posts."


def reading(top: str, p: float = 0.9) -> SentenceReading:
    rest = (1.0 - p) / (len(CLASSES) - 1)
    classes = tuple(p if c == top else rest for c in CLASSES)
    return SentenceReading("test", classes, (1.0, 0.0, 0.0, 0.0), tuple(0.0 for _ in FAMILIES))


@pytest.fixture(scope="module")
def detections(extractor, article_factory):  # type: ignore[no-untyped-def]
    found = extractor.detect_batch([article_factory(ACCUSATION)])[0]
    kinds = {d.record.event_type.value for d in found if d.record is not None}
    assert {"ACCUSE", "ASSAULT"} <= kinds, kinds  # the embedded attack is detected next to the accusation
    return found


def test_the_rules_record_agreeing_with_the_classifier_wins(detections) -> None:  # type: ignore[no-untyped-def]
    assert combine(reading("ACCUSE"), detections).label == "ACCUSE"
    chosen = combine(reading("ASSAULT"), detections)
    assert chosen.label == "ASSAULT" and chosen.pentacode == 4
    assert chosen.actors  # the rules keep the actors


def test_pentacode_agreement_keeps_the_rules_type(detections) -> None:  # type: ignore[no-untyped-def]
    # REJECT is pentacode 3 like the rules' ACCUSE: the rules' record (and its CAMEO code) is kept.
    assert combine(reading("REJECT"), detections).label == "ACCUSE"


def test_no_agreeing_record_gives_the_classifier_label_with_the_rules_actors(detections) -> None:  # type: ignore[no-untyped-def]
    result = combine(reading("CONSULT"), detections)
    assert (result.label, result.pentacode) == ("CONSULT", 1)
    assert [a.text for a in result.actors] == ["Pakistan"]


def test_the_gate_drops_sentences_without_a_political_event(detections) -> None:  # type: ignore[no-untyped-def]
    assert combine(reading(NONEVENT), detections) == Prediction(label=NONE, pentacode=None)
    assert classifier_prediction(reading(NONEVENT)).pentacode is None
    statement = classifier_prediction(reading(STATEMENT))
    assert (statement.label, statement.pentacode) == (NONE, 0)


def test_score_labelled_counts_events_pentacodes_and_hazard_alarms() -> None:
    rows = [
        {"event": True, "pentacode": 4, "plover": "ASSAULT", "topic": "conflict"},
        {"event": True, "pentacode": 0, "plover": None, "topic": "diplomacy"},
        {"event": False, "pentacode": None, "plover": None, "topic": "disaster"},
        {"event": False, "pentacode": None, "plover": None, "topic": "accident"},
        {"event": False, "pentacode": None, "plover": None, "topic": "sports"},
    ]
    preds = [
        Prediction(label="ASSAULT", pentacode=4),
        Prediction(label=NONE, pentacode=None),
        Prediction(label="ASSAULT", pentacode=4),
        Prediction(label=NONE, pentacode=None),
        Prediction(label="CONSULT", pentacode=1),
    ]
    result = score_labelled(rows, preds)
    assert result["events"] == 2
    assert result["event_precision"] == pytest.approx(1 / 3)
    assert result["event_recall"] == pytest.approx(1 / 2)
    assert result["hazard_sentences"] == 2 and result["hazard_conflict_share"] == pytest.approx(0.5)
    assert result["nonevent_false_event_share"] == pytest.approx(2 / 3)
    # gold 4 -> 4 right, gold 0 -> none: class 4 F1 1.0, class 0 F1 0.0
    assert result["pentacode_macro_f1"] == pytest.approx(0.5)
    assert result["pentacode_confusion"][0][5] == 1 and result["pentacode_confusion"][4][4] == 1


def test_out_of_fold_readings_are_found_by_sentence_and_missing_ones_fail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from powderkeg_extractor.classify.keys import sentence_key
    from powderkeg_extractor.evaluate_classifier import oof_readings, per_fold

    probs = reading("ASSAULT").probabilities()
    path = tmp_path / "oof.jsonl"
    path.write_text(json.dumps({"key": sentence_key("Troops shelled the town."), "fold": 3, **probs}) + "\n")
    readings, folds = oof_readings(path, ["TROOPS shelled the town"])  # same words, other spelling
    assert folds == [3] and readings[0].event_type is not None and readings[0].event_type.value == "ASSAULT"
    with pytest.raises(SystemExit, match="make train-cv"):
        oof_readings(path, ["Another sentence."])
    spread = per_fold([0, 0, 1, 1], lambda idx: float(len(idx)), keep={0, 2, 3})
    assert spread == {"mean": 1.5, "sd": pytest.approx(0.7071, abs=1e-4)}
