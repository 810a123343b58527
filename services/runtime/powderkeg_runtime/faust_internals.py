"""The only reads of faust's private attributes, each where faust offers no public way (checked against
faust-streaming 0.15.3 and aiokafka 0.14.0). Keep every such read here, with the reason, so an upgrade has one file
to check. Two private hooks are overridden elsewhere, each where it is used: the producer's ``_settings_extra`` in
:mod:`powderkeg_runtime.transport`, and the table manager's ``_recovery`` (the service its ``recovery`` property
builds, which faust stops on shutdown) in :mod:`powderkeg_runtime.recovery`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def created_consumer(app: Any) -> Any | None:
    """The app's consumer once the worker has created it, else None; never creates it.

    ``app.consumer`` builds the consumer on first access, on the event loop of the calling thread. The readiness
    probe and the input watchdog run in threads of their own: reaching the property before the worker has built the
    consumer (a ``/readyz`` poll in the worker's first milliseconds) builds it on the wrong loop, and the worker
    fails to start ("attached to a different loop"). faust has no public "is there a consumer yet".
    """
    return getattr(app, "_consumer", None)


def service_loop(service: Any) -> Any | None:
    """The event loop a mode service (the faust worker) runs on once it has one, else None; never creates one.

    mode's ``loop`` property creates a loop for the calling thread on first access, so the input watchdog's thread
    must not use it to hand the worker a coroutine.
    """
    return getattr(service, "_loop", None)


def committed_offsets(consumer: Any) -> Mapping[Any, int | None]:
    """faust's record of the next offset to consume per partition: set from the broker when partitions are
    assigned, updated on every commit.

    ``app.monitor.tp_committed_offsets`` is public but filled only by this worker's own commits, so an idle worker
    would report its whole input as lag; aiokafka's ``committed()`` asks the broker on every call.
    """
    offsets: Mapping[Any, int | None] = getattr(consumer, "_committed_offset", {})
    return offsets


def aiokafka_producer(producer: Any) -> Any:
    """The aiokafka producer under a started faust aiokafka ``Producer``.

    faust exposes no accessor; :func:`powderkeg_runtime.transport.IdempotentProducer.create_topic` needs it to make
    the producer's metadata follow the topics faust creates (see there).
    """
    return producer._ensure_producer()
