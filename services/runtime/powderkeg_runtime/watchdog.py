"""Watchdogs that re-seek a stuck input, or exit a worker (status 75, for a restart), where faust would otherwise wait
for ever.

:func:`enforce_shutdown_deadline` cuts short a graceful stop that hangs (broker gone); :func:`watch_input` catches
an input nobody consumes or a partition that is never fetched, seen after broker restarts and around rebalances.
A stuck partition is first sought back to its committed offset in the running worker (:func:`reseek_input`); only
if that does not move it does the worker exit. Under at-least-once both are safe: whatever was not committed is
read again, and every stage handles a duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import faust

from powderkeg_runtime.faust_internals import created_consumer, service_loop
from powderkeg_runtime.kafka_admin import GroupOffsets, describe_group
from powderkeg_runtime.kafka_config import KafkaSettings
from powderkeg_runtime.recovery import FETCHER_PAUSE_S
from powderkeg_runtime.replay import crash_for_replay


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
    worker is busy, and once it is done the committed offset moves. With ``reseek_s`` set, a partition stuck that
    long is reported once as due for a re-seek (:meth:`due_for_reseek`) before it is reported as stuck.
    """

    stall_s: float
    reseek_s: float | None = None
    seen: dict[PartitionKey, tuple[int | None, float]] = field(default_factory=dict)
    resought: set[PartitionKey] = field(default_factory=set)
    due: list[str] = field(default_factory=list)

    def observe(self, now: float, offsets: Mapping[PartitionKey, tuple[int | None, int]], busy: bool) -> str | None:
        """``offsets``: per owned partition, (committed offset or None, end offset). A reason when one is stuck."""
        stuck: str | None = None
        self.due = []
        for key, (committed, end) in offsets.items():
            waiting = end - (committed or 0)
            last = self.seen.get(key)
            if waiting <= 0 or last is None or last[0] != committed:
                self.seen[key] = (committed, now)
                self.resought.discard(key)
                continue
            if busy:
                continue
            idle_for = now - last[1]
            what = (
                f"{key[0]}[{key[1]}] has {waiting} messages waiting and its committed offset {committed} has not "
                f"moved for {idle_for:.0f}s while the worker is idle"
            )
            if idle_for >= self.stall_s:
                stuck = what
            elif self.reseek_s is not None and idle_for >= self.reseek_s and key not in self.resought:
                self.resought.add(key)
                self.due.append(what)
        for key in [k for k in self.seen if k not in offsets]:
            del self.seen[key]
            self.resought.discard(key)
        return stuck

    def due_for_reseek(self) -> list[str]:
        """The partitions the last :meth:`observe` found stuck for ``reseek_s``, each once per stall."""
        return list(self.due)


async def reseek_input(app: Any) -> bool:
    """Seek every assigned partition back to its committed offset, as faust does at the end of a rebalance; False
    when a rebalance is under way (it seeks anyway).

    The consumer's flow and the streams' flow control are stopped first, and the stream queues cleared, so nothing
    fetched before the seek is delivered after it; what was fetched but never processed is read again from the
    committed offset. A record a fetch consumed and dropped (the position moved past it, nothing processed it) comes
    again this way, instead of after a restart.
    """
    if getattr(app, "rebalancing", False):  # set by faust while partitions are being assigned
        return False
    consumer = app.consumer
    consumer.stop_flow()
    app.flow_control.suspend()
    try:
        await asyncio.sleep(FETCHER_PAUSE_S)
        app.flow_control.clear()
        await consumer.perform_seek()
    finally:
        app.flow_control.resume()
        consumer.resume_flow()
    return True



def watch_input(
    app: faust.App,
    worker: Any,
    bootstrap: str,
    source_topics: Collection[str],
    log: logging.Logger,
    *,
    grace_s: float = 20.0,
    reseek_s: float | None = 15.0,
    stall_s: float = 45.0,
    every_s: float = 5.0,
    kafka: KafkaSettings | None = None,
    describe: Callable[[str, str], Mapping[str, Any]] | None = None,
    offsets: Callable[[Collection[PartitionKey]], Mapping[PartitionKey, tuple[int | None, int]]] | None = None,
    busy: Callable[[], bool] | None = None,
    exit_for_replay: Callable[[logging.Logger, str], Any] = crash_for_replay,
    reseek: Callable[[], bool] | None = None,
) -> threading.Thread:
    """Exit (status 75, for a restart) when the worker's input is stuck in a way faust does not recover from.

    Both cases were caught by the chaos test right after a broker restart, and neither ends without a restart:

    * **Nobody owns the input.** The group leader assigned from metadata that did not list the input topic yet (faust
      logs "Ignoring missing topic"); every member got nothing, the group is ``Stable``, no rebalance follows. When
      this worker has had no input partition for ``grace_s`` and the broker says no member owns one, it exits. A
      spare worker in a group whose partitions other members own is left alone.
    * **An owned partition is never fetched.** The seek to the committed offset failed while the broker was down, or
      a fetch around a rebalance consumed records that were never delivered; the worker consumes its other
      partitions and the lag of this one only grows. When an owned partition has messages waiting, its committed
      offset has not moved for ``reseek_s`` and the worker is idle, the worker's partitions are sought back to their
      committed offsets (:func:`reseek_input`, on the worker's event loop); if it is still stuck at ``stall_s``, it
      exits.

    The restarted worker rejoins with fresh metadata and resumes from the committed offsets (at-least-once).
    """
    group_id = str(app.conf.id)
    read_offsets = offsets if offsets is not None else GroupOffsets(bootstrap, group_id, kafka)
    describe_it = describe if describe is not None else (lambda where, group: describe_group(where, group, kafka))
    is_busy = busy if busy is not None else (lambda: app.monitor.events_active > 0)
    tracker = StallTracker(stall_s, reseek_s)

    def seek_back() -> bool:
        if reseek is not None:
            return reseek()
        loop = service_loop(worker)
        if loop is None or not loop.is_running():
            return False
        return asyncio.run_coroutine_threadsafe(reseek_input(app), loop).result(timeout=30)

    def mine() -> list[PartitionKey] | None:
        consumer = created_consumer(app)  # this thread must not create it: see created_consumer
        if consumer is None:
            return None
        try:
            return sorted((tp.topic, tp.partition) for tp in consumer.assignment() if tp.topic in source_topics)
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
                    due = tracker.due_for_reseek()
                    if due:
                        done = seek_back()
                        outcome = "sought back to the committed offsets" if done else "re-seek skipped (rebalancing)"
                        log.warning("input stalled: %s; %s", "; ".join(due), outcome)
                    continue
                empty_since = empty_since if empty_since is not None else now
                if now - empty_since < grace_s:
                    continue
                owned = owned_by_a_member(describe_it(bootstrap, group_id), source_topics)
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
