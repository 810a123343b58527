"""Which pair of countries an event is about.

Alerts are about a conflict *pair*, not a direction: "Pakistan strikes Afghanistan" and "Afghanistan shells Pakistan"
are the same escalating conflict, and an operator wants one alert per pair and signal, not two. The pair is
therefore unordered (``Dyad`` stores ``a <= b``); the direction stays visible in the actor lists, whose entries are
prefixed ``source:`` or ``target:``.

Country of each side, in order:
1. The actor's (recipient's) own country.
2. A non-state armed group (sector rebels, insurgents or criminal) acting in *another* country than its own is placed
   in the country where it acts: Pakistani strikes on TTP (a Pakistani group) hideouts in Afghanistan are a
   Pakistan-Afghanistan event, because the strike crosses that border; the same strike inside Pakistan is domestic.
3. A recipient with no country, when the event happens in a country other than the source's, is placed in the
   event's country: a strike "in Afghanistan" on unnamed militants is a cross-border act against Afghan territory.
4. Story context: when a side has no country at all ("Border crossings remain shut", "deadly clashes along the
   border"), the event takes the pair its story is about: the pair named most often by the story's events that
   resolve both sides themselves, provided the event's one known country (if any) belongs to it. Events that arrive
   before their story has a pair wait (bounded) and are evaluated when it gets one. Sides that both resolve to the
   same country are never re-placed: "Pakistani forces raid TTP in Waziristan" stays domestic in any story.
If both sides land in one country, or only one country is known, the event is single-country. Most signals ignore
single-country events (a domestic raid is not an interstate escalation) and the engine only counts them; a signal
with ``single_country: true`` (a threat, a mobilisation, which often name no target) raises an alert whose dyad has
``a == b``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from powderkeg_contracts import Actor, EventRecord, Sector

NON_STATE_ARMED: frozenset[Sector] = frozenset({Sector.REBELS, Sector.INSURGENTS, Sector.CRIMINAL})


class DyadSides(BaseModel):
    """The countries an event's two sides resolve to, and how; ``None`` when a side has no country."""

    model_config = ConfigDict(frozen=True)

    source_country: str | None
    target_country: str | None
    source_label: str | None
    target_label: str | None
    rule: str
    unresolved: bool = False
    """True when a side has no country at all (so story context may place it)."""

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct countries, sorted: two for a dyad, one for a single-country event, none otherwise."""
        return tuple(sorted({c for c in (self.source_country, self.target_country) if c}))


def actor_label(actor: Actor) -> str | None:
    """A short human name for an actor: its canonical name, else the text span, else its code."""
    return actor.name or actor.text or actor.code


def _placed(actor: Actor, location_country: str | None) -> tuple[str | None, bool]:
    if actor.country and location_country and actor.sector in NON_STATE_ARMED and actor.country != location_country:
        return location_country, True
    return actor.country, False


def resolve_sides(event: EventRecord) -> DyadSides:
    """Apply the country rules in the module docstring to ``event``."""
    where = event.location.country
    source, source_moved = _placed(event.actor, where)
    target, target_moved = _placed(event.recipient, where)
    rules = []
    if source_moved:
        rules.append("source armed group placed where it acts")
    if target_moved:
        rules.append("target armed group placed where it acts")
    if target is None and source is not None and where is not None and where != source:
        target = where
        rules.append("target placed in event location")
    return DyadSides(
        source_country=source,
        target_country=target,
        source_label=actor_label(event.actor),
        target_label=actor_label(event.recipient),
        rule="; ".join(rules) or "actor countries",
        unresolved=source is None or target is None,
    )


def with_story_pair(sides: DyadSides, pair: str) -> DyadSides | None:
    """``sides`` placed in the story's ``pair`` ("AFG-PAK"), or None when its known country is not in the pair."""
    a, b = pair.split("-")
    known = [c for c in (sides.source_country, sides.target_country) if c]
    if any(c not in (a, b) for c in known):
        return None
    source = sides.source_country or (b if sides.target_country == a else a)
    target = sides.target_country or (b if source == a else a)
    return sides.model_copy(
        update={
            "source_country": source,
            "target_country": target,
            # A side placed by context keeps its name in the headline but is not listed as an actor of that country.
            "source_label": sides.source_label if sides.source_country else None,
            "target_label": sides.target_label if sides.target_country else None,
            "rule": "story context",
        }
    )
