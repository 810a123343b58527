"""CAMEO and PLOVER: event codes (type, mode, Goldstein, quad class, pentacode), recodings, and actor codes.

The upstream tables are the packaged copies of the PLOVER conversion table and the GDELT CAMEO lookups (see
``data/ontology/README.md``). Decisions that the upstream documents leave open are made here, once, and kept as
data beside them: ``data/ontology/recoding.yaml`` (type overrides; the codes announced, refused and demanded acts
take) and ``data/ontology/actor_codes.yaml`` (role segments -> sectors, obsolete country codes -> ISO):

* SANCTION is *verbal conflict* (the PLOVER manual's quad table), whatever its CAMEO root says.
* CAMEO 163 (embargo, boycott, sanctions) is SANCTION ``discontinue``, not the conversion table's COERCE restrict:
  a sanction is a cut in relations, which is what the alerting rules look for under SANCTION.
* CAMEO root 08 defaults to CONCEDE; 084-087 (and 0813/0814) are RETREAT as in the table.
* CAMEO 0831 (accede to demands for change in leadership: a leader resigns) is RETREAT, not the table's CONCEDE:
  stepping down is a material act (CAMEO root 08 is material cooperation) and the PLOVER GSR codes every bare
  resignation RETREAT.
* Codes 106-108 follow CAMEO 1.1b3 (meeting, settling, mediation), as the PETRARCH2 dictionary does.
* Pentacode comes from the CAMEO root (01-02 -> 0, 03-05 -> 1, 06-08 -> 2, 09-13 -> 3, 14-20 -> 4).
* An announced act takes CAMEO's intent (03x) or threat (13x) code, a refused cooperative act the refusal code
  (12x), and a DEMAND-block appeal pattern (02x) the parallel demand code (10x).
* An actor code reads as ISO country plus the sector of its first role segment that maps to one.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from powderkeg_contracts import datafiles
from powderkeg_contracts.datafiles import DataFileError
from powderkeg_contracts.models import PloverType, QuadClass, Sector

_PACKAGE = "powderkeg_extractor"
CODE_PATTERN = r"^[0-2][0-9]{1,3}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
Root = Annotated[str, Field(pattern=r"^[0-2][0-9]$")]
Segment = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

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


def _known(code: str, info: ValidationInfo) -> str:
    known: set[str] = (info.context or {}).get("codes", set())
    if known and code not in known:
        raise ValueError(f"unknown CAMEO code {code!r}")
    return code


KnownCode = Annotated[Code, AfterValidator(_known)]
"""A code of the Goldstein table, when the loader passes the table's codes as ``context={"codes": ...}``."""


class Override(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: PloverType
    mode: str | None = None


class Recoding(BaseModel):
    """``data/ontology/recoding.yaml``: every code must be one of the Goldstein table (passed as context)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    overrides: dict[KnownCode, Override]
    intent_of_root: dict[Root, KnownCode]
    refusal_of: dict[KnownCode, KnownCode]
    appeal_to_demand: dict[Root, Root]


class ActorCodes(BaseModel):
    """``data/ontology/actor_codes.yaml``: how a CAMEO actor code reads as contract fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sectors: dict[Segment, Sector]
    old_codes: dict[Segment, Segment]
    non_state: frozenset[Segment]

    @field_validator("old_codes")
    @classmethod
    def _to_iso(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = sorted(iso for iso in value.values() if not is_country(iso))
        if wrong:
            raise ValueError(f"not ISO 3166 alpha-3 country codes: {', '.join(wrong)}")
        return value


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


def _path(name: str) -> Any:
    return resources.files(_PACKAGE).joinpath("data", "ontology", name)


def _read(name: str) -> list[str]:
    return datafiles.read_lines(_path(name))


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


def _plover_table(overrides: dict[str, Override]) -> dict[str, tuple[PloverType, str | None]]:
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
    out.update({code: (o.type, o.mode) for code, o in overrides.items()})
    return out


class Ontology:
    """Lookup of CAMEO codes and the recodings between them; load once with :meth:`default`."""

    def __init__(self, entries: dict[str, CameoEntry], recoding: Recoding) -> None:
        self._entries = entries
        self.recoding = recoding

    @classmethod
    @functools.cache
    def default(cls) -> Ontology:
        goldstein = _tsv("CAMEO.goldsteinscale.txt")
        names = _tsv("CAMEO.eventcodes.txt")
        source = "powderkeg_extractor/data/ontology/recoding.yaml"
        recoding = datafiles.load(_path("recoding.yaml"), Recoding, source=source, context={"codes": set(goldstein)})
        plover = _plover_table(recoding.overrides)
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
        return cls(entries, recoding)

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

    def intent_code(self, code: str) -> str | None:
        """The intent (03x) or threat (13x) code of an act the actor only announces, or None to keep ``code``."""
        return self.recoding.intent_of_root.get(code[:2])

    def refusal_code(self, code: str) -> str | None:
        """The REJECT code (12x) of a cooperative act the actor does not perform, or None to keep ``code``.

        Negated conflict ("did not attack") has no CAMEO counterpart and keeps its code.
        """
        for length in (4, 3, 2):
            found = self.recoding.refusal_of.get(code[:length])
            if found is not None:
                return found
        return None

    def demand_code(self, code: str) -> str:
        """``code`` of a pattern matched under a DEMAND verb: an appeal (02x) becomes the demand (10x)."""
        root = self.recoding.appeal_to_demand.get(code[:2])
        return code if root is None else root + code[2:]


@functools.cache
def actor_codes() -> ActorCodes:
    """The packaged actor-code tables, loaded once per process."""
    source = "powderkeg_extractor/data/ontology/actor_codes.yaml"
    return datafiles.load(_path("actor_codes.yaml"), ActorCodes, source=source)


def split_code(code: str) -> tuple[str | None, Sector | None, str | None]:
    """Interpret a CAMEO actor code: ISO country (or None with a reason) and the sector of its first role segment."""
    tables = actor_codes()
    if code.startswith("~"):
        return None, _first_sector(code[1:]), "title or group word without a country"
    prefix, rest = code[:3], code[3:]
    if prefix in tables.non_state:
        home = rest[:3]
        country = tables.old_codes.get(home, home) if prefix in {"MNC", "NGO"} and is_country(home) else None
        sector = tables.sectors.get(prefix) if prefix != "INT" else _first_sector(rest)
        reason = None if country else "international organisation" if prefix == "IGO" else "transnational actor"
        return country, sector, reason
    iso = tables.old_codes.get(prefix, prefix)
    if not is_country(iso):
        return None, _first_sector(rest), f"code {prefix} names a region or group, not a country"
    return iso, _first_sector(rest), None


def iso_country(code: str) -> str:
    """An ISO 3166 alpha-3 code for a CAMEO country code (obsolete codes mapped, others unchanged)."""
    return actor_codes().old_codes.get(code, code)


def _first_sector(segments: str) -> Sector | None:
    sectors = actor_codes().sectors
    for i in range(0, len(segments) - 2, 3):
        sector = sectors.get(segments[i : i + 3])
        if sector is not None:
            return sector
    return None


@functools.lru_cache(maxsize=512)
def is_country(code: str) -> bool:
    """True for ISO 3166 alpha-3 codes (and XKX, Kosovo's common user-assigned code)."""
    return code == "XKX" or (len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None)


def _inherit(table: dict[str, tuple[PloverType, str | None]], code: str) -> tuple[PloverType, str | None] | None:
    probe = code
    while len(probe) >= 2:
        if probe in table:
            return table[probe]
        probe = probe[:-1]
    return None
