"""A real signed-webhook receiver on a loopback port, for the alerting delivery tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pydantic import SecretStr

from powderkeg_alerting.sinks import verify_signature
from powderkeg_alerting.sinks.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from powderkeg_contracts import Alert


class Receiver:
    """Records each alert posted to :attr:`url` and whether its signature verified with ``secret``; answers 204 to a
    valid signature and 401 to anything else, as a real receiver would."""

    def __init__(self, secret: SecretStr) -> None:
        self.received: list[tuple[Alert, bool]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp, signature = self.headers[TIMESTAMP_HEADER] or "", self.headers[SIGNATURE_HEADER] or ""
                valid = verify_signature(secret, timestamp, body, signature)
                receiver.received.append((Alert.model_validate_json(body), valid))
                self.send_response(204 if valid else 401)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/powderkeg"


@contextmanager
def receiving(secret: SecretStr) -> Iterator[Receiver]:
    """A :class:`Receiver` serving in a daemon thread for the duration of the block."""
    receiver = Receiver(secret)
    threading.Thread(target=receiver.server.serve_forever, name="webhook-receiver", daemon=True).start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
