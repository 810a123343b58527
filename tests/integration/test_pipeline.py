"""The three services as separate processes over the real broker, scraped by the real Prometheus.

The services run exactly as a user runs them (`powderkeg ingest|extractor|alerting`), with their default metrics
ports, which `deploy/prometheus/prometheus.yml` scrapes. Each test reads what it needs from the real topics.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer

from powderkeg_contracts import Alert, ArticleOutcome, DeadLetter, topics
from powderkeg_runtime.codec import decode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.net import ready
from tests.support.polling import wait_for

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_63084aac38a30e02.txt"
SERVICE_PORTS = {"ingest": 9101, "extractor": 9102, "alerting": 9103}
PUSH_URL = "http://127.0.0.1:8080/v1/articles"
TOKEN = "integration-test-token"


@pytest.fixture(scope="module")
def services(
    kafka_bootstrap: str, alertmanager_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Start extractor and alerting workers and a long-running ingest (HTTP push), as a user runs them.

    The workers' consumer groups are new, and start at the current end of their input topics so that what other
    tests left on the shared topics is not replayed before this module's articles.
    """
    run = uuid.uuid4().hex[:8]
    start_group_at_end(kafka_bootstrap, f"it-extractor-{run}", [topics.ARTICLES])
    start_group_at_end(kafka_bootstrap, f"it-alerting-{run}", [topics.EVENTS])
    logs = tmp_path_factory.mktemp("service-logs")
    env = {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "POWDERKEG_EXTRACTOR_APP_ID": f"it-extractor-{run}",
        "POWDERKEG_ALERTING_APP_ID": f"it-alerting-{run}",
        "POWDERKEG_INGEST_STATE_DIR": str(tmp_path_factory.mktemp("ingest-state")),
        "POWDERKEG_INGEST_HTTP_TOKEN": TOKEN,
        "POWDERKEG_ALERTING_ALERTMANAGER_URL": alertmanager_url,
    }
    commands = {
        "extractor": ["extractor"],
        "alerting": ["alerting"],
        "ingest": ["ingest", "--serve"],
    }
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "powderkeg_cli.main", *args],
            env=env,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, args in commands.items()
    }
    try:
        for name, port in SERVICE_PORTS.items():
            wait_for(lambda p=port, n=name: ready(p) or procs[n].poll() is not None, 180, f"{name} ready", every_s=0.5)
            assert procs[name].poll() is None, f"{name} exited: {(logs / f'{name}.log').read_text()[-3000:]}"
        yield {"run": run, "logs": str(logs)}
    finally:
        for proc in procs.values():
            proc.terminate()
        for name, proc in procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                pytest.fail(f"{name} did not stop within 30 s of SIGTERM")


def _consumer(bootstrap: str, *topic_names: str) -> KafkaConsumer:
    consumer = KafkaConsumer(
        *topic_names,
        bootstrap_servers=bootstrap,
        group_id=f"it-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    return consumer


def _push(path: Path, *, source_id: str) -> None:
    """Push one article to the running ingest service's HTTP API, with an id of its own (a "different source")."""
    record = {"id": source_id, "text": path.read_text(encoding="utf-8"), "source": source_id}
    resp = httpx.post(PUSH_URL, json=record, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert resp.status_code == 202, resp.text
    assert source_id in resp.json()["article_ids"]


def test_seed_story_through_ingest_arrives_as_the_expected_alerts(kafka_bootstrap: str, services: dict) -> None:
    run = services["run"]
    _push(SEED, source_id=f"seed-{run}")
    consumer = _consumer(kafka_bootstrap, topics.ALERTS)
    seen: dict[str, Alert] = {}
    expected = {"talks_failed", "border_closed", "military_strike", "armed_clash"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not expected <= set(seen):
        for record in consumer:
            alert = decode(Alert, record.value)
            if f"seed-{run}" in alert.article_ids:
                seen[alert.signal] = alert
    consumer.close()
    assert expected <= set(seen), f"missing {expected - set(seen)}; got {sorted(seen)}; logs in {services['logs']}"
    assert "ceasefire_violated" not in seen
    for signal in expected:
        assert seen[signal].countries == ("AFG", "PAK"), (signal, seen[signal].sides)


# A war inside one country, in the shape of the wire copy the issue quotes (its probe sentence, with a dateline).
DOMESTIC = (
    "Sudan army strikes RSF in Khartoum\n\n"
    "KHARTOUM, Dec 1 (Wire) - Sudan's army launched airstrikes on Rapid Support Forces positions in Khartoum on "
    "Monday, killing at least 20 people, witnesses said. {marker}\n"
)


def test_a_domestic_war_reaches_alertmanager_with_its_sides_by_class_and_name(
    kafka_bootstrap: str, alertmanager_url: str, services: dict
) -> None:
    run = services["run"]
    article = f"domestic-{run}"
    url = f"https://news.example/{article}"
    record = {"id": article, "text": DOMESTIC.format(marker=f"Ref {run}."), "source": article, "url": url}
    resp = httpx.post(PUSH_URL, json=record, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert resp.status_code == 202, resp.text

    def strike() -> dict | None:
        alerts = httpx.get(
            f"{alertmanager_url}/api/v2/alerts", params={"filter": 'signal="military_strike"'}, timeout=5
        ).json()
        mine = [a for a in alerts if url in a["annotations"].get("links", "").split("\n")]
        return mine[0] if mine else None

    wait_for(lambda: strike() is not None, 120, f"the strike in Alertmanager; logs in {services['logs']}", every_s=1.0)
    found = strike()
    assert found is not None
    labels, annotations = found["labels"], found["annotations"]
    assert labels["kind"] == "intrastate", labels
    assert labels["country_a"] == labels["country_b"] == "SDN", labels
    assert {labels["side_a"], labels["side_b"]} == {"SDN", "SDN.rebels.rapid_support_forces"}, labels
    assert labels["severity"] == "critical", "lethal violence: read now"
    assert "Rapid Support Forces" in annotations["sides"] and "Sudan" in annotations["sides"], annotations


def test_malformed_article_is_dead_lettered_and_the_next_good_one_flows(
    kafka_bootstrap: str, services: dict
) -> None:
    run = services["run"]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    bad_key = f"bad-{run}".encode()
    producer.send(topics.ARTICLES, key=bad_key, value=b'{"article_id": "x", "text": 42')
    producer.flush()
    _push(SEED, source_id=f"after-bad-{run}")
    producer.close()
    consumer = _consumer(kafka_bootstrap, topics.ARTICLES_DLQ, topics.OUTCOMES)
    letter: DeadLetter | None = None
    headers: dict[str, bytes] = {}
    outcome: ArticleOutcome | None = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (letter is None or outcome is None):
        for record in consumer:
            if record.topic == topics.ARTICLES_DLQ and record.key == bad_key:
                letter = decode(DeadLetter, record.value)
                headers = dict(record.headers)
            elif record.topic == topics.OUTCOMES and record.key == f"after-bad-{run}".encode():
                outcome = decode(ArticleOutcome, record.value)
    consumer.close()
    assert letter is not None, "the malformed message never reached the dead-letter topic"
    assert letter.original_topic == topics.ARTICLES and letter.stage == "extractor"
    assert "invalid_json" in letter.error_message
    assert headers["__connect.errors.topic"] == topics.ARTICLES.encode()
    assert int(headers["__connect.errors.offset"]) == letter.original_offset
    assert outcome is not None, "the good article after the bad one produced no outcome"
    assert outcome.status.value == "events" and outcome.event_ids


def test_prometheus_has_scraped_every_service(prometheus_url: str, services: dict) -> None:
    def scraped(job: str, metric: str) -> bool:
        query = f'sum({metric}{{job="{job}"}})'
        resp = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": query}, timeout=5).json()
        results = resp.get("data", {}).get("result", [])
        return bool(results) and float(results[0]["value"][1]) > 0

    # Each job is checked on a powderkeg_ metric its service moved earlier in this module, with a non-zero value.
    checks = {
        "powderkeg-ingest": "powderkeg_messages_produced_total",
        "powderkeg-extractor": "powderkeg_messages_consumed_total",
        "powderkeg-alerting": "powderkeg_messages_consumed_total",
    }
    for job, metric in checks.items():
        wait_for(lambda j=job, m=metric: scraped(j, m), 60, f"Prometheus to scrape {metric} from {job}", every_s=0.5)
