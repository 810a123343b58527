"""The data-file loader: every problem is one DataFileError that names file, line, entry, field and problem."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from powderkeg_contracts import datafiles
from powderkeg_contracts.datafiles import DataFileError


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    size: int


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    items: list[_Item]


_YAML = "version: 1\nitems:\n  - name: first\n    size: 1\n  - name: second\n    size: big\n"


def test_yaml_error_names_the_line_of_the_bad_field() -> None:
    with pytest.raises(DataFileError) as err:
        datafiles.parse(_YAML, _File, "x.yaml", fmt="yaml")
    assert str(err.value).startswith("x.yaml:6: entry items.1 ('second'): size: ")


def test_a_missing_field_names_the_line_of_its_entry() -> None:
    with pytest.raises(DataFileError) as err:
        datafiles.parse("version: 1\nitems:\n  - name: a\n    size: 1\n  - name: b\n", _File, "x.yaml", fmt="yaml")
    assert (err.value.line, err.value.entry, err.value.field) == (5, "entry items.1 ('b')", "size")


def test_json_error_names_the_line_of_the_bad_entry(tmp_path: Path) -> None:
    document = {"version": 1, "items": [{"name": "a", "size": 1}, {"name": "b", "size": 2, "colour": "red"}]}
    path = tmp_path / "x.json.gz"
    path.write_bytes(gzip.compress(json.dumps(document, indent=1).encode()))
    with pytest.raises(DataFileError) as err:
        datafiles.load(path, _File)
    assert (err.value.file, err.value.entry, err.value.field) == (str(path), "entry items.1 ('b')", "colour")
    lines = json.dumps(document, indent=1).splitlines()
    assert err.value.line == next(i for i, line in enumerate(lines, start=1) if '"colour"' in line)


def test_text_that_does_not_parse_names_its_line() -> None:
    with pytest.raises(DataFileError, match=r"^x\.yaml:3: <document>: -: not valid YAML"):
        datafiles.parse("items:\n  - [unclosed\n", _File, "x.yaml", fmt="yaml")
    with pytest.raises(DataFileError, match=r"^x\.json:2: <document>: -: not valid JSON"):
        datafiles.parse('{"version": 1,\n "items": [}', _File, "x.json", fmt="json")


def test_an_unreadable_file_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        datafiles.load(tmp_path / "missing.yaml", _File)
