"""Delivery to the REAL Alertmanager (deploy/stack.sh, :9093) and to a signed-webhook receiver on 127.0.0.1.

The receiver is a real HTTP server on a loopback port; it verifies every signature with the shared secret.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from powderkeg_alerting.sinks import AlertmanagerSink, Delivery, RetryPolicy, WebhookSink, deliver
from powderkeg_alerting.sinks.dispatcher import Dispatcher
from powderkeg_contracts import Alert, AlertStatus, ConflictKind, Direction, Severity
from tests.support.events import state_pair
from tests.support.net import free_port
from tests.support.webhooks import Receiver, receiving

pytestmark = pytest.mark.integration

SECRET = SecretStr(uuid.uuid4().hex)
POLICY = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2, timeout=3.0)


def make_alert(run: str, **update: object) -> Alert:
    now = datetime.now(UTC).replace(microsecond=0)
    alert = Alert(
        alert_id=f"talks_failed.AFG-PAK.{run}",
        signal="talks_failed",
        title="Talks failed or deadlocked",
        direction=Direction.ESCALATION,
        severity=Severity.WARNING,
        status=AlertStatus.RAISED,
        revision=1,
        sides=state_pair("AFG-PAK").model_copy(
            update={"a_actors": ("target:Afghanistan",), "b_actors": ("source:Pakistan",)}
        ),
        kind=ConflictKind.INTERSTATE,
        countries=("AFG", "PAK"),
        summary=f"Talks failed or deadlocked (AFG-PAK): Pakistan -> Afghanistan; run {run}",
        confidence=0.8,
        event_ids=(f"ev-{run}",),
        article_ids=(f"art-{run}",),
        story_ids=(f"art-{run}",),
        urls=(f"https://news.example/{run}",),
        evidence=("Pakistan said peace talks with Afghanistan have collapsed.",),
        first_seen=now,
        last_seen=now,
    )
    return alert.model_copy(update=update)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as server:
        yield server


def _am_alerts(alertmanager_url: str, alert_id: str) -> list[dict]:
    response = httpx.get(f"{alertmanager_url}/api/v2/alerts", params={"filter": f'alert_id="{alert_id}"'}, timeout=5)
    response.raise_for_status()
    return response.json()


async def _deliver(sink: object, alert: Alert) -> Delivery:
    async with httpx.AsyncClient(timeout=POLICY.timeout) as client:
        return await deliver(client, sink, alert, POLICY)  # type: ignore[arg-type]


def test_alertmanager_receives_raises_severity_changes_and_resolutions(alertmanager_url: str) -> None:
    run = uuid.uuid4().hex[:12]
    sink = AlertmanagerSink(alertmanager_url)
    alert = make_alert(run)
    assert asyncio.run(_deliver(sink, alert)).ok
    stored = _am_alerts(alertmanager_url, alert.alert_id)
    assert len(stored) == 1
    labels = stored[0]["labels"]
    assert labels["signal"] == "talks_failed" and labels["pair"] == "AFG-PAK" and labels["severity"] == "warning"
    assert labels["country_a"] == "AFG" and labels["country_b"] == "PAK"
    assert "Pakistan -> Afghanistan" in stored[0]["annotations"]["summary"]
    assert stored[0]["status"]["state"] == "active"

    critical = alert.model_copy(update={"severity": Severity.CRITICAL, "revision": 2, "status": AlertStatus.UPDATED})
    assert asyncio.run(_deliver(sink, critical)).ok
    assert [a["labels"]["severity"] for a in _am_alerts(alertmanager_url, alert.alert_id)] == ["critical"]

    resolved = critical.model_copy(
        update={"status": AlertStatus.RESOLVED, "revision": 3, "resolved_at": datetime.now(UTC)}
    )
    assert asyncio.run(_deliver(sink, resolved)).ok
    assert _am_alerts(alertmanager_url, alert.alert_id) == [], "a resolved alert must leave the active list"


def test_signed_webhook_is_delivered_and_verified(receiver: Receiver) -> None:
    alert = make_alert(uuid.uuid4().hex[:12])
    result = asyncio.run(_deliver(WebhookSink("ops", receiver.url, SECRET), alert))
    assert result.ok and result.status == 204
    assert receiver.received == [(alert, True)]


def test_wrong_secret_is_rejected_by_the_receiver_and_not_retried(receiver: Receiver) -> None:
    result = asyncio.run(_deliver(WebhookSink("ops", receiver.url, SecretStr("wrong")), make_alert("wrong")))
    assert not result.ok and result.status == 401 and result.attempts == 1
    assert [valid for _, valid in receiver.received] == [False]


def test_dispatcher_counts_a_dead_receiver_after_bounded_retries(receiver: Receiver) -> None:
    dead = WebhookSink("dead", f"http://127.0.0.1:{free_port()}/nothing", SECRET)
    live = WebhookSink("ops", receiver.url, SECRET)
    results: list[Delivery] = []
    attempts: list[str] = []

    async def go() -> None:
        dispatcher = Dispatcher(
            [dead, live], POLICY, on_attempt=lambda sink, retried: attempts.append(sink), on_result=results.append
        )
        task = asyncio.create_task(dispatcher.run())
        dispatcher.submit(make_alert("dispatch"))
        await asyncio.wait_for(dispatcher.drain(), timeout=30)
        task.cancel()

    asyncio.run(go())
    # Each sink has its own lane, so the two results come in either order.
    assert sorted((r.sink, r.ok) for r in results) == [("dead", False), ("ops", True)]
    assert attempts.count("dead") == POLICY.attempts and attempts.count("ops") == 1
    assert len(receiver.received) == 1
