"""Place resolution: a place name (city, region, country) -> :class:`Location` with its ISO country.

Places come from the same gazetteer as actors (country names, capitals, the cities and provinces that the Phoenix
country dictionaries list, and unambiguous pycountry subdivisions). Only entries of a place kind count: a name that is
only known as a person or an organisation is not a place, and a country name is always the country itself, never a
building or a street that happens to share its name.
"""

from __future__ import annotations

from powderkeg_contracts.models import Location
from powderkeg_extractor.core.gazetteer import EntryKind, Gazetteer
from powderkeg_extractor.core.keys import tokenize
from powderkeg_extractor.core.ontology import iso_country

_PLACE_KINDS = {EntryKind.COUNTRY, EntryKind.CAPITAL, EntryKind.PLACE}


def resolve_place(gazetteer: Gazetteer, name: str, generic: frozenset[str]) -> Location:
    """Resolve ``name``; the whole name first, then the longest known place inside it ("Helmand province").

    ``generic``: words that alone never name a place ("the province", "northern").
    """
    tokens = tokenize(name)
    if not tokens:
        return Location(place=name or None, reason="empty place name")
    keys = [t.key for t in tokens]
    best: tuple[int, str] | None = None
    for length in range(len(keys), 0, -1):
        for start in range(0, len(keys) - length + 1):
            window = keys[start : start + length]
            if all(k in generic for k in window):
                continue
            hit = gazetteer.actor(" ".join(window))
            if hit is None or hit.record.kind not in _PLACE_KINDS:
                continue
            if hit.acronym_only and not all(t.is_upper for t in tokens[start : start + length]):
                continue
            code = hit.record.code_on(None).code[:3]
            best = (length, code)
            break
        if best is not None:
            break
    if best is None:
        return Location(place=name, reason="place not in gazetteer")
    return Location(place=name, country=iso_country(best[1]))
