"""The faust transport every Powderkeg worker uses: aiokafka with an idempotent producer.

aiokafka turns idempotence (and with it ``acks=all``) on only inside transactions, and faust's settings offer no
switch for it, so the transport is registered under its own URL scheme (pyproject entry point
``faust.transports``) and :func:`broker_urls` names it in every app's ``broker`` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

TRANSPORT_SCHEME = "powderkeg"
"""The broker URL scheme registered for :class:`IdempotentTransport`."""


class IdempotentProducer(faust_aiokafka.Producer):
    """aiokafka producer with ``enable_idempotence=True`` (and therefore ``acks=all``) outside transactions too."""

    def _settings_extra(self) -> Mapping[str, Any]:
        # faust's hook for extra AIOKafkaProducer arguments; it has no public equivalent (faust-streaming 0.15.3,
        # where the base returns the idempotence settings only when the app is in a transaction).
        extra = dict(super()._settings_extra())
        extra.setdefault("acks", "all")
        extra.setdefault("enable_idempotence", True)
        return extra


class IdempotentTransport(faust_aiokafka.Transport):
    Producer = IdempotentProducer


def broker_urls(bootstrap: str) -> str:
    """faust's ``broker`` setting for comma-separated ``host:port`` bootstrap servers, over this transport."""
    return ";".join(f"{TRANSPORT_SCHEME}://{host}" for host in bootstrap.split(","))
