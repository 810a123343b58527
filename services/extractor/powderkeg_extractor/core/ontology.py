"""CAMEO and PLOVER tables: code -> PLOVER type and mode, Goldstein score, quad class, pentacode.

The tables are the packaged copies of the PLOVER conversion table and the GDELT CAMEO lookups (see
``data/ontology/README.md``). Decisions that the upstream documents leave open are made here, once:

* SANCTION is *verbal conflict* (the PLOVER manual's quad table), whatever its CAMEO root says.
* CAMEO 163 (embargo, boycott, sanctions) is SANCTION ``discontinue``, not the conversion table's COERCE restrict:
  a sanction is a cut in relations, which is what the alerting rules look for under SANCTION.
* CAMEO root 08 defaults to CONCEDE; 084-087 (and 0813/0814) are RETREAT as in the table.
* CAMEO 0831 (accede to demands for change in leadership: a leader resigns) is RETREAT, not the table's CONCEDE:
  stepping down is a material act (CAMEO root 08 is material cooperation) and the PLOVER GSR codes every bare
  resignation RETREAT.
* Codes 106-108 follow CAMEO 1.1b3 (meeting, settling, mediation), as the PETRARCH2 dictionary does.
* Pentacode comes from the CAMEO root (01-02 -> 0, 03-05 -> 1, 06-08 -> 2, 09-13 -> 3, 14-20 -> 4).
"""

from __future__ import annotations

import functools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_contracts import datafiles
from powderkeg_contracts.datafiles import DataFileError
from powderkeg_contracts.models import PloverType, QuadClass

_PACKAGE = "powderkeg_extractor"

QUAD_OF_TYPE: dict[PloverType, QuadClass] = {
    **dict.fromkeys(
        (PloverType.AGREE, PloverType.CONSULT, PloverType.SUPPORT, PloverType.CONCEDE), QuadClass.VERBAL_COOPERATION
    ),
    **dict.fromkeys((PloverType.COOPERATE, PloverType.AID, PloverType.RETREAT), QuadClass.MATERIAL_COOPERATION),
    **dict.fromkeys(
        (PloverType.REQUEST, PloverType.ACCUSE, PloverType.REJECT, PloverType.THREATEN, PloverType.SANCTION),
        QuadClass.VERBAL_CONFLICT,
    ),
    **dict.fromkeys(
        (PloverType.PROTEST, PloverType.MOBILIZE, PloverType.COERCE, PloverType.ASSAULT), QuadClass.MATERIAL_CONFLICT
    ),
}
"""The PLOVER manual's quad table (SANCTION = verbal conflict)."""

QUAD_PENTACODE: dict[QuadClass, int] = {
    QuadClass.VERBAL_COOPERATION: 1,
    QuadClass.MATERIAL_COOPERATION: 2,
    QuadClass.VERBAL_CONFLICT: 3,
    QuadClass.MATERIAL_CONFLICT: 4,
}

_OVERRIDES: dict[str, tuple[PloverType, str | None]] = {
    "08": (PloverType.CONCEDE, None),
    "0831": (PloverType.RETREAT, None),
    "163": (PloverType.SANCTION, "discontinue"),
}


class CameoEntry(BaseModel):
    """One CAMEO code with everything derived from it."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[0-2][0-9]{1,3}$")
    description: str
    goldstein: float = Field(ge=-10.0, le=10.0)
    plover: PloverType | None = Field(description="None for roots 01 and 02 (statements, appeals).")
    mode: str | None = None

    @property
    def root(self) -> str:
        return self.code[:2]

    @property
    def pentacode(self) -> int:
        return pentacode_of(self.code)

    @property
    def quad_class(self) -> QuadClass | None:
        return QUAD_OF_TYPE[self.plover] if self.plover is not None else None


def pentacode_of(code: str) -> int:
    """Pentacode from the CAMEO root (01-02 -> 0 ... 14-20 -> 4)."""
    root = int(code[:2])
    if root <= 2:
        return 0
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


def _read(name: str) -> list[str]:
    return datafiles.read_lines(resources.files(_PACKAGE).joinpath("data", "ontology", name))


def _tsv(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for lineno, line in enumerate(_read(name)[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise DataFileError(name, lineno, f"code {parts[0]!r}", "-", "expected two tab-separated columns")
        out[parts[0].strip()] = parts[1].strip()
    return out


def _plover_table() -> dict[str, tuple[PloverType, str | None]]:
    name = "CAMEO2PLOVER-2021.txt"
    out: dict[str, tuple[PloverType, str | None]] = {}
    for lineno, raw in enumerate(_read(name), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or ":" not in line or not line[0].isdigit():
            continue
        code, rest = (part.strip() for part in line.split(":", 1))
        fields = [f.strip() for f in rest.split(",")]
        try:
            plover = PloverType(fields[0])
        except ValueError as exc:
            raise DataFileError(name, lineno, f"code {code}", "type", f"unknown PLOVER type {fields[0]!r}") from exc
        mode = fields[1] if len(fields) > 1 and fields[1] else None
        out.setdefault(code, (plover, mode))
    out.update(_OVERRIDES)
    return out


class Ontology:
    """Lookup of CAMEO codes; load once with :meth:`default`."""

    def __init__(self, entries: dict[str, CameoEntry]) -> None:
        self._entries = entries

    @classmethod
    @functools.cache
    def default(cls) -> Ontology:
        goldstein = _tsv("CAMEO.goldsteinscale.txt")
        names = _tsv("CAMEO.eventcodes.txt")
        plover = _plover_table()
        entries: dict[str, CameoEntry] = {}
        for code, score in goldstein.items():
            mapped = _inherit(plover, code)
            entries[code] = CameoEntry(
                code=code,
                description=names.get(code, ""),
                goldstein=float(score),
                plover=mapped[0] if mapped else None,
                mode=mapped[1] if mapped else None,
            )
        return cls(entries)

    def __contains__(self, code: str) -> bool:
        return code in self._entries

    def lookup(self, code: str) -> CameoEntry:
        """The entry for ``code``, falling back to its parent codes (``1384`` -> ``138`` -> ``13``)."""
        probe = code
        while probe and probe not in self._entries:
            probe = probe[:-1]
        if len(probe) < 2:
            raise KeyError(code)
        return self._entries[probe]

    def codes(self) -> list[str]:
        return sorted(self._entries)


def _inherit(table: dict[str, tuple[PloverType, str | None]], code: str) -> tuple[PloverType, str | None] | None:
    probe = code
    while len(probe) >= 2:
        if probe in table:
            return table[probe]
        probe = probe[:-1]
    return None
