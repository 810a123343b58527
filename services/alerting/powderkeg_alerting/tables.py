"""faust Tables behind the ``MutableMapping`` interface the pure engine expects.

Each table is backed by a changelog topic (``<app id>-<table>-changelog``) and rebuilt from it at start-up, so a
restarted worker remembers open alerts, seen event ids and pair indexes, and raises nothing twice. Values are stored
as JSON (the state models' ``model_dump(mode="json")``); the adapter converts on every access, so the engine always
works on plain pydantic models.

Tables are co-partitioned with ``powderkeg.events.v2`` (``use_partitioner=False``): a write made while processing an
event of partition *p* goes to changelog partition *p*, so the worker that owns *p* owns that state, and N workers in
one consumer group each keep whole alert episodes. This holds because every state key starts with the pair of sides,
which is the events' Kafka key, and because resolution sweeps run inside event processing and visit only the current
partition's state (:mod:`powderkeg_alerting.core.state`); nothing writes a table from a timer. The changelogs have as
many partitions as the events topic (both use ``POWDERKEG_TOPIC_PARTITIONS``); faust refuses to start otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from datetime import datetime
from typing import Any, Generic, TypeVar

import faust
from pydantic import BaseModel

from powderkeg_alerting.core.state import EngineStore, EpisodeState, PairIndexState

V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)


class TableMapping(MutableMapping[str, V], Generic[V]):
    """A ``MutableMapping[str, V]`` over a faust table holding JSON-compatible values."""

    def __init__(self, table: Any, dump: Callable[[V], Any], load: Callable[[Any], V]) -> None:
        self._table = table
        self._dump = dump
        self._load = load

    def __getitem__(self, key: str) -> V:
        raw = self._table[key]
        if raw is None:
            raise KeyError(key)
        return self._load(raw)

    def __setitem__(self, key: str, value: V) -> None:
        self._table[key] = self._dump(value)

    def __delitem__(self, key: str) -> None:
        del self._table[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._table.keys()))

    def __len__(self) -> int:
        return len(self._table)


def model_mapping(table: Any, model: type[M]) -> TableMapping[M]:
    return TableMapping(table, lambda value: value.model_dump(mode="json"), model.model_validate)


def datetime_mapping(table: Any) -> TableMapping[datetime]:
    return TableMapping(table, lambda value: value.isoformat(), datetime.fromisoformat)


def _table(app: faust.App, name: str, help_text: str) -> Any:
    """A changelog-backed table; str keys and untyped values get faust's JSON serializer."""
    return app.Table(
        name,
        key_type=str,
        value_type=None,
        use_partitioner=False,
        help=help_text,
    )


def build_store(app: faust.App) -> EngineStore:
    """The engine's store over three changelog-backed tables of ``app``."""
    return EngineStore(
        episodes=model_mapping(_table(app, "episodes", "Open alert episodes by pair|signal."), EpisodeState),
        seen=datetime_mapping(_table(app, "seen", "Event time of every processed event id (dedupe).")),
        pairs=model_mapping(_table(app, "pairs", "Escalation index state by pair of sides."), PairIndexState),
    )
