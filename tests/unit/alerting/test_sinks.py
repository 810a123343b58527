"""Delivery sinks with httpx's built-in fake transport: payloads, signatures, bounded retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx
from pydantic import SecretStr

from powderkeg_alerting.sinks import AlertmanagerSink, RetryPolicy, WebhookSink, deliver, to_alertmanager
from powderkeg_alerting.sinks.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature
from powderkeg_contracts import Alert, AlertStatus, Severity
from tests.support.events import T0, EventFactory, talks_alert

FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.002, timeout=1.0)
SECRET = SecretStr("test-secret")


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_alertmanager_payload_labels_and_annotations(make_event: EventFactory) -> None:
    alert = talks_alert(make_event)
    payload = to_alertmanager(alert)
    assert payload["labels"] == {
        "alertname": "PowderkegEscalation",
        "signal": "talks_failed",
        "severity": "warning",
        "pair": "AFG-PAK",
        "side_a": "AFG",
        "side_b": "PAK",
        "kind": "interstate",
        "country_a": "AFG",
        "country_b": "PAK",
        "alert_id": alert.alert_id,
    }
    assert alert.summary == payload["annotations"]["summary"]
    assert payload["annotations"]["sides"] == "Afghanistan vs Pakistan"
    assert "collapsed" in payload["annotations"]["evidence"]
    assert payload["annotations"]["links"] == "https://news.example/art-1"
    assert "endsAt" not in payload and payload["startsAt"] == "2025-10-29T09:00:00Z"
    resolved = alert.model_copy(update={"status": AlertStatus.RESOLVED, "resolved_at": T0})
    assert to_alertmanager(resolved)["endsAt"] == "2025-10-29T09:00:00Z"


def test_alertmanager_ends_the_old_severity_when_severity_rises(make_event: EventFactory) -> None:
    alert = talks_alert(make_event)
    bodies: list[list[dict]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200)

    sink = AlertmanagerSink("http://am.test")

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            await deliver(client, sink, alert, FAST)
            await deliver(client, sink, alert.model_copy(update={"severity": Severity.CRITICAL}), FAST)

    run(go())
    assert len(bodies[0]) == 1
    assert [(p["labels"]["severity"], "endsAt" in p) for p in bodies[1]] == [("critical", False), ("warning", True)]


def test_webhook_signature_verifies_and_rejects_tampering(make_event: EventFactory) -> None:
    request = WebhookSink("ops", "http://hook.test/x", SECRET).build_request(talks_alert(make_event))
    timestamp = request.headers[TIMESTAMP_HEADER]
    signature = request.headers[SIGNATURE_HEADER]
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify_signature(SECRET, timestamp, request.content, signature)
    assert not verify_signature(SECRET, timestamp, request.content + b" ", signature)
    assert not verify_signature(SecretStr("other"), timestamp, request.content, signature)
    assert not verify_signature(SECRET, timestamp, request.content, signature, now=float(timestamp) + 3600)
    assert Alert.model_validate_json(request.content).signal == "talks_failed"


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign(SecretStr("key"), "1700000000", b"{}") == "sha256=" + expected


def test_secret_never_shows_in_repr() -> None:
    assert "test-secret" not in repr(WebhookSink("ops", "http://hook.test", SECRET))


def test_transient_failures_are_retried_then_delivered(make_event: EventFactory) -> None:
    statuses = iter([503, 502, 200])
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(next(statuses))

    async def go():  # type: ignore[no-untyped-def]
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await deliver(client, WebhookSink("ops", "http://hook.test", SECRET), talks_alert(make_event), FAST)

    result = run(go())
    assert result.ok and result.attempts == 3 and len(calls) == 3


def test_retries_are_bounded_and_client_errors_are_not_retried(make_event: EventFactory) -> None:
    alert = talks_alert(make_event)
    seen: list[int] = []

    def down(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        raise httpx.ConnectError("refused", request=request)

    def bad_request(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="bad alert")

    async def go(handler):  # type: ignore[no-untyped-def]
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await deliver(client, WebhookSink("ops", "http://hook.test", SECRET), alert, FAST)

    failed = run(go(down))
    assert not failed.ok and failed.attempts == FAST.attempts and len(seen) == FAST.attempts
    assert "ConnectError" in (failed.error or "")
    rejected = run(go(bad_request))
    assert not rejected.ok and rejected.attempts == 1 and rejected.status == 400


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=8.0)
    for retry, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (8, 8.0)]:
        delay = policy.delay(retry)
        assert ceiling / 2 <= delay <= ceiling
