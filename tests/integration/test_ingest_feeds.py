"""`powderkeg ingest --feed URL --once` against the real broker: items of a feed served on 127.0.0.1 (including a
link-only item whose page is fetched and extracted) come back from powderkeg.articles.v1; a second poll sends a
conditional request and publishes nothing new.

Needs the broker of `bash deploy/stack.sh up`. The feed server is local and answers a handful of requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from powderkeg_contracts import Article, topics
from powderkeg_runtime.codec import decode
from tests.support.kafka import end_offsets, read_new

pytestmark = pytest.mark.integration
PARAGRAPH = (
    "Pakistan said on Wednesday that peace talks with the Taliban government had collapsed in Istanbul after four "
    "days, and that border crossings would stay shut while the two sides blamed each other for the failure."
)


@pytest.fixture
def feed_server() -> Iterator[tuple[str, str, list[str]]]:
    marker = uuid.uuid4().hex
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('If-None-Match')}")
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.xml" and self.headers.get("If-None-Match") == f'"{marker}"':
                self.send_response(304)
                self.end_headers()
                return
            if self.path == "/feed.xml":
                body = (
                    f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local Wire</title>'
                    f"<item><title>Full {marker}</title><guid>a-{marker}</guid><link>{base}/a</link>"
                    f"<description>{PARAGRAPH} {PARAGRAPH} Ref {marker}.</description></item>"
                    f"<item><title>Linked {marker}</title><guid>b-{marker}</guid><link>{base}/page.html</link>"
                    f"<description>More</description></item></channel></rss>"
                ).encode()
                ctype = "application/rss+xml"
            elif self.path == "/page.html":
                paragraphs = "".join(f"<p>{PARAGRAPH} Page {marker} paragraph {i}.</p>" for i in range(5))
                body = f"<html><body><nav>Menu</nav><article><h1>Linked</h1>{paragraphs}</article></body></html>"
                body = body.encode()
                ctype = "text/html"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", f'"{marker}"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml", marker, seen
    httpd.shutdown()
    httpd.server_close()


def _poll(url: str, bootstrap: str, state_dir: Path) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
        "POWDERKEG_INGEST_STATE_DIR": str(state_dir),
        "POWDERKEG_INGEST_METRICS_PORT": "0",
        "POWDERKEG_INGEST_ALLOW_PRIVATE": "127.0.0.1/32",
    }
    return subprocess.run(
        [sys.executable, "-m", "powderkeg_ingest", "--feed", url, "--once"],
        env=env,
        capture_output=True,
        timeout=180,
    )


def test_feed_items_reach_the_topic_once(
    kafka_bootstrap: str, tmp_path: Path, feed_server: tuple[str, str, list[str]]
) -> None:
    url, marker, seen = feed_server
    before = end_offsets(kafka_bootstrap, [topics.ARTICLES])
    first = _poll(url, kafka_bootstrap, tmp_path)
    assert first.returncode == 0, first.stderr.decode()[-3000:]
    records = read_new(kafka_bootstrap, topics.ARTICLES, before, want=2)
    ours = [a for a in (decode(Article, r.value) for r in records) if a.title and marker in a.title]
    assert sorted(a.title or "" for a in ours) == [f"Full {marker}", f"Linked {marker}"]
    linked = next(a for a in ours if a.title == f"Linked {marker}")
    assert f"Page {marker} paragraph 4" in linked.text and "Menu" not in linked.text
    assert all(a.origin.value == "feed" and a.source == "Local Wire" for a in ours)

    second = _poll(url, kafka_bootstrap, tmp_path)
    assert second.returncode == 0
    assert seen[-1] == f'/feed.xml "{marker}"'
    assert "0 published" in second.stderr.decode()
