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
from collections.abc import Callable, Collection, Mapping
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


def owned_by_a_member(group: Mapping[str, Any], source_topics: Collection[str]) -> bool | None:
    """From a ``describe_groups`` entry: does any member own a partition of ``source_topics``?

    ``None`` while the group is not ``Stable`` (a rebalance in progress decides nothing).
    """
    if group.get("error") or group.get("group_state") != "Stable":
        return None
    for member in group.get("members") or []:
        assignment = member.get("member_assignment") or {}
        for entry in assignment.get("assigned_partitions") or []:
            if entry.get("topic") in source_topics and entry.get("partitions"):
                return True
    return False


def _describe_group(bootstrap: str, group_id: str) -> Mapping[str, Any]:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{group_id}-watchdog")
    try:
        return dict(admin.describe_groups([group_id])[group_id])
    finally:
        admin.close()


def watch_unowned_partitions(
    app: faust.App,
    worker: Any,
    bootstrap: str,
    source_topics: Collection[str],
    log: logging.Logger,
    *,
    grace_s: float = 20.0,
    every_s: float = 5.0,
    describe: Callable[[str, str], Mapping[str, Any]] = _describe_group,
    exit_for_replay: Callable[[logging.Logger, str], Any] = crash_for_replay,
) -> threading.Thread:
    """Exit (status 75, for a restart) when no member of the worker's group owns a partition of its input.

    Right after a broker restart the group leader can compute the assignment from metadata that does not list the
    input topic yet (faust logs "Ignoring missing topic"). Every member then gets nothing, the group is ``Stable``,
    and nothing triggers another rebalance: the group sits idle while its lag grows (the chaos test caught one). When
    this worker has had no input partition for ``grace_s`` and the broker says no member owns one, the worker exits;
    its supervisor restarts it and it rejoins with fresh metadata. An idle worker in a group whose partitions other
    members own (more workers than partitions) is left alone.
    """

    def mine() -> list[Any] | None:
        try:
            return [tp for tp in app.consumer.assignment() if tp.topic in source_topics]
        except Exception:  # consumer not started yet, or being rebuilt
            return None

    def watch() -> None:
        empty_since: float | None = None
        while not worker.should_stop:
            time.sleep(every_s)
            if worker.should_stop:
                return
            current = mine()
            if current is None or current:
                empty_since = None
                continue
            now = time.monotonic()
            empty_since = empty_since if empty_since is not None else now
            if now - empty_since < grace_s:
                continue
            try:
                owned = owned_by_a_member(describe(bootstrap, app.conf.id), source_topics)
            except Exception as exc:  # broker away: judge again later
                log.warning("cannot describe consumer group %s: %s", app.conf.id, exc)
                continue
            if owned is False:
                exit_for_replay(
                    log,
                    f"no member of group {app.conf.id} owns a partition of {', '.join(sorted(source_topics))} "
                    f"{grace_s:.0f}s after the last rebalance (assigned from stale metadata); restarting to rejoin",
                )
                return
            empty_since = now

    thread = threading.Thread(target=watch, name="unowned-partitions", daemon=True)
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
    :func:`enforce_shutdown_deadline`; a group left with nobody consuming ``source_topics`` is caught by
    :func:`watch_unowned_partitions`.
    """
    from faust.worker import Worker

    from powderkeg_runtime.httpserver import ServiceHttpServer

    server = ServiceHttpServer(settings.metrics_host, metrics_port, service=service).start()
    server.set_readiness(lambda: assigned(app))
    worker = Worker(app, loglevel=loglevel.lower(), override_logging=False)
    log = logging.getLogger(f"powderkeg.{service}")
    enforce_shutdown_deadline(worker, settings.shutdown_timeout_seconds, log)
    watch_unowned_partitions(app, worker, settings.kafka_bootstrap, source_topics, log)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        server.stop()
    return 0
