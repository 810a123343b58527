"""`powderkeg dlq` end to end: an article is dead-lettered, listed, the cause is fixed, the letter is replayed, and
the article gets its outcome.

The failure: the extractor runs with a size limit (POWDERKEG_EXTRACTOR_MAX_CHARS) smaller than the article, so the
article is dead-lettered as too large. The fix: the operator restarts the extractor with a sensible limit. The
replay re-produces the original bytes to ``powderkeg.articles.v1``, where the restarted extractor processes them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kafka import KafkaProducer

from powderkeg_contracts import ArticleOutcome, DeadLetter, topics
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.articles import article as make_article
from tests.support.kafka import end_offsets, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _dlq(bootstrap: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "powderkeg_cli.main", "dlq", *args, "--bootstrap", bootstrap],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_dead_letter_listed_fixed_replayed_and_processed(kafka_bootstrap: str, tmp_path: Path) -> None:
    run = f"dlq-{uuid.uuid4().hex[:8]}"
    env = service_env(kafka_bootstrap, run)
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_EXTRACTOR_APP_ID"], [topics.ARTICLES])
    start = end_offsets(kafka_bootstrap, [topics.ARTICLES_DLQ, topics.OUTCOMES])
    port = free_port()
    extractor_env = {**env, "POWDERKEG_EXTRACTOR_METRICS_PORT": str(port)}
    strict = ServiceProcess(
        "extractor",
        ["extractor"],
        {**extractor_env, "POWDERKEG_EXTRACTOR_MAX_CHARS": "40"},
        tmp_path / "extractor.log",
        port,
    )
    article = make_article(f"{run}-a1")
    key = article.article_id.encode()

    def outcomes() -> list[ArticleOutcome]:
        return [
            decode(ArticleOutcome, r.value)
            for r in read_topics(kafka_bootstrap, [topics.OUTCOMES], start=start)
            if r.key == key
        ]

    try:
        strict.start().wait_ready()
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
        producer.send(topics.ARTICLES, key=key, value=encode(article))
        producer.flush()
        producer.close()

        def dead_lettered() -> bool:
            return any(r.key == key for r in read_topics(kafka_bootstrap, [topics.ARTICLES_DLQ], start=start))

        wait_for(dead_lettered, 90, "the too-large article on the dead-letter topic", every_s=1.0)
        assert outcomes() == [], "a dead-lettered article must not also get an outcome"

        listed = _dlq(kafka_bootstrap, "list", "--json", "--topic", topics.ARTICLES_DLQ, "--key", article.article_id)
        [entry] = [json.loads(line) for line in listed.stdout.splitlines()]
        letter = DeadLetter.model_validate(entry["letter"])
        assert letter.stage == "extractor" and letter.error_class.endswith("ArticleTooLarge")
        assert letter.original_topic == topics.ARTICLES and "limit 40" in letter.error_message
        human = _dlq(kafka_bootstrap, "list", "--topic", topics.ARTICLES_DLQ, "--key", article.article_id)
        assert "ArticleTooLarge" in human.stdout and "1 dead letters" in human.stderr

        # The fix: the extractor is restarted with its default size limit.
        strict.terminate()
        fixed = ServiceProcess("extractor", ["extractor"], extractor_env, tmp_path / "extractor-fixed.log", port)
        fixed.start().wait_ready()
        try:
            replayed = _dlq(kafka_bootstrap, "replay", "--topic", topics.ARTICLES_DLQ, "--key", article.article_id)
            assert "replayed 1 of 1 dead letters" in replayed.stderr
            wait_for(lambda: bool(outcomes()), 90, "the outcome of the replayed article", every_s=1.0)
        finally:
            fixed.stop_quietly()
    finally:
        strict.stop_quietly()

    [outcome] = outcomes()
    assert outcome.status.value == "events" and outcome.event_ids
