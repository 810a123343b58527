"""The faust transport every Powderkeg worker uses: aiokafka with an idempotent producer and a consumer whose
fetches never take records from paused partitions.

aiokafka turns idempotence (and with it ``acks=all``) on only inside transactions, and faust's settings offer no
switch for it, so the transport is registered under its own URL scheme (pyproject entry point
``faust.transports``) and :func:`broker_urls` names it in every app's ``broker`` setting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Set
from typing import Any, Final

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

from powderkeg_runtime.faust_internals import aiokafka_producer
from powderkeg_runtime.kafka_config import KafkaSettings

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

        The replication factor and topic configs (``min.insync.replicas``, retention) come from the app's
        :func:`topic_layout`; faust's own configs (``cleanup.policy=compact`` of a changelog) win.
        """
        layout = topic_layout(self.app)
        if layout is not None:
            spec = layout.topic_spec(topic, partitions)
            replication = spec.replication_factor
            kwargs["config"] = {**spec.configs, **(kwargs.get("config") or {})}
        await super().create_topic(topic, partitions, replication, **kwargs)
        producer = aiokafka_producer(self)
        producer.client.add_topic(topic)  # in every metadata refresh from now on
        await producer.partitions_for(topic)  # returns once the metadata lists it (bounded by the request timeout)


IDLE_FETCH_S: Final = 0.1
"""How long a fetch with no partition to read waits before it returns nothing (faust's own idle wait is 1 s)."""


class SnapshotFetchConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer, with each fetch limited to the partitions that were active when it began.

    faust hands its live set of active partitions to the consumer thread, and aiokafka's ``fetched_records`` reads
    it while it waits for data (up to a second), from that thread. The main loop keeps changing the set meanwhile:
    the steps of a table recovery pause and resume partitions. An empty set means "every partition" to aiokafka, so
    a fetch that began on a few changelog partitions could return the input partitions' records while they were
    paused. aiokafka then moved their positions past those records, and faust dropped them because the partitions
    were not active. Unless a seek to the committed offsets followed, the records were never processed, the
    partition's committed offset stopped, and only the input watchdog's exit for a restart got them processed. The
    alerting scale-out test showed such a fetch during the standby step of a recovery. With a copy taken when the
    fetch begins, aiokafka keeps the records of any other partition buffered, and they are delivered once the
    partition is resumed (or fetched again after a seek).
    """

    async def _getmany(self, active_partitions: Set[Any] | None, timeout: float) -> Any:
        # faust's hook between its fetch loop and the consumer thread (faust-streaming 0.15.3: ThreadDelegateConsumer).
        generation = self.app.consumer_generation_id
        if active_partitions is None:  # a client-only app reads every partition it is assigned
            records = await super()._getmany(None, timeout)
        else:
            snapshot = frozenset(active_partitions)
            if not snapshot:
                await asyncio.sleep(min(timeout, IDLE_FETCH_S))
                return {}
            records = await super()._getmany(snapshot, timeout)  # type: ignore[arg-type]
        if records and self.app.consumer_generation_id != generation:
            await self._give_back(records)
            return {}
        return records

    async def _give_back(self, records: Mapping[Any, Any]) -> None:
        """Undo a fetch that began before a rebalance and returned after it: seek each partition it read, and still
        holds, back to the first record it returned.

        Such a fetch is stale, and its records would be read in the new generation's recovery, or dropped by faust's
        fetch loop, with aiokafka's position already past them. The scale-out test showed a survivor's table recovery
        wait for ever after a fetch begun as a standby returned the changelog records the recovery then waited for.
        """
        held = set(self.assignment())
        self.log.info("giving back a fetch that a rebalance overtook: %d records of %d partitions",
                      sum(len(b) for b in records.values()), len(records))
        for tp, batch in records.items():
            if batch and tp in held:
                try:
                    await self.seek(tp, batch[0].offset)
                except Exception as exc:  # revoked meanwhile: its next owner reads it from the committed offset
                    self.log.warning("could not give back a stale fetch of %s: %r", tp, exc)


class IdempotentTransport(faust_aiokafka.Transport):
    Consumer = SnapshotFetchConsumer
    Producer = IdempotentProducer


_LAYOUT_ATTRIBUTE = "_powderkeg_topic_layout"


def set_topic_layout(app: faust.App, kafka: KafkaSettings) -> None:
    """Have the topics ``app`` creates (changelogs, repartition topics) laid out as ``kafka`` says.

    faust's settings hold one replication factor and no topic configs for the topics it creates, so the settings
    ride on the app for :meth:`IdempotentProducer.create_topic`.
    """
    setattr(app, _LAYOUT_ATTRIBUTE, kafka)


def topic_layout(app: Any) -> KafkaSettings | None:
    """The settings :func:`set_topic_layout` put on ``app`` (None: faust's own defaults)."""
    layout = getattr(app, _LAYOUT_ATTRIBUTE, None)
    return layout if isinstance(layout, KafkaSettings) else None


def broker_urls(bootstrap: str) -> str:
    """faust's ``broker`` setting for comma-separated ``host:port`` bootstrap servers, over this transport."""
    return ";".join(f"{TRANSPORT_SCHEME}://{host}" for host in bootstrap.split(","))
