"""``powderkeg ingest``: read articles from files, standard input, feeds and HTTP pushes, publish them to Kafka.

Exit codes: 0 all inputs handled (and always for a service stopped by SIGTERM); 1 the broker did not acknowledge
(nothing is recorded as done, a re-run resends); 2 usage error; 3 some inputs of a batch run were rejected (they
are on the dead-letter topic, the others were published); 130 interrupted by Ctrl-C before the current unit was
acknowledged (nothing of it is recorded as done, a re-run resends it).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, BinaryIO

from tqdm import tqdm

from powderkeg_contracts import topics
from powderkeg_ingest.core.near import NearConfig, NearIndex
from powderkeg_ingest.core.pipeline import CoreConfig, IngestCore
from powderkeg_ingest.ingestor import Ingestor, PublishHealth
from powderkeg_ingest.publish import KafkaSink, PublishError, Sink, StdoutSink
from powderkeg_ingest.settings import IngestSettings
from powderkeg_ingest.sources.files import Item, read_inputs
from powderkeg_ingest.state import SqliteState
from powderkeg_runtime.httpserver import BrokerProbe, ReadinessCheck, ServiceHttpServer, all_ready
from powderkeg_runtime.logs import configure_logging
from powderkeg_runtime.settings import load_settings

if TYPE_CHECKING:
    from powderkeg_ingest.feeding import FeedRunner

log = logging.getLogger("powderkeg_ingest")

CHECKPOINT_EVERY = 500
"""Items between flush-and-commit points in a batch: bounds what a crash makes us resend."""

EXIT_OK, EXIT_PUBLISH_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


EPILOG = """\
examples:
  powderkeg ingest seeds/                          folders, *.txt / *.jsonl / *.json
  powderkeg ingest - < story.txt                   stdin (JSONL if it starts with '{')
  powderkeg ingest --dry-run seeds/                print Articles, no broker
  powderkeg ingest --feed https://example.org/rss.xml --once
  POWDERKEG_INGEST_HTTP_TOKEN=... powderkeg ingest --serve

exit codes: 0 ok, 1 broker did not acknowledge, 2 usage or settings, 3 some inputs rejected (dead-lettered),
  130 Ctrl-C (the unacknowledged unit is not recorded as done)

environment (defaults; all in docs/ingest.md):
  POWDERKEG_KAFKA_BOOTSTRAP          127.0.0.1:9092
  POWDERKEG_INGEST_METRICS_PORT      9101 (/metrics, /healthz, /readyz)
  POWDERKEG_INGEST_STATE_DIR         .powderkeg/ingest (de-duplication and feed state, SQLite)
  POWDERKEG_INGEST_HTTP_HOST/_PORT   127.0.0.1 / 8080 (push API, --serve)
  POWDERKEG_INGEST_HTTP_TOKEN        push API bearer token; unset = every push refused
  POWDERKEG_INGEST_MAX_TEXT_BYTES    400000
  POWDERKEG_INGEST_PUBLISH_TIMEOUT_S 30 (broker acknowledgement of a push, a feed poll, 500 file lines)
  POWDERKEG_INGEST_FEED_INTERVAL_S   300
  POWDERKEG_INGEST_NEAR_ENABLED      true (near-duplicates published with duplicate_of)
  POWDERKEG_INGEST_ALLOW_PRIVATE     '' (private hosts/CIDRs feeds may reach, e.g. 127.0.0.1/32,10.0.0.5)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="powderkeg ingest",
        description=(
            "Normalise, de-duplicate and publish news articles to Kafka topic "
            f"{topics.ARTICLES}; inputs that cannot become articles go to {topics.INGEST_DLQ}. "
            "Settings come from POWDERKEG_* environment variables (see docs/ingest.md)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (*.txt one article, *.jsonl one object per line, *.json object or list); '-' = stdin",
    )
    parser.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="URL",
        help="RSS/Atom feed to poll every POWDERKEG_INGEST_FEED_INTERVAL_S seconds until SIGTERM (repeatable)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="keep running: HTTP push API (POST /v1/articles) and feed polling, until SIGTERM or Ctrl-C",
    )
    parser.add_argument("--once", action="store_true", help="poll each --feed once, then exit")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print Articles as JSON lines to stdout (dead letters to stderr) instead of publishing; no broker needed",
    )
    parser.add_argument(
        "--state-dir", type=Path, help="de-duplication and feed state folder (POWDERKEG_INGEST_STATE_DIR)"
    )
    parser.add_argument(
        "--metrics-port", type=int, help="port of /metrics, /healthz, /readyz (POWDERKEG_INGEST_METRICS_PORT; 0 = any)"
    )
    parser.add_argument(
        "--http-port", type=int, help="port of the push API with --serve (POWDERKEG_INGEST_HTTP_PORT, default 8080)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


INTERRUPT_GRACE_S = 1.0
"""After Ctrl-C, how long the current unit may take to be acknowledged before it is abandoned (not recorded)."""

EXIT_INTERRUPTED = 130


class _Stop:
    """SIGTERM/SIGINT handler: the current item finishes, the producer flushes, the process exits.

    Ctrl-C must stop at once, though, even with the broker gone: while the broker is still being reached nothing has
    been read, so a signal aborts straight away; after that, a unit not acknowledged within
    :data:`INTERRUPT_GRACE_S` of Ctrl-C (or a second Ctrl-C) is abandoned. Abandoning is safe: nothing of an
    unacknowledged unit is recorded as done, and its deterministic ids make the resend of a re-run harmless.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self.connecting = True
        self.finished = False
        self._deadline: threading.Timer | None = None

    def connected(self) -> None:
        self.connecting = False

    def finish(self) -> None:
        """The run is over: later signals change nothing."""
        self.finished = True
        if self._deadline is not None:
            self._deadline.cancel()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.finished:
            return
        if self.connecting or (self.event.is_set() and signum == signal.SIGINT):
            raise _Interrupted(signum)
        log.info("signal %s: stopping after the current item", signal.Signals(signum).name)
        self.event.set()
        if signum == signal.SIGINT:
            self._deadline = threading.Timer(INTERRUPT_GRACE_S, os.kill, (os.getpid(), signal.SIGINT))
            self._deadline.daemon = True
            self._deadline.start()


class _Interrupted(KeyboardInterrupt):
    """Raised by :class:`_Stop` into whatever the main thread is waiting on (a bootstrap, a flush); a
    ``KeyboardInterrupt`` so that no ``except Exception`` on the way turns it into an error to retry."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _install_signals(stop: _Stop) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)


def _items(paths: list[str], settings: IngestSettings, stdin: BinaryIO, progress: bool) -> Iterator[Item]:
    items: Iterable[Item] = read_inputs(paths, stdin=stdin, max_file_bytes=settings.ingest_max_file_bytes)
    bar = tqdm(items, desc="ingest", unit="article", file=sys.stderr, disable=None if progress else True)
    yield from bar


def run_batch(ingestor: Ingestor, items: Iterable[Item], stop: threading.Event) -> None:
    """Handle items in order, in units of :data:`CHECKPOINT_EVERY`; stops early (cleanly) on a signal."""
    unit: list[Item] = []
    for item in items:
        unit.append(item)
        if len(unit) >= CHECKPOINT_EVERY or stop.is_set():
            ingestor.submit(unit)
            unit = []
        if stop.is_set():
            break
    ingestor.submit(unit)


def main(argv: list[str] | None = None, *, stdin: BinaryIO | None = None) -> int:
    """Entry point of ``powderkeg ingest``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.paths and not args.feed and not args.serve:
        parser.print_usage(sys.stderr)
        sys.stderr.write("powderkeg ingest: error: give a PATH, '-', --feed URL or --serve\n")
        return EXIT_USAGE
    if args.once and not args.feed:
        sys.stderr.write("powderkeg ingest: error: --once needs at least one --feed\n")
        return EXIT_USAGE
    overrides: dict[str, object] = {}
    if args.state_dir is not None:
        overrides["ingest_state_dir"] = args.state_dir
    if args.http_port is not None:
        overrides["ingest_http_port"] = args.http_port
    if args.metrics_port is not None:
        overrides["ingest_metrics_port"] = args.metrics_port
    settings = load_settings(IngestSettings, **overrides)
    configure_logging(settings.log_level, json_lines=settings.log_json, service="ingest")
    stop = _Stop()
    _install_signals(stop)
    try:
        return _run(args, settings, stop.event, stdin or sys.stdin.buffer, connected=stop.connected)
    except _Interrupted as exc:
        log.warning("stopped by %s: the unit in progress is not recorded as done; a re-run resends it", exc)
        serving = bool(args.serve or args.feed) and not args.once
        return EXIT_OK if serving and exc.signum == signal.SIGTERM else EXIT_INTERRUPTED
    finally:
        stop.finish()


def _run(
    args: argparse.Namespace,
    settings: IngestSettings,
    stop: threading.Event,
    stdin: BinaryIO,
    *,
    connected: Callable[[], None] | None = None,
) -> int:
    state: SqliteState | None = None
    sink: Sink
    serving = bool(args.serve or args.feed)
    health = PublishHealth(settings.ingest_publish_retry_after_s)
    if args.dry_run:
        sink = StdoutSink(sys.stdout, sys.stderr)
    else:
        kafka = KafkaSink(
            settings.kafka_bootstrap,
            kafka=settings,
            timeout_s=settings.ingest_publish_timeout_s,
            connect_timeout_s=min(5.0, settings.ingest_publish_timeout_s),
            prepare=lambda: _ensure_topics(settings),
        )
        sink = kafka
        try:
            kafka.connect()
        except PublishError as exc:  # broker unreachable or refusing: nothing was read yet
            if not serving or args.once:
                log.error("cannot publish to Kafka at %s: %s", settings.kafka_bootstrap, exc)
                return EXIT_PUBLISH_FAILED
            # A service outlives the broker's outages, including one at start-up: it starts not ready and refuses
            # pushes (503) until a probe reaches the broker.
            log.error("cannot publish to Kafka at %s yet (%s); serving, not ready", settings.kafka_bootstrap, exc)
            health.failed(f"broker not reachable at start-up: {exc}")
        state = SqliteState(settings.ingest_state_dir / "ingest.sqlite3")
    if connected is not None:
        connected()
    core = IngestCore(
        CoreConfig(
            max_text_bytes=settings.ingest_max_text_bytes,
            published_max_future_s=settings.ingest_published_max_future_hours * 3600,
            published_min_year=settings.ingest_published_min_year,
        ),
        seen=state,
        near=build_near_index(settings, state),
    )

    def rebuild_near_index() -> None:
        core.near = build_near_index(settings, state)

    ingestor = Ingestor(
        core,
        sink,
        state=state,
        on_rollback=rebuild_near_index if core.near is not None else None,
        health=health,
        lock_wait_s=settings.ingest_publish_timeout_s,
    )
    server = _start_metrics(settings, serving=serving) if not args.dry_run else None
    try:
        if args.paths:
            run_batch(ingestor, _items(args.paths, settings, stdin, not args.no_progress), stop)
        feeds = build_feed_runner(args.feed, ingestor, settings, state, stop) if args.feed else None
        if feeds is not None and args.once:
            feeds.poll_due(force=True)
        elif args.serve or feeds is not None:
            probe = BrokerProbe(settings.kafka_bootstrap) if not args.dry_run else None
            serve(ingestor, settings, stop, health=server, feeds=feeds, push_api=args.serve, broker=probe)
    except PublishError as exc:
        log.error("publishing failed; nothing from the unacknowledged batch is recorded as done: %s", exc)
        return EXIT_PUBLISH_FAILED
    except _Interrupted:
        if isinstance(sink, KafkaSink):
            sink.reset()  # abandon unacknowledged sends: a close would wait for them
        raise
    finally:
        _close(sink, state, server)
    tally = ingestor.tally
    log.info(
        "ingest: %d published, %d near duplicates, %d exact duplicates skipped, %d rejected",
        tally["published"],
        tally["near_duplicate"],
        tally["exact_duplicate"],
        tally["rejected"],
    )
    if serving and not args.once:
        return EXIT_OK  # a service stopped by a signal stopped cleanly; its rejections are in the metrics
    return EXIT_REJECTED if tally["rejected"] else EXIT_OK


def _ensure_topics(settings: IngestSettings) -> None:
    from powderkeg_runtime.kafka_admin import ensure_topics  # loads kafka-python only when publishing

    ensure_topics(
        settings.kafka_bootstrap,
        [topics.ARTICLES, topics.INGEST_DLQ],
        partitions=settings.topic_partitions,
        kafka=settings,
    )


def build_near_index(settings: IngestSettings, state: SqliteState | None) -> NearIndex | None:
    """The near-duplicate window, restored from the state file so that it survives restarts."""
    if not settings.ingest_near_enabled:
        return None
    config = NearConfig(
        min_overlap=settings.ingest_near_min_overlap,
        window_count=settings.ingest_near_window_count,
        window_seconds=settings.ingest_near_window_hours * 3600,
    )
    index = NearIndex(config, journal=state)
    if state is not None:
        index.restore(state.near_entries(), now=datetime.now(UTC))
        state.commit()
    return index


SERVE_TICK_S = 1.0
"""In --serve mode, how often due feeds are polled and, after a publish failure, the broker probed."""


def build_feed_runner(
    urls: list[str],
    ingestor: Ingestor,
    settings: IngestSettings,
    state: SqliteState | None,
    stop: threading.Event | None = None,
) -> FeedRunner:
    """Feed polling under the fetch limits of the settings (httpx, feedparser, trafilatura load only when used)."""
    from powderkeg_ingest.feeding import FeedRunner, MemoryFeedStore
    from powderkeg_ingest.sources.fetch import FetchPolicy, SafeFetcher

    policy = FetchPolicy(
        timeout_s=settings.ingest_fetch_timeout_s,
        max_bytes=settings.ingest_fetch_max_bytes,
        max_redirects=settings.ingest_fetch_max_redirects,
        allow_private=settings.ingest_allow_private,
    )
    store = state if state is not None else MemoryFeedStore()
    return FeedRunner(
        urls,
        ingestor,
        SafeFetcher(policy, cancel=stop),
        store,
        interval_s=settings.ingest_feed_interval_s,
        poll_timeout_s=settings.ingest_feed_poll_timeout_s,
    )


def serve(
    ingestor: Ingestor,
    settings: IngestSettings,
    stop: threading.Event,
    *,
    health: ServiceHttpServer | None = None,
    feeds: FeedRunner | None = None,
    push_api: bool = True,
    broker: ReadinessCheck | None = None,
) -> None:
    """Serve the push API and poll feeds until SIGTERM/SIGINT; after a publish failure, probe the broker each tick.

    Nothing here can end the service but a signal: a feed poll that fails in any way is logged, counted and backed
    off; a broker outage makes units fail (refused, rolled back) until a probe reaches the broker again.
    """
    from powderkeg_ingest.http_api import PushServer, build_app

    push: PushServer | None = None
    if push_api:
        app = build_app(
            ingestor,
            token=settings.ingest_http_token,
            max_body_bytes=settings.ingest_http_max_body_bytes,
            body_timeout_s=settings.ingest_http_body_timeout_s,
        )
        push = PushServer(app, settings.ingest_http_host, settings.ingest_http_port).start()
        if settings.ingest_http_token is None:
            log.warning("POWDERKEG_INGEST_HTTP_TOKEN is not set: the push API refuses every push (401)")
        log.info("push API on http://%s:%d/v1/articles", settings.ingest_http_host, push.port)
    if health is not None:
        checks: list[ReadinessCheck] = []
        if push is not None:
            running = push
            checks.append(lambda: (running.started, "push API serving" if running.started else "push API stopped"))
        if broker is not None:
            checks.append(broker)
            checks.append(ingestor.health.ready)
        if checks:
            health.set_readiness(all_ready(*checks))
    try:
        while not stop.is_set():
            ingestor.probe()
            if feeds is not None:
                feeds.poll_due()
            if stop.wait(SERVE_TICK_S):
                break
    finally:
        if push is not None:
            push.stop()


def _start_metrics(settings: IngestSettings, *, serving: bool) -> ServiceHttpServer | None:
    # A serving ingest is not ready until serve() has installed its checks (push API up, broker reachable).
    starting = (lambda: (False, "starting")) if serving else None
    try:
        return ServiceHttpServer(
            settings.metrics_host, settings.ingest_metrics_port, service="ingest", ready=starting
        ).start()
    except OSError as exc:  # another ingest already serves metrics on this port: a batch run still works
        log.warning("metrics server not started on port %d: %s", settings.ingest_metrics_port, exc)
        return None


def _close(sink: Sink, state: SqliteState | None, server: ServiceHttpServer | None) -> None:
    try:
        sink.close()
    finally:
        if state is not None:
            state.close()
        if server is not None:
            server.stop()
