"""Sides of a conflict: who an actor is (its class), which side it is on, and the keys that group them.

An alert is about a pair of *sides*, not only of countries: most of the world's armed conflict is inside one country,
and "Sudan's army vs the Rapid Support Forces" must be a pair as much as "Afghanistan vs Pakistan". A side is a
country plus an actor class modelled on ACLED's actor types, and, for a named non-state group, the group's name, so
that two insurgencies in one country are two pairs.

Keys are the one place these are spelled; producers, consumers and dashboards never build them by hand:

- a state side (state forces or civilian government) is its country code: ``PAK``. The two are one side in a
  conflict ("Pakistan said" and "Pakistani jets struck" are the same party), so an interstate pair stays ``AFG-PAK``;
- any other side is ``<country>.<class>`` or ``<country>.<class>.<group slug>``: ``KEN.protesters``,
  ``NGA.rebels.boko_haram``; ``INT`` stands in for the country of a side that has none (a transnational group not
  placed anywhere);
- a pair is its two side keys, sorted, joined by ``-``: ``SDN-SDN.rebels.rapid_support_forces``; a one-sided event
  (a missile test, a protest with no target) has a pair of one side, whose key is that side's.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 country code")]

NO_COUNTRY = "INT"
"""Stands in for the country in the key of a side that has none."""
MAX_SLUG = 32
SIDE_KEY_PATTERN = r"^(?:[A-Z]{3})(?:\.[a-z_]+(?:\.[a-z0-9_]{1,32})?)?$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _derived_are_not_input(cls, data: Any) -> Any:
        """Keys and labels derived from the fields are written to JSON for consumers, and ignored when read back."""
        if isinstance(data, dict) and cls.model_computed_fields:
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data


class ActorClass(str, Enum):
    """Who an actor is in a conflict, after ACLED's actor types (inter codes 1-8), plus civilian government and the
    unarmed political opposition, which ACLED folds into state forces and civilians."""

    STATE_FORCES = "state_forces"
    """Military, police, security and intelligence services (ACLED 1)."""
    GOVERNMENT = "government"
    """Civilian authorities: heads of state, ministries, officials, courts, parliaments, diplomats."""
    REBELS = "rebels"
    """Armed groups fighting the state or seeking to overthrow it or secede (ACLED 2)."""
    POLITICAL_MILITIA = "political_militia"
    """Armed groups serving political elites, paramilitaries, gangs acting politically, unidentified gunmen
    (ACLED 3)."""
    IDENTITY_MILITIA = "identity_militia"
    """Ethnic, communal, clan, religious or local defence militias (ACLED 4)."""
    RIOTERS = "rioters"
    """People using violence in a demonstration (ACLED 5)."""
    PROTESTERS = "protesters"
    """People demonstrating peacefully (ACLED 6)."""
    CIVILIANS = "civilians"
    """Unarmed people not acting politically: victims, refugees, journalists, aid workers, businesses (ACLED 7)."""
    EXTERNAL = "external"
    """International organisations and their forces, private military companies (ACLED 8)."""
    OPPOSITION = "opposition"
    """Unarmed political opposition: parties, their leaders and activists."""


CLASS_WORDS: dict[ActorClass, str] = {
    ActorClass.STATE_FORCES: "state forces",
    ActorClass.GOVERNMENT: "government",
    ActorClass.REBELS: "rebels",
    ActorClass.POLITICAL_MILITIA: "armed group",
    ActorClass.IDENTITY_MILITIA: "communal militia",
    ActorClass.RIOTERS: "rioters",
    ActorClass.PROTESTERS: "protesters",
    ActorClass.CIVILIANS: "civilians",
    ActorClass.EXTERNAL: "external forces",
    ActorClass.OPPOSITION: "opposition",
}
"""How each class reads in a label ("Kenya: state forces vs protesters")."""

STATE_CLASSES: frozenset[ActorClass] = frozenset({ActorClass.STATE_FORCES, ActorClass.GOVERNMENT})
ARMED_NON_STATE: frozenset[ActorClass] = frozenset(
    {ActorClass.REBELS, ActorClass.POLITICAL_MILITIA, ActorClass.IDENTITY_MILITIA}
)


class ConflictKind(str, Enum):
    """What a pair of sides is: two countries, two sides within one country, or a single side."""

    INTERSTATE = "interstate"
    INTRASTATE = "intrastate"
    ONE_SIDED = "one_sided"


def slug(name: str) -> str:
    """The key form of a group name: lower case, runs of other characters as one ``_``, at most 32 characters."""
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return text[:MAX_SLUG].rstrip("_") or "group"


def side_key(country: str | None, actor_class: ActorClass, group: str | None = None) -> str:
    """The key of a side (see the module docstring)."""
    base = country or NO_COUNTRY
    if actor_class in STATE_CLASSES:
        return base
    key = f"{base}.{actor_class.value}"
    return f"{key}.{slug(group)}" if group else key


class Side(_Model):
    """One side of a conflict: a country and an actor class, and a named group's name."""

    country: CountryCode | None = Field(
        default=None, description="Where the side belongs or, for an armed group, fights."
    )
    actor_class: ActorClass
    group: str | None = Field(
        default=None,
        max_length=200,
        description="Canonical name of a named non-state group (Boko Haram, RSF); keeps two insurgencies apart.",
    )
    label: str = Field(
        min_length=1, max_length=200, description="Human name: 'Pakistan', 'Kenya: protesters', 'Boko Haram (NGA)'."
    )

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def key(self) -> str:
        return side_key(self.country, self.actor_class, self.group)

    @property
    def is_state(self) -> bool:
        return self.actor_class in STATE_CLASSES


class SidePair(_Model):
    """An unordered pair of sides, stored sorted by key (``a.key < b.key``); ``b`` is None for a one-sided event.

    ``a_actors``/``b_actors`` list the actors seen on each side (prefixed ``source:`` or ``target:``), so the
    direction the unordered pair hides stays visible.
    """

    a: Side
    b: Side | None = None
    a_actors: tuple[str, ...] = ()
    b_actors: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sorted(self) -> SidePair:
        if self.b is not None and not self.a.key < self.b.key:
            raise ValueError("sides must be distinct and sorted by key (a.key < b.key); use pair_of()")
        return self

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def key(self) -> str:
        return self.a.key if self.b is None else f"{self.a.key}-{self.b.key}"

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct countries of the sides, sorted."""
        return tuple(sorted({s.country for s in (self.a, self.b) if s is not None and s.country}))

    @property
    def kind(self) -> ConflictKind:
        if self.b is None:
            return ConflictKind.ONE_SIDED
        return ConflictKind.INTERSTATE if len(self.countries) == 2 else ConflictKind.INTRASTATE

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def label(self) -> str:
        """'Afghanistan vs Pakistan', 'Sudan: state forces vs Rapid Support Forces', 'North Korea'.

        Inside one country, the state side's label (its country) heads the pair and each side reads by its class or
        its group's name."""
        if self.b is None:
            return self.a.label
        state = next((s for s in (self.a, self.b) if s.is_state), None)
        if self.kind is ConflictKind.INTRASTATE and state is not None:
            other = self.b if state is self.a else self.a
            return f"{state.label}: {CLASS_WORDS[state.actor_class]} vs {other.group or CLASS_WORDS[other.actor_class]}"
        return f"{self.a.label} vs {self.b.label}"

    def side_of(self, key: str) -> Side | None:
        """The side with ``key``, if it is in the pair."""
        return next((s for s in (self.a, self.b) if s is not None and s.key == key), None)


def pair_of(first: Side, second: Side | None = None) -> SidePair:
    """The sorted pair of two sides; one side when ``second`` is None or has the same key."""
    if second is None or second.key == first.key:
        return SidePair(a=first)
    a, b = sorted((first, second), key=lambda side: side.key)
    return SidePair(a=a, b=b)


class EventSides(_Model):
    """The sides an event's actor and recipient stand for, placed in countries, and how.

    ``source`` and ``target`` keep the direction (who did what to whom); :attr:`pair` forgets it. ``rule`` says how
    the sides were found ("actor countries", "armed group placed where it acts", "article context" ...); ``reason``
    says why a side is missing.
    """

    source: Side | None = None
    target: Side | None = None
    rule: str = Field(default="actor countries", max_length=300)
    reason: str | None = Field(default=None, max_length=300)

    @property
    def pair(self) -> SidePair | None:
        if self.source is None:
            return pair_of(self.target) if self.target is not None else None
        return pair_of(self.source, self.target)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def key(self) -> str:
        """The partition key of the event: its pair's key, ``unknown`` when it has no side."""
        pair = self.pair
        return pair.key if pair is not None else "unknown"
