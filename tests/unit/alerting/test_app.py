"""The faust agent, functionally: ``agent.test_context()`` with ``store="memory://"``, no broker.

Producing to Kafka is replaced by a capture (the service's ``send``) and the engine's store by dicts, because a test
context starts no producer for topics or table changelogs. Tables, the real producer and restarts are covered by
tests/integration/test_alerting_service.py against the real broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

from powderkeg_alerting.app import AlertingService
from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.state import EngineStore
from powderkeg_alerting.settings import AlertingSettings
from powderkeg_contracts import Alert, DeadLetter, PloverType, topics
from powderkeg_runtime.codec import decode, encode
from tests.support.agents import CapturedSends, ready_for_test
from tests.support.agents import run_agent as run_in_context
from tests.support.events import build_event

TALKS = "Pakistan said its peace talks with Afghanistan have collapsed."


class CapturingService(AlertingService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.captured = CapturedSends()
        super().__init__(*args, send=self.captured, **kwargs)
        self.sent = self.captured.sent
        self.engine = AlertEngine(self.engine.rules, store=EngineStore())


@pytest.fixture
def service() -> Iterator[CapturingService]:
    settings = AlertingSettings(alerting_alertmanager_url="", alerting_app_id="test-alerting")
    svc = CapturingService(settings, sinks=[], store="memory://")
    ready_for_test(svc.app)
    yield svc


def run_agent(service: CapturingService, *values: bytes) -> None:
    run_in_context(service.app, service.agent, *values)


def test_agent_produces_alerts_keyed_by_alert_id_and_dead_letters_bad_bytes(service: CapturingService) -> None:
    event = build_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    run_agent(service, encode(event), b'{"event_id": 42', encode(event))
    alerts = [(key, decode(Alert, value)) for topic, key, value, _ in service.sent if topic == topics.ALERTS]
    assert all(key == alert.alert_id.encode() for key, alert in alerts)
    # The redelivered event changes nothing: it re-publishes the same alert, same revision (crash recovery).
    assert [(a.signal, a.revision) for _, a in alerts] == [("talks_failed", 1), ("talks_failed", 1)]
    assert alerts[0][1] == alerts[1][1]
    letters = [
        (decode(DeadLetter, value), dict(headers))
        for topic, _, value, headers in service.sent
        if topic == topics.EVENTS_DLQ
    ]
    assert len(letters) == 1
    letter, headers = letters[0]
    assert letter.stage == "alerting" and letter.error_class.endswith("DecodeError")
    assert headers["__connect.errors.topic"] == topics.EVENTS.encode()
    assert "invalid_json" in headers["__connect.errors.exception.message"].decode()


def test_engine_bug_is_dead_lettered_not_acked_silently(service: CapturingService) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("engine bug")

    service.engine.step = broken  # type: ignore[method-assign]
    run_agent(service, encode(build_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")))
    letters = [decode(DeadLetter, value) for topic, _, value, _ in service.sent if topic == topics.EVENTS_DLQ]
    assert [letter.error_class for letter in letters] == ["builtins.ZeroDivisionError"]


def test_index_gauge_exports_only_the_top_pairs(service: CapturingService) -> None:
    from prometheus_client import REGISTRY

    from powderkeg_contracts import Actor, Sector

    countries = ["AFG", "ARM", "AZE", "COL", "ERI", "ETH", "IND", "IRN", "ISR", "LBN", "MLI", "NER", "PAK", "RUS"]
    for n, (a, b) in enumerate(pairwise(countries)):
        for k in range(n + 1):
            service.engine.process(
                build_event(
                    PloverType.ASSAULT,
                    "195",
                    "Shelling across the border.",
                    "shelling",
                    goldstein=-10.0,
                    actor=Actor(name=a, country=a, sector=Sector.MILITARY),
                    recipient=Actor(name=b, country=b, sector=Sector.MILITARY),
                    article=f"{a}{b}{k}",
                )
            )
    top = 5
    service.settings = service.settings.model_copy(update={"alerting_top_pairs": top})
    service.export_gauges()
    exported = {
        s.labels["pair"]: s.value
        for family in REGISTRY.collect()
        if family.name == "powderkeg_pair_escalation_index"
        for s in family.samples
    }
    assert len(exported) == top
    assert "PAK-RUS" in exported and "AFG-ARM" not in exported, "the highest-index pairs are the ones exported"
