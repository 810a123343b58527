"""The engine's state as pydantic models, so that it serialises to JSON and can live in faust tables.

State is split by key so that each piece is small and can be stored where it belongs:
- episodes, keyed ``<pair>|<signal>``: one open alert episode per pair of sides and signal;
- seen, keyed by ``event_id`` (``<partition>|<event_id>`` in the service): the event time of every event already
  processed (dedupe, pruned by event time);
- pairs, keyed ``<pair>``: the escalation index of each pair of sides.
Every key is, or starts with, the key of the event's pair of sides, which is also the event's Kafka key: the state
of one pair is only ever touched by events of the partition that pair hashes to. Episodes and pair states also
record that input ``partition``, so that a worker owning several partitions (and holding standby copies of others)
sweeps only the partition whose event it is processing, and writes each change to that partition's changelog.
:class:`EngineStore` bundles the mutable mappings; plain dicts in the embedded mode and in tests, faust tables
(through :class:`powderkeg_alerting.tables.TableMapping`) in the service.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_contracts import AlertStatus, Direction, Severity, SidePair


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class EvidenceItem(_State):
    score: float
    sentence: str


class EpisodeState(_State):
    """One pair-and-signal episode: from the first event that raised it until it resolves after a quiet period."""

    alert_id: str
    signal: str
    title: str
    direction: Direction
    severity: Severity
    status: AlertStatus
    revision: int = 1
    pair: SidePair = Field(description="The pair of sides (without actor lists; those are a_actors/b_actors).")
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
    locations: dict[str, int] = Field(default_factory=dict, description="Places its events name, with counts.")
    escalation_index: float | None = None
    partition: int | None = Field(default=None, description="Input partition that owns it (None: the only one).")

    @property
    def pair_key(self) -> str:
        return self.pair.key


class PairIndexState(_State):
    """Time-decayed conflict mass of one pair of sides, fast and slow, at ``updated_at`` (event time)."""

    pair: SidePair | None = Field(default=None, description="The pair's sides, for the surge alert it may raise.")
    fast: float = 0.0
    slow: float = 0.0
    updated_at: datetime
    counted: list[str] = Field(default_factory=list, description="Recent story/code keys already counted.")
    applied: list[str] = Field(default_factory=list, description="Latest event ids applied (idempotent replay).")
    recent_stories: dict[str, datetime] = Field(
        default_factory=dict, description="Stories with conflict events in the fast window, and their latest time."
    )
    surge_alert: EpisodeState | None = None
    partition: int | None = Field(default=None, description="Input partition that owns it (None: the only one).")


def owned(state_partition: int | None, partition: int | None) -> bool:
    """Whether a sweep over ``partition`` (None: all) may change a state owned by ``state_partition``.

    A state without a partition predates partition ownership (or the embedded mode, which has one): any sweep may
    take it."""
    return partition is None or state_partition is None or state_partition == partition


def owned_by(state_partition: int | None, partitions: set[int] | None) -> bool:
    """Like :func:`owned`, for a set of partitions (a worker's active assignment)."""
    return partitions is None or state_partition is None or state_partition in partitions


def seen_key(event_id: str, partition: int | None) -> str:
    """The dedupe key of an event id: prefixed by its input partition in the service, so pruning stays local."""
    return event_id if partition is None else f"{partition}|{event_id}"


def seen_partition(key: str) -> int | None:
    head, sep, _ = key.partition("|")
    return int(head) if sep and head.isdigit() else None


@dataclass
class EngineStore:
    """Where the engine keeps its state; any ``MutableMapping`` works (dicts, faust tables behind an adapter)."""

    episodes: MutableMapping[str, EpisodeState] = field(default_factory=dict)
    seen: MutableMapping[str, datetime] = field(default_factory=dict)
    pairs: MutableMapping[str, PairIndexState] = field(default_factory=dict)
