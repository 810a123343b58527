"""Bad-input catalogue, feed side: hostile feed servers on 127.0.0.1 (bounded: a few requests each) and the
private-network allowance."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from powderkeg_ingest.core.feeds import FeedState
from powderkeg_ingest.core.netpolicy import PrivateAllowance
from powderkeg_ingest.core.pipeline import IngestCore
from powderkeg_ingest.feeding import FeedRunner, MemoryFeedStore
from powderkeg_ingest.ingestor import Ingestor
from powderkeg_ingest.settings import IngestSettings
from powderkeg_ingest.sources.feeds import FeedPoller
from powderkeg_ingest.sources.fetch import FetchPolicy, FetchRefused, SafeFetcher
from powderkeg_ingest.sources.files import InputRecord
from tests.support.hostile_feeds import Hostile
from tests.support.sinks import RecordingSink

NOW = datetime(2026, 1, 2, tzinfo=UTC)
@pytest.fixture(scope="module")
def server() -> Iterator[Hostile]:
    srv = Hostile()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def fetcher(**policy: object) -> SafeFetcher:
    options = {"allow_private": "127.0.0.1/32", "timeout_s": 5, **policy}
    return SafeFetcher(FetchPolicy(**options))  # type: ignore[arg-type]


def refused(reason: str) -> float:
    return REGISTRY.get_sample_value("powderkeg_ingest_fetch_refused_total", {"reason": reason}) or 0.0


def test_a_gzip_bomb_is_refused_before_more_than_the_cap_is_inflated(server: Hostile) -> None:
    import zlib

    inflated: list[int] = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args: object) -> None:
            self._d = real(*args)  # type: ignore[arg-type]

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self._d.decompress(data, max_length)
            inflated.append(len(out))
            return out

        @property
        def unconsumed_tail(self) -> bytes:
            return self._d.unconsumed_tail

        def flush(self) -> bytes:
            return self._d.flush()

    zlib.decompressobj = Counting  # type: ignore[assignment,misc]
    try:
        with pytest.raises(FetchRefused) as caught:
            fetcher(max_bytes=1_000_000).fetch(f"{server.base}/bomb")
    finally:
        zlib.decompressobj = real
    assert caught.value.reason == "too_large"
    assert sum(inflated) <= 1_000_001  # 50 MB inside; never more than the cap came out


def test_an_unknown_content_encoding_is_refused(server: Hostile) -> None:
    with pytest.raises(FetchRefused) as caught:
        fetcher().fetch(f"{server.base}/brotli")
    assert caught.value.reason == "encoding"


def test_a_server_that_trickles_bytes_is_cut_at_the_total_deadline(server: Hostile) -> None:
    with pytest.raises(FetchRefused) as caught:
        fetcher(timeout_s=0.6).fetch(f"{server.base}/trickle")
    assert caught.value.reason == "timeout"
    assert server.sent.get("/trickle", 0) < 100  # per-read timeouts alone would have let all 1,000 through


def test_a_stop_during_a_slow_fetch_ends_it_within_a_slice(server: Hostile) -> None:
    stop = threading.Event()
    slow = SafeFetcher(FetchPolicy(allow_private="127.0.0.1/32", timeout_s=60), cancel=stop)
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(FetchRefused) as caught:
        slow.fetch(f"{server.base}/trickle")
    assert caught.value.reason == "cancelled"


def test_a_feed_that_is_not_xml_is_a_failed_poll_not_unchanged(server: Hostile) -> None:
    before = refused("not_a_feed")
    items, state = FeedPoller(fetcher(), on_refused=lambda r, u: REGISTRY and None).poll(
        FeedState(url=f"{server.base}/html"), now=NOW, interval_s=60
    )
    assert items == [] and state.failures == 1
    runner = FeedRunner([f"{server.base}/html"], Ingestor(IngestCore(), RecordingSink()), fetcher(),
                        MemoryFeedStore(), interval_s=60)
    runner.poll_due()
    assert refused("not_a_feed") == before + 1
    polls = REGISTRY.get_sample_value("powderkeg_ingest_feed_polls_total", {"feed": runner.urls[0], "result": "error"})
    assert polls == 1


def test_a_corrected_item_under_the_same_guid_is_handed_on_and_counted(server: Hostile) -> None:
    poller = FeedPoller(fetcher())
    first, state = poller.poll(FeedState(url=f"{server.base}/guid"), now=NOW, interval_s=60)
    again, state = poller.poll(state, now=NOW, interval_s=60)
    assert len(first) == 1 and again == []
    server.version = 2
    corrected, state = poller.poll(state, now=NOW, interval_s=60)
    assert poller.updated == 1 and len(corrected) == 1
    assert isinstance(corrected[0], InputRecord) and "Version 2" in corrected[0].raw.text
    assert state.seen.count(state.seen[0]) == 1


def test_an_item_link_over_64_kb_does_not_stop_the_service(server: Hostile) -> None:
    sink = RecordingSink()
    runner = FeedRunner([f"{server.base}/longlink"], Ingestor(IngestCore(), sink), fetcher(), MemoryFeedStore(),
                        interval_s=60)
    assert runner.poll_due() == 1
    (article,) = sink.articles
    assert article.url is None and article.text == "teaser"  # published with its text; the link is not a link


def test_feed_dates_in_the_year_9999_are_dropped_with_the_reason(server: Hostile) -> None:
    sink = RecordingSink()
    FeedRunner([f"{server.base}/future"], Ingestor(IngestCore(), sink), fetcher(), MemoryFeedStore(),
               interval_s=60).poll_due()
    (article,) = sink.articles
    assert article.published_at is None and "9999" in (article.published_at_reason or "")


def test_a_lone_surrogate_character_reference_in_a_feed_is_harmless(server: Hostile) -> None:
    sink = RecordingSink()
    FeedRunner([f"{server.base}/surrogate"], Ingestor(IngestCore(), sink), fetcher(), MemoryFeedStore(),
               interval_s=60).poll_due()
    (article,) = sink.articles
    article.model_dump_json()
    assert article.text.endswith("end")


def test_a_failing_feed_never_keeps_the_next_feed_from_its_poll(
    server: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = RecordingSink()
    runner = FeedRunner([f"{server.base}/guid", f"{server.base}/future"], Ingestor(IngestCore(), sink), fetcher(),
                        MemoryFeedStore(), interval_s=60)
    real = runner.poller.poll

    def poll(state: FeedState, **kwargs: object) -> object:
        if state.url.endswith("/guid"):
            raise RuntimeError("a bug in the poller")
        return real(state, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner.poller, "poll", poll)
    assert runner.poll_due() == 1
    assert [a.title for a in sink.articles] == ["f-1"]


# --- the private-network allowance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "host", "address", "permitted"),
    [
        ("127.0.0.1/32", "127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1/32", "169.254.169.254", "169.254.169.254", False),  # metadata: never
        ("169.254.0.0/16", "metadata", "169.254.169.254", False),
        ("127.0.0.1/32", "x", "127.0.0.2", False),
        ("10.0.0.5", "x", "10.0.0.5", True),
        ("10.0.0.5", "x", "10.0.0.6", False),
        ("feeds.internal", "feeds.internal", "10.9.9.9", True),
        ("feeds.internal", "other.internal", "10.9.9.9", False),
        ("127.0.0.1/32", "x", "::ffff:169.254.169.254", False),  # IPv4-mapped metadata
        ("127.0.0.1/32", "x", "64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("", "x", "2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("", "x", "::ffff:10.0.0.1", False),
        ("", "x", "fd00:ec2::254", False),
        ("", "example.org", "93.184.216.34", True),
    ],
)
def test_private_access_is_allowed_per_host_or_network_never_to_metadata(
    allow: str, host: str, address: str, permitted: bool
) -> None:
    assert PrivateAllowance.parse(allow).permits(host, address) is permitted


@pytest.mark.parametrize("allow", ["0.0.0.0/0", "10.0.0.0/7", "::/0", "not a host!", "10.0.0.0/33"])
def test_an_allowance_of_everything_or_nonsense_is_refused_at_start_up(allow: str) -> None:
    with pytest.raises(ValueError):
        IngestSettings(ingest_allow_private=allow)


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/", "http://localhost/"]
)
def test_loopback_in_disguise_is_refused_without_an_allowance(url: str) -> None:
    with pytest.raises(FetchRefused) as caught:
        SafeFetcher(FetchPolicy(timeout_s=2)).fetch(url)
    assert caught.value.reason in ("private_address", "unresolvable")


def test_a_redirect_to_metadata_is_refused_with_a_loopback_allowance() -> None:
    with pytest.raises(FetchRefused) as caught:
        fetcher().check_url("http://169.254.169.254/latest/meta-data/iam/")
    assert caught.value.reason == "private_address"
