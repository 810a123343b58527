"""Partition-owned state: N alerting workers each keep whole episodes, and together raise what one worker raises.

The service passes each event's input partition to the engine; the pure core records it on the state it creates,
sweeps only the partition being processed, and lists open alerts per assignment. These tests run the engine as
several workers would, each on the events of its own partitions, over stores that (like faust's standby replicas)
may also hold other partitions' state.
"""

from __future__ import annotations

import copy
import zlib
from datetime import UTC, datetime, timedelta

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.state import EngineStore
from powderkeg_contracts import Actor, Alert, EventRecord, PloverType, Sector
from tests.support.events import BORDER, CLASHES, STRIKES, T0, TALKS, EventFactory

SUDAN_ARMY = Actor(text="Sudanese troops", name="Sudan", country="SDN", sector=Sector.MILITARY, code="SDNMIL")
SUDAN_REBELS = Actor(text="Sudanese rebels", country="SDN", sector=Sector.REBELS, code="SDNREB")
INDIA = Actor(text="Indian troops", name="India", country="IND", sector=Sector.MILITARY, code="INDMIL")
CHINA = Actor(text="Chinese troops", name="China", country="CHN", sector=Sector.MILITARY, code="CHNMIL")


def stream(make_event: EventFactory) -> list[EventRecord]:
    """Events of three pairs over two weeks: raised, updated, resolved after quiet periods, raised again."""
    events = []
    for day in (0, 1, 2, 12, 13):
        at = T0 + timedelta(days=day)
        events += [
            make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", published_at=at, article=f"a{day}"),
            make_event(PloverType.COERCE, "172", BORDER, "shut", mode="restrict", published_at=at, article=f"b{day}"),
            make_event(
                PloverType.ASSAULT, "195", STRIKES.replace("Pakistani", "Sudanese"), "strikes", mode="aerial",
                actor=SUDAN_ARMY, recipient=SUDAN_REBELS, goldstein=-10.0, published_at=at, article=f"s{day}",
            ),
            make_event(
                PloverType.ASSAULT, "190", CLASHES, "clashed", actor=INDIA, recipient=CHINA, goldstein=-10.0,
                published_at=at, article=f"c{day}",
            ),
        ]
    return events


def partition_of(event: EventRecord, partitions: int) -> int:
    """Any stable hash of the Kafka key (the pair) will do for the test: one pair, one partition."""
    return zlib.crc32(event.sides.key.encode()) % partitions


def final_states(alerts: list[Alert]) -> dict[tuple[str, int], tuple[str, int]]:
    return {(a.alert_id, a.revision): (a.status.value, len(a.event_ids)) for a in alerts}


def test_two_workers_over_their_own_partitions_raise_exactly_what_one_worker_raises(make_event: EventFactory) -> None:
    events = stream(make_event)
    assert len({partition_of(e, 2) for e in events}) == 2, "the pairs must spread over both partitions"
    single = AlertEngine()
    one = [a for e in events for a in single.evaluate(e, partition=partition_of(e, 2)).alerts]
    one += [a for p in (0, 1) for a in single.advance(T0 + timedelta(days=60), p)]

    workers = {0: AlertEngine(), 1: AlertEngine()}
    many = [a for e in events for a in workers[partition_of(e, 2)].evaluate(e, partition=partition_of(e, 2)).alerts]
    many += [a for p, w in workers.items() for a in w.advance(T0 + timedelta(days=60), p)]

    assert final_states(many) == final_states(one)
    assert any(a.status.value == "resolved" for a in many) and len({a.alert_id for a in many}) >= 6


def test_a_sweep_visits_only_its_own_partition_even_when_the_store_holds_others(make_event: EventFactory) -> None:
    store = EngineStore()  # one worker's tables: its active partition 0 and a standby copy of partition 1
    engine = AlertEngine(store=store)
    talks = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    sudan = make_event(
        PloverType.ASSAULT, "195", "Sudanese jets struck rebel positions.", "struck", mode="aerial",
        actor=SUDAN_ARMY, recipient=SUDAN_REBELS, goldstein=-10.0, article="sdn",
    )
    engine.evaluate(talks, partition=0)
    engine.evaluate(sudan, partition=1)
    later = T0 + timedelta(days=60)

    resolved = engine.advance(later, partition=0)
    assert resolved and all(a.sides.key == "AFG-PAK" for a in resolved)
    assert {a.sides.key for a in engine.open_alerts({1})} == {"SDN-SDN.rebels"}, "partition 1's alert is untouched"
    assert engine.open_alerts({0}) == []
    assert any(key.startswith("1|") for key in store.seen), "partition 1's dedupe memory is not pruned by 0's sweep"
    assert not any(key.startswith("0|") for key in store.seen), "partition 0's old ids are pruned"


def test_a_redelivered_event_is_a_duplicate_on_its_partition(make_event: EventFactory) -> None:
    engine = AlertEngine()
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    assert engine.evaluate(event, partition=2).alerts
    again = engine.evaluate(event, partition=2)
    assert again.outcome.value == "duplicate" and again.current and not again.alerts


def test_state_written_before_partition_ownership_is_swept_by_any_partition(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.evaluate(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet"))  # no partition
    assert engine.open_alerts({5}), "listed by whoever owns it now"
    assert engine.advance(T0 + timedelta(days=60), partition=5), "and resolved by the first sweep"


# One partition's alerts are a function of that partition's events alone: not of which other partitions the worker
# holds, nor of where a replay starts. The chaos run (two alerting workers, kills, a hostile event dated 2099 that is
# clamped to its arrival) found surge alerts raised twice with different content while the watermark was one per
# worker; these tests pin the property on the pure core.

Step = tuple[EventRecord, int, datetime | None]


def serve(engine: AlertEngine, steps: list[Step]) -> list[Alert]:
    """What the service publishes: each event's alerts (or, for a duplicate, the current ones), then a due sweep."""
    published: list[Alert] = []
    for event, partition, received in steps:
        evaluation, resolved = engine.step(event, received, partition)
        published += [*(evaluation.alerts or evaluation.current), *resolved]
    return published


def contents(alerts: list[Alert]) -> dict[tuple[str, int], str]:
    views: dict[tuple[str, int], set[str]] = {}
    for alert in alerts:
        views.setdefault((alert.alert_id, alert.revision), set()).add(alert.model_dump_json())
    assert all(len(v) == 1 for v in views.values()), "one engine never publishes two contents under one revision"
    return {key: next(iter(v)) for key, v in views.items()}


def war_and_border(make_event: EventFactory) -> list[Step]:
    """Partition 0: a Sudan air war in two bursts (surges that rise and cool) and failed talks. Partition 1: India-
    China clashes, one of them dated 2099 and clamped to an arrival a year after the rest."""
    steps: list[Step] = []
    for hour in range(0, 24 * 12, 3):
        at = T0 + timedelta(hours=hour)
        burst = hour < 36 or 24 * 8 <= hour < 24 * 8 + 36
        if burst:
            steps.append((
                make_event(
                    PloverType.ASSAULT, "195", f"Sudanese jets struck rebel positions, report {hour}.", "struck",
                    mode="aerial", actor=SUDAN_ARMY, recipient=SUDAN_REBELS, goldstein=-10.0, published_at=at,
                    article=f"sdn-{hour}",
                ),
                0,
                None,
            ))
        if hour % 48 == 0:
            steps.append((
                make_event(
                    PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", published_at=at, article=f"t{hour}"
                ),
                0,
                None,
            ))
        if hour % 12 == 6:
            steps.append((
                make_event(
                    PloverType.ASSAULT, "190", f"{CLASHES} Report {hour}.", "clashed", actor=INDIA, recipient=CHINA,
                    goldstein=-10.0, published_at=at, article=f"ind-{hour}",
                ),
                1,
                None,
            ))
        if hour == 9:
            steps.append((
                make_event(
                    PloverType.ASSAULT, "190", f"{CLASHES} Dated 2099.", "clashed", actor=INDIA, recipient=CHINA,
                    goldstein=-10.0, published_at=datetime(2099, 1, 1, tzinfo=UTC), article="ind-2099",
                ),
                1,
                T0 + timedelta(days=400),
            ))
    return steps


def test_a_partitions_alerts_do_not_depend_on_the_other_partitions_its_worker_holds(make_event: EventFactory) -> None:
    steps = war_and_border(make_event)
    mixed = contents(serve(AlertEngine(), steps))
    alone = contents(serve(AlertEngine(), [s for s in steps if s[1] == 0]))
    of_partition_0 = {k: v for k, v in mixed.items() if k in alone or '"SDN' in v or '"AFG' in v}
    assert any(k[0].startswith("escalation_surge.SDN") for k in alone), "the war must surge for the test to bite"
    assert any('"resolved"' in v for v in alone.values()), "and cool down"
    assert of_partition_0 == alone, "partition 1's event dated 2099 must not make partition 0 late or resolve it"


def test_a_replay_from_any_committed_offset_on_another_worker_publishes_the_same_content(
    make_event: EventFactory,
) -> None:
    steps = war_and_border(make_event)
    first = AlertEngine()
    published = contents(serve(first, steps[:40]))
    snapshot = copy.deepcopy(first.store)  # what the changelogs hold when the first worker is killed
    published.update(contents(serve(first, steps[40:])))

    for committed in (10, 25, 39):  # the offset the group had committed: everything after it is redelivered
        second = AlertEngine(store=copy.deepcopy(snapshot))  # the worker the partition moves to, from the changelog
        replayed = contents(serve(second, [s for s in steps[committed:] if s[1] == 0]))
        assert replayed, committed
        for key, content in replayed.items():
            assert published.get(key, content) == content, (committed, key)
        assert set(replayed) <= set(published), "nothing a single worker would not have published"


def test_state_saved_further_than_the_seen_id_is_not_counted_twice(make_event: EventFactory) -> None:
    engine = AlertEngine()
    steps = war_and_border(make_event)[:6]
    serve(engine, steps)
    event, partition, _ = steps[-1]
    del engine.store.seen[f"{partition}|{event.event_id}"]  # the seen write was lost with the worker, the rest was not
    again = engine.evaluate(event, partition=partition)
    before = {a.alert_id: a for a in engine.open_alerts()}
    assert again.alerts, "the current alerts are published again, in case their message was lost"
    for alert in again.alerts:
        assert alert == before[alert.alert_id], "same revision, same content"


class Changelog:
    """The three mappings of an engine store writing into one ordered log, as the service's single table writes
    into one changelog partition; ``restore(n)`` is the store a new worker recovers when only the first ``n`` writes
    survived a crash (an idempotent producer leaves a prefix, never a gap)."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str, object]] = []
        self.store = self._store(self.writes)

    def _store(self, log: list[tuple[str, str, object]] | None) -> EngineStore:
        class Logged(dict):  # type: ignore[type-arg]
            def __init__(self, name: str) -> None:
                super().__init__()
                self.name = name

            def __setitem__(self, key: str, value: object) -> None:
                super().__setitem__(key, value)
                if log is not None:
                    log.append((self.name, key, copy.deepcopy(value)))

            def __delitem__(self, key: str) -> None:
                super().__delitem__(key)
                if log is not None:
                    log.append((self.name, key, None))

        return EngineStore(episodes=Logged("episodes"), seen=Logged("seen"), pairs=Logged("pairs"))

    def restore(self, surviving: int) -> EngineStore:
        store = self._store(None)
        for name, key, value in self.writes[:surviving]:
            mapping = getattr(store, name)
            if value is None:
                mapping.pop(key, None)
            else:
                dict.__setitem__(mapping, key, copy.deepcopy(value))
        return store


def test_a_crash_at_any_write_then_a_replay_publishes_nothing_with_other_content(make_event: EventFactory) -> None:
    steps = [s for s in war_and_border(make_event) if s[1] == 0][:60]
    log = Changelog()
    engine = AlertEngine(store=log.store)
    published: dict[tuple[str, int], str] = {}
    writes_after: list[int] = []  # writes in the log once each event was done
    for step in steps:
        published.update(contents(serve(engine, [step])))
        writes_after.append(len(log.writes))
    assert any(k[0].startswith("escalation_surge") for k in published) and any(
        '"resolved"' in v for v in published.values()
    )
    committed_at = 0  # the group commits every few events; the worker dies anywhere between two commits
    for crash in range(0, len(log.writes), 7):
        while committed_at + 5 < len(steps) and writes_after[committed_at + 5] <= crash:
            committed_at += 5
        restarted = AlertEngine(store=log.restore(crash))
        replayed = contents(serve(restarted, steps[committed_at:]))
        for key, content in replayed.items():
            assert published.get(key, content) == content, (crash, key)


def test_a_copy_older_than_the_dedupe_memory_is_late_not_raised_again(make_event: EventFactory) -> None:
    """An event dated 2099 is clamped to its arrival, a year after the rest of its partition: the next sweep forgets
    every seen id and pair index of the partition as too old. A redelivered copy of an old event then looks new; it
    must be late, not a second surge under the first one's id with other content (the chaos run's conflicting
    ``escalation_surge``)."""
    war = [s for s in war_and_border(make_event) if s[1] == 0][:12]
    clamped = next(s for s in war_and_border(make_event) if s[0].article_id.endswith("ind-2099"))
    fresh = make_event(
        PloverType.ASSAULT, "190", f"{CLASHES} Fresh.", "clashed", actor=INDIA, recipient=CHINA, goldstein=-10.0,
        published_at=T0 + timedelta(days=400, hours=1), article="ind-fresh",
    )
    engine = AlertEngine()
    published = contents(serve(engine, [*war, (clamped[0], 0, clamped[2]), (fresh, 0, None)]))
    assert any(k[0].startswith("escalation_surge.SDN") for k in published), "the war must surge for the test to bite"
    assert war[0][0].sides.key not in engine.store.pairs, "the sweeps after the clamped time forgot the pair's index"
    assert not any(key.endswith(war[0][0].event_id) for key in engine.store.seen), "and its seen ids"

    redelivered = [engine.step(event, received, partition) for event, partition, received in war]

    assert all(evaluation.outcome.value == "late" and not evaluation.alerts for evaluation, _ in redelivered)
    assert all(not resolved for _, resolved in redelivered)
