"""The ingest CLI against the real broker: the seed story comes back from powderkeg.articles.v1 as an Article, and a
malformed line lands on powderkeg.ingest.v1.dlq with its file:line.

Needs the broker of `bash deploy/stack.sh up` (or POWDERKEG_KAFKA_BOOTSTRAP). Each test reads only the offsets
written after it started, so other runs' messages on the shared topics do not matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from powderkeg_contracts import Article, DeadLetter, topics
from powderkeg_runtime.codec import decode
from tests.support.kafka import end_offsets, read_new

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_63084aac38a30e02.txt"
READ_TIMEOUT_S = 60


def _ingest(
    args: list[str], bootstrap: str, state_dir: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
        "POWDERKEG_INGEST_STATE_DIR": str(state_dir),
        "POWDERKEG_INGEST_METRICS_PORT": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "powderkeg_ingest", "--no-progress", *args],
        input=stdin,
        env=env,
        capture_output=True,
        timeout=180,
    )


def test_seed_story_is_published_and_read_back(kafka_bootstrap: str, tmp_path: Path) -> None:
    before = end_offsets(kafka_bootstrap, [topics.ARTICLES])
    proc = _ingest([str(SEED)], kafka_bootstrap, tmp_path / "state")
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    records = read_new(kafka_bootstrap, topics.ARTICLES, before, want=1)
    ours = [r for r in records if r.key == b"a-b9e89ee71a85b1378a51d8c8"]
    assert ours, f"seed article not found among {len(records)} new records"
    article = decode(Article, ours[0].value)
    assert article.source == "NN ONLINE"
    assert article.text.startswith("Pakistan on Wednesday said its latest round of peace talks")
    assert article.language == "en"
    assert article.published_at is None and article.published_at_reason

    again = _ingest([str(SEED)], kafka_bootstrap, tmp_path / "state")
    assert again.returncode == 0
    assert "1 exact duplicates skipped" in again.stderr.decode()


def test_malformed_line_is_dead_lettered_with_file_and_line(kafka_bootstrap: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    path = tmp_path / "batch.jsonl"
    good = {"id": f"it-{marker}", "text": f"WASHINGTON — The State Department said talks resume. Ref {marker}."}
    path.write_bytes(json.dumps(good).encode() + b"\n{not json " + marker.encode() + b"\n")
    articles_before = end_offsets(kafka_bootstrap, [topics.ARTICLES])
    dlq_before = end_offsets(kafka_bootstrap, [topics.INGEST_DLQ])
    proc = _ingest([str(path)], kafka_bootstrap, tmp_path / "state")
    assert proc.returncode == 3, proc.stderr.decode()[-3000:]

    letters = [decode(DeadLetter, r.value) for r in read_new(kafka_bootstrap, topics.INGEST_DLQ, dlq_before, 1)]
    ours = [letter for letter in letters if letter.origin == f"{path}:2"]
    assert ours, f"no dead letter for {path}:2 among {len(letters)}"
    assert ours[0].stage == "ingest" and "invalid_json" in ours[0].error_message
    keys = [r.key for r in read_new(kafka_bootstrap, topics.ARTICLES, articles_before, 1)]
    assert f"it-{marker}".encode() in keys
