"""The conflict sides of each event: actor classes, sides placed in countries, and the article's own pair.

An event's record names an actor and a recipient; alerting needs *sides*, each a country plus an actor class (see
``powderkeg_contracts.sides``). Placement rules, in order:

1. A side's country is its actor's own country.
2. A non-state armed group acting in another country than its own is placed where it acts: Pakistani strikes on TTP
   (a Pakistani group) hideouts in Afghanistan put the TTP side in Afghanistan, because the strike crosses that
   border; the same strike inside Pakistan is domestic.
3. A recipient with no country, when the event happens in another country than the source's, is placed in the
   event's country: a strike "in Afghanistan" on unnamed militants is an act on Afghan territory.
4. Article context: when a side has no country at all ("Border crossings remain shut", "deadly clashes along the
   border"), the event takes the pair of countries its article is about (the pair named most often by the article's
   events that resolve two countries themselves), provided its one known country, if any, belongs to it. Sides that
   resolve to one country are never re-placed.

Doing this in the extractor, where the whole article is at hand, keys every event by its final pair, so that one
pair's events meet on one partition and alerting needs no cross-partition story state.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Sequence

import pycountry

from powderkeg_contracts import Actor, ActorClass, EventRecord, EventSides, Sector, Side
from powderkeg_contracts.sides import ARMED_NON_STATE, CLASS_WORDS

CLASS_OF_SECTOR: dict[Sector, ActorClass | None] = {
    Sector.GOVERNMENT: ActorClass.GOVERNMENT,
    Sector.JUDICIARY: ActorClass.GOVERNMENT,
    Sector.LEGISLATURE: ActorClass.GOVERNMENT,
    Sector.MILITARY: ActorClass.STATE_FORCES,
    Sector.POLICE: ActorClass.STATE_FORCES,
    Sector.REBELS: ActorClass.REBELS,
    Sector.INSURGENTS: ActorClass.REBELS,
    Sector.CRIMINAL: ActorClass.POLITICAL_MILITIA,
    Sector.OPPOSITION: ActorClass.OPPOSITION,
    Sector.CIVILIANS: ActorClass.CIVILIANS,
    Sector.MEDIA: ActorClass.CIVILIANS,
    Sector.BUSINESS: ActorClass.CIVILIANS,
    Sector.NGO: ActorClass.CIVILIANS,
    Sector.RELIGIOUS: ActorClass.CIVILIANS,
    Sector.INTERNATIONAL_ORGANISATION: ActorClass.EXTERNAL,
    Sector.OTHER: None,
}
"""ACLED-style class of each CAMEO/PLOVER sector. A country named with no sector ("Pakistan said") is its
government."""

_SHORT_NAMES = {
    "RUS": "Russia",
    "COD": "DR Congo",
    "COG": "Congo",
    "PSE": "Palestine",
    "GBR": "United Kingdom",
    "USA": "United States",
    "CIV": "Ivory Coast",
    "TUR": "Turkey",
    "TWN": "Taiwan",
    "XKX": "Kosovo",
}

PLACED_ARMED_GROUP = "armed group placed where it acts"
PLACED_TARGET = "target placed in event location"
ARTICLE_CONTEXT = "article context"


@functools.lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A short English name for an ISO alpha-3 code ("North Korea", not "Korea, Democratic People's Republic of")."""
    if code in _SHORT_NAMES:
        return _SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def actor_class(actor: Actor) -> ActorClass | None:
    """The actor's class: given, else from its sector, else government for a bare country, else None."""
    if actor.actor_class is not None:
        return actor.actor_class
    if actor.sector is not None:
        return CLASS_OF_SECTOR[actor.sector]
    return ActorClass.GOVERNMENT if actor.country else None


def with_class(actor: Actor) -> Actor:
    """``actor`` with its class filled in (unchanged when it has one or none can be told)."""
    cls = actor_class(actor)
    return actor if cls is None or cls is actor.actor_class else actor.model_copy(update={"actor_class": cls})


def side_of(actor: Actor, country: str | None = None) -> Side | None:
    """The side ``actor`` stands for, in ``country`` (default: its own); None when no class or country is known."""
    cls = actor_class(actor)
    where = country or actor.country
    if cls is None:
        if where is None:
            return None
        cls = ActorClass.GOVERNMENT
    group = _group_name(actor, cls)
    return Side(country=where, actor_class=cls, group=group, label=side_label(where, cls, group))


def state_side(country: str) -> Side:
    return Side(country=country, actor_class=ActorClass.GOVERNMENT, label=country_name(country))


def side_label(country: str | None, cls: ActorClass, group: str | None) -> str:
    """'Pakistan', 'Kenya: protesters', 'Boko Haram (NGA)'."""
    if cls in (ActorClass.GOVERNMENT, ActorClass.STATE_FORCES) and country:
        return country_name(country)
    if group:
        return f"{group} ({country})" if country else group
    return f"{country_name(country)}: {CLASS_WORDS[cls]}" if country else CLASS_WORDS[cls].capitalize()


def _group_name(actor: Actor, cls: ActorClass) -> str | None:
    """A named non-state group keeps its name; a generic one ("militants", "gunmen") has none."""
    if cls not in ARMED_NON_STATE and cls is not ActorClass.EXTERNAL:
        return None
    name = actor.name
    if not name or (actor.country and name == country_name(actor.country)):
        return None
    return name


def _placed(actor: Actor, where: str | None) -> tuple[str | None, bool]:
    cls = actor_class(actor)
    if actor.country and where and cls in ARMED_NON_STATE and actor.country != where:
        return where, True
    return actor.country, False


def resolve_sides(event: EventRecord) -> EventSides:
    """Rules 1-3 of the module docstring, on one event."""
    where = event.location.country
    source_country, source_moved = _placed(event.actor, where)
    target_country, target_moved = _placed(event.recipient, where)
    rules = []
    if source_moved or target_moved:
        rules.append(PLACED_ARMED_GROUP)
    if target_country is None and source_country is not None and where is not None and where != source_country:
        target_country = where
        rules.append(PLACED_TARGET)
    source = side_of(event.actor, source_country)
    target = side_of(event.recipient, target_country) if target_country or actor_class(event.recipient) else None
    reason = None
    if source is None or target is None:
        reason = "no actor resolved to a side" if source is None else "no recipient resolved to a side"
    return EventSides(source=source, target=target, rule="; ".join(rules) or "actor countries", reason=reason)


def _countries(sides: EventSides) -> tuple[str, ...]:
    return tuple(sorted({s.country for s in (sides.source, sides.target) if s is not None and s.country}))


def _unresolved(sides: EventSides) -> bool:
    return any(s is None or s.country is None for s in (sides.source, sides.target))


def article_pair(all_sides: Sequence[EventSides]) -> tuple[str, str] | None:
    """The pair of countries most of an article's two-country events are about; ties go to the first in sort order."""
    votes: collections.Counter[tuple[str, ...]] = collections.Counter(
        countries for sides in all_sides if len(countries := _countries(sides)) == 2
    )
    if not votes:
        return None
    best = min(votes, key=lambda pair: (-votes[pair], pair))
    return best[0], best[1]


def in_article_pair(sides: EventSides, pair: tuple[str, str]) -> EventSides | None:
    """Rule 4: ``sides`` with its missing countries taken from the article's ``pair``, or None when it does not fit."""
    known = _countries(sides)
    if any(c not in pair for c in known) or len(known) == 2:
        return None
    a, b = pair
    source_country = sides.source.country if sides.source is not None and sides.source.country else None
    target_country = sides.target.country if sides.target is not None and sides.target.country else None
    source_country = source_country or (b if target_country == a else a)
    target_country = target_country or (b if source_country == a else a)
    return sides.model_copy(
        update={
            "source": _moved(sides.source, source_country),
            "target": _moved(sides.target, target_country),
            "rule": ARTICLE_CONTEXT,
            "reason": None,
        }
    )


def _moved(side: Side | None, country: str) -> Side:
    if side is None or side.is_state:
        return state_side(country)
    if side.country == country:
        return side
    return side.model_copy(update={"country": country, "label": side_label(country, side.actor_class, side.group)})


def assign_sides(records: Sequence[EventRecord]) -> list[EventRecord]:
    """The records of one article, each with its actor classes and sides (rules 1-4)."""
    classed = [
        r.model_copy(update={"actor": with_class(r.actor), "recipient": with_class(r.recipient)}) for r in records
    ]
    own = [resolve_sides(r) for r in classed]
    pair = article_pair(own)
    out = []
    for record, sides in zip(classed, own, strict=True):
        if pair is not None and _unresolved(sides):
            sides = in_article_pair(sides, pair) or sides
        out.append(record.model_copy(update={"sides": sides}))
    return out
