"""The engine's state as pydantic models, so that it serialises to JSON and can live in faust tables.

State is split by key so that each piece is small and can be stored where it belongs:
- episodes, keyed ``<dyad>|<signal>``: one open alert episode per dyad and signal;
- seen, keyed by ``event_id``: the event time of every event already processed (dedupe, pruned by event time);
- dyads, keyed ``<dyad>``: the escalation index of each country pair;
- stories, keyed ``story_id``: the pair a story is about, for events whose sides name no country.
:class:`EngineStore` bundles three mutable mappings; plain dicts in the embedded mode and in tests, faust tables
(through :class:`powderkeg_alerting.tables.ModelTable`) in the service.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_contracts import AlertStatus, Direction, EventRecord, Severity


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class EvidenceItem(_State):
    score: float
    sentence: str


class EpisodeState(_State):
    """One dyad-and-signal episode: from the first event that raised it until it resolves after a quiet period."""

    alert_id: str
    signal: str
    direction: Direction
    severity: Severity
    status: AlertStatus
    revision: int = 1
    a: str
    b: str
    a_actors: list[str] = Field(default_factory=list)
    b_actors: list[str] = Field(default_factory=list)
    headline: str = Field(description="Who did what to whom, from the first event (the direction is kept here).")
    first_seen: datetime
    last_seen: datetime
    event_ids: list[str] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)
    story_ids: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    story_confidence: dict[str, float] = Field(default_factory=dict, description="Best confidence per story.")
    claimed_by: list[str] = Field(default_factory=list)
    asserted: bool = Field(default=False, description="True once any event behind it is asserted, not claimed.")
    article_count: int = Field(default=0, description="Articles seen, still counted when the id list is capped.")
    escalation_index: float | None = None

    @property
    def dyad_key(self) -> str:
        return f"{self.a}-{self.b}"


class DyadIndexState(_State):
    """Time-decayed conflict mass of one dyad, fast and slow, at ``updated_at`` (event time)."""

    fast: float = 0.0
    slow: float = 0.0
    updated_at: datetime
    counted: list[str] = Field(default_factory=list, description="Recent story/code keys already counted.")
    recent_stories: dict[str, datetime] = Field(
        default_factory=dict, description="Stories with conflict events in the fast window, and their latest time."
    )
    surge_alert: EpisodeState | None = None


class PendingEvent(_State):
    event: EventRecord
    when: datetime


class StoryContext(_State):
    """The country pair a story is about (votes of its events that name both sides) and events waiting for it."""

    votes: dict[str, int] = Field(default_factory=dict)
    pending: list[PendingEvent] = Field(default_factory=list)
    updated_at: datetime

    @property
    def dyad(self) -> str | None:
        """The pair most of the story's two-country events are about; ties go to the first in sort order."""
        if not self.votes:
            return None
        return min(self.votes, key=lambda key: (-self.votes[key], key))


@dataclass
class EngineStore:
    """Where the engine keeps its state; any ``MutableMapping`` works (dicts, faust tables behind an adapter)."""

    episodes: MutableMapping[str, EpisodeState] = field(default_factory=dict)
    seen: MutableMapping[str, datetime] = field(default_factory=dict)
    dyads: MutableMapping[str, DyadIndexState] = field(default_factory=dict)
    stories: MutableMapping[str, StoryContext] = field(default_factory=dict)
