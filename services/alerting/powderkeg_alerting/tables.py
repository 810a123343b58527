"""faust Tables behind the ``MutableMapping`` interface the pure engine expects.

The engine's three kinds of state (episodes, seen event ids, pair indexes) live in ONE changelog-backed table,
``state`` (``<app id>-state-changelog``), under key prefixes (``e|``, ``s|``, ``p|``), and it is rebuilt from the
changelog at start-up, so a restarted worker remembers open alerts, seen event ids and pair indexes, and raises
nothing twice. Values are stored as JSON (the state models' ``model_dump(mode="json")``); the adapter converts on
every access, so the engine always works on plain pydantic models.

One table, not three: a worker killed (or crashed by a broker restart) while its changelog writes are in flight
leaves, in each changelog partition, a prefix of what it wrote (the producer is idempotent, so a partition has no
gaps). With three tables the three prefixes were cut at different points: the seen id of an event could survive
while the episode change it made was lost, and the event, now a "duplicate", was never counted, so the next
revision was published with other content. In one table the engine writes an event's seen id last
(:meth:`~powderkeg_alerting.core.engine.AlertEngine.step`): if it survived, so did everything the event changed.

The table is co-partitioned with ``powderkeg.events.v2`` (``use_partitioner=False``): a write made while processing
an event of partition *p* goes to changelog partition *p*, so the worker that owns *p* owns that state, and N workers
in one consumer group each keep whole alert episodes. This holds because every state key is of the event's pair of
sides (the events' Kafka key) or of its partition, and because resolution sweeps run inside event processing and
visit only the current partition's state (:mod:`powderkeg_alerting.core.state`); nothing writes the table from a
timer. The changelog has as many partitions as the events topic (both use ``POWDERKEG_TOPIC_PARTITIONS``); faust
refuses to start otherwise.

Upgrading from the three tables of earlier versions (``episodes``, ``seen``, ``pairs``): their changelogs are no
longer read, so the group starts with empty state at its committed offsets. Open alerts of before the upgrade are
not resolved on the topic (Alertmanager expires them when they are no longer re-sent); delete the old changelog
topics when done.
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
    """A ``MutableMapping[str, V]`` over the keys of a faust table that start with ``prefix`` (the prefix is not part
    of the view's keys), holding JSON-compatible values.

    Iteration scans the whole table (a sweep, once a minute of event time per partition, and the gauges): no key
    cache, because faust's recovery and standby replication write the table without passing through here."""

    def __init__(self, table: Any, prefix: str, dump: Callable[[V], Any], load: Callable[[Any], V]) -> None:
        self._table = table
        self._prefix = prefix
        self._dump = dump
        self._load = load

    def __getitem__(self, key: str) -> V:
        raw = self._table[self._prefix + key]
        if raw is None:
            raise KeyError(key)
        return self._load(raw)

    def __setitem__(self, key: str, value: V) -> None:
        self._table[self._prefix + key] = self._dump(value)

    def __delitem__(self, key: str) -> None:
        del self._table[self._prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self._prefix + key) in self._table

    def __iter__(self) -> Iterator[str]:
        cut = len(self._prefix)
        return iter([key[cut:] for key in list(self._table.keys()) if key.startswith(self._prefix)])

    def __len__(self) -> int:
        return sum(1 for key in list(self._table.keys()) if key.startswith(self._prefix))


def model_mapping(table: Any, prefix: str, model: type[M]) -> TableMapping[M]:
    return TableMapping(table, prefix, lambda value: value.model_dump(mode="json"), model.model_validate)


def datetime_mapping(table: Any, prefix: str) -> TableMapping[datetime]:
    return TableMapping(table, prefix, lambda value: value.isoformat(), datetime.fromisoformat)


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
    """The engine's store: three prefixed views of one changelog-backed table of ``app``."""
    table = _table(app, "state", "Episodes (e|pair|signal), seen event ids (s|partition|id), pair indexes (p|pair).")
    return EngineStore(
        episodes=model_mapping(table, "e|", EpisodeState),
        seen=datetime_mapping(table, "s|"),
        pairs=model_mapping(table, "p|", PairIndexState),
    )
