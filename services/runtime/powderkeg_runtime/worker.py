"""The faust app factory with Powderkeg's delivery settings, and the worker entry point with metrics and health.

Delivery settings and why:
- ``processing_guarantee="at_least_once"``: faust's exactly-once mode has open duplicate and crash bugs (#323, #517,
  #440). Effectively-once results come from deterministic ids and idempotent consumers instead.
- agents run with ``concurrency=1`` (:meth:`powderkeg_runtime.stage.Stage.declare`): with more, faust can commit past
  a message still in flight, and a crash loses it (#606).
- ``producer_acks=-1`` plus idempotence: aiokafka defaults to neither outside transactions, so the
  :mod:`powderkeg_runtime.transport` turns idempotence on for every producer.
- ``store="memory://"``: tables are rebuilt from their changelog topics at start-up; no local state to lose.
- ``TableManager``: faust's, with the race at the end of a rebalance's recovery closed
  (:mod:`powderkeg_runtime.recovery`): records fetched while it seeks to the committed offsets were lost.
- ``broker_credentials`` and the changelogs' replication factor come from the same
  :class:`~powderkeg_runtime.kafka_config.KafkaSettings` as every kafka-python client; the transport adds their
  ``min.insync.replicas`` (:func:`powderkeg_runtime.transport.set_topic_layout`).
- ``producer_max_request_size`` and ``consumer_max_fetch_size`` from :mod:`powderkeg_contracts.limits`: below and at
  the broker's ``message.max.bytes``, so the producer refuses an oversized record itself (the stage dead-letters the
  message) rather than the broker, and every record the broker takes can be fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

import faust

from powderkeg_contracts import limits
from powderkeg_runtime.faust_internals import created_consumer
from powderkeg_runtime.httpserver import ServiceHttpServer
from powderkeg_runtime.kafka_clients import faust_credentials
from powderkeg_runtime.recovery import SeekSafeTableManager
from powderkeg_runtime.settings import ServiceSettings
from powderkeg_runtime.transport import broker_urls, set_topic_layout
from powderkeg_runtime.watchdog import enforce_shutdown_deadline, watch_input

EXIT_NO_BROKER = 1
"""Exit status of a worker that could not reach the broker at start-up."""


def make_app(app_id: str, settings: ServiceSettings, **overrides: Any) -> faust.App:
    """Build a faust app with Powderkeg's delivery settings; ``overrides`` win (tests use them)."""
    options: dict[str, Any] = {
        "broker": broker_urls(settings.kafka_bootstrap),
        "store": "memory://",
        "processing_guarantee": "at_least_once",
        "producer_acks": -1,
        "producer_max_request_size": limits.PRODUCER_MAX_REQUEST_BYTES,
        "consumer_max_fetch_size": limits.CONSUMER_FETCH_MAX_BYTES,
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": settings.changelog_replication_factor,
        "broker_credentials": faust_credentials(settings),
        "consumer_auto_offset_reset": "earliest",
        "web_enabled": False,
        "broker_commit_every": 100,
        "broker_commit_interval": 1.0,
        "stream_wait_empty": True,
        "value_serializer": "raw",
        "key_serializer": "raw",
        # faust's table manager with the end-of-recovery seek race closed (records fetched meanwhile were lost).
        "TableManager": SeekSafeTableManager,
        # faust's default is "<app id>-data" in the working directory: one stray folder per app id and test run.
        "datadir": str(settings.faust_data_dir / app_id),
    }
    options.update(overrides)
    Path(options["datadir"]).parent.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    app = faust.App(app_id, **options)
    set_topic_layout(app, settings)
    return app


def assigned(app: faust.App) -> tuple[bool, str]:
    """Readiness: the worker has partitions assigned (it is in its consumer group and consuming).

    Called from the HTTP server's thread, so it must not create the consumer (:func:`created_consumer`).
    """
    consumer = created_consumer(app)
    if consumer is None:
        return False, "consumer not started"
    try:
        count = len(consumer.assignment())
    except Exception as exc:  # consumer not started yet
        return False, f"consumer not started: {type(exc).__name__}"
    return count > 0, f"{count} partitions assigned"


def run_worker(
    app: faust.App,
    settings: ServiceSettings,
    *,
    service: str,
    metrics_port: int,
    loglevel: str,
    source_topics: Collection[str],
) -> int:
    """Serve metrics and health for ``app`` and run its faust worker until SIGTERM/SIGINT; return the exit status.

    Readiness is :func:`assigned`; a stop that hangs (broker gone) is cut short by
    :func:`~powderkeg_runtime.watchdog.enforce_shutdown_deadline`; a group left with nobody consuming
    ``source_topics`` is caught by :func:`~powderkeg_runtime.watchdog.watch_input`.
    """
    from faust.worker import Worker

    server = ServiceHttpServer(settings.metrics_host, metrics_port, service=service).start()
    server.set_readiness(lambda: assigned(app))
    worker = Worker(app, loglevel=loglevel.lower(), override_logging=False)
    log = logging.getLogger(f"powderkeg.{service}")
    enforce_shutdown_deadline(worker, settings.shutdown_timeout_seconds, log)
    watch_input(app, worker, settings.kafka_bootstrap, source_topics, log, kafka=settings)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        server.stop()
    return 0
