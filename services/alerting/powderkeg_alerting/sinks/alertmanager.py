"""Alertmanager v2 sink: ``POST /api/v2/alerts`` with one alert per Powderkeg alert episode.

Alertmanager identifies an alert by its label set, so labels hold only what identifies the episode and routes it
(alertname, signal, severity, pair, side_a, side_b, kind, country_a, country_b, alert_id); everything human goes
to annotations (the summary, the sides by name and class, evidence, links). An open
alert is posted without ``endsAt`` (Alertmanager then expires it after its resolve_timeout unless re-sent, which the
service does periodically); a resolved one with ``endsAt``. When severity rises, the label set changes: the alert
under the old severity is ended explicitly so that it does not linger as a second alert.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from powderkeg_contracts import Alert, AlertStatus, Direction, Severity

MAX_EVIDENCE_CHARS = 1000


def _is_link(url: str) -> bool:
    """Ingest validates URLs once; this only keeps a link Alertmanager would refuse (422, for that alert for ever)
    from being sent when an event came from elsewhere: http(s), printable ASCII, no spaces."""
    return url.startswith(("http://", "https://")) and url.isascii() and url.isprintable() and " " not in url


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def labels(alert: Alert, severity: Severity | None = None) -> dict[str, str]:
    return {
        "alertname": "PowderkegEscalation" if alert.direction is Direction.ESCALATION else "PowderkegDeescalation",
        "signal": alert.signal,
        "severity": (severity or alert.severity).value,
        "pair": alert.sides.key,
        "side_a": alert.sides.a.key,
        "side_b": alert.sides.b.key if alert.sides.b is not None else "",
        "kind": alert.kind.value,
        "country_a": alert.countries[0] if alert.countries else "",
        "country_b": alert.countries[-1] if alert.countries else "",
        "alert_id": alert.alert_id,
    }


def to_alertmanager(alert: Alert, *, ended_severity: Severity | None = None) -> dict[str, Any]:
    """The Alertmanager v2 representation of ``alert``; with ``ended_severity``, the ended alert under that severity."""
    payload: dict[str, Any] = {
        "labels": labels(alert, ended_severity),
        "annotations": {
            "summary": alert.summary,
            "sides": alert.sides.label,
            "evidence": "\n".join(alert.evidence)[:MAX_EVIDENCE_CHARS],
            "links": "\n".join(alert.urls[:10]),
            "confidence": f"{alert.confidence:.2f}",
            "articles": str(len(alert.article_ids)),
            "stories": str(len(alert.story_ids)),
            "revision": str(alert.revision),
        },
        "startsAt": _iso(alert.first_seen),
    }
    link = next((url for url in alert.urls if _is_link(url)), None)
    if link is not None:
        payload["generatorURL"] = link
    if alert.status is AlertStatus.RESOLVED:
        payload["endsAt"] = _iso(alert.resolved_at or alert.last_seen)
    elif ended_severity is not None:
        payload["endsAt"] = _iso(alert.last_seen)
    return payload


class AlertmanagerSink:
    """Posts alerts to one Alertmanager; remembers each open alert's last severity to end superseded label sets."""

    name = "alertmanager"

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/api/v2/alerts"
        self._severity: dict[str, Severity] = {}

    def build_request(self, alert: Alert) -> httpx.Request:
        body = [to_alertmanager(alert)]
        previous = self._severity.get(alert.alert_id)
        if previous is not None and previous is not alert.severity:
            body.append(to_alertmanager(alert, ended_severity=previous))
        return httpx.Request(
            "POST", self.url, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )

    def on_delivered(self, alert: Alert) -> None:
        """Remember the severity Alertmanager now holds (only after success, so a retry still ends the old one)."""
        if alert.status is AlertStatus.RESOLVED:
            self._severity.pop(alert.alert_id, None)
        else:
            self._severity[alert.alert_id] = alert.severity
