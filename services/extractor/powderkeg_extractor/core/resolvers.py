"""The seam between event extraction and the actors/places/dates resolvers (core/actors.py, core/dates.py).

The stages depend only on the four callables bundled here, so tests can pass their own resolver and the
events code never reaches into the gazetteer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from powderkeg_contracts.models import Actor, EventDate, Location

if TYPE_CHECKING:
    from powderkeg_extractor.core.actors import ActorResolver


@dataclass(frozen=True, slots=True)
class Resolvers:
    """Actor phrase -> Actor, place name -> Location, (sentence, published_at) -> EventDate."""

    actor: Callable[[str, dt.date | None], Actor]
    place: Callable[[str], Location]
    date: Callable[[str, dt.datetime | None], EventDate]
    find: Callable[[str, dt.date | None], list[tuple[int, int, Actor]]]


def default_resolvers(resolver: ActorResolver | None = None) -> Resolvers:
    """Wrap ``resolver`` (the packaged gazetteer's when None) and ``resolve_date``."""
    from powderkeg_extractor.core.actors import ActorResolver
    from powderkeg_extractor.core.dates import resolve_date

    actors = resolver if resolver is not None else ActorResolver.default()

    def find(text: str, as_of: dt.date | None) -> list[tuple[int, int, Actor]]:
        return [(m.start, m.end, m.actor) for m in actors.find(text, as_of=as_of)]

    return Resolvers(
        actor=lambda phrase, as_of: actors.resolve(phrase, as_of=as_of),
        place=actors.resolve_place,
        date=resolve_date,
        find=find,
    )
