"""A small threaded HTTP server for ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (ready to do work).

prometheus-client's own ``start_http_server`` answers every path with metrics; operators and orchestrators also
need liveness and readiness, so one server serves all three.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

ReadinessCheck = Callable[[], tuple[bool, str]]


class ServiceHttpServer:
    """Serves metrics and health for one service on ``host:port`` in a daemon thread."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        service: str,
        ready: ReadinessCheck | None = None,
        registry: CollectorRegistry = REGISTRY,
    ) -> None:
        self.service = service
        self._ready = ready or (lambda: (True, "ok"))
        self._registry = registry
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    body = generate_latest(server_self._registry)
                    self._send(200, body, CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    self._send_json(200, {"service": server_self.service, "status": "alive"})
                elif path == "/readyz":
                    ok, detail = server_self._ready()
                    self._send_json(200 if ok else 503, {"service": server_self.service, "ready": ok, "detail": detail})
                else:
                    self._send_json(404, {"error": "not found", "paths": ["/metrics", "/healthz", "/readyz"]})

            def _send_json(self, status: int, payload: dict[str, object]) -> None:
                self._send(status, json.dumps(payload).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"{service}-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def set_readiness(self, check: ReadinessCheck) -> None:
        self._ready = check

    def start(self) -> ServiceHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class BrokerProbe:
    """Readiness part "can this service reach a Kafka broker": a TCP connect to a bootstrap address.

    A producer buffers while the broker is away, so "the process is up" says nothing about whether accepted work can
    be published. The probe connects to the bootstrap servers in turn (``timeout_s`` each) and caches the answer for
    ``cache_s``, so that a readiness poll every second costs at most one connect every few seconds.
    """

    def __init__(self, bootstrap: str, *, timeout_s: float = 1.0, cache_s: float = 5.0) -> None:
        self.addresses = [_host_port(part) for part in bootstrap.split(",") if part.strip()]
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._answer: tuple[bool, str] = (False, "broker not probed yet")

    def __call__(self) -> tuple[bool, str]:
        import socket
        import time

        with self._lock:
            now = time.monotonic()
            if self._checked_at is not None and now - self._checked_at < self.cache_s:
                return self._answer
            errors = []
            for host, port in self.addresses:
                try:
                    with socket.create_connection((host, port), timeout=self.timeout_s):
                        self._answer = (True, f"broker {host}:{port} reachable")
                        break
                except OSError as exc:
                    errors.append(f"{host}:{port}: {exc}")
            else:
                self._answer = (False, "no broker reachable (" + "; ".join(errors or ["no bootstrap address"]) + ")")
            self._checked_at = now
            return self._answer


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"bootstrap address {address!r} is not host:port")
    return host.strip("[]"), int(port)


def all_ready(*checks: ReadinessCheck) -> ReadinessCheck:
    """One readiness check that passes when every check passes; the detail lists each part."""

    def check() -> tuple[bool, str]:
        results = [c() for c in checks]
        return all(ok for ok, _ in results), "; ".join(detail for _, detail in results)

    return check
