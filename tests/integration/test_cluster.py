"""Replication on a real three-node KRaft cluster: with replication factor 3, ``min.insync.replicas=2`` and
``acks=all``, killing the node that leads a partition while ingest publishes loses nothing.

The cluster is the test's own (:mod:`tests.support.cluster`, free loopback ports), not the shared stack. The topics are
created by the product's own topic setup from ``POWDERKEG_KAFKA_REPLICATION_FACTOR`` and
``POWDERKEG_KAFKA_MIN_INSYNC_REPLICAS``, and the articles are published by ``powderkeg ingest`` as a user runs it,
fed one line at a time so that the kill lands mid-stream.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from powderkeg_contracts import Article, topics
from powderkeg_runtime.codec import decode
from tests.support.articles import make_articles
from tests.support.cluster import Cluster, three_node_cluster

pytestmark = pytest.mark.integration

ARTICLES = 240
KILL_AFTER = 80
BOUND_S = 240.0
"""A bound on the ingest run, so that a hang fails the test (not a speed figure)."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with three_node_cluster(tmp_path_factory.mktemp("kraft-cluster")) as running:
        yield running


def _field(partition: dict, *names: str) -> Any:
    """A field of kafka-python's partition metadata, under its name in the metadata response version used."""
    return next(partition[name] for name in names if name in partition)


def _leader_of(bootstrap: str, topic: str, partition: int, within_s: float = 60.0) -> int:
    """The partition's leader, waiting (bounded) for ingest to have created the topic.

    The lines are written to ingest's stdin faster than it starts, so the topic may not exist yet when the kill is
    due: its metadata then lists no partitions.
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="pk-test")
    deadline = time.monotonic() + within_s
    try:
        while True:
            (described,) = admin.describe_topics([topic])
            leaders = [_field(p, "leader_id", "leader") for p in described["partitions"]
                       if _field(p, "partition_index", "partition") == partition]
            if leaders and leaders[0] >= 0:
                return int(leaders[0])
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}[{partition}] has no leader after {within_s:.0f} s: {described}")
            time.sleep(0.2)
    finally:
        admin.close()


def test_killing_a_partition_leader_while_ingest_publishes_loses_nothing(cluster: Cluster, tmp_path: Path) -> None:
    run = f"rf3-{uuid.uuid4().hex[:8]}-"
    articles = make_articles(ARTICLES, seed=7, prefix=run)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWDERKEG_")}
    env.update({
        "POWDERKEG_KAFKA_BOOTSTRAP": cluster.bootstrap,
        "POWDERKEG_KAFKA_REPLICATION_FACTOR": "3",
        "POWDERKEG_KAFKA_MIN_INSYNC_REPLICAS": "2",
        "POWDERKEG_INGEST_STATE_DIR": str(tmp_path / "state"),
        "POWDERKEG_INGEST_METRICS_PORT": "0",
    })
    log = (tmp_path / "ingest.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "powderkeg_cli.main", "ingest", "--no-progress", "-"],
        env=env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    killed = None
    try:
        assert proc.stdin is not None
        for n, article in enumerate(articles):
            if n == KILL_AFTER:
                leader = _leader_of(cluster.bootstrap, topics.ARTICLES, 0)
                killed = next(node for node in cluster.nodes if node.node_id == leader)
                cluster.kill(killed)
            proc.stdin.write(json.dumps(article.record()) + "\n")
            proc.stdin.flush()
            time.sleep(0.02)
        proc.stdin.close()
        status = proc.wait(timeout=BOUND_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    output = (tmp_path / "ingest.log").read_text()
    assert killed is not None and not killed.alive
    assert status == 0, output[-3000:]

    survivors = ",".join(f"127.0.0.1:{node.port}" for node in cluster.nodes if node.alive)
    admin = KafkaAdminClient(bootstrap_servers=survivors, client_id="pk-test")
    try:
        (described,) = admin.describe_topics([topics.ARTICLES])
        assert all(len(_field(p, "replica_nodes", "replicas")) == 3 for p in described["partitions"]), described
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.ARTICLES)])
        assert str(configs["topic"][topics.ARTICLES]["min.insync.replicas"]["value"]) == "2"
    finally:
        admin.close()

    consumer = KafkaConsumer(bootstrap_servers=survivors, enable_auto_commit=False, consumer_timeout_ms=3000)
    parts = [TopicPartition(topics.ARTICLES, p) for p in sorted(consumer.partitions_for_topic(topics.ARTICLES) or ())]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    found = {decode(Article, record.value).article_id for record in consumer}
    consumer.close()
    expected = {article.article_id for article in articles}
    lost = sorted(expected - found)
    assert not lost, f"{len(lost)} of {ARTICLES} articles lost, e.g. {lost[:3]}"
