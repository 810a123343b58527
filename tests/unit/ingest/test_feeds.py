"""Feeds and guarded fetching, against a local HTTP server on 127.0.0.1 (bounded: a handful of requests per test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from powderkeg_ingest.core.feeds import FeedState, backoff_seconds
from powderkeg_ingest.core.pipeline import IngestCore
from powderkeg_ingest.feeding import FeedRunner
from powderkeg_ingest.ingestor import Ingestor
from powderkeg_ingest.sources.feeds import FeedPoller, UnsafeFeed, check_xml
from powderkeg_ingest.sources.fetch import FetchFailed, FetchPolicy, FetchRefused, SafeFetcher
from powderkeg_ingest.sources.files import InputRecord
from powderkeg_ingest.state import SqliteState
from tests.support.sinks import RecordingSink

NOW = datetime(2026, 1, 2, tzinfo=UTC)
PARAGRAPH = (
    "Pakistan said on Wednesday that peace talks with the Taliban government had collapsed in Istanbul after four "
    "days, and that border crossings would stay shut while the two sides blamed each other for the failure. "
)
ARTICLE_HTML = (
    "<html><head><title>Talks collapse</title></head><body><nav>Home | World | Sport</nav>"
    "<article><h1>Talks collapse in Istanbul</h1>"
    + "".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(6))
    + "</article><footer>Copyright</footer></body></html>"
).encode()


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>{base}/</link><description>d</description>
<item><title>Full item</title><link>{base}/full</link><guid>full-1</guid>
<pubDate>Wed, 29 Oct 2025 10:00:00 +0500</pubDate>
<description>&lt;p&gt;{PARAGRAPH * 3}&lt;/p&gt;</description></item>
<item><title>Link-only item</title><link>{base}/article.html</link><guid>link-1</guid>
<description>Read more</description></item>
</channel></rss>""".encode()


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title></channel></rss>"""


class Server:
    """A tiny feed and page server; ``requests`` records (path, If-None-Match) of every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server_self.requests.append((self.path, self.headers.get("If-None-Match")))
                base = f"http://127.0.0.1:{server_self.port}"
                if self.path == "/feed.xml":
                    if self.headers.get("If-None-Match") == '"v1"':
                        self._send(304, b"", etag='"v1"')
                    else:
                        self._send(200, rss(base), "application/rss+xml", etag='"v1"')
                elif self.path == "/article.html":
                    self._send(200, ARTICLE_HTML, "text/html")
                elif self.path == "/bomb.xml":
                    self._send(200, BOMB, "application/rss+xml")
                elif self.path == "/big":
                    self._send(200, b"x" * 300_000, "text/plain")
                elif self.path.startswith("/hop/"):
                    n = int(self.path.rsplit("/", 1)[1])
                    self._redirect("/feed.xml" if n == 0 else f"/hop/{n - 1}")
                elif self.path == "/to-private":
                    self._redirect("http://10.1.2.3/feed.xml")
                elif self.path == "/to-file":
                    self._redirect("file:///etc/passwd")
                elif self.path == "/slow":
                    time.sleep(1.0)
                    self._send(200, b"late", "text/plain")
                else:
                    self._send(500, b"broken", "text/plain")

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, status: int, body: bytes, ctype: str = "text/plain", etag: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if etag:
                    self.send_header("ETag", etag)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def freshness(url: str) -> float | None:
    return REGISTRY.get_sample_value("powderkeg_ingest_feed_freshness_seconds", {"feed": url})


LOOPBACK = "127.0.0.1/32"


def local_fetcher(**policy: object) -> SafeFetcher:
    return SafeFetcher(FetchPolicy(allow_private=LOOPBACK, timeout_s=5, **policy))  # type: ignore[arg-type]


def loopback_counts_as_public(host: str, address: str) -> bool:
    """Address check for tests of the guard: the loopback test server passes as public, everything else as usual."""
    from powderkeg_ingest.core.netpolicy import PrivateAllowance

    return address == "127.0.0.1" or PrivateAllowance().permits(host, address)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://[::1]/"]
)
def test_private_loopback_and_link_local_are_refused_by_default(url: str) -> None:
    fetcher = SafeFetcher(FetchPolicy())
    with pytest.raises(FetchRefused) as caught:
        fetcher.fetch(url)
    assert caught.value.reason == "private_address"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchRefused) as caught:
        SafeFetcher(FetchPolicy()).fetch(url)
    assert caught.value.reason == "scheme"


def test_redirect_to_a_private_address_is_refused(server: Server) -> None:
    fetcher = SafeFetcher(FetchPolicy(), permitted=loopback_counts_as_public)
    with pytest.raises(FetchRefused) as caught:
        fetcher.fetch(f"{server.base}/to-private")
    assert caught.value.reason == "private_address" and "10.1.2.3" in str(caught.value)
    assert [path for path, _ in server.requests] == ["/to-private"]


def test_dns_rebinding_between_the_check_and_the_connection_is_refused(server: Server) -> None:
    """The name resolves to a public address for the check and to loopback for the connection."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    port = server.base.rsplit(":", 1)[1]
    fetcher = SafeFetcher(FetchPolicy(), resolver=rebinding)
    with pytest.raises(FetchRefused) as caught:
        fetcher.fetch(f"http://rebind.example:{port}/feed")
    assert caught.value.reason == "private_address" and "connect time" in str(caught.value)
    assert server.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(server: Server) -> None:
    """A name (not an IP) in the URL: the guarded connection uses the resolver's checked answer."""
    port = server.base.rsplit(":", 1)[1]
    fetcher = SafeFetcher(FetchPolicy(), resolver=lambda host, p: ["127.0.0.1"], permitted=loopback_counts_as_public)
    fetched = fetcher.fetch(f"http://news.example:{port}/feed.xml")
    assert fetched.status == 200
    assert [path for path, _ in server.requests] == ["/feed.xml"]


def test_redirect_to_another_scheme_is_refused(server: Server) -> None:
    with pytest.raises(FetchRefused) as caught:
        local_fetcher().fetch(f"{server.base}/to-file")
    assert caught.value.reason == "scheme"


def test_redirects_are_followed_up_to_the_limit(server: Server) -> None:
    assert local_fetcher(max_redirects=3).fetch(f"{server.base}/hop/2").status == 200
    with pytest.raises(FetchRefused) as caught:
        local_fetcher(max_redirects=3).fetch(f"{server.base}/hop/5")
    assert caught.value.reason == "too_many_redirects"


def test_bodies_over_the_limit_are_refused(server: Server) -> None:
    with pytest.raises(FetchRefused) as caught:
        local_fetcher(max_bytes=100_000).fetch(f"{server.base}/big")
    assert caught.value.reason == "too_large"


def test_slow_answers_time_out(server: Server) -> None:
    with pytest.raises(FetchRefused) as caught:
        SafeFetcher(FetchPolicy(allow_private=LOOPBACK, timeout_s=0.3)).fetch(f"{server.base}/slow")
    assert caught.value.reason == "timeout"


def test_error_status_is_a_failure(server: Server) -> None:
    with pytest.raises(FetchFailed) as caught:
        local_fetcher().fetch(f"{server.base}/missing")
    assert caught.value.status == 500


def test_entity_declarations_are_refused_before_feedparser() -> None:
    with pytest.raises(UnsafeFeed):
        check_xml(BOMB)
    check_xml(b"<rss><channel><title>fine &amp; dandy</title></channel></rss>")
    check_xml(b"<rss><channel><title>not well formed</channel>")  # left to feedparser's lenient parser


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(60, n) for n in range(4)] == [60, 120, 240, 480]
    assert backoff_seconds(60, 30) == 3600


def test_poll_reads_items_extracts_link_only_pages_and_uses_etag(server: Server) -> None:
    poller = FeedPoller(local_fetcher())
    state = FeedState(url=f"{server.base}/feed.xml")
    items, state = poller.poll(state, now=NOW, interval_s=300)
    records = [i for i in items if isinstance(i, InputRecord)]
    assert [r.raw.title for r in records] == ["Full item", "Link-only item"]
    full, linked = records
    assert full.raw.source == "Test Wire" and full.raw.origin.value == "feed"
    assert full.raw.published_at == "Wed, 29 Oct 2025 10:00:00 +0500"
    assert "<p>" not in full.raw.text and full.raw.text.startswith("Pakistan said")
    assert "Paragraph 5" in linked.raw.text and "Home | World" not in linked.raw.text
    assert state.etag == '"v1"' and state.last_new_item_at == NOW and state.failures == 0
    assert state.next_poll_at == NOW + timedelta(seconds=300)

    again, state = poller.poll(state, now=NOW + timedelta(minutes=5), interval_s=300)
    assert again == []
    assert server.requests[-1] == ("/feed.xml", '"v1"')
    assert state.last_new_item_at == NOW


def test_failing_feed_backs_off_and_unsafe_feed_is_counted(server: Server) -> None:
    refused: list[str] = []
    poller = FeedPoller(local_fetcher(), on_refused=lambda reason, url: refused.append(reason))
    _, state = poller.poll(FeedState(url=f"{server.base}/down", failures=1), now=NOW, interval_s=60)
    assert state.failures == 2 and state.next_poll_at == NOW + timedelta(seconds=240)
    items, _ = poller.poll(FeedState(url=f"{server.base}/bomb.xml"), now=NOW, interval_s=60)
    assert items == [] and refused == ["unsafe_xml"]


def test_runner_publishes_once_across_restarts_and_sets_freshness(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/feed.xml"

    def run(at: datetime) -> RecordingSink:
        state = SqliteState(tmp_path / "ingest.sqlite3")
        sink = RecordingSink()
        ingestor = Ingestor(IngestCore(seen=state), sink, state=state)
        runner = FeedRunner([url], ingestor, local_fetcher(), state, interval_s=300, clock=lambda: at)
        runner.poll_due()
        state.close()
        return sink

    first = run(NOW)
    assert [a.title for a in first.articles] == ["Full item", "Link-only item"]
    assert all(a.origin.value == "feed" and a.url for a in first.articles)
    assert freshness(url) == 0.0

    polls_before = len(server.requests)
    run(NOW + timedelta(seconds=10))  # not due yet: no request at all
    assert len(server.requests) == polls_before

    later = run(NOW + timedelta(seconds=400))  # due: conditional request, 304, nothing new
    assert later.articles == []
    assert server.requests[-1] == ("/feed.xml", '"v1"')
    assert freshness(url) == 400.0


def test_cli_polls_a_feed_once(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from powderkeg_contracts import Article
    from powderkeg_ingest.service import main

    monkeypatch.setenv("POWDERKEG_INGEST_ALLOW_PRIVATE", LOOPBACK)
    assert main(["--dry-run", "--feed", f"{server.base}/feed.xml", "--once"]) == 0
    articles = [Article.model_validate_json(line) for line in capsys.readouterr().out.splitlines()]
    assert [a.title for a in articles] == ["Full item", "Link-only item"]
    assert articles[0].published_at == datetime(2025, 10, 29, 5, tzinfo=UTC)


def test_cli_refuses_loopback_feeds_by_default(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    from powderkeg_ingest.service import main

    before = REGISTRY.get_sample_value("powderkeg_ingest_fetch_refused_total", {"reason": "private_address"}) or 0
    assert main(["--dry-run", "--feed", f"{server.base}/feed.xml", "--once"]) == 0
    assert capsys.readouterr().out == ""
    assert server.requests == []
    after = REGISTRY.get_sample_value("powderkeg_ingest_fetch_refused_total", {"reason": "private_address"})
    assert after == before + 1
