"""Fault test: the real broker is stopped for longer than the ingest producer's delivery timeout while pushes go on.

Every push is then either refused (503 with Retry-After) or on ``powderkeg.articles.v1`` after recovery; a refused
push left nothing behind (re-sending it publishes it, never "exact duplicate" of an article that is on no topic);
readiness went false during the outage and back to true; ingest never exited and stops cleanly on SIGTERM.

Bounded: about 12 s of outage, pushes every 0.25 s, a 90 s limit on recovery. It stops and restarts the shared
broker (``deploy/stack.sh kafka-stop`` / ``kafka-start``), so it needs the stack lock like every stack run.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from powderkeg_contracts import topics
from tests.support.ingest_process import IngestProcess
from tests.support.kafka import end_offsets, read_new
from tests.support.polling import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PUBLISH_TIMEOUT_S = 4.0
"""The producer's delivery timeout in this test (POWDERKEG_INGEST_PUBLISH_TIMEOUT_S)."""
OUTAGE_S = 3 * PUBLISH_TIMEOUT_S
BODY = "KABUL, Afghanistan (AP) — Pakistan and Afghanistan resumed border talks on Monday. Ref {}."


def _stack(command: str) -> None:
    subprocess.run(["bash", str(REPO / "deploy/stack.sh"), command], check=True, capture_output=True, timeout=180)


class Pusher:
    """Pushes one new article every ``interval_s`` until stopped; remembers each id with its status."""

    def __init__(self, ingest: IngestProcess, run: str, interval_s: float = 0.25) -> None:
        self.ingest = ingest
        self.run = run
        self.interval_s = interval_s
        self.results: list[tuple[str, int, str | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set() and len(self.results) < 2000:
            article_id = f"{self.run}-{len(self.results)}"
            try:
                resp = self.ingest.push({"id": article_id, "text": BODY.format(article_id)}, timeout_s=60)
                self.results.append((article_id, resp.status_code, resp.headers.get("retry-after")))
            except httpx.HTTPError as exc:
                self.results.append((article_id, -1, str(exc)))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> Pusher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=90)


def test_pushes_during_a_broker_outage_are_refused_or_published(kafka_bootstrap: str, tmp_path: Path) -> None:
    ingest = IngestProcess(
        kafka_bootstrap,
        tmp_path,
        POWDERKEG_INGEST_PUBLISH_TIMEOUT_S=str(PUBLISH_TIMEOUT_S),
        POWDERKEG_INGEST_PUBLISH_RETRY_AFTER_S="1",
    )
    run = f"outage-{uuid.uuid4().hex[:8]}"
    readiness: list[bool] = []
    try:
        ingest.wait_ready()
        before = end_offsets(kafka_bootstrap, [topics.ARTICLES])
        with Pusher(ingest, run) as pusher:
            time.sleep(1.5)
            _stack("kafka-stop")
            try:
                outage_ends = time.monotonic() + OUTAGE_S
                while time.monotonic() < outage_ends:
                    readiness.append(ingest.readiness()[0])
                    assert ingest.proc.poll() is None, ingest.log()
                    time.sleep(1.0)
            finally:
                _stack("kafka-start")
            recovered = lambda: len(pusher.results) > 3 and all(s == 202 for _, s, _ in pusher.results[-3:])  # noqa: E731
            wait_for(recovered, 90, "the last three pushes accepted again", every_s=0.5)
        assert ingest.proc.poll() is None, ingest.log()
        statuses = [status for _, status, _ in pusher.results]
        assert set(statuses) <= {202, 503}, statuses
        assert statuses[-3:] == [202, 202, 202], statuses
        refused = [(i, retry) for i, status, retry in pusher.results if status == 503]
        assert refused and all(retry is not None and int(retry) >= 1 for _, retry in refused)
        assert False in readiness
        ingest.wait_ready(timeout_s=30)

        accepted = {i for i, status, _ in pusher.results if status == 202}
        records = read_new(kafka_bootstrap, topics.ARTICLES, before, want=len(accepted))
        on_kafka = {r.key.decode() for r in records if r.key and r.key.decode().startswith(run)}
        assert accepted <= on_kafka, sorted(accepted - on_kafka)

        missing = [i for i, _ in refused if i not in on_kafka]
        for article_id in missing:  # nothing of a refused push was recorded: re-sending publishes it
            again = ingest.push({"id": article_id, "text": BODY.format(article_id)})
            assert again.status_code == 202, again.text
            assert again.json()["results"][0]["status"] in ("published", "near_duplicate"), again.text
        print(
            f"\npushes {len(statuses)}: accepted {len(accepted)}, refused {len(refused)} "
            f"({len(refused) - len(missing)} of them on Kafka all the same), re-sent {len(missing)}; "
            f"readiness samples during the outage {readiness}; publish failures "
            f"{ingest.metric('powderkeg_ingest_publish_failures_total'):.0f}"
        )
    finally:
        code = ingest.stop()
    assert code == 0, ingest.log()
