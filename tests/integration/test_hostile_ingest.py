"""The ingest rows of the bad-input catalogue against the real stack: a real ``ingest --serve`` with hostile feeds on
loopback, hostile pushes, and a batch run over a hostile folder, all publishing to the real broker.

Each row's expectation is checked where it shows: the HTTP status, the dead letter on ``powderkeg.ingest.v1.dlq``
(found by the SHA-256 of what was sent), the article on ``powderkeg.articles.v1``, and the service's metrics. At the
end ingest is still running and ready, and SIGTERM stops it with 0.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from powderkeg_contracts import Article, DeadLetter, limits, topics
from powderkeg_runtime.codec import decode
from tests.support import hostile
from tests.support.hostile_feeds import Hostile
from tests.support.ingest_process import IngestProcess
from tests.support.kafka import end_offsets, read_new
from tests.support.polling import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def feeds() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _letters(bootstrap: str, start: dict[object, int], want: int) -> dict[str, DeadLetter]:
    records = read_new(bootstrap, topics.INGEST_DLQ, start, want=want)
    return {letter.original_sha256: letter for letter in (decode(DeadLetter, r.value) for r in records)}


def _articles(bootstrap: str, start: dict[object, int], want: int) -> dict[str, Article]:
    records = read_new(bootstrap, topics.ARTICLES, start, want=want)
    return {r.key.decode(): decode(Article, r.value) for r in records if r.key}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _trickle(port: int, body: bytes, token: str) -> int:
    """Send headers, then one body byte per 0.2 s; the status code the server answers with."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            f"POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode())
        sock.settimeout(0.2)
        for byte in body:
            try:
                answer = sock.recv(200)
                if answer:
                    return int(answer.split()[1])
            except TimeoutError:
                pass
            sock.sendall(bytes([byte]))
        sock.settimeout(30)
        return int(sock.recv(200).split()[1])


def test_hostile_pushes_and_feeds_against_the_real_stack(
    kafka_bootstrap: str, tmp_path: Path, feeds: Hostile
) -> None:
    run = uuid.uuid4().hex[:8]
    feed_urls = [f"{feeds.base}{p}" for p in ("/longlink", "/future", "/html", "/surrogate", "/bomb")]
    feed_urls.append("http://169.254.169.254/latest/meta-data/")  # refused before any packet leaves
    letters_start = end_offsets(kafka_bootstrap, [topics.INGEST_DLQ])
    articles_start = end_offsets(kafka_bootstrap, [topics.ARTICLES])
    ingest = IngestProcess(
        kafka_bootstrap,
        tmp_path,
        *[f"--feed={url}" for url in feed_urls],
        POWDERKEG_INGEST_ALLOW_PRIVATE="127.0.0.1/32",
        POWDERKEG_INGEST_HTTP_BODY_TIMEOUT_S="1",
        POWDERKEG_INGEST_FETCH_MAX_BYTES="1000000",
    )
    try:
        ingest.wait_ready()
        json_type = "application/json"
        pushes: dict[str, tuple[bytes, int, str]] = {
            "oversized_invalid_body": (hostile.OVERSIZED_INVALID, 400, "invalid_json"),
            "title_of_1_6_mb": (hostile.BIG_TITLE, 400, "too_large"),
            "deep_nesting": (hostile.DEEP_NESTING, 400, "invalid_json"),
            "huge_integer": (hostile.HUGE_INTEGER, 400, "invalid_json"),
        }
        for kind, (body, status, reason) in pushes.items():
            resp = ingest.push(content=body, media=json_type)
            assert (resp.status_code, resp.json().get("reason")) == (status, reason), (kind, resp.text[:300])

        good = {
            "future": hostile.article(f"{run}-future", id=f"{run}-future", published_at=hostile.FUTURE),
            "javascript": hostile.article(f"{run}-js", id=f"{run}-js", url=hostile.BAD_URLS["javascript_url"][0]),
            "space": hostile.article(f"{run}-space", id=f"{run}-space", url=hostile.BAD_URLS["url_with_space"][0]),
        }
        for kind, body in good.items():
            assert ingest.push(body).status_code == 202, kind
        batch = b"\n".join(
            [json.dumps(hostile.article(f"{run}-b1", id=f"{run}-b1")).encode(), hostile.DEEP_NESTING,
             hostile.LONE_SURROGATES.replace(b'"text": "', f'"id": "{run}-sur", "text": "'.encode()),
             json.dumps(hostile.article(f"{run}-b2", id=f"{run}-b2")).encode()]
        )
        resp = ingest.push(content=batch, media="application/x-ndjson")
        assert resp.status_code == 202 and [e["line"] for e in resp.json()["errors"]] == [2], resp.text[:500]
        many = b"\n".join(b'{"text": "x"}' for _ in range(limits.HTTP_BATCH_MAX_LINES + 1))
        assert ingest.push(content=many, media="application/x-ndjson").status_code == 413
        assert ingest.push(content=b"\x1f\x8b", media=json_type, **{"Content-Encoding": "gzip"}).status_code == 415
        assert _trickle(ingest.http_port, json.dumps(hostile.article("slow")).encode(), "integration-token") == 408

        # every feed polled once (the loop polls at start, then every 300 s)
        refused = lambda: ingest.metric("powderkeg_ingest_fetch_refused_total", reason="private_address")  # noqa: E731
        wait_for(refused, 60, "the private-address feed to be refused", every_s=0.5, until=lambda n: n >= 1)

        letters = _letters(kafka_bootstrap, letters_start, want=len(pushes) + 1)
        for kind, (body, _, reason) in pushes.items():
            letter = letters[_sha(body)]
            assert letter.error_class.endswith(reason) and letter.origin and letter.origin.startswith("http:")
            assert letter.truncated is (len(body) > limits.DEAD_LETTER_VALUE_MAX_BYTES), kind
            assert letter.original_size == len(body)
        assert _sha(hostile.DEEP_NESTING) in letters  # and the batch's bad line, the same bytes

        articles = _articles(kafka_bootstrap, articles_start, want=7)
        assert articles[f"{run}-future"].published_at is None
        assert "2099" in (articles[f"{run}-future"].published_at_reason or "")
        assert articles[f"{run}-js"].url is None and articles[f"{run}-space"].url is None
        assert {f"{run}-b1", f"{run}-b2", f"{run}-sur"} <= set(articles)
        assert articles[f"{run}-sur"].title == "Talks"
        from_feeds = [a for a in articles.values() if a.origin.value == "feed"]
        assert {a.title for a in from_feeds} >= {"long", "f-1", "s-1"}
        assert all(a.url is None for a in from_feeds if a.title == "long")
        assert all(a.published_at is None for a in from_feeds if a.title == "f-1")

        assert ingest.metric("powderkeg_ingest_fetch_refused_total", reason="not_a_feed") >= 1
        assert ingest.metric("powderkeg_ingest_fetch_refused_total", reason="too_large") >= 1
        assert ingest.metric("powderkeg_ingest_fields_dropped_total", field="url", reason="scheme") >= 1
        assert ingest.metric("powderkeg_ingest_fields_dropped_total", field="published_at", reason="future") >= 2
        assert ingest.metric("powderkeg_ingest_http_requests_total", status="408") == 1
        assert ingest.proc.poll() is None and ingest.readiness()[0], ingest.log()
    finally:
        code = ingest.stop()
    assert code == 0, ingest.log()


def test_a_hostile_folder_in_a_batch_run(kafka_bootstrap: str, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    folder, outside = tmp_path / "in", tmp_path / "secret"
    folder.mkdir()
    outside.mkdir()
    (outside / "keys.txt").write_text("a secret", encoding="utf-8")
    os.symlink(outside / "keys.txt", folder / "leak.txt")
    long_line = b'{"text": "' + b"y" * (limits.INPUT_LINE_MAX_BYTES + 1) + b'"}'
    good = json.dumps(hostile.article(run, id=f"{run}-file")).encode()
    (folder / "batch.jsonl").write_bytes(b"\n".join([hostile.DEEP_NESTING, long_line, hostile.HUGE_INTEGER, good]))
    letters_start = end_offsets(kafka_bootstrap, [topics.INGEST_DLQ])
    articles_start = end_offsets(kafka_bootstrap, [topics.ARTICLES])
    env = {**os.environ, "POWDERKEG_KAFKA_BOOTSTRAP": kafka_bootstrap,
           "POWDERKEG_INGEST_STATE_DIR": str(tmp_path / "state"), "POWDERKEG_INGEST_METRICS_PORT": "0"}
    done = subprocess.run([sys.executable, "-m", "powderkeg_ingest", "--no-progress", str(folder)],
                          env=env, capture_output=True, timeout=180)
    assert done.returncode == 3, done.stderr.decode()[-2000:]
    letters = list(_letters(kafka_bootstrap, letters_start, want=4).values())
    reasons = sorted((Path(str(letter.origin)).name, letter.error_class.rsplit(".", 1)[1]) for letter in letters)
    assert reasons == [("batch.jsonl:1", "invalid_json"), ("batch.jsonl:2", "too_large"),
                       ("batch.jsonl:3", "invalid_json"), ("leak.txt", "outside_folder")]
    assert all(b"a secret" not in letter.original_value.encode() for letter in letters)
    assert f"{run}-file" in _articles(kafka_bootstrap, articles_start, want=1)
