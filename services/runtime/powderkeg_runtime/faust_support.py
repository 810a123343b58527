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
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from prometheus_client import Gauge

from powderkeg_runtime.codec import encode
from powderkeg_runtime.dlq import build_dead_letter
from powderkeg_runtime.kafka_admin import GroupOffsets, describe_group
from powderkeg_runtime.metrics import DEAD_LETTERS, MESSAGES_PRODUCED, PROCESSING_FAILURES
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


Send = Callable[..., Awaitable[None]]


async def send_counted(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
    """Produce to a faust topic and wait for the broker's acknowledgement, then count it.

    Awaiting the send before the agent returns is what makes faust commit the source offset only after the output
    is durable (at-least-once).
    """
    pending = await topic.send(key=key, value=value, headers=headers, force=True)
    await pending
    MESSAGES_PRODUCED.labels(topic=topic.get_topic_name()).inc()


async def dead_letter(
    message: Any,
    error: BaseException,
    reason: str,
    *,
    stage: Literal["ingest", "extractor", "alerting"],
    dlq_topic: Any,
    log: logging.Logger,
    send: Send = send_counted,
) -> None:
    """Dead-letter a consumed faust message with Connect-style headers, count it and log it."""
    letter, headers = build_dead_letter(
        value=message.value,
        key=message.key,
        stage=stage,
        error=error,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
    )
    await send(dlq_topic, message.key or b"", encode(letter), headers)
    DEAD_LETTERS.labels(topic=dlq_topic.get_topic_name(), reason=reason).inc()
    PROCESSING_FAILURES.labels(stage=stage, reason=reason).inc()
    log.warning("dead-lettered %s[%s]@%s: %s", message.topic, message.partition, message.offset, error)


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


PartitionKey = tuple[str, int]


@dataclass
class StallTracker:
    """Decides when an owned input partition is stuck: messages waiting, the group's committed offset unchanged for
    ``stall_s``, and the worker idle (not in the middle of a message) when looked at.

    The idle condition keeps a slow message (a very long article) from counting as a stall: while it is processed the
    worker is busy, and once it is done the committed offset moves.
    """

    stall_s: float
    seen: dict[PartitionKey, tuple[int | None, float]] = field(default_factory=dict)

    def observe(self, now: float, offsets: Mapping[PartitionKey, tuple[int | None, int]], busy: bool) -> str | None:
        """``offsets``: per owned partition, (committed offset or None, end offset). A reason when one is stuck."""
        stuck: str | None = None
        for key, (committed, end) in offsets.items():
            waiting = end - (committed or 0)
            last = self.seen.get(key)
            if waiting <= 0 or last is None or last[0] != committed:
                self.seen[key] = (committed, now)
                continue
            if now - last[1] >= self.stall_s and not busy:
                stuck = (
                    f"{key[0]}[{key[1]}] has {waiting} messages waiting and its committed offset {committed} has not "
                    f"moved for {now - last[1]:.0f}s while the worker is idle"
                )
        for key in [k for k in self.seen if k not in offsets]:
            del self.seen[key]
        return stuck


def watch_input(
    app: faust.App,
    worker: Any,
    bootstrap: str,
    source_topics: Collection[str],
    log: logging.Logger,
    *,
    grace_s: float = 20.0,
    stall_s: float = 45.0,
    every_s: float = 5.0,
    describe: Callable[[str, str], Mapping[str, Any]] = describe_group,
    offsets: Callable[[Collection[PartitionKey]], Mapping[PartitionKey, tuple[int | None, int]]] | None = None,
    busy: Callable[[], bool] | None = None,
    exit_for_replay: Callable[[logging.Logger, str], Any] = crash_for_replay,
) -> threading.Thread:
    """Exit (status 75, for a restart) when the worker's input is stuck in a way faust does not recover from.

    Both cases were caught by the chaos test right after a broker restart, and neither ends without a restart:

    * **Nobody owns the input.** The group leader assigned from metadata that did not list the input topic yet (faust
      logs "Ignoring missing topic"); every member got nothing, the group is ``Stable``, no rebalance follows. When
      this worker has had no input partition for ``grace_s`` and the broker says no member owns one, it exits. A
      spare worker in a group whose partitions other members own is left alone.
    * **An owned partition is never fetched.** The seek to the committed offset failed while the broker was down;
      the worker consumes its other partitions and the lag of this one only grows. When an owned partition has
      messages waiting, its committed offset has not moved for ``stall_s`` and the worker is idle, it exits.

    The restarted worker rejoins with fresh metadata and resumes from the committed offsets (at-least-once).
    """
    group_id = str(app.conf.id)
    read_offsets = offsets if offsets is not None else GroupOffsets(bootstrap, group_id)
    is_busy = busy if busy is not None else (lambda: app.monitor.events_active > 0)
    tracker = StallTracker(stall_s)

    def mine() -> list[PartitionKey] | None:
        try:
            return sorted((tp.topic, tp.partition) for tp in app.consumer.assignment() if tp.topic in source_topics)
        except Exception:  # consumer not started yet, or being rebuilt
            return None

    def watch() -> None:
        empty_since: float | None = None
        while not worker.should_stop:
            time.sleep(every_s)
            if worker.should_stop:
                return
            current = mine()
            now = time.monotonic()
            if current is None:
                empty_since = None
                continue
            try:
                if current:
                    empty_since = None
                    reason = tracker.observe(now, read_offsets(current), is_busy())
                    if reason is not None:
                        exit_for_replay(log, f"input stalled: {reason}; restarting to re-seek")
                        return
                    continue
                empty_since = empty_since if empty_since is not None else now
                if now - empty_since < grace_s:
                    continue
                owned = owned_by_a_member(describe(bootstrap, group_id), source_topics)
            except Exception as exc:  # broker away: judge again later
                log.warning("input watchdog cannot reach the broker: %s", exc)
                continue
            if owned is False:
                exit_for_replay(
                    log,
                    f"no member of group {group_id} owns a partition of {', '.join(sorted(source_topics))} "
                    f"{grace_s:.0f}s after the last rebalance (assigned from stale metadata); restarting to rejoin",
                )
                return
            empty_since = now

    thread = threading.Thread(target=watch, name="input-watchdog", daemon=True)
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
    :func:`watch_input`.
    """
    from faust.worker import Worker

    from powderkeg_runtime.httpserver import ServiceHttpServer

    server = ServiceHttpServer(settings.metrics_host, metrics_port, service=service).start()
    server.set_readiness(lambda: assigned(app))
    worker = Worker(app, loglevel=loglevel.lower(), override_logging=False)
    log = logging.getLogger(f"powderkeg.{service}")
    enforce_shutdown_deadline(worker, settings.shutdown_timeout_seconds, log)
    watch_input(app, worker, settings.kafka_bootstrap, source_topics, log)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        server.stop()
    return 0
