"""Test harness for running the real services as subprocesses against the real broker.

Shared by the chaos test and the reliability integration tests (bad input, dead-letter replay, shutdown):
- :class:`ServiceProcess` starts ``python -m powderkeg_cli.main <service>`` exactly as a user runs it, waits for its
  ``/readyz``, and stops it with SIGKILL (a crash) or SIGTERM (a graceful stop), by its own pid only;
- :func:`start_group_at_end` commits the current end offsets for a fresh consumer group, so a service started
  under that group processes only what the test sends, not the history other tests left on the shared topics;
- :func:`read_topics` is a bounded read of topics from the beginning to their end at call time;
- :func:`group_lag` compares a group's committed offsets with the end offsets (what the operator calls lag).

kafka-python is the test-side client: synchronous, and independent of the services' own aiokafka.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from powderkeg_runtime.kafka_admin import start_group_at_end

__all__ = ["start_group_at_end"]  # re-exported: the chaos and integration tests import it from here


def free_port() -> int:
    """A loopback port nobody listens on right now (for metrics servers that must not collide with 9101-9103)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout_s: float, what: str, *, every_s: float = 0.25) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout_s`` naming ``what`` (a bound, not a timed assertion)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


class ServiceProcess:
    """One Powderkeg service run as ``python -m powderkeg_cli.main <args>``; restartable, logs appended to a file."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], log_path: Path, port: int | None = None
    ) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.log_path = log_path
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> ServiceProcess:
        with self.log_path.open("ab") as log:
            log.write(f"\n----- start #{self.starts + 1} of {self.name} -----\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "powderkeg_cli.main", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        if self.port is None or not self.alive:
            return False
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout_s: float = 180) -> None:
        wait_for(lambda: self.ready() or not self.alive, timeout_s, f"{self.name} /readyz")
        assert self.alive, f"{self.name} exited with {self.proc and self.proc.returncode}: {self.log_tail()}"

    def kill(self) -> None:
        """SIGKILL: a crash with no chance to commit or flush anything."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self, timeout_s: float = 60) -> int:
        """SIGTERM and wait for the exit code (the graceful path)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            raise AssertionError(f"{self.name} did not stop within {timeout_s:.0f}s of SIGTERM") from None

    def stop_quietly(self) -> None:
        """Clean-up path: SIGTERM, then SIGKILL if it hangs; never raises."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else "(no log)"


def service_env(bootstrap: str, run: str, **extra: str) -> dict[str, str]:
    """Environment for the services of one test run: fresh app ids (= consumer groups), faster failure detection."""
    return {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
        "POWDERKEG_EXTRACTOR_APP_ID": f"{run}-extractor",
        "POWDERKEG_ALERTING_APP_ID": f"{run}-alerting",
        # faust reads these (its settings' env names): a SIGKILLed worker's partitions are handed to its
        # replacement after 10 s rather than faust's default 60 s session timeout.
        "BROKER_SESSION_TIMEOUT": "10",
        "BROKER_HEARTBEAT_INTERVAL": "2",
        "BROKER_REBALANCE_TIMEOUT": "30",
        "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
        **extra,
    }


def end_offsets(bootstrap: str, topic_names: Iterable[str]) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(t, p) for t in topic_names for p in sorted(consumer.partitions_for_topic(t) or ())]
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def read_topics(
    bootstrap: str, topic_names: Iterable[str], *, start: Mapping[TopicPartition, int] | None = None
) -> Iterator[Any]:
    """Every record of ``topic_names`` from ``start`` (default: the beginning) to the end offsets at call time."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(t, p) for t in topic_names for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for tp in partitions:
            if start is not None and tp in start:
                consumer.seek(tp, start[tp])
        ends = consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > consumer.position(tp)}
        empty_polls = 0
        while remaining and empty_polls < 10:
            batch = consumer.poll(timeout_ms=1000)
            empty_polls = 0 if batch else empty_polls + 1
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        consumer.close()


def group_offsets(bootstrap: str, group: str) -> dict[TopicPartition, OffsetAndMetadata]:
    """The group's committed offsets, as the broker has them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="pk-test-offsets")
    try:
        return dict(admin.list_group_offsets({group: None}).get(group, {}))
    finally:
        admin.close()


def group_lag(bootstrap: str, group: str, topic_names: Iterable[str]) -> dict[str, int]:
    """Per topic: end offset minus the group's committed offset, summed over partitions (no commit counts as 0)."""
    names = list(topic_names)
    committed = group_offsets(bootstrap, group)
    ends = end_offsets(bootstrap, names)
    lag = dict.fromkeys(names, 0)
    for tp, end in ends.items():
        done = committed.get(tp)
        lag[tp.topic] += end - (done.offset if done is not None and done.offset >= 0 else 0)
    return lag
