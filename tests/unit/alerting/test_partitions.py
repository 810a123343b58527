"""Partition-owned state: N alerting workers each keep whole episodes, and together raise what one worker raises.

The service passes each event's input partition to the engine; the pure core records it on the state it creates,
sweeps only the partition being processed, and lists open alerts per assignment. These tests run the engine as
several workers would, each on the events of its own partitions, over stores that (like faust's standby replicas)
may also hold other partitions' state.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

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
