"""Unit tests of the shared service runtime: dead-letter envelopes and the metrics/health server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter

from powderkeg_contracts import topics
from powderkeg_runtime.dlq import build_dead_letter, original_bytes
from powderkeg_runtime.httpserver import ServiceHttpServer


def test_dead_letter_keeps_original_bytes_and_connect_headers() -> None:
    raw = b"\xff not utf-8 {"
    letter, headers = build_dead_letter(
        value=raw, key=b"k1", stage="extractor", error=ValueError("invalid_utf8: boom"),
        topic=topics.ARTICLES, partition=2, offset=41,
    )
    assert original_bytes(letter) == (b"k1", raw)
    h = dict(headers)
    assert h["__connect.errors.topic"] == topics.ARTICLES.encode()
    assert h["__connect.errors.partition"] == b"2"
    assert h["__connect.errors.offset"] == b"41"
    assert h["__connect.errors.exception.class.name"] == b"builtins.ValueError"
    assert b"boom" in h["__connect.errors.exception.message"]


def test_dead_letter_from_outside_kafka_records_origin() -> None:
    letter, headers = build_dead_letter(
        value=b"x", key=None, stage="ingest", error=RuntimeError(""), origin="seeds/a.jsonl:3"
    )
    assert letter.original_topic is None and letter.origin == "seeds/a.jsonl:3"
    assert letter.error_message == "RuntimeError"
    assert dict(headers)["__connect.errors.partition"] == b"-1"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def server() -> ServiceHttpServer:
    registry = CollectorRegistry()
    Counter("powderkeg_test_things_total", "Things.", registry=registry).inc(3)
    srv = ServiceHttpServer("127.0.0.1", 0, service="test", registry=registry).start()
    yield srv
    srv.stop()


def test_server_serves_metrics_health_and_readiness(server: ServiceHttpServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    status, body = _get(base + "/metrics")
    assert status == 200 and b"powderkeg_test_things_total 3.0" in body
    status, body = _get(base + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "alive"
    server.set_readiness(lambda: (False, "no partitions"))
    status, body = _get(base + "/readyz")
    assert status == 503 and json.loads(body) == {"service": "test", "ready": False, "detail": "no partitions"}
    assert _get(base + "/nope")[0] == 404


def test_shutdown_deadline_exits_a_stuck_stop_with_the_replay_status() -> None:
    import subprocess
    import sys

    from powderkeg_runtime.replay import EXIT_REPLAY

    script = (
        "import logging, time, types\n"
        "from powderkeg_runtime.watchdog import enforce_shutdown_deadline\n"
        "svc = types.SimpleNamespace(should_stop=False)\n"
        "enforce_shutdown_deadline(svc, 0.5, logging.getLogger('t'))\n"
        "time.sleep(0.5)\n"
        "svc.should_stop = True\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.returncode == EXIT_REPLAY, proc.stderr.decode()[-2000:]


def test_broker_probe_reports_a_listener_and_a_closed_port_and_caches_the_answer() -> None:
    import socket

    from powderkeg_runtime.httpserver import BrokerProbe, all_ready

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    probe = BrokerProbe(f"127.0.0.1:{port}", timeout_s=1.0, cache_s=60.0)
    assert probe() == (True, f"broker 127.0.0.1:{port} reachable")
    listener.close()
    assert probe()[0] is True  # cached: a readiness poll does not connect every time

    closed = BrokerProbe(f"127.0.0.1:{port}", timeout_s=1.0, cache_s=0.0)
    ok, detail = closed()
    assert not ok and detail.startswith("no broker reachable") and f"127.0.0.1:{port}" in detail

    combined = all_ready(lambda: (True, "push API serving"), closed)
    ok, detail = combined()
    assert not ok and detail.startswith("push API serving; no broker reachable")


def test_broker_probe_refuses_a_bootstrap_without_a_port() -> None:
    from powderkeg_runtime.httpserver import BrokerProbe

    with pytest.raises(ValueError, match="not host:port"):
        BrokerProbe("localhost")


def _group(state: str, *assignments: list[dict[str, object]]) -> dict[str, object]:
    members = [
        {"member_id": f"m{i}", "member_assignment": {"assigned_partitions": a}} for i, a in enumerate(assignments)
    ]
    return {"group_id": "g", "group_state": state, "members": members, "error": None}


def test_owned_by_a_member_reads_the_group_description() -> None:
    from powderkeg_runtime.watchdog import owned_by_a_member

    topic = ["powderkeg.articles.v1"]
    nobody = _group("Stable", [], [{"topic": "g-__assignor-__leader", "partitions": [0]}])
    assert owned_by_a_member(nobody, topic) is False
    someone = _group("Stable", [], [{"topic": "powderkeg.articles.v1", "partitions": [0, 2]}])
    assert owned_by_a_member(someone, topic) is True
    assert owned_by_a_member(_group("PreparingRebalance", []), topic) is None
    assert owned_by_a_member({"group_state": "Stable", "error": "GroupAuthorizationFailed"}, topic) is None


class _FakeConsumer:
    def __init__(self, partitions: list[object]) -> None:
        self.partitions = partitions

    def assignment(self) -> list[object]:
        return list(self.partitions)


def _watch(
    partitions: list[object],
    group: dict[str, object],
    offsets: dict[tuple[str, int], tuple[int | None, int]] | None = None,
    busy: bool = False,
    *,
    stall_s: float = 0.05,
    reseek_s: float | None = None,
    calls: list[str] | None = None,
) -> list[str]:
    """Run the watchdog against a fake app for a short, bounded time; return the exit reasons it gave (and note
    each re-seek and exit, in order, in ``calls``)."""
    import logging
    import time
    import types

    from powderkeg_runtime.watchdog import watch_input

    # ``_consumer``: where a faust App keeps the consumer it has created (powderkeg_runtime.faust_internals).
    app = types.SimpleNamespace(_consumer=_FakeConsumer(partitions), conf=types.SimpleNamespace(id="g"))
    worker = types.SimpleNamespace(should_stop=False)
    exits: list[str] = []
    thread = watch_input(
        app,  # type: ignore[arg-type]
        worker,
        "127.0.0.1:9",
        ["powderkeg.articles.v1"],
        logging.getLogger("test"),
        grace_s=0.05,
        reseek_s=reseek_s,
        stall_s=stall_s,
        every_s=0.01,
        describe=lambda bootstrap, group_id: group,
        offsets=lambda tps: {tp: (offsets or {}).get(tp, (5, 5)) for tp in tps},
        busy=lambda: busy,
        exit_for_replay=lambda log, what: (exits.append(what), calls is not None and calls.append("exit")),
        reseek=lambda: calls is None or calls.append("reseek") is None,
    )
    deadline = time.monotonic() + 1.0
    while thread.is_alive() and not exits and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.should_stop = True
    thread.join(timeout=2)
    return exits


def test_watchdog_exits_when_nobody_owns_the_input() -> None:
    exits = _watch([], _group("Stable", []))
    assert len(exits) == 1 and "no member of group g owns a partition of powderkeg.articles.v1" in exits[0]


def test_watchdog_leaves_an_idle_worker_alone_when_another_member_consumes() -> None:
    busy = _group("Stable", [], [{"topic": "powderkeg.articles.v1", "partitions": [0, 1, 2]}])
    assert _watch([], busy) == []


def test_watchdog_leaves_a_caught_up_worker_alone() -> None:
    from kafka.structs import TopicPartition

    assert _watch([TopicPartition("powderkeg.articles.v1", 0)], _group("Stable", [])) == []


def test_watchdog_exits_when_an_owned_partition_never_moves_while_idle() -> None:
    from kafka.structs import TopicPartition

    owned = [TopicPartition("powderkeg.articles.v1", 0), TopicPartition("powderkeg.articles.v1", 1)]
    exits = _watch(owned, _group("Stable", []), offsets={("powderkeg.articles.v1", 0): (530, 656)})
    assert len(exits) == 1 and "powderkeg.articles.v1[0] has 126 messages waiting" in exits[0]


def test_watchdog_waits_while_a_slow_message_is_in_hand() -> None:
    from kafka.structs import TopicPartition

    owned = [TopicPartition("powderkeg.articles.v1", 0)]
    offsets = {("powderkeg.articles.v1", 0): (530, 656)}
    assert _watch(owned, _group("Stable", []), offsets=offsets, busy=True) == []


def test_stall_tracker_restarts_the_clock_when_the_offset_moves() -> None:
    from powderkeg_runtime.watchdog import StallTracker

    tracker = StallTracker(stall_s=10)
    key = ("t", 0)
    assert tracker.observe(0.0, {key: (5, 9)}, busy=False) is None
    assert tracker.observe(8.0, {key: (6, 9)}, busy=False) is None  # moved: clock restarts at 8
    assert tracker.observe(15.0, {key: (6, 9)}, busy=False) is None  # 7 s without progress
    assert tracker.observe(18.5, {key: (6, 9)}, busy=False) is not None  # 10.5 s
    assert tracker.observe(30.0, {key: (9, 9)}, busy=False) is None  # caught up: nothing waiting


def test_the_broker_url_scheme_resolves_to_the_idempotent_transport() -> None:
    """faust finds the transport through the ``faust.transports`` entry point in pyproject.toml."""
    from faust.transport import by_url

    from powderkeg_runtime.transport import IdempotentTransport, broker_urls

    urls = broker_urls("127.0.0.1:9092,10.0.0.2:9093")
    assert urls == "powderkeg://127.0.0.1:9092;powderkeg://10.0.0.2:9093"
    assert by_url(urls.split(";")[0]) is IdempotentTransport


def test_readiness_from_another_thread_never_creates_the_consumer(tmp_path: Path) -> None:
    """A /readyz poll before the worker has built its consumer must not build it on the HTTP thread's loop (the
    worker would then fail to start with "attached to a different loop")."""
    import threading

    from powderkeg_runtime.faust_internals import created_consumer
    from powderkeg_runtime.settings import ServiceSettings
    from powderkeg_runtime.worker import assigned, make_app

    app = make_app("readiness-test", ServiceSettings(faust_data_dir=tmp_path))
    answers: list[tuple[bool, str]] = []
    probe = threading.Thread(target=lambda: answers.append(assigned(app)))
    probe.start()
    probe.join(timeout=10)
    assert answers == [(False, "consumer not started")]
    assert created_consumer(app) is None


def test_dev_data_is_read_from_its_setting_and_relative_paths_start_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from powderkeg_runtime.settings import REPO_ROOT, DevDataSettings

    assert (REPO_ROOT / "Makefile").is_file() and (REPO_ROOT / "services").is_dir()
    monkeypatch.delenv("POWDERKEG_DEV_DATA", raising=False)
    assert DevDataSettings().path("voa") == REPO_ROOT.parent / "shared" / "data" / "voa"
    monkeypatch.setenv("POWDERKEG_DEV_DATA", str(tmp_path))
    assert DevDataSettings().path("voa", "x.jsonl") == tmp_path / "voa" / "x.jsonl"



def test_table_recovery_completes_with_the_consumer_flow_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """faust resumes and seeks the input partitions in ``on_recovery_completed``; a record fetched meanwhile was
    queued, cleared with the stream queues and then dropped as already read (powderkeg_runtime/recovery.py). The
    worker's recovery service must run that completion with the consumer's flow stopped."""
    import asyncio
    from types import SimpleNamespace

    from faust.tables.recovery import Recovery

    from powderkeg_runtime.recovery import SeekSafeRecovery
    from powderkeg_runtime.settings import ServiceSettings
    from powderkeg_runtime.worker import make_app

    assert isinstance(make_app("recovery-test", ServiceSettings(faust_data_dir=tmp_path)).tables.recovery,
                      SeekSafeRecovery)

    class Consumer:  # the consumer's flow switch, as faust's recovery leaves it after reading the changelogs
        flow_active = True

        def stop_flow(self) -> None:
            self.flow_active = False

    seen: list[bool] = []

    async def completion(self: Recovery, generation_id: int = 0) -> None:  # faust's: resume, seek, resume flow
        seen.append(self.app.consumer.flow_active)

    monkeypatch.setattr(Recovery, "on_recovery_completed", completion)
    recovery = SeekSafeRecovery.__new__(SeekSafeRecovery)  # no service machinery: only the override runs
    recovery.app = SimpleNamespace(consumer=Consumer())
    asyncio.run(recovery.on_recovery_completed(1))
    assert seen == [False]


def test_a_fetch_reads_the_partitions_active_when_it_began(tmp_path: Path) -> None:
    """faust hands its live set of active partitions to the consumer thread, and aiokafka reads an empty set as
    "every partition": a fetch during a recovery step returned paused input partitions' records, which faust then
    dropped (powderkeg_runtime/transport.py). The worker's consumer must fetch on a copy taken when the fetch began,
    and must not fetch at all on an empty one."""
    import asyncio
    from types import SimpleNamespace

    from powderkeg_runtime.settings import ServiceSettings
    from powderkeg_runtime.transport import SnapshotFetchConsumer
    from powderkeg_runtime.worker import make_app

    app = make_app("fetch-test", ServiceSettings(faust_data_dir=tmp_path))
    assert app.transport.Consumer is SnapshotFetchConsumer

    live = {"changelog-0", "changelog-1"}
    fetched: list[object] = []

    class Thread:  # the consumer thread: the main loop pauses every partition while the fetch waits for data
        async def getmany(self, partitions: object, timeout: float) -> dict[str, list[int]]:
            live.clear()
            await asyncio.sleep(0)
            fetched.append(partitions)
            return {}

    consumer = SnapshotFetchConsumer.__new__(SnapshotFetchConsumer)  # no service machinery: only the override runs
    consumer._thread = Thread()  # where faust's ThreadDelegateConsumer keeps its consumer thread
    consumer.app = SimpleNamespace(consumer_generation_id=1)
    asyncio.run(consumer._getmany(live, 0.5))
    assert fetched == [frozenset({"changelog-0", "changelog-1"})]
    assert asyncio.run(consumer._getmany(set(), 0.5)) == {} and len(fetched) == 1


def test_stall_tracker_asks_for_a_reseek_once_before_it_gives_up() -> None:
    from powderkeg_runtime.watchdog import StallTracker

    tracker = StallTracker(stall_s=45, reseek_s=15)
    key = ("t", 0)
    assert tracker.observe(0.0, {key: (5, 9)}, busy=False) is None and tracker.due_for_reseek() == []
    assert tracker.observe(16.0, {key: (5, 9)}, busy=False) is None and len(tracker.due_for_reseek()) == 1
    assert tracker.observe(21.0, {key: (5, 9)}, busy=False) is None and tracker.due_for_reseek() == []  # once
    assert tracker.observe(46.0, {key: (5, 9)}, busy=False) is not None  # the re-seek did not move it: exit
    assert tracker.observe(50.0, {key: (7, 9)}, busy=False) is None  # moved: a new stall may be re-sought again
    assert tracker.observe(66.0, {key: (7, 9)}, busy=False) is None and len(tracker.due_for_reseek()) == 1


def test_the_watchdog_reseeks_a_stuck_partition_before_it_exits() -> None:
    from kafka.structs import TopicPartition

    calls: list[str] = []
    owned = [TopicPartition("powderkeg.articles.v1", 0)]
    offsets = {("powderkeg.articles.v1", 0): (3, 9)}
    _watch(owned, _group("Stable", []), offsets=offsets, stall_s=0.4, reseek_s=0.02, calls=calls)
    assert calls == ["reseek", "exit"]


def test_a_reseek_stops_the_flow_clears_the_queues_and_seeks_to_the_committed_offsets() -> None:
    import asyncio
    import types

    from powderkeg_runtime.watchdog import reseek_input

    calls: list[str] = []

    class Consumer:
        def stop_flow(self) -> None:
            calls.append("stop_flow")

        def resume_flow(self) -> None:
            calls.append("resume_flow")

        async def perform_seek(self) -> None:
            calls.append("seek")

    flow = types.SimpleNamespace(
        suspend=lambda: calls.append("suspend"), clear=lambda: calls.append("clear"),
        resume=lambda: calls.append("resume"),
    )
    app = types.SimpleNamespace(rebalancing=False, consumer=Consumer(), flow_control=flow)
    assert asyncio.run(reseek_input(app)) is True
    assert calls == ["stop_flow", "suspend", "clear", "seek", "resume", "resume_flow"]
    calls.clear()
    app.rebalancing = True
    assert asyncio.run(reseek_input(app)) is False and calls == []


def test_a_fetch_a_rebalance_overtook_is_given_back() -> None:
    """A fetch begun before a rebalance and returned after it is stale: its records are not delivered, and each
    partition still held is sought back to the first record it returned, so the new generation reads them again
    (a survivor's table recovery waited for ever on changelog records such a fetch had taken)."""
    import asyncio
    import logging
    from types import SimpleNamespace

    from powderkeg_runtime.transport import SnapshotFetchConsumer

    app = SimpleNamespace(consumer_generation_id=1)
    seeks: list[tuple[str, int]] = []

    class Thread:
        async def getmany(self, partitions: object, timeout: float) -> dict[str, list[SimpleNamespace]]:
            app.consumer_generation_id = 2  # the group rebalanced while the fetch waited
            return {"changelog-0": [SimpleNamespace(offset=4), SimpleNamespace(offset=5)],
                    "events-1": [SimpleNamespace(offset=9)]}

    class Consumer(SnapshotFetchConsumer):
        def assignment(self) -> set[str]:
            return {"changelog-0"}  # events-1 went to another member

        async def seek(self, partition: str, offset: int) -> None:  # type: ignore[override]
            seeks.append((partition, offset))

    consumer = Consumer.__new__(Consumer)
    consumer._thread = Thread()
    consumer.app = app
    consumer.log = logging.getLogger("test")  # type: ignore[assignment]
    assert asyncio.run(consumer._getmany({"changelog-0", "events-1"}, 0.5)) == {}
    assert seeks == [("changelog-0", 4)]
