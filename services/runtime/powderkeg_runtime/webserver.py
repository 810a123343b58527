"""uvicorn in a daemon thread, for the services' HTTP APIs (ingest's push API, the store's query API).

Signals stay with the main thread, which owns shutdown; ``stop`` asks uvicorn to finish and waits for it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Self


class UvicornThread:
    """Serves an ASGI ``app`` on ``host:port`` (port 0: any free port, see :attr:`port`).

    ``graceful_s`` bounds how long ``stop`` waits for open connections (a live stream never ends by itself); None
    waits for every request in flight to finish. ``options`` go to ``uvicorn.Config`` (``limit_concurrency`` ...).
    """

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        *,
        name: str = "http-api",
        graceful_s: int | None = None,
        **options: Any,
    ) -> None:
        import uvicorn

        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=graceful_s,
            **options,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    @property
    def port(self) -> int:
        for server in getattr(self._server, "servers", []):
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self._server.config.port)

    def start(self, *, timeout_s: float = 10.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._server.started:
            raise RuntimeError(f"HTTP API did not start on {self._server.config.host}:{self._server.config.port}")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
