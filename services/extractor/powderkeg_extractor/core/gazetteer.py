"""The actor gazetteer: a validated data file of phrases mapped to CAMEO actor codes, with lookups by token key.

The file (``data/gazetteer.json.gz``) is compiled by ``scripts/build_gazetteer.py`` from the PETRARCH2/Phoenix
dictionaries plus a hand-checked supplement. Every phrase is stored as a *key* (``core/keys.py``), so that the
builder and the matcher agree on what a phrase is and matching is a dictionary lookup per candidate span (no
regular expression per entry).

A code is written ``CODE`` (undated) or ``CODE|start|end`` with ISO dates, either side open, so that the resolver
can pick the role an actor held on the article's date (a leader who later became an opposition figure, the Taliban
before and after August 2021). How a code reads as country and sector is the ontology's (``core/ontology.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_contracts import datafiles
from powderkeg_contracts.datafiles import DataFileError

_CODE = re.compile(r"^(?:[A-Z]{3})+$|^~[A-Z]{3}(?:[A-Z]{3})*$")


class EntryKind(StrEnum):
    """What an entry names; decides whether it can stand for a government, a place, or only lend a sector."""

    COUNTRY = "country"
    CAPITAL = "capital"
    PLACE = "place"
    PERSON = "person"
    SURNAME = "surname"
    ORGANISATION = "organisation"
    IGO = "igo"
    ARMED_GROUP = "armed_group"
    COMPANY = "company"
    NGO = "ngo"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class DatedCode:
    code: str
    start: dt.date | None = None
    end: dt.date | None = None

    def applies(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


@functools.lru_cache(maxsize=8192)
def parse_code(raw: str) -> DatedCode:
    """Parse ``CODE`` or ``CODE|start|end``; raises ValueError naming what is wrong."""
    parts = raw.split("|")
    if len(parts) not in (1, 3):
        raise ValueError(f"code {raw!r} must be CODE or CODE|start|end")
    code = parts[0]
    if not _CODE.match(code):
        raise ValueError(f"code {code!r} is not a CAMEO actor code (groups of 3 capitals, agents start with ~)")
    if len(parts) == 1:
        return DatedCode(code)
    try:
        start = dt.date.fromisoformat(parts[1]) if parts[1] else None
        end = dt.date.fromisoformat(parts[2]) if parts[2] else None
    except ValueError as exc:
        raise ValueError(f"code {raw!r}: {exc}") from None
    if start is not None and end is not None and end < start:
        raise ValueError(f"code {raw!r}: end date before start date")
    return DatedCode(code, start, end)


_DATE = r"\d{4}-\d{2}-\d{2}"
CodeText = Annotated[
    str, Field(pattern=rf"^(?:(?:[A-Z]{{3}})+|~[A-Z]{{3}}(?:[A-Z]{{3}})*)(?:\|(?:{_DATE})?\|(?:{_DATE})?)?$")
]
"""``CODE`` or ``CODE|start|end``; checked by a compiled pattern so that loading stays fast (dates parsed later)."""
Key = Annotated[str, Field(pattern=r"^[^\W_A-Z]+(?: [^\W_A-Z]+)*$")]
"""A normalised phrase key: lowercase words without dots, separated by single spaces."""


Entry = tuple[
    Annotated[str, Field(min_length=1)],
    EntryKind,
    Annotated[tuple[CodeText, ...], Field(min_length=1)],
    tuple[Key, ...],
    tuple[Key, ...],
]
"""One gazetteer record as a row: name, kind, codes, phrases (any letter case), acronyms (matched only in capitals).

Rows rather than objects keep validation of ~40,000 entries in the compiled validator, so loading stays fast.
"""
ENTRY_FIELDS = ("name", "kind", "codes", "phrases", "acronyms")


class GazetteerFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1]
    provenance: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Record:
    """A loaded entry with its codes parsed, as the resolver uses it."""

    name: str
    kind: EntryKind
    codes: tuple[DatedCode, ...]

    def code_on(self, day: dt.date | None) -> DatedCode:
        """The code that applies on ``day``: a matching dated code, else the undated default.

        Without a day, the latest dated role is the best guess (an actor is named in the news for the office it held,
        not for the "elite" default that the dictionaries give outside office); the undated default comes last.
        """
        if day is None:
            dated = [c for c in self.codes if c.dated]
            if dated:
                return max(dated, key=lambda c: (c.end or dt.date.max, c.start or dt.date.min))
            return self.codes[0]
        for code in self.codes:
            if code.dated and code.applies(day):
                return code
        for code in self.codes:
            if not code.dated:
                return code
        return max(self.codes, key=lambda c: (c.end or dt.date.max, c.start or dt.date.min))


@dataclass(frozen=True, slots=True)
class Hit:
    record: Record
    acronym_only: bool


class Gazetteer:
    """Phrase-key lookups over the loaded entries, with the longest phrase length per first word for matching."""

    def __init__(self, entries: tuple[Entry, ...], source: Path | None = None) -> None:
        self._rows = entries
        self._source = source
        self._hits: dict[int, Hit] = {}
        self._index: dict[str, int] = {}
        self._agents: dict[str, int] = {}
        max_len: dict[str, int] = {}
        agent_kind = EntryKind.AGENT
        for number, (_, kind, _, phrases, acronyms) in enumerate(entries):
            target = self._agents if kind is agent_kind else self._index
            for keys, slot in ((phrases, number * 2), (acronyms, number * 2 + 1)):
                for key in keys:
                    target.setdefault(key, slot)
                    if " " in key:
                        first, length = key.split(" ", 1)[0], key.count(" ") + 1
                        if max_len.get(first, 0) < length:
                            max_len[first] = length
                    elif key not in max_len:
                        max_len[key] = 1
        self._max_len = max_len
        self.size = len(entries)

    def check(self) -> None:
        """Parse every code now (loading defers it); raises DataFileError naming the first bad entry."""
        for slot in range(len(self._rows)):
            self._hit(slot * 2)

    def max_len(self, first_key: str) -> int:
        return self._max_len.get(first_key, 0)

    def actor(self, key: str) -> Hit | None:
        slot = self._index.get(key)
        return None if slot is None else self._hit(slot)

    def agent(self, key: str) -> Hit | None:
        slot = self._agents.get(key)
        return None if slot is None else self._hit(slot)

    def _hit(self, slot: int) -> Hit:
        hit = self._hits.get(slot)
        if hit is None:
            number = slot // 2
            name, kind, raw_codes, _, _ = self._rows[number]
            try:
                codes = tuple(parse_code(c) for c in raw_codes)
            except ValueError as exc:
                file, line = str(self._source or "<memory>"), None
                if self._source is not None:
                    line = datafiles.json_line(self._source, ("entries", number))
                raise DataFileError(file, line, f"entry {number} ({name!r})", "codes", str(exc)) from None
            hit = Hit(Record(name, kind, codes), bool(slot % 2))
            self._hits[slot] = hit
        return hit


def load_gazetteer(path: Path) -> Gazetteer:
    """Load and validate a gazetteer file (``.json`` or ``.json.gz``).

    Raises:
        DataFileError: the file cannot be read or an entry is invalid; the message names file, line and entry.
    """
    parsed = datafiles.load(path, GazetteerFile, name_entry=_name_entry)
    return Gazetteer(parsed.entries, path)


def _name_entry(loc: datafiles.Loc, document: object) -> tuple[str, datafiles.Loc]:
    """``entry 12 ('Kabul')`` and the field by name (rows are positional: name, kind, codes, phrases, acronyms)."""
    if len(loc) < 2 or loc[0] != "entries" or not isinstance(loc[1], int):
        return datafiles.DOCUMENT, loc
    entries = document.get("entries") if isinstance(document, dict) else None
    row = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
    name = str(row[0]) if isinstance(row, list) and row else "?"
    rest = list(loc[2:])
    if rest and isinstance(rest[0], int) and rest[0] < len(ENTRY_FIELDS):
        rest[0] = ENTRY_FIELDS[rest[0]]
    return f"entry {loc[1]} ({name!r})", tuple(rest)
