"""The classify stage inside the extractor (gate, attach, agree) on real rules detections and hand-set readings,
and the labelled-set scoring."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from powderkeg_extractor.classify import SentenceReading
from powderkeg_extractor.classify.evaluation import TableReader, classifier_prediction, score_labelled
from powderkeg_extractor.classify.keys import sentence_key
from powderkeg_extractor.classify.labels import CLASSES, FAMILIES, NONEVENT, STATEMENT
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.core.stages import PIPELINE
from powderkeg_extractor.evaluate import NONE, Prediction, best_prediction

ACCUSATION = "Pakistan accused Afghanistan of sheltering militants who attacked its border posts."
SPORT = "United's fans attacked the owners in a banner protest before kick-off."


def reading(top: str, p: float = 0.9) -> SentenceReading:
    rest = (1.0 - p) / (len(CLASSES) - 1)
    classes = tuple(p if c == top else rest for c in CLASSES)
    return SentenceReading("test-reader", classes, (1.0, 0.0, 0.0, 0.0), tuple(0.0 for _ in FAMILIES))


class CountingReader(TableReader):
    """A table of readings that remembers every call."""

    def __init__(self, table: dict[str, SentenceReading]) -> None:
        super().__init__("test-reader", table)
        self.calls: list[list[str]] = []

    def classify(self, texts: Sequence[str]) -> list[SentenceReading]:
        self.calls.append(list(texts))
        return super().classify(texts)


def staged(extractor: Extractor, readings: dict[str, str], combine: str = "classify.combine.agree.v1") -> Extractor:
    """The rules extractor with the political gate, ``combine``, and a reader answering ``readings`` (text: class)."""
    reader = CountingReader({sentence_key(t): reading(c) for t, c in readings.items()})
    order = ["classify.gate.political.v1", *PIPELINE[1:-1], combine]
    e = extractor
    return Extractor(e.nlp, e.lexicon, e.ontology, e.ranker, e.resolvers, order=order, classifier=reader)


def test_the_rules_detect_both_the_accusation_and_the_embedded_attack(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    records = extractor.extract(article_factory(ACCUSATION))
    assert {"ACCUSE", "ASSAULT"} <= {r.event_type.value for r in records}
    assert all(r.main and r.classification is None for r in records)  # the rules alone: no reading, all main


def test_the_gate_reads_every_candidate_in_one_call_and_parses_only_political_ones(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    ex = staged(extractor, {ACCUSATION: "ACCUSE", SPORT: NONEVENT})
    records = ex.extract(article_factory(f"{ACCUSATION} {SPORT}"))
    reader = ex.classifier
    assert isinstance(reader, CountingReader) and reader.calls == [[ACCUSATION, SPORT]]
    assert records and all(r.evidence.sentence == ACCUSATION for r in records)
    alone = extractor.extract(article_factory(SPORT))
    assert alone, "the rules alone code the sports sentence; the gate is what removes it"


def test_the_main_event_agrees_with_the_classifier_and_tops_the_sentence(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    for label in ("ACCUSE", "ASSAULT"):
        detections = staged(extractor, {ACCUSATION: label}).detect_batch([article_factory(ACCUSATION)])[0]
        records = [d.record for d in detections if d.record is not None]
        main = [r for r in records if r.main]
        assert main and {r.event_type.value for r in main} == {label}
        assert best_prediction(detections).label == label
        assert all(r.classification is not None and r.classification.model == "test-reader" for r in records)
        assert max(d.confidence for d in detections if d.record in main) > max(
            d.confidence for d in detections if d.record not in main
        )


def test_pentacode_agreement_keeps_the_rules_type_and_code(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    records = staged(extractor, {ACCUSATION: "REJECT"}).extract(article_factory(ACCUSATION))
    [main] = [r for r in records if r.main]
    assert main.event_type.value == "ACCUSE" and main.cameo_code.startswith("11")  # REJECT is pentacode 3 too


def test_without_an_agreeing_record_the_rules_most_confident_is_the_main_event(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    rules = best_prediction(extractor.detect_batch([article_factory(ACCUSATION)])[0])
    for combine in ("classify.combine.agree.v1", "classify.combine.attach.v1"):
        detections = staged(extractor, {ACCUSATION: "CONSULT"}, combine).detect_batch([article_factory(ACCUSATION)])[0]
        assert best_prediction(detections).label == rules.label
        assert [r.event_type.value for d in detections if (r := d.record) and r.main] == [rules.label]


def test_attach_keeps_the_rules_main_event_whatever_the_classifier_says(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    rules = best_prediction(extractor.detect_batch([article_factory(ACCUSATION)])[0])
    other = "ASSAULT" if rules.label != "ASSAULT" else "ACCUSE"
    ex = staged(extractor, {ACCUSATION: other}, "classify.combine.attach.v1")
    detections = ex.detect_batch([article_factory(ACCUSATION)])[0]
    assert best_prediction(detections).label == rules.label
    assert all(d.record.classification is not None for d in detections if d.record is not None)


def test_a_missing_model_leaves_the_rules_alone_with_one_warning(
    extractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    import powderkeg_extractor.classify.classifier as classifier

    monkeypatch.setattr(classifier, "package_dir", lambda: tmp_path)
    with caplog.at_level(logging.WARNING):
        ex = Extractor.packaged(extractor.nlp)
    assert ex.classifier is None and ex.version == extractor.version
    warnings = [r for r in caplog.records if "rules alone" in r.getMessage()]
    assert len(warnings) == 1 and str(tmp_path) in warnings[0].getMessage()


def test_a_table_reader_refuses_a_sentence_it_has_no_reading_for() -> None:
    reader = TableReader("oof", {sentence_key("Troops shelled the town."): reading("ASSAULT")})
    assert reader.classify(["TROOPS shelled the town"])[0].event_type is not None  # same words, other spelling
    with pytest.raises(KeyError, match="no reading"):
        reader.classify(["Another sentence."])


def test_a_table_reader_answers_for_the_parts_of_a_row_with_the_rows_reading() -> None:
    row = "Troops shelled the town. Dozens fled."
    reader = TableReader.of("oof", [row], [reading("ASSAULT")])
    parts = reader.classify(["Troops shelled the town.", "Dozens fled."])
    assert [p.event_type.value if p.event_type else None for p in parts] == ["ASSAULT", "ASSAULT"]
    with pytest.raises(KeyError, match="no reading"):
        reader.classify(["Troops left the town."])


def test_the_classifier_label_in_the_evaluation_terms() -> None:
    assert classifier_prediction(reading(NONEVENT)) == Prediction(label=NONE, pentacode=None)
    statement = classifier_prediction(reading(STATEMENT))
    assert (statement.label, statement.pentacode) == (NONE, 0)
    assert classifier_prediction(reading("PROTEST")) == Prediction(label="PROTEST", pentacode=4)


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


def test_out_of_fold_readings_are_found_by_sentence_and_missing_ones_fail(tmp_path: Path) -> None:
    from powderkeg_extractor.evaluate_classifier import oof_readings, per_fold

    probs = reading("ASSAULT").probabilities()
    path = tmp_path / "oof.jsonl"
    path.write_text(json.dumps({"key": sentence_key("Troops shelled the town."), "fold": 3, **probs}) + "\n")
    readings, folds = oof_readings(path, ["TROOPS shelled the town"])
    assert folds == [3] and readings[0].event_type is not None and readings[0].event_type.value == "ASSAULT"
    with pytest.raises(SystemExit, match="make train-cv"):
        oof_readings(path, ["Another sentence."])
    spread = per_fold([0, 0, 1, 1], lambda idx: float(len(idx)), keep={0, 2, 3})
    assert spread == {"mean": 1.5, "sd": pytest.approx(0.7071, abs=1e-4)}


def test_the_setting_decides_whether_the_product_loads_the_classifier(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from powderkeg_extractor.settings import ExtractorSettings, configured_extractor

    monkeypatch.delenv("POWDERKEG_EXTRACTOR_CLASSIFIER", raising=False)
    assert ExtractorSettings().extractor_classifier is False
    monkeypatch.setenv("POWDERKEG_EXTRACTOR_CLASSIFIER", "true")
    on = configured_extractor()
    assert on.classifier is not None and on.version.endswith(on.classifier.name)
    assert configured_extractor(ExtractorSettings(extractor_classifier=False)).classifier is None
