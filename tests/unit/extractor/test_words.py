"""Word-list data files: the packaged ones load, and a bad word fails at start-up naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from powderkeg_contracts import datafiles
from powderkeg_contracts.datafiles import DataFileError
from powderkeg_extractor.core.actors import ActorWords
from powderkeg_extractor.core.lexicon import Lexicon
from powderkeg_extractor.core.words import Words

PACKAGED = Path(__file__).resolve().parents[3] / "services/extractor/powderkeg_extractor/data/lexicon/words.yaml"


def test_packaged_word_lists_load() -> None:
    words = Lexicon.default().words
    assert {"he", "they"} <= words.personal_pronouns and "talks" in words.not_parties
    assert "on" in words.function_words  # YAML 1.1 reads a bare on as true: the file must quote it
    assert "ethnic" not in ActorWords.default().glue and "former" in ActorWords.default().former


def test_a_word_yaml_reads_as_a_boolean_names_its_line(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8").replace('modals: [will,', "modals: [on, will,")
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("modals:"))
    with pytest.raises(DataFileError) as err:
        datafiles.load(path, Words)
    assert (err.value.line, err.value.entry) == (line, "entry modals.0 (True)")


def test_an_unknown_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(PACKAGED.read_text(encoding="utf-8") + "colours: [red]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"colours: Extra inputs are not permitted"):
        datafiles.load(path, Words)
