"""The faust transport every Powderkeg worker uses: aiokafka with an idempotent producer.

aiokafka turns idempotence (and with it ``acks=all``) on only inside transactions, and faust's settings offer no
switch for it, so the transport is registered under its own URL scheme (pyproject entry point
``faust.transports``) and :func:`broker_urls` names it in every app's ``broker`` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

from powderkeg_runtime.faust_internals import aiokafka_producer

TRANSPORT_SCHEME = "powderkeg"
"""The broker URL scheme registered for :class:`IdempotentTransport`."""


class IdempotentProducer(faust_aiokafka.Producer):
    """aiokafka producer with ``enable_idempotence=True`` (and therefore ``acks=all``) outside transactions too, whose
    metadata always lists the topics faust creates."""

    def _settings_extra(self) -> Mapping[str, Any]:
        # faust's hook for extra AIOKafkaProducer arguments; it has no public equivalent (faust-streaming 0.15.3,
        # where the base returns the idempotence settings only when the app is in a transaction).
        extra = dict(super()._settings_extra())
        extra.setdefault("acks", "all")
        extra.setdefault("enable_idempotence", True)
        return extra

    async def create_topic(self, topic: str, partitions: int, replication: int, **kwargs: Any) -> None:
        """Create ``topic`` as faust does, then keep it in the producer's metadata and wait until it is listed.

        faust creates the table changelog topics at start-up and writes a table by partitioning on the producer's
        metadata at once, without waiting for it (``send_soon`` with eager partitioning). A changelog created moments
        before is missing from that metadata while the broker propagates it, or once a refresh for the topics the
        producer tracks has replaced it, and aiokafka's partitioner then raises ``TypeError`` on every write to the
        table until the next full refresh, minutes later. Tracking each created topic and waiting for it closes that.
        """
        await super().create_topic(topic, partitions, replication, **kwargs)
        producer = aiokafka_producer(self)
        producer.client.add_topic(topic)  # in every metadata refresh from now on
        await producer.partitions_for(topic)  # returns once the metadata lists it (bounded by the request timeout)


class IdempotentTransport(faust_aiokafka.Transport):
    Producer = IdempotentProducer


def broker_urls(bootstrap: str) -> str:
    """faust's ``broker`` setting for comma-separated ``host:port`` bootstrap servers, over this transport."""
    return ";".join(f"{TRANSPORT_SCHEME}://{host}" for host in bootstrap.split(","))
