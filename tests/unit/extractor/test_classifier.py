"""The packaged sentence classifier: artefact integrity, the reading's invariants, batching, threads, fallback."""

from __future__ import annotations

import json
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from powderkeg_contracts.models import SentenceClass
from powderkeg_extractor.classify import ClassifierUnavailable, SentenceClassifier, load_optional, package_dir
from powderkeg_extractor.classify.classifier import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, sha256_file
from powderkeg_extractor.classify.labels import CLASSES, PENTACODE_OF_CLASS

SENTENCES = [
    "Police fired tear gas at thousands of protesters who marched on parliament in the capital on Tuesday.",
    "A magnitude 6.1 earthquake struck the coastal province overnight, flattening homes and killing at least 30.",
    "The two foreign ministers met in Geneva and agreed to resume talks on the border dispute next month.",
    "Militants stormed an army post near the border, killing five soldiers, officials said.",
    "The national team won the regional football championship with a 2-1 victory over the hosts.",
    "x",
]


@pytest.fixture(scope="module")
def classifier() -> SentenceClassifier:
    return SentenceClassifier.from_package()


def test_artefact_matches_its_manifest() -> None:
    folder = package_dir()
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    for name in (MODEL_FILE, TOKENIZER_FILE):
        assert sha256_file(folder / name) == manifest["files"][name], name
    assert manifest["classes"] == list(CLASSES)
    assert manifest["base_model"]["model.safetensors"].startswith("53aa5117")
    assert 15_000_000 < (folder / MODEL_FILE).stat().st_size < 30_000_000
    assert (folder / "LICENSE.all-MiniLM-L6-v2").is_file()


def test_readings_are_consistent_and_map_onto_the_contract(classifier: SentenceClassifier) -> None:
    readings = classifier.classify(SENTENCES)
    assert len(readings) == len(SENTENCES)
    for reading in readings:
        assert sum(reading.classes) == pytest.approx(1.0, abs=1e-4)
        assert sum(reading.factuality_probs) == pytest.approx(1.0, abs=1e-4)
        assert sum(reading.pentacode_probs) == pytest.approx(1.0, abs=1e-4)
        contract = SentenceClass.model_validate(reading.to_contract().model_dump())
        if contract.event_type is None:
            assert contract.pentacode == 0
        else:
            assert PENTACODE_OF_CLASS[contract.event_type.value] == contract.pentacode
        assert contract.model.startswith("powderkeg-minilm-l6-sentence-")


def test_the_trained_model_tells_clear_cases_apart(classifier: SentenceClassifier) -> None:
    protest, quake, talks, attack, football, _ = classifier.classify(SENTENCES)
    assert protest.political > 0.5 and protest.pentacode == 4
    assert attack.political > 0.5 and attack.event_type is not None and attack.event_type.value == "ASSAULT"
    assert talks.political > 0.5 and talks.pentacode == 1
    assert quake.political < 0.5
    assert football.political < 0.5


def test_a_reading_depends_on_its_sentence_alone(classifier: SentenceClassifier) -> None:
    together = classifier.classify(SENTENCES)
    alone = [classifier.classify([s])[0] for s in reversed(SENTENCES)][::-1]
    assert [r.classes for r in together] == [r.classes for r in alone]
    assert classifier.classify([]) == []


def test_concurrent_calls_give_the_serial_results(classifier: SentenceClassifier) -> None:
    serial = [r.classes for r in classifier.classify(SENTENCES)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: [r.classes for r in classifier.classify(SENTENCES)], range(8)))
    for result in results:
        for got, want in zip(result, serial, strict=True):
            assert got == pytest.approx(want, abs=1e-6)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(package_dir(), folder)
    return folder


def test_missing_model_falls_back_to_rules_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = _copy(tmp_path)
    (folder / MODEL_FILE).unlink()
    with caplog.at_level(logging.WARNING):
        assert load_optional(folder) is None
    assert "rules alone" in caplog.text and MODEL_FILE in caplog.text


def test_a_damaged_model_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with (folder / MODEL_FILE).open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ClassifierUnavailable, match="sha256"):
        SentenceClassifier.load(folder)


def test_a_model_of_another_label_space_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["classes"] = manifest["classes"][:-1]
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ClassifierUnavailable, match="label space"):
        SentenceClassifier.load(folder)


def test_the_classifier_package_stays_pure() -> None:
    import ast

    forbidden = {"kafka", "faust", "aiokafka", "powderkeg_runtime", "torch", "transformers", "spacy"}
    folder = Path(__file__).resolve().parents[3] / "services" / "extractor" / "powderkeg_extractor" / "classify"
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & forbidden, (path.name, names & forbidden)
        assert "os.environ" not in text, path.name
