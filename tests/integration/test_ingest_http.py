"""The ingest service in --serve mode against the real broker: a pushed article is on powderkeg.articles.v1 when the
202 arrives, a bad token gets 401, and SIGTERM stops the service cleanly after flushing.

Needs the broker of `bash deploy/stack.sh up`. The service runs on free loopback ports so it never collides with an
ingest that is already running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from powderkeg_contracts import Article, topics
from powderkeg_runtime.codec import decode
from tests.support.kafka import end_offsets, read_new
from tests.support.net import free_port, ready
from tests.support.polling import wait_for

pytestmark = pytest.mark.integration
TOKEN = "integration-token"


def test_push_is_on_the_topic_when_202_arrives(kafka_bootstrap: str, tmp_path: Path) -> None:
    http_port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "POWDERKEG_INGEST_STATE_DIR": str(tmp_path / "state"),
        "POWDERKEG_INGEST_HTTP_TOKEN": TOKEN,
    }
    log = (tmp_path / "ingest.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "powderkeg_ingest",
            "--serve",
            f"--http-port={http_port}",
            f"--metrics-port={metrics_port}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: ready(metrics_port) or proc.poll() is not None, 60, "ingest /readyz", every_s=0.3)
        assert proc.poll() is None, (tmp_path / "ingest.log").read_text()[-3000:]
        readiness = httpx.get(f"http://127.0.0.1:{metrics_port}/readyz", timeout=2).json()
        assert readiness["ready"] is True
        assert readiness["detail"] == f"push API serving; broker {kafka_bootstrap} reachable; publishing", readiness

        marker = uuid.uuid4().hex
        before = end_offsets(kafka_bootstrap, [topics.ARTICLES])
        url = f"http://127.0.0.1:{http_port}/v1/articles"
        body = {"id": f"push-{marker}", "text": f"KABUL, Afghanistan (AP) — Talks resumed on Monday. Ref {marker}."}
        denied = httpx.post(url, json=body, headers={"Authorization": "Bearer wrong"}, timeout=10)
        assert denied.status_code == 401
        resp = httpx.post(url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert resp.status_code == 202, resp.text
        assert resp.json()["article_ids"] == [f"push-{marker}"]

        records = read_new(kafka_bootstrap, topics.ARTICLES, before, want=1)
        ours = [decode(Article, r.value) for r in records if r.key == f"push-{marker}".encode()]
        assert ours and ours[0].origin.value == "http" and ours[0].dateline == "KABUL, Afghanistan"

        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert 'powderkeg_ingest_http_requests_total{status="202"} 1.0' in metrics
        assert 'powderkeg_ingest_http_requests_total{status="401"} 1.0' in metrics
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("ingest did not stop within 30 s of SIGTERM")
        log.close()
    assert code == 0, (tmp_path / "ingest.log").read_text()[-3000:]
