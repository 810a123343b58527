"""Engine throughput benchmark; prints figures, asserts nothing. Run: ``python -m tests.unit.alerting.bench_engine``.

20,000 synthetic events over five dyads, four kinds (talks collapse, airstrike, accusation, talks), three articles
per story, 30 s apart in event time; dict store (the embedded mode's), then one resolution sweep.
"""

from __future__ import annotations

import time
from datetime import timedelta

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_contracts import Actor, EventRecord, PloverType, Sector
from tests.support.events import T0, build_event

DYADS = [("PAK", "AFG"), ("IND", "PAK"), ("RUS", "UKR"), ("ISR", "LBN"), ("ETH", "ERI")]
KINDS = [
    (PloverType.REJECT, "125", "Talks have collapsed in Istanbul.", "collapsed", "meet", -5.0),
    (PloverType.ASSAULT, "195", "Jets carried out airstrikes on the border.", "airstrikes", "aerial", -10.0),
    (PloverType.ACCUSE, "112", "The ministry accused its neighbour of provocation.", "accused", None, -2.0),
    (PloverType.CONSULT, "046", "The two sides held talks in Doha.", "talks", None, 1.0),
]


def synthetic(n: int) -> list[EventRecord]:
    events = []
    for i in range(n):
        a, b = DYADS[i % len(DYADS)]
        kind, code, sentence, trigger, mode, goldstein = KINDS[i % len(KINDS)]
        events.append(
            build_event(
                kind,
                code,
                sentence,
                trigger,
                mode=mode,
                goldstein=goldstein,
                actor=Actor(name=a, country=a, sector=Sector.GOVERNMENT),
                recipient=Actor(name=b, country=b, sector=Sector.GOVERNMENT),
                article=f"a{i}",
                story=f"s{i // 3}",
                published_at=T0 + timedelta(seconds=30 * i),
            )
        )
    return events


def main(n: int = 20_000) -> None:
    events = synthetic(n)
    engine = AlertEngine()
    changes = 0
    started = time.perf_counter()
    for event in events:
        changes += len(engine.process(event))
    changes += len(engine.advance(T0 + timedelta(seconds=30 * n, days=5)))
    elapsed = time.perf_counter() - started
    print(
        f"{n} events in {elapsed:.2f} s: {n / elapsed:,.0f} events/s, {1e6 * elapsed / n:.0f} us/event, "
        f"{changes} alert changes"
    )


if __name__ == "__main__":
    main()
