"""faust-streaming helpers: an app factory with Powderkeg's delivery settings, an idempotent producer, and a
consumer-lag sampler for Prometheus.

Delivery settings and why:
- ``processing_guarantee="at_least_once"``: faust's exactly-once mode has open duplicate and crash bugs (#323, #517,
  #440). Effectively-once results come from deterministic ids and idempotent consumers instead.
- agents run with ``concurrency=1`` (set where they are declared): with more, faust can commit past a message still
  in flight, and a crash loses it (#606).
- ``producer_acks=-1`` plus ``enable_idempotence``: aiokafka defaults to neither outside transactions, so
  :class:`IdempotentTransport` turns idempotence on for every producer.
- ``store="memory://"``: tables are rebuilt from their changelog topics at start-up; no local state to lose.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NoReturn

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from prometheus_client import Gauge

from powderkeg_runtime.settings import ServiceSettings

TRANSPORT_SCHEME = "powderkeg"
"""The broker URL scheme registered (pyproject entry point ``faust.transports``) for :class:`IdempotentTransport`."""


class IdempotentProducer(faust_aiokafka.Producer):
    """aiokafka producer with ``enable_idempotence=True`` (and therefore ``acks=all``) outside transactions too."""

    def _settings_extra(self) -> Mapping[str, Any]:
        extra = dict(super()._settings_extra())
        extra.setdefault("acks", "all")
        extra.setdefault("enable_idempotence", True)
        return extra


class IdempotentTransport(faust_aiokafka.Transport):
    Producer = IdempotentProducer


EXIT_REPLAY = 75
"""Exit status of a worker that stopped itself so that an unprocessed message is replayed (EX_TEMPFAIL)."""


def crash_for_replay(log: logging.Logger, what: str) -> NoReturn:
    """Stop the process at once, before faust can ack the message in hand.

    An exception that escapes a faust agent acks the message: it would be committed and lost. When a message can
    be neither processed nor dead-lettered (the broker is gone), the only safe move is to exit without acking; the
    restarted worker (compose ``restart:``, systemd, the chaos harness) resumes from the last committed offset.
    """
    log.critical("%s; exiting with status %d so the message is replayed, not acked", what, EXIT_REPLAY)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(EXIT_REPLAY)


def enforce_shutdown_deadline(service: Any, seconds: float, log: logging.Logger) -> threading.Thread:
    """Exit the process if ``service`` (a mode Service, e.g. the faust Worker) has not stopped ``seconds`` after it
    began stopping.

    A graceful stop commits offsets and flushes producers; with the broker gone it can wait for ever (aiokafka
    retries), and an orchestrator would then have to SIGKILL it anyway. Exiting after the deadline is safe under
    at-least-once: whatever was not committed is replayed by the next worker.
    """

    def watch() -> None:
        while not service.should_stop:
            time.sleep(0.2)
        time.sleep(seconds)
        crash_for_replay(log, f"graceful shutdown did not finish within {seconds:.0f}s")

    thread = threading.Thread(target=watch, name="shutdown-deadline", daemon=True)
    thread.start()
    return thread


def assigned(app: faust.App) -> tuple[bool, str]:
    """Readiness: the worker has partitions assigned (it is in its consumer group and consuming)."""
    try:
        count = len(app.consumer.assignment())
    except Exception as exc:  # consumer not started yet
        return False, f"consumer not started: {type(exc).__name__}"
    return count > 0, f"{count} partitions assigned"


def make_app(app_id: str, settings: ServiceSettings, **overrides: Any) -> faust.App:
    """Build a faust app with Powderkeg's delivery settings; ``overrides`` win (tests use them)."""
    brokers = ";".join(f"{TRANSPORT_SCHEME}://{host}" for host in settings.kafka_bootstrap.split(","))
    options: dict[str, Any] = {
        "broker": brokers,
        "store": "memory://",
        "processing_guarantee": "at_least_once",
        "producer_acks": -1,
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": 1,
        "consumer_auto_offset_reset": "earliest",
        "web_enabled": False,
        "broker_commit_every": 100,
        "broker_commit_interval": 1.0,
        "stream_wait_empty": True,
        "value_serializer": "raw",
        "key_serializer": "raw",
        # faust's default is "<app id>-data" in the working directory: one stray folder per app id and test run.
        "datadir": str(settings.faust_data_dir / app_id),
    }
    options.update(overrides)
    Path(options["datadir"]).parent.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    return faust.App(app_id, **options)


def sample_consumer_lag(app: faust.App, gauge: Gauge, topics: Collection[str] | None = None) -> None:
    """Set ``gauge{topic,partition}`` to highwater minus committed offset for every assigned partition.

    ``committed`` is faust's own record of the next offset to consume per partition (updated on every commit), so
    the figure is the number of messages this group still has to process, the number operators watch first.
    """
    consumer = app.consumer
    committed: Mapping[Any, int | None] = getattr(consumer, "_committed_offset", {})
    for tp in consumer.assignment():
        # faust's own internal topics (assignor, table changelogs) are not the service's input.
        internal = "__assignor" in tp.topic or tp.topic.endswith("-changelog")
        if (topics is not None and tp.topic not in topics) or (topics is None and internal):
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


def run_worker(app: faust.App, settings: ServiceSettings, *, service: str, metrics_port: int, loglevel: str) -> int:
    """Serve metrics and health for ``app`` and run its faust worker until SIGTERM/SIGINT; return the exit status.

    Readiness is :func:`assigned`; a stop that hangs (broker gone) is cut short by
    :func:`enforce_shutdown_deadline`.
    """
    from faust.worker import Worker

    from powderkeg_runtime.httpserver import ServiceHttpServer

    server = ServiceHttpServer(settings.metrics_host, metrics_port, service=service).start()
    server.set_readiness(lambda: assigned(app))
    worker = Worker(app, loglevel=loglevel.lower(), override_logging=False)
    enforce_shutdown_deadline(worker, settings.shutdown_timeout_seconds, logging.getLogger(f"powderkeg.{service}"))
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        server.stop()
    return 0
