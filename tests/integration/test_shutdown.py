"""Graceful shutdown on SIGTERM against the real broker, and readiness that means something.

The extractor is stopped with SIGTERM in the middle of a backlog. Afterwards, from the broker alone:
- it exited with status 0;
- every article below the committed offset has its outcome (nothing committed that was not processed and produced:
  the producer was flushed before the commit);
- every article that has an outcome is below the committed offset (the in-flight work was finished and committed,
  so a restart does not process it again);
- a restarted extractor processes the rest, and no article gets a second outcome.
The ingest push service is also stopped with SIGTERM and must exit 0 after flushing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from kafka import KafkaProducer

from powderkeg_contracts import topics
from powderkeg_runtime.codec import encode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.articles import make_articles
from tests.support.kafka import end_offsets, group_offsets, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BACKLOG = 300


def test_sigterm_finishes_in_flight_work_commits_and_flushes(kafka_bootstrap: str, tmp_path: Path) -> None:
    from powderkeg_ingest.core.pipeline import IngestCore, RawArticle

    run = f"term-{uuid.uuid4().hex[:8]}"
    env = service_env(kafka_bootstrap, run)
    group = env["POWDERKEG_EXTRACTOR_APP_ID"]
    start_group_at_end(kafka_bootstrap, group, [topics.ARTICLES])
    start = end_offsets(kafka_bootstrap, [topics.OUTCOMES])
    port = free_port()
    extractor_env = {**env, "POWDERKEG_EXTRACTOR_METRICS_PORT": str(port)}
    first = ServiceProcess("extractor", ["extractor"], extractor_env, tmp_path / "extractor.log", port)

    core = IngestCore()
    offsets: dict[str, tuple[int, int]] = {}
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    futures = []
    for item in make_articles(BACKLOG, seed=11, prefix=f"{run}-"):
        result = core.accept(RawArticle.model_validate({**item.record(), "origin": "jsonl"}), now=item.published_at)
        assert result.article is not None
        article = result.article
        futures.append(
            (article.article_id, producer.send(topics.ARTICLES, key=article.article_id.encode(), value=encode(article)))
        )
    producer.flush()
    producer.close()
    for article_id, future in futures:
        meta = future.get(timeout=30)
        offsets[article_id] = (meta.partition, meta.offset)

    def outcome_counts() -> Counter[str]:
        return Counter(
            r.key.decode()
            for r in read_topics(kafka_bootstrap, [topics.OUTCOMES], start=start)
            if r.key and r.key.decode() in offsets
        )

    try:
        first.start().wait_ready()
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["status"] == "alive"
        wait_for(lambda: len(outcome_counts()) >= 40, 120, "the extractor to be well into the backlog", every_s=0.5)
        assert first.terminate(timeout_s=60) == 0, first.log_tail()
    finally:
        first.stop_quietly()

    committed = {
        tp.partition: meta.offset
        for tp, meta in group_offsets(kafka_bootstrap, group).items()
        if tp.topic == topics.ARTICLES
    }
    done = outcome_counts()
    below = {a for a, (p, o) in offsets.items() if o < committed.get(p, 0)}
    assert below, "nothing was committed at all"
    assert below <= set(done), f"committed but no outcome: {sorted(below - set(done))[:5]}"
    assert set(done) <= below, f"processed but not committed at shutdown: {sorted(set(done) - below)[:5]}"
    assert len(done) < BACKLOG, "the backlog was finished before SIGTERM: the test did not stop mid-work"

    second = ServiceProcess("extractor", ["extractor"], extractor_env, tmp_path / "extractor-2.log", port)
    try:
        second.start().wait_ready()
        wait_for(lambda: len(outcome_counts()) == BACKLOG, 180, "outcomes for the whole backlog", every_s=1.0)
    finally:
        second.stop_quietly()
    twice = sorted(a for a, n in outcome_counts().items() if n > 1)
    assert not twice, f"{len(twice)} articles got a second outcome after a graceful stop, e.g. {twice[:5]}"


def test_ingest_push_service_stops_cleanly_on_sigterm(kafka_bootstrap: str, tmp_path: Path) -> None:
    env = service_env(kafka_bootstrap, f"term-{uuid.uuid4().hex[:8]}")
    port = free_port()
    ingest = ServiceProcess(
        "ingest",
        ["ingest", "--serve", "--metrics-port", str(port), "--state-dir", str(tmp_path / "state")],
        {**env, "POWDERKEG_INGEST_HTTP_PORT": str(free_port())},
        tmp_path / "ingest.log",
        port,
    )
    try:
        ingest.start().wait_ready(120)
        assert ingest.terminate(timeout_s=30) == 0, ingest.log_tail()
    finally:
        ingest.stop_quietly()
