"""``powderkeg run ... --serve``: the embedded pipeline's results in a SQLite store, with the web console on them.

The same store code as the service (schema, migrations, idempotent writes, API) over a local file, so a newcomer sees
the console with one command and a re-run over the same inputs changes nothing in the store.
"""

from __future__ import annotations

import secrets
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from powderkeg_cli.embedded import PipelineResult


def store_results(result: PipelineResult, url: str) -> None:
    """Write the events, every alert revision and the outcomes of ``result`` into the store at ``url``."""
    from powderkeg_store.db import open_store
    from powderkeg_store.writer import Batch, write_batch

    engine = open_store(url)
    try:
        with engine.begin() as conn:
            batch = Batch(
                events=[(e, None) for e in result.events], alerts=result.revisions, outcomes=result.outcomes
            )
            write_batch(conn, batch, datetime.now(UTC))
    finally:
        engine.dispose()


def serve_results(result: PipelineResult, *, store: str, port: int, host: str = "127.0.0.1") -> int:
    """Store ``result`` in the SQLite file ``store`` and serve the console until SIGINT/SIGTERM."""
    from powderkeg_runtime.webserver import UvicornThread
    from powderkeg_store.api.app import build_app
    from powderkeg_store.db import open_store
    from powderkeg_store.service import console_url

    url = f"sqlite:///{Path(store).expanduser().resolve()}"
    store_results(result, url)
    engine = open_store(url)
    token = SecretStr(secrets.token_urlsafe(18))
    server = UvicornThread(build_app(engine, token=token), host, port, name="console", graceful_s=1).start()
    print(f"console: {console_url(host, server.port, token)}  (store {store}; Ctrl-C stops)", file=sys.stderr,
          flush=True)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stop.wait()
    server.stop()
    engine.dispose()
    return 0
