"""The conflict sides of each event: actor classes, sides placed in countries, and the article's own pair.

An event's record names an actor and a recipient; alerting needs *sides*, each a country plus an actor class (see
``powderkeg_contracts.sides``; the class comes from ``core/classes.py``). Placement rules, in order:

1. A side's country is its actor's own country. A recipient that only names the event's place (the host of
   talks, the city of a bombing at home: ``PLACE_ONLY``) is no side, and neither is one that names no party (a
   place, a thing: "the convoy") in the source's own country; across a border it is that country's side.
2. In material conflict, a non-state armed group acting in another country than its own is placed where it acts:
   Pakistani strikes on TTP (a Pakistani group) hideouts in Afghanistan put the TTP side in Afghanistan, because
   the strike crosses that border; the same strike inside Pakistan is domestic.
3. Violence with no perpetrator named but with a victim the parse names ("a bomb killed 11 miners"), or with a
   place and no object ("a bomb exploded in Quetta"), has an *unidentified armed group* (political militia) as its
   source, as ACLED codes it. (The resolve stage usually names that group already, in the event's country.)
4. A side with no country takes, in order: the event's location country, for material conflict only (a strike "in
   Afghanistan" on unnamed militants is an act on Afghan territory, but the host of talks or the place of a
   statement is never a side); for people and non-state groups (not state actors, not external forces), the other
   side's country (a domestic event: "police fired at protesters"); then rules 5 and 6.
5. Article context: a side of a state actor without a country, or a side with no actor at all (no class, no country:
   "Border crossings remain shut"), takes the pair of countries an interstate article is about (the pair named most
   often by the article's events that resolve two countries themselves; for an act of force (material conflict other
   than a restriction such as a closed border), by the material acts alone, so that an accusation between two states
   and its denial never make the accused a party to an attack), provided the event's one known country, if any,
   belongs to it. An event with a non-state side is domestic: this rule never applies to it, so a non-state group is
   never moved into another country.
6. A side of a known class that still has no country takes the article's main country (the one it names most).

Doing this in the extractor, where the whole article is at hand, keys every event by its final pair, so that one
pair's events meet on one partition and alerting needs no cross-partition story state.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Sequence

import pycountry

from powderkeg_contracts import Actor, ActorClass, EventRecord, EventSides, PloverType, QuadClass, Side
from powderkeg_contracts.sides import ARMED_NON_STATE, CLASS_WORDS, STATE_CLASSES
from powderkeg_extractor.core.classes import class_of
from powderkeg_extractor.core.context import PLACE_ONLY, guessed_recipient

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
    "IRN": "Iran",
    "SYR": "Syria",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "VEN": "Venezuela",
    "BOL": "Bolivia",
    "TZA": "Tanzania",
    "MDA": "Moldova",
    "LAO": "Laos",
}

DOMESTIC_CLASSES: frozenset[ActorClass] = ARMED_NON_STATE | {
    ActorClass.RIOTERS,
    ActorClass.PROTESTERS,
    ActorClass.CIVILIANS,
    ActorClass.OPPOSITION,
}
"""Classes of people and groups that belong to the country of the event they take part in, unless named abroad."""

PLACED_ARMED_GROUP = "armed group placed where it acts"
PLACED_TARGET = "target placed in event location"
PLACED_SOURCE = "source placed in event location"
PLACED_BESIDE = "placed in the other side's country"
UNIDENTIFIED = "no perpetrator named: unidentified armed group"
ARTICLE_CONTEXT = "article context"
MAIN_COUNTRY = "placed in the article's main country"


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
    """The actor's class: given by the resolver, else what its code, words and sector say (``core/classes.py``)."""
    return class_of(actor)


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


def unidentified_side(country: str | None) -> Side:
    """An armed group nobody is named for: ACLED's "unidentified armed group" (a political militia)."""
    cls = ActorClass.POLITICAL_MILITIA
    return Side(country=country, actor_class=cls, label=side_label(country, cls, None))


def side_label(country: str | None, cls: ActorClass, group: str | None) -> str:
    """'Pakistan', 'Kenya: protesters', 'Boko Haram (NGA)'."""
    if cls in STATE_CLASSES and country:
        return country_name(country)
    if group:
        return f"{group} ({country})" if country else group
    return f"{country_name(country)}: {CLASS_WORDS[cls]}" if country else CLASS_WORDS[cls].capitalize()


def _group_name(actor: Actor, cls: ActorClass) -> str | None:
    """A named non-state group keeps its name; a generic one ("militants", "gunmen") has none."""
    if cls not in ARMED_NON_STATE and cls is not ActorClass.EXTERNAL:
        return None
    name = actor.name
    if not name or (actor.country and name == country_name(actor.country)) or name == actor.country:
        return None
    if actor.code and len(actor.code) <= 3:
        return None  # a group word alone ("militants") names no group
    return name if name != _country_of_name(actor) else None


def _country_of_name(actor: Actor) -> str | None:
    """The name, when it is only the actor's country (a demonym resolved to a country: "Pakistani militants")."""
    if actor.country is None:
        return None
    country = pycountry.countries.get(alpha_3=actor.country)
    names = {country_name(actor.country)}
    if country is not None:
        names |= {
            str(getattr(country, key)) for key in ("name", "official_name", "common_name") if hasattr(country, key)
        }
    return actor.name if actor.name in names else None


def _is_material(event: EventRecord) -> bool:
    return event.quad_class is QuadClass.MATERIAL_CONFLICT


def _is_force(event: EventRecord) -> bool:
    """An act of force: material conflict other than a restriction (a closed border or a blockade is a measure
    between the states the article is about; an attack or an abduction has doers of its own)."""
    return _is_material(event) and event.mode != "restrict"


def _has_actor(actor: Actor) -> bool:
    """Whether the phrase names a party at all: a class or a country (a weapon or "the attack" names none)."""
    return actor.country is not None or actor_class(actor) is not None


def _placed(actor: Actor, where: str | None, material: bool) -> tuple[str | None, bool]:
    cls = actor_class(actor)
    if material and actor.country and where and cls in ARMED_NON_STATE and actor.country != where:
        return where, True
    return actor.country, False


def place_only(actor: Actor) -> bool:
    """A recipient that only names where the event happened ("talks in Istanbul"): never a side."""
    return actor.reason is not None and PLACE_ONLY in actor.reason


def resolve_sides(event: EventRecord) -> EventSides:
    """Rules 1-4 of the module docstring, on one event."""
    if place_only(event.recipient):
        event = event.model_copy(update={"recipient": Actor(text=event.recipient.text, reason=event.recipient.reason)})
    where = event.location.country
    material = _is_material(event)
    rules: list[str] = []
    source_country, source_moved = _placed(event.actor, where, material)
    target_country, target_moved = _placed(event.recipient, where, material)
    if source_moved or target_moved:
        rules.append(PLACED_ARMED_GROUP)
    unidentified = (
        event.event_type is PloverType.ASSAULT
        and not _has_actor(event.actor)
        and (
            (_has_actor(event.recipient) and not guessed_recipient(event.recipient))
            or (where is not None and not event.recipient.text)
        )
    )
    if material and where is not None:
        if target_country is None and (source_country != where or _has_actor(event.recipient)):
            target_country = where
            rules.append(PLACED_TARGET)
        if source_country is None and (unidentified or _has_actor(event.actor)):
            source_country = where
            rules.append(PLACED_SOURCE)
    source_class, target_class = actor_class(event.actor), actor_class(event.recipient)
    if source_country is None and target_country is not None and _beside(source_class, unidentified):
        source_country = target_country
        rules.append(PLACED_BESIDE)
    if target_country is None and source_country is not None and _beside(target_class, False):
        target_country = source_country
        rules.append(PLACED_BESIDE)
    if unidentified:
        rules.append(UNIDENTIFIED)
        source: Side | None = unidentified_side(source_country)
    else:
        source = side_of(event.actor, source_country)
    crosses = target_country is not None and target_country != (source.country if source is not None else None)
    target = side_of(event.recipient, target_country) if target_class is not None or crosses else None
    return _sides(source, target, rules)


def _beside(cls: ActorClass | None, unidentified: bool) -> bool:
    """Whether a side of class ``cls`` with no country shares the other side's: a domestic event.

    Only people and groups of the country do (an unidentified perpetrator too); a state actor without a country
    is placed by the article (rules 5 and 6), and external forces are foreign by definition.
    """
    return unidentified or cls in DOMESTIC_CLASSES


def _sides(source: Side | None, target: Side | None, rules: list[str]) -> EventSides:
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
    return _best(votes)


def _best(votes: collections.Counter[tuple[str, ...]]) -> tuple[str, str] | None:
    if not votes:
        return None
    best = min(votes, key=lambda pair: (-votes[pair], pair))
    return best[0], best[1]


def _fillable(side: Side | None) -> bool:
    """Rule 5 fills a missing side, or a state side without a country; never a non-state group's."""
    return side is None or (side.country is None and side.is_state)


def in_article_pair(sides: EventSides, pair: tuple[str, str]) -> EventSides | None:
    """Rule 5: ``sides`` with its missing countries taken from the article's ``pair``, or None when it does not fit."""
    known = _countries(sides)
    if any(c not in pair for c in known) or len(known) == 2:
        return None
    ends = (sides.source, sides.target)
    if any(s is not None and not s.is_state for s in ends):
        return None  # a non-state side makes it a domestic event, never one between the article's two states
    if not any(_fillable(s) for s in ends):
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


def in_main_country(sides: EventSides, country: str) -> EventSides:
    """Rule 6: sides of a known class without a country placed in the article's main ``country``."""
    moved = [s for s in (sides.source, sides.target) if s is not None and s.country is None]
    if not moved:
        return sides
    update = {
        "source": _moved(sides.source, country) if sides.source is not None and sides.source.country is None else None,
        "target": _moved(sides.target, country) if sides.target is not None and sides.target.country is None else None,
    }
    rule = MAIN_COUNTRY if sides.rule == "actor countries" else f"{sides.rule}; {MAIN_COUNTRY}"
    changes = {k: v for k, v in update.items() if v is not None}
    return sides.model_copy(update={**changes, "rule": rule})


def _moved(side: Side | None, country: str) -> Side:
    if side is None or side.is_state:
        return state_side(country)
    if side.country == country:
        return side
    return side.model_copy(update={"country": country, "label": side_label(country, side.actor_class, side.group)})


def assign_sides(records: Sequence[EventRecord], *, main_country: str | None = None) -> list[EventRecord]:
    """The records of one article, each with its actor classes and sides (rules 1-6).

    ``main_country``: the country the article names most, if one stands out.
    """
    classed = [
        r.model_copy(update={"actor": with_class(r.actor), "recipient": with_class(r.recipient)}) for r in records
    ]
    own = [resolve_sides(r) for r in classed]
    pair = article_pair(own)
    events = list(zip(classed, own, strict=True))
    armed = article_pair([sides for record, sides in events if _is_material(record)])
    out = []
    for record, sides in events:
        # An act of force takes the pair only from the article's material acts: a story in which one state accuses
        # another of a bombing and the other denies it (a war of words) makes neither a party to the bombing.
        context = armed if _is_force(record) else pair
        if context is not None and _unresolved(sides):
            sides = in_article_pair(sides, context) or sides
        if main_country is not None and _unresolved(sides):
            sides = in_main_country(sides, main_country)
        out.append(record.model_copy(update={"sides": sides}))
    return out
