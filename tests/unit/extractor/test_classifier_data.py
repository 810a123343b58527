"""The training-data assembly keeps evaluation sentences out and the cross-validation groups together."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LABELS = REPO / "services" / "extractor" / "training" / "data" / "voa_labels.jsonl"


@pytest.fixture
def data_module(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(REPO / "services" / "extractor" / "training"))
    from classifier_training import data

    return data


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _holdout_sentence() -> str:
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "holdout" and len(row["text"].split()) > 12:
            return str(row["text"])
    raise AssertionError("no holdout sentence")


def _verify(quote: str, typ: str) -> dict[str, object]:
    return {"stage": "verify", "label": 1, "quote": quote, "event_type": typ}


@pytest.fixture
def dev_data(tmp_path: Path) -> Path:
    shared = "Rebels shelled the northern town on Monday, killing four soldiers, the army said."
    _write(
        tmp_path / "plover_gsr" / "plover_gsr.jsonl",
        [
            {"text": shared, "event_plover_current": "ASSAULT"},
            {
                "text": "The two leaders agreed to meet again in March to continue the talks.",
                "event_plover_current": "AGREE",
            },
        ],
    )
    _write(
        tmp_path / "conflibert_dev" / "conflibert_dev.jsonl",
        [
            {"text": shared.upper(), "pentacode": 4, "also_in_plover_gsr": True},
            {"text": "The minister said the economy would recover by the end of the year.", "pentacode": 0},
        ],
    )
    _write(
        tmp_path / "ngec2025_voa_labels" / "labels.jsonl",
        [
            _verify("Protesters blocked the main highway into the capital for a third day.", "PROTEST"),
            _verify("The government accused the rebels of attacking a convoy of aid trucks.", "ACCUSE"),
            _verify("The government accused the rebels of attacking a convoy of aid trucks.", "ASSAULT"),
            _verify(_holdout_sentence(), "ACCUSE"),
            {
                "stage": "screen",
                "label": 1,
                "quote": "Troops massed along the frontier overnight.",
                "event_type": "MOBILIZE",
            },
        ],
    )
    return tmp_path


def test_rows_keep_evaluation_sentences_out_and_groups_together(data_module, dev_data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows, checksums = data_module.build(dev_data, tmp_path / "no-synthetic.jsonl")
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    holdout = [r["text"] for r in labels if r["split"] == "holdout"]
    guard = set().union(*(data_module.shingles(t) for t in holdout))
    assert not [r for r in rows if data_module.shingles(r.text) & guard], "a row copies a VOA holdout sentence"

    gold = [r for r in rows if r.in_gsr or r.in_conflibert]
    assert len(gold) == 3  # the shared sentence once
    shared = next(r for r in gold if r.in_gsr and r.in_conflibert)
    assert shared.allowed == ["ASSAULT"] and shared.gold_pentacode == 4 and shared.fold >= 0
    statement = next(r for r in gold if not r.in_gsr)
    assert statement.allowed == ["statement"]
    assert all(r.conditional for r in gold) and all(r.fold >= 0 for r in gold)

    ngec = [r.text for r in rows if r.origin == "ngec"]
    assert ngec == [
        "Protesters blocked the main highway into the capital for a third day."
    ]  # ambiguous, copy, screen: out
    assert all(r.conditional and r.weight < 1 for r in rows if r.origin == "ngec")
    voa = [r for r in rows if r.origin == "voa"]
    assert voa and not any(r.conditional for r in voa)
    fold_of: dict[str, set[int]] = {}
    for r in voa:
        fold_of.setdefault(str(r.article), set()).add(r.fold)
    assert all(len(f) == 1 for f in fold_of.values()), "an article's sentences share one fold"
    assert set().union(*fold_of.values()) == set(range(data_module.FOLDS))
    assert {"voa_labels.jsonl", "plover_gsr.jsonl", "conflibert_dev.jsonl"} <= set(checksums)


def test_every_labelled_row_fits_the_label_space() -> None:
    from powderkeg_extractor.classify.labels import CLASSES, FAMILY_OF_SIGNAL, PENTACODE_OF_CLASS, class_of

    folder = LABELS.parent
    for name in ("voa_labels.jsonl", "synthetic.jsonl"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            cls = class_of(row["event"], row["pentacode"], row["plover"])
            assert cls in CLASSES and PENTACODE_OF_CLASS[cls] == row["pentacode"], row["id"]
            assert set(row["signals"]) <= set(FAMILY_OF_SIGNAL), row["id"]


def test_class_of_rejects_contradictions() -> None:
    from powderkeg_extractor.classify.labels import class_of

    with pytest.raises(ValueError, match="pentacode"):
        class_of(True, 3, "ASSAULT")
    with pytest.raises(ValueError, match="statement"):
        class_of(True, 4, None)


def test_a_folds_training_rows_share_no_8_word_sequence_with_it(data_module) -> None:  # type: ignore[no-untyped-def]
    held = "Rebels shelled the northern town on Monday, killing four soldiers, the army said."
    rows = [
        {"text": held, "fold": 0},
        {"text": "Officials said rebels shelled the northern town on Monday, killing four soldiers.", "fold": 1},
        {"text": "The two leaders agreed to meet again in March to continue the talks.", "fold": 2},
        {"text": "Rebels shelled the northern town on Monday, killing four soldiers, the army said today.", "fold": -1},
    ]
    kept = [r["text"] for r in data_module.fold_training_rows(rows, 0)]
    assert kept == [rows[2]["text"]]
    assert [r["text"] for r in data_module.fold_training_rows(rows, 2)] == [held, rows[1]["text"], rows[3]["text"]]
