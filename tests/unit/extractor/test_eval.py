"""Evaluation arithmetic and format detection (no model needed except in the end-to-end check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powderkeg_contracts.models import Actor
from powderkeg_extractor import evaluate


def test_class_scores_and_macro_f1() -> None:
    gold = ["A", "A", "B", "B"]
    pred = ["A", "B", "B", "none"]
    scores = {s.label: s for s in evaluate.class_scores(gold, pred, ["A", "B"])}
    assert scores["A"].precision == 1.0 and scores["A"].recall == 0.5
    assert scores["B"].precision == 0.5 and scores["B"].recall == 0.5
    assert evaluate.macro_f1(list(scores.values())) == pytest.approx((2 / 3 + 0.5) / 2)


def test_country_accuracy_ignores_sentences_without_gold_country() -> None:
    gold = [[{"code": "PAK"}], [{"code": "IGO"}], [{"code": "JAP"}]]
    pred = [(Actor(country="PAK"),), (Actor(),), (Actor(country="JPN"),)]
    assert evaluate.country_accuracy(gold, pred) == (1.0, 2)


def test_span_match_is_containment_after_normalisation() -> None:
    acc, n = evaluate.span_accuracy(
        [["Moscow ’ s will"], ["NATO"]], [(Actor(text="Moscow’s will"),), (Actor(text="EU"),)]
    )
    assert n == 2 and acc == 0.5


def test_format_detection() -> None:
    assert evaluate.detect_format({"text": "x", "event_plover_current": "AGREE"}) == "plover"
    assert evaluate.detect_format({"text": "x", "pentacode": 3}) == "conflibert"
    with pytest.raises(ValueError, match="unknown gold format"):
        evaluate.detect_format({"text": "x"})


def test_main_writes_json(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {
            "text": "Indian troops attacked Pakistani posts.",
            "pentacode": 4,
            "source_spans": ["Indian troops"],
            "target_spans": ["Pakistani posts"],
        },
        {
            "text": "The minister said the economy was fine.",
            "pentacode": 0,
            "source_spans": ["The minister"],
            "target_spans": [],
        },
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.json"
    assert evaluate.main([str(gold), "--json-out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["format"] == "conflibert" and result["all"]["sentences"] == 2
