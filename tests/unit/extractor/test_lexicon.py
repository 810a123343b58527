"""Lexicon data: the packaged files load, and a bad entry fails loudly naming file, line, entry and problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powderkeg_contracts.datafiles import DataFileError
from powderkeg_extractor.core.lexicon import Lexicon

_GOOD_VERBS = {"source": "test", "blocks": [{"name": "attack", "code": "190", "verbs": [{"lemma": "attack"}]}]}


def _write(tmp_path: Path, verbs: object, supplement: str) -> tuple[Path, Path]:
    verbs_path = tmp_path / "cameo_verbs.json"
    supplement_path = tmp_path / "supplement.yaml"
    verbs_path.write_text(json.dumps(verbs))
    supplement_path.write_text(supplement)
    return verbs_path, supplement_path


def test_packaged_lexicon_loads_and_covers_every_plover_type() -> None:
    from powderkeg_extractor.core.ontology import Ontology

    lexicon = Lexicon.default()
    ontology = Ontology.default()
    codes = {e.code for b in lexicon.verbs.blocks for e in b.verbs if e.code} | {
        b.code for b in lexicon.verbs.blocks if b.code
    }
    codes |= {v.code for v in lexicon.supplement.verbs if v.code} | {n.code for n in lexicon.supplement.nouns}
    types = {ontology.lookup(c).plover for c in codes} - {None}
    assert len(types) == 16


def test_unknown_cameo_code_names_file_entry_and_problem(tmp_path: Path) -> None:
    paths = _write(tmp_path, _GOOD_VERBS, "nouns:\n  - {words: [airstrike], code: '299'}\n")
    with pytest.raises(
        DataFileError, match=r"supplement\.yaml:2: entry nouns\.0 \(\['airstrike'\]\): code: .*unknown CAMEO code '299'"
    ):
        Lexicon.from_files(*paths)


def test_missing_field_in_compiled_verbs_is_reported(tmp_path: Path) -> None:
    broken = {"source": "t", "blocks": [{"name": "attack", "code": "190", "verbs": [{"code": "190"}]}]}
    with pytest.raises(DataFileError, match=r"cameo_verbs\.json:1: entry blocks\.0 \('attack'\): verbs\.0\.lemma: "):
        Lexicon.from_files(*_write(tmp_path, broken, ""))


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    paths = _write(tmp_path, _GOOD_VERBS, "verbs:\n  - {lemma: bomb, code: '195', colour: red}\n")
    with pytest.raises(DataFileError, match=r"supplement\.yaml:2: entry verbs\.0 \('bomb'\): colour: "):
        Lexicon.from_files(*paths)


def test_yaml_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"supplement\.yaml:2: <document>: -: not valid YAML"):
        Lexicon.from_files(*_write(tmp_path, _GOOD_VERBS, "verbs: [unclosed\n"))


def test_the_line_of_a_bad_entry_deep_in_the_file_is_named(tmp_path: Path) -> None:
    supplement = "report_verbs: [say]\nnouns:\n  - words: [raid]\n    code: '190'\n"
    supplement += "  - words: [airstrike]\n    code: '299'\n"
    with pytest.raises(DataFileError) as err:
        Lexicon.from_files(*_write(tmp_path, _GOOD_VERBS, supplement))
    assert (err.value.file, err.value.line, err.value.entry, err.value.field) == (
        "supplement.yaml",
        6,
        "entry nouns.1 (['airstrike'])",
        "code",
    )
