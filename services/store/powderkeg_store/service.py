"""``powderkeg store``: consume events, alerts and outcomes into the store, apply retention, and (``--serve``) serve
the query API and the web console.

Exit codes: 0 stopped by SIGTERM/SIGINT; 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import threading
from datetime import UTC, datetime, timedelta
from types import FrameType

from pydantic import SecretStr
from sqlalchemy import Engine

from powderkeg_runtime.httpserver import ReadinessCheck, ServiceHttpServer, all_ready
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.logs import configure_logging
from powderkeg_runtime.settings import load_settings
from powderkeg_runtime.webserver import UvicornThread
from powderkeg_store import metrics
from powderkeg_store.settings import StoreSettings

log = logging.getLogger("powderkeg_store")

EPILOG = """\
examples:
  powderkeg store                         consume into POWDERKEG_STORE_DATABASE_URL (PostgreSQL)
  powderkeg store --serve                 ... and serve the API and console on :8090
  powderkeg store --serve --no-consume    API and console only (another process consumes)

environment (defaults; all in docs/store.md):
  POWDERKEG_STORE_DATABASE_URL       postgresql+psycopg://powderkeg@127.0.0.1:5434/powderkeg
  POWDERKEG_STORE_API_TOKEN          bearer token of the API; unset = every request refused (--serve prints one
                                     to use when it generates it: --generate-token)
  POWDERKEG_STORE_RETENTION_DAYS     90
  POWDERKEG_STORE_METRICS_PORT       9104 (/metrics, /healthz, /readyz)
  POWDERKEG_STORE_HTTP_HOST/_PORT    127.0.0.1 / 8090
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="powderkeg store",
        description="Store Powderkeg's events, alerts and outcomes in PostgreSQL (or SQLite) and serve the query "
        "API and web console. Settings come from POWDERKEG_* environment variables.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--serve", action="store_true", help="Serve the query API (/v1/) and the console (/).")
    parser.add_argument("--no-consume", action="store_true", help="Do not consume from Kafka.")
    parser.add_argument("--database-url", help="Overrides POWDERKEG_STORE_DATABASE_URL.")
    parser.add_argument(
        "--generate-token", action="store_true", help="With --serve and no token set: make one and print the URL."
    )
    return parser


class Retention:
    """Runs :func:`~powderkeg_store.retention.apply_retention` every ``interval_s`` in a daemon thread."""

    def __init__(self, engine: Engine, days: float, interval_s: float) -> None:
        self.engine, self.days, self.interval_s = engine, days, interval_s
        self.thread = threading.Thread(target=self._loop, name="store-retention", daemon=True)
        self.stop = threading.Event()

    def run_once(self) -> None:
        from powderkeg_store.retention import apply_retention

        cutoff = datetime.now(UTC) - timedelta(days=self.days)
        result = apply_retention(self.engine, cutoff)
        for table, n in vars(result).items():
            if n:
                metrics.RETENTION_DELETED.labels(table=table).inc(n)
        metrics.RETENTION_LAST_RUN.set_to_current_time()
        log.info("retention before %s: %s", cutoff.isoformat(timespec="seconds"), vars(result))

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                self.run_once()
            except Exception:  # a failed run is retried at the next interval; consuming goes on
                log.exception("retention run failed")
            self.stop.wait(self.interval_s)


def serve_api(engine: Engine, settings: StoreSettings, token: SecretStr | None) -> UvicornThread:
    """Start the API and console in a thread; returns the running server (``.port``, ``.stop()``)."""
    from powderkeg_store.api.app import build_app

    app = build_app(engine, token=token)
    server = UvicornThread(app, settings.store_http_host, settings.store_http_port, name="store-api", graceful_s=2)
    return server.start()


EXIT_UNREACHABLE = 1
"""Exit status when the database or the broker cannot be reached at start-up (as the other workers)."""


def console_url(host: str, port: int, token: SecretStr | None) -> str:
    """The console's address; the token rides in the fragment, which the browser never sends to the server."""
    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::"} else host
    fragment = f"#token={token.get_secret_value()}" if token is not None else ""
    return f"http://{shown}:{port}/{fragment}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings(StoreSettings)
    configure_logging(settings.log_level, json_lines=settings.log_json, service="store")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from powderkeg_store.db import open_store

    url = args.database_url or settings.store_database_url
    try:
        engine = open_store(url)
    except OperationalError as exc:  # the database is down or refuses us: one line naming it, no traceback
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        log.error("cannot reach the database at %s: %s", shown, reason)
        return EXIT_UNREACHABLE
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    health = ServiceHttpServer(
        settings.metrics_host, settings.store_metrics_port, service="store", ready=lambda: (False, "starting")
    ).start()
    checks: list[ReadinessCheck] = []
    consumer = None
    consuming: threading.Thread | None = None
    if not args.no_consume:
        from powderkeg_store.consumer import TOPICS, StoreConsumer

        try:
            ensure_topics(settings.kafka_bootstrap, TOPICS, partitions=settings.topic_partitions, kafka=settings)
        except RuntimeError as exc:  # the broker did not answer: say so in one line, no traceback
            log.error("%s", exc)
            engine.dispose()
            return EXIT_UNREACHABLE
        consumer = StoreConsumer(
            engine,
            bootstrap=settings.kafka_bootstrap,
            kafka=settings,
            group_id=settings.store_group_id,
            batch_max=settings.store_batch_max,
            poll_timeout_ms=settings.store_poll_timeout_ms,
        )
        checks.append(consumer.ready)
        consuming = threading.Thread(target=consumer.run, args=(stop,), name="store-consumer", daemon=True)
        consuming.start()
    retention = Retention(engine, settings.store_retention_days, settings.store_retention_interval_seconds)
    retention.thread.start()
    api: UvicornThread | None = None
    if args.serve:
        token = settings.store_api_token
        if token is None and args.generate_token:
            token = SecretStr(secrets.token_urlsafe(24))
        if token is None:
            log.warning("POWDERKEG_STORE_API_TOKEN is not set: the API refuses every request (401)")
        api = serve_api(engine, settings, token)
        running = api
        checks.append(lambda: (running.started, "API serving" if running.started else "API stopped"))
        log.info("console on %s", console_url(settings.store_http_host, api.port, token))
    health.set_readiness(all_ready(*checks) if checks else (lambda: (True, "ok")))
    try:
        stop.wait()
    finally:
        retention.stop.set()
        if api is not None:
            api.stop()
        if consuming is not None and consumer is not None:
            consuming.join(timeout=settings.shutdown_timeout_seconds)
            consumer.close()
        health.stop()
        engine.dispose()
    return 0
