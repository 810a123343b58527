"""Coordinates for event locations: a place name (and the country the extractor resolved) to latitude, longitude,
admin-1 and a precision level, after ACLED's geo-precision.

The gazetteer is ``data/places.tsv.gz``, compiled from GeoNames data shipped by two PyPI packages (see
``data/README.md`` for sources and licences): cities of 5,000 people or more with their alternate names, first-level
divisions, and a point for each country. Resolution, for a place text such as "Somali city of Beledweyne",
"Helmand province" or "northeast Syria":

1. candidate names are runs of capitalised words of the text (lower-case words are never places: "military convoy"),
   longest first, with generic words ("province", "northern") allowed around but never alone;
2. a name is looked up as a city and as a first-level division; when the extractor knows the country, only places in
   that country count, else places in the countries of the event's actors and sides are preferred, and otherwise a
   city is taken only if it is much larger than every namesake (Tripoli, Libya over Tripoli, Lebanon, needs the
   country);
3. a division wins over a namesake city when the text says "province", "state", "region" ...;
4. nothing found but a country known: the country's point, precision ``country``.

Pure: no I/O beyond reading the packaged data file once.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from powderkeg_contracts.models import EventRecord, GeoPrecision, Location

DATA = Path(__file__).resolve().parent / "data" / "places.tsv.gz"
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
GENERIC = frozenset(
    [
        "the",
        "of",
        "province",
        "provinces",
        "state",
        "region",
        "district",
        "governorate",
        "oblast",
        "county",
        "city",
        "town",
        "village",
        "area",
        "capital",
        "border",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "near",
        "outskirts",
    ]
)
DIVISION_WORDS = frozenset(
    ["province", "state", "region", "governorate", "oblast", "county", "prefecture", "department", "division"]
)
PARTICLES = frozenset(
    [
        "al",
        "el",
        "de",
        "la",
        "le",
        "du",
        "des",
        "di",
        "da",
        "del",
        "dos",
        "das",
        "ad",
        "as",
        "ash",
        "ar",
        "an",
        "at",
        "bin",
        "ibn",
    ]
)
DOMINANCE = 10.0
"""Without a known country, a city must be this many times larger than its largest namesake elsewhere."""
MIN_UNPLACED_POPULATION = 100_000
"""... and this large: a small town's name is too likely to be some other town's too."""
NO_COORDINATES = "no coordinates: place not in the geocoder's gazetteer"
AMBIGUOUS = "no coordinates: several places have this name and no country tells them apart"
COUNTRY_ONLY = "coordinates are the country's: place not in the geocoder's gazetteer"
COUNTRY_FOUND = "country from the geocoder's gazetteer"


@dataclass(frozen=True, slots=True)
class Place:
    kind: str
    """``C`` city, ``A`` first-level division, ``N`` country."""
    geonames_id: int | None
    name: str
    country: str
    admin1: str | None
    latitude: float
    longitude: float
    population: int

    @property
    def precision(self) -> GeoPrecision:
        return {"C": GeoPrecision.CITY, "A": GeoPrecision.ADMIN1}.get(self.kind, GeoPrecision.COUNTRY)


def fold(text: str) -> str:
    """Lower case, accents dropped, apostrophes and dots removed, hyphens as spaces: the lookup form of a name."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"['’.]", "", plain).replace("-", " ")
    return " ".join(plain.split())


class Gazetteer:
    """Places by folded name; countries by ISO3. Rows stay text until a lookup needs them (loading is most of the
    geocoder's cost)."""

    def __init__(self, rows: Iterable[Sequence[str]]) -> None:
        """``rows``: the 9 fields of the data file per place; the last holds the lookup keys, ``|``-separated."""
        self._rows: list[Sequence[str]] = []
        self._by_name: dict[str, list[int]] = {}
        self.countries: dict[str, Place] = {}
        self.country_names: dict[str, str] = {}
        for row in rows:
            keys = row[8].split("|") if row[8] else ()
            if row[0] == "N":
                self.countries[row[3]] = _place(row)
                self.country_names.update(dict.fromkeys(keys, row[3]))
                continue
            index = len(self._rows)
            self._rows.append(row)
            for key in keys:
                self._by_name.setdefault(key, []).append(index)

    def lookup(self, key: str) -> list[Place]:
        """Cities and divisions whose name or alternate name folds to ``key``."""
        return [_place(self._rows[i]) for i in self._by_name.get(key, ())]

    def __len__(self) -> int:
        return len(self._by_name)

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        return cls.load(DATA)

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        """Read a compiled file (``scripts/build_geocoder.py``); a malformed line names its line number."""
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        rows = []
        for number, line in enumerate(lines, start=1):
            if line.startswith("#") or not line:
                continue
            parts = line.split("\t")
            if len(parts) != 9 or parts[0] not in {"C", "A", "N"}:
                raise ValueError(f"{path}:{number}: expected 9 tab-separated fields of kind C, A or N")
            rows.append(parts)
        return cls(rows)


def _place(row: Sequence[str]) -> Place:
    kind, gid, name, country, admin1, lat, lon, pop, _keys = row
    return Place(kind, int(gid) if gid else None, name, country, admin1 or None, float(lat), float(lon), int(pop or 0))


def _names(text: str) -> list[tuple[str, bool]]:
    """Candidate names in ``text``, longest first: (folded name, whether a division word is next to it)."""
    words = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    keys = [fold(w) for w, _ in words]
    proper = [w[:1].isupper() or k in PARTICLES for (w, _), k in zip(words, keys, strict=True)]
    out: list[tuple[str, bool]] = []
    for length in range(len(words), 0, -1):
        for start in range(len(words) - length + 1):
            window = range(start, start + length)
            if not all(proper[i] for i in window) or not words[start][0][:1].isupper():
                continue
            if all(keys[i] in GENERIC or keys[i] in PARTICLES for i in window):
                continue
            near = {keys[i] for i in (start - 1, start + length) if 0 <= i < len(keys)}
            out.append((" ".join(keys[i] for i in window), bool(near & DIVISION_WORDS)))
    return out


def _choose(candidates: list[Place], country: str | None, context: Sequence[str], division: bool) -> Place | None:
    if country is not None:
        candidates = [p for p in candidates if p.country == country]
    elif context:
        placed = [p for p in candidates if p.country in context]
        candidates = placed or candidates
    if not candidates:
        return None
    kinds = {p.kind for p in candidates}
    if division and "A" in kinds:
        candidates = [p for p in candidates if p.kind == "A"]
    elif "C" in kinds:
        candidates = [p for p in candidates if p.kind == "C"]
    ranked = sorted(candidates, key=lambda p: -p.population)
    best = ranked[0]
    if country is None and not set(context) & {best.country}:
        others = [p.population for p in ranked[1:] if p.country != best.country]
        if best.population < MIN_UNPLACED_POPULATION or (others and best.population < DOMINANCE * others[0]):
            return None
    return best


def geocode(location: Location, context: Sequence[str] = (), gazetteer: Gazetteer | None = None) -> Location:
    """``location`` with coordinates, admin-1, precision and GeoNames id where the gazetteer knows the place.

    ``context``: ISO3 countries of the event's actors and sides, used when the location has no country. A location
    that already has coordinates, or names no place and no country, is returned unchanged.
    """
    if location.latitude is not None or (location.place is None and location.country is None):
        return location
    gaz = gazetteer or Gazetteer.default()
    found: Place | None = None
    ambiguous = False
    for name, division in _names(location.place or ""):
        candidates = gaz.lookup(name)
        found = _choose(candidates, location.country, context, division)
        ambiguous = ambiguous or (bool(candidates) and location.country is None)
        if found is not None:
            break
        country = gaz.country_names.get(name)
        if country is not None and country == (location.country or country):
            found = gaz.countries[country]
            break
    reason = location.reason
    if found is None and location.country in gaz.countries:
        found = gaz.countries[location.country]
        if location.place and fold(location.place) != fold(found.name):
            reason = _joined(reason, COUNTRY_ONLY)
    if found is None:
        why = AMBIGUOUS if ambiguous else NO_COORDINATES
        return location.model_copy(update={"reason": _joined(reason, why)}) if location.place else location
    if location.country is None:
        reason = COUNTRY_FOUND
    return location.model_copy(
        update={
            "country": location.country or found.country,
            "admin1": found.admin1 if found.kind != "N" else None,
            "latitude": found.latitude,
            "longitude": found.longitude,
            "precision": found.precision,
            "geonames_id": found.geonames_id,
            "reason": reason,
        }
    )


def _joined(reason: str | None, addition: str) -> str:
    return addition if not reason else f"{reason}; {addition}"


def geocode_records(records: Sequence[EventRecord], gazetteer: Gazetteer | None = None) -> list[EventRecord]:
    """Every record with its location geocoded; the actors' and sides' countries disambiguate the place."""
    out = []
    for record in records:
        sides = [s for s in (record.sides.source, record.sides.target) if s is not None]
        context = tuple(
            dict.fromkeys(c for c in (record.actor.country, record.recipient.country, *(s.country for s in sides)) if c)
        )
        location = geocode(record.location, context, gazetteer)
        out.append(record if location is record.location else record.model_copy(update={"location": location}))
    return out
