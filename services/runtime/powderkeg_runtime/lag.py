"""Consumer lag for Prometheus: per input partition, the messages this worker's group has still to process.

faust's own web metrics carry no lag, and lag is the figure operators look at first, so each worker samples it on a
timer into ``powderkeg_consumer_lag{topic,partition}``.
"""

from __future__ import annotations

from collections.abc import Collection

import faust
from prometheus_client import Gauge

from powderkeg_runtime.faust_internals import committed_offsets


def sample_consumer_lag(app: faust.App, gauge: Gauge, topics: Collection[str]) -> None:
    """Set ``gauge{topic,partition}`` to highwater minus committed offset for every assigned partition of ``topics``.

    The committed offset is faust's own (:func:`~powderkeg_runtime.faust_internals.committed_offsets`), so the
    figure is the number of messages this group still has to process. Other assigned partitions (faust's assignor
    and table changelogs) are not input. Runs on the worker's loop (a faust timer), so ``app.consumer`` is safe.
    """
    consumer = app.consumer
    committed = committed_offsets(consumer)
    for tp in consumer.assignment():
        if tp.topic not in topics:
            continue
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # a partition being revoked mid-sample: skip it this round
            continue
        if highwater is None:
            continue
        done = committed.get(tp)
        lag = max(0, int(highwater) - int(done)) if done is not None else int(highwater)
        gauge.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
