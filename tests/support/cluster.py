"""A throw-away three-node KRaft cluster on loopback, for the replication test.

Each node is a combined broker and controller (``process.roles=broker,controller``) with a static quorum of the three
(``controller.quorum.voters``), run as ``kafka.Kafka`` from the same Maven jars as ``deploy/stack.sh`` on free
loopback ports (never the shared stack's), in a temporary folder. Internal topics are replicated three times with
``min.insync.replicas=2``, as on a production cluster. A node can be killed (SIGKILL) and started again; every node
is stopped, by its own pid, when the context ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.net import free_port
from tests.support.secure_broker import _kafka_libs

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120.0
NODES = 3


@dataclass
class Node:
    node_id: int
    port: int
    controller: int
    folder: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.folder / "kafka.log"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Cluster:
    nodes: list[Node]
    java: list[str] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def start(self, node: Node) -> None:
        with node.log.open("ab") as out:
            node.proc = subprocess.Popen(
                [*self.java, "kafka.Kafka", str(node.folder / "server.properties")],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_started(self, node: Node, since: int = 0) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Kafka Server started" not in node.log.read_text(errors="replace")[since:]:
            assert node.alive, f"node {node.node_id} exited: {node.log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, f"node {node.node_id} did not start: {node.log.read_text()[-3000:]}"
            time.sleep(0.3)

    def kill(self, node: Node) -> None:
        assert node.proc is not None
        os.kill(node.proc.pid, signal.SIGKILL)
        node.proc.wait(timeout=10)

    def stop_all(self) -> None:
        for node in self.nodes:
            if node.alive and node.proc is not None:
                os.kill(node.proc.pid, signal.SIGTERM)
        for node in self.nodes:
            if node.proc is None:
                continue
            try:
                node.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(node.proc.pid, signal.SIGKILL)
                node.proc.wait(timeout=10)


def _properties(node: Node, voters: str) -> str:
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
        "controller.listener.names": "CONTROLLER",
        "listeners": f"PLAINTEXT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(node.folder / "data"),
        "num.partitions": "3",
        "default.replication.factor": "3",
        "min.insync.replicas": "2",
        "offsets.topic.replication.factor": "3",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "3",
        "transaction.state.log.min.isr": "2",
        "share.coordinator.state.topic.replication.factor": "3",
        "share.coordinator.state.topic.min.isr": "2",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
        "message.max.bytes": "1048576",
        "unclean.leader.election.enable": "false",
        # A killed node is noticed after 4 s instead of 9 s: the test is bounded, the behaviour is the same.
        "broker.session.timeout.ms": "4000",
        "broker.heartbeat.interval.ms": "1000",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


@contextmanager
def three_node_cluster(folder: Path) -> Iterator[Cluster]:
    """Format and start three nodes under ``folder``; stop them all on exit."""
    nodes = [Node(n, free_port(), free_port(), folder / f"node-{n}") for n in range(1, NODES + 1)]
    voters = ",".join(f"{node.node_id}@127.0.0.1:{node.controller}" for node in nodes)
    log4j = ROOT / "deploy" / "kafka" / "log4j2.properties"
    java = ["java", "-Xmx320m", "-Xms128m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{_kafka_libs()}/*"]
    cluster = Cluster(nodes, java)
    cluster_id = "pk" + uuid.uuid4().hex[:20]
    for node in nodes:
        node.folder.mkdir(parents=True, exist_ok=True)
        config = node.folder / "server.properties"
        config.write_text(_properties(node, voters))
        with node.log.open("ab") as out:
            subprocess.run([*java, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)],
                           check=True, stdout=out, stderr=subprocess.STDOUT, timeout=90)
    try:
        for node in nodes:
            cluster.start(node)
        for node in nodes:
            cluster.wait_started(node)
        yield cluster
    finally:
        cluster.stop_all()
