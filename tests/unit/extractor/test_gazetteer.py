"""Gazetteer data files: validation errors name the file, the entry and the problem; the packaged file is valid."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from powderkeg_contracts.datafiles import DataFileError
from powderkeg_extractor.core.actors import ActorResolver
from powderkeg_extractor.core.gazetteer import (
    Record,
    load_gazetteer,
    parse_code,
)
from powderkeg_extractor.core.keys import phrase_key, tokenize

PACKAGED = Path(__file__).resolve().parents[3] / "services/extractor/powderkeg_extractor/data/gazetteer.json.gz"


def _write(tmp_path: Path, entries: list[list[object]]) -> Path:
    path = tmp_path / "gaz.json"
    path.write_text(json.dumps({"version": 1, "provenance": "test", "entries": entries}), encoding="utf-8")
    return path


def test_packaged_gazetteer_is_valid_and_every_code_parses() -> None:
    gazetteer = load_gazetteer(PACKAGED)
    gazetteer.check()
    assert gazetteer.size > 30000
    assert PACKAGED.stat().st_size < 3_000_000


def test_small_file_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, [["Ruritania", "country", ["RUR"], ["ruritania"], []]])
    hit = load_gazetteer(path).actor("ruritania")
    assert hit is not None and hit.record.name == "Ruritania"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (["Bad", "country", ["pak"], ["bad"], []], "codes"),
        (["Bad", "nation", ["PAK"], ["bad"], []], "kind"),
        (["Bad", "country", ["PAK"], ["Not Normalised"], []], "phrases"),
        (["Bad", "country", [], ["bad"], []], "codes"),
        (["Bad", "country", ["PAK|2020-01-01"], ["bad"], []], "codes"),
    ],
)
def test_malformed_entry_names_file_entry_and_problem(tmp_path: Path, entry: list[object], problem: str) -> None:
    path = _write(tmp_path, [["Good", "country", ["PAK"], ["good"], []], entry])
    with pytest.raises(DataFileError) as err:
        load_gazetteer(path)
    message = str(err.value)
    assert str(path) in message and "entry 1 ('Bad')" in message and problem in message


def test_an_entry_is_named_by_its_line_in_a_file_of_one_entry_per_line(tmp_path: Path) -> None:
    path = tmp_path / "gaz.json"
    rows = [["Good", "country", ["PAK"], ["good"], []], ["Bad", "nation", ["PAK"], ["bad"], []]]
    path.write_text('{"version":1,"provenance":"t","entries":[\n' + ",\n".join(json.dumps(r) for r in rows) + "\n]}\n")
    with pytest.raises(DataFileError) as err:
        load_gazetteer(path)
    assert (err.value.line, err.value.entry, err.value.field) == (3, "entry 1 ('Bad')", "kind")


def test_bad_date_in_code_is_reported_with_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, [["Bad", "person", ["PAKGOV|2020-13-01|"], ["bad"], []]])
    gazetteer = load_gazetteer(path)
    with pytest.raises(DataFileError, match=r"gaz\.json:1: entry 0 \('Bad'\): codes: "):
        gazetteer.check()


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json.gz"
    path.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(DataFileError, match=r"broken\.json\.gz"):
        load_gazetteer(path)


def test_resolver_from_a_custom_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [["Ruritania", "country", ["RUR"], ["ruritania"], []], ["minister", "agent", ["~GOV"], ["minister"], []]],
    )
    actor = ActorResolver.from_file(path).resolve("Ruritania minister")
    assert actor.code == "RURGOV" and actor.country is None and actor.reason


def test_keys_fold_case_dots_accents_and_possessives() -> None:
    assert phrase_key("U.S.") == "us"
    assert phrase_key("İstanbul") == "istanbul"
    assert phrase_key("Afghanistan’s") == "afghanistan s"
    assert phrase_key("AL_SHABAB") == phrase_key("al-Shabab") == "al shabab"
    assert [t.text for t in tokenize("Kabul.")] == ["Kabul."]


def test_dated_codes() -> None:
    record = Record(
        "X",
        kind=load_gazetteer(PACKAGED).actor("taliban").record.kind,  # type: ignore[union-attr]
        codes=(parse_code("AAAGOV||2000-12-31"), parse_code("AAAOPP|2001-01-01|"), parse_code("AAAELI")),
    )
    assert record.code_on(dt.date(1999, 1, 1)).code == "AAAGOV"
    assert record.code_on(dt.date(2005, 1, 1)).code == "AAAOPP"
    assert record.code_on(None).code == "AAAOPP"
    with pytest.raises(ValueError, match="end date before start date"):
        parse_code("AAAGOV|2020-01-01|2019-01-01")
