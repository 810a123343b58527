"""Signed webhook sink: the Alert JSON, POSTed with an HMAC-SHA256 signature over timestamp and body.

Headers: ``X-Powderkeg-Timestamp: <unix seconds>`` and ``X-Powderkeg-Signature: sha256=<hex>``, where the hex is
``HMAC-SHA256(secret, "<timestamp>." + body)``. Signing the timestamp with the body lets a receiver reject replays
older than a tolerance (:func:`verify_signature` does both checks, in constant time).
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
from pydantic import SecretStr

from powderkeg_contracts import Alert

SIGNATURE_HEADER = "X-Powderkeg-Signature"
TIMESTAMP_HEADER = "X-Powderkeg-Timestamp"
EVENT_HEADER = "X-Powderkeg-Alert-Status"


def sign(secret: SecretStr, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` signature of ``timestamp.body``."""
    digest = hmac.new(secret.get_secret_value().encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: SecretStr,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is valid for ``body`` and ``timestamp`` is within ``tolerance_s`` of ``now``."""
    try:
        age = abs((now if now is not None else time.time()) - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookSink:
    """POSTs each alert change to ``url``, signed with ``secret``."""

    def __init__(self, name: str, url: str, secret: SecretStr) -> None:
        self.name = name
        self.url = url
        self._secret = secret

    def build_request(self, alert: Alert) -> httpx.Request:
        body = alert.model_dump_json().encode()
        timestamp = str(int(time.time()))
        return httpx.Request(
            "POST",
            self.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
                EVENT_HEADER: alert.status.value,
            },
        )

    def __repr__(self) -> str:
        return f"WebhookSink(name={self.name!r}, url={self.url!r}, secret=**********)"
