"""The stage skeleton without faust: what is sent, in which order, and when the worker must exit for a replay."""

from __future__ import annotations

import asyncio
import logging
import types
from typing import Any

import pytest

from powderkeg_contracts import DeadLetter, topics
from powderkeg_runtime.codec import decode
from powderkeg_runtime.stage import Output, Rejected, Stage
from tests.support.agents import CapturedSends
from tests.support.events import build_event


class _Topic:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_topic_name(self) -> str:
        return self.name


OUT, DLQ = _Topic("out"), _Topic("out.dlq")


def _message(value: bytes, offset: int = 7) -> Any:
    return types.SimpleNamespace(topic=topics.EVENTS, partition=1, offset=offset, key=b"k", value=value, timestamp=None)


def _stage(handler: Any, send: Any, exits: list[str], **options: Any) -> Stage[Any]:
    from powderkeg_contracts import EventRecord

    return Stage(
        "alerting",
        EventRecord,
        handler,
        dlq_topic=DLQ,
        error_reason="engine_error",
        log=logging.getLogger("test.stage"),
        send=send,
        exit_for_replay=lambda log, what: exits.append(what),
        **options,
    )


def _event() -> bytes:
    from powderkeg_contracts import PloverType

    return build_event(PloverType.REJECT, "125", "Talks collapsed.", "collapsed").model_dump_json().encode()


def test_outputs_are_sent_in_order_each_hook_after_its_own_send() -> None:
    captured, seen, exits = CapturedSends(), [], []

    async def handler(record: Any, message: Any) -> list[Output]:
        return [Output(OUT, f"k{n}".encode(), b"v", lambda n=n: seen.append((n, len(captured.sent)))) for n in range(3)]

    asyncio.run(_stage(handler, captured, exits).consume(_message(_event())))
    assert [key for _, key, _, _ in captured.sent] == [b"k0", b"k1", b"k2"]
    assert seen == [(0, 1), (1, 2), (2, 3)], "a hook runs once its own output is acknowledged, before the next send"
    assert exits == []


def test_rejected_names_the_reason_and_the_cause_goes_in_the_letter() -> None:
    captured, exits = CapturedSends(), []

    async def handler(record: Any, message: Any) -> list[Output]:
        raise Rejected("too_large", OverflowError("too big"))

    asyncio.run(_stage(handler, captured, exits).consume(_message(_event())))
    [(name, key, value, headers)] = captured.sent
    letter = decode(DeadLetter, value)
    assert name == "out.dlq" and key == b"k" and letter.error_class == "builtins.OverflowError"
    assert dict(headers)["__connect.errors.offset"] == b"7" and exits == []


def test_crash_on_errors_and_failed_sends_exit_for_replay_instead_of_acking() -> None:
    exits: list[str] = []

    async def infrastructure(record: Any, message: Any) -> list[Output]:
        raise ConnectionError("changelog not writable")

    captured = CapturedSends()
    asyncio.run(_stage(infrastructure, captured, exits, crash_on=(ConnectionError,)).consume(_message(_event())))
    assert captured.sent == [], "an infrastructure error is not the event's fault: no dead letter"
    assert exits == [f"{topics.EVENTS}@7 neither processed nor dead-lettered"]

    async def failing_send(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        raise TimeoutError("broker gone")

    async def fine(record: Any, message: Any) -> list[Output]:
        return [Output(OUT, b"k", b"v")]

    exits.clear()
    asyncio.run(_stage(fine, failing_send, exits).consume(_message(_event(), offset=8)))
    asyncio.run(_stage(fine, failing_send, exits).consume(_message(b"not json", offset=9)))
    assert exits == [
        f"{topics.EVENTS}@8 neither processed nor dead-lettered",
        f"{topics.EVENTS}@9 neither processed nor dead-lettered",
    ], "neither an output nor a dead letter the broker does not take may be acked"


@pytest.mark.parametrize("value", [b"", b"[1]", b'{"schema_version": 99}'])
def test_undecodable_values_never_reach_the_handler(value: bytes) -> None:
    captured, exits, called = CapturedSends(), [], []

    async def handler(record: Any, message: Any) -> list[Output]:
        called.append(record)
        return []

    asyncio.run(_stage(handler, captured, exits).consume(_message(value)))
    assert called == [] and [name for name, *_ in captured.sent] == ["out.dlq"] and exits == []


def test_the_metrics_middleware_counts_attempts_and_failures_and_times_only_processed_messages() -> None:
    from prometheus_client import REGISTRY

    from powderkeg_runtime.middleware import Handled, PrometheusMiddleware

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    stage = {"stage": "middleware-test"}
    before = (
        sample("powderkeg_messages_consumed_total", topic=topics.EVENTS),
        sample("powderkeg_processing_attempts_total", **stage),
        sample("powderkeg_processing_failures_total", **stage, reason="invalid_json"),
        sample("powderkeg_processing_seconds_count", **stage),
    )
    middleware = PrometheusMiddleware("middleware-test")

    async def processed(message: Any) -> Handled:
        return Handled()

    async def rejected(message: Any) -> Handled:
        return Handled(rejected="invalid_json")

    asyncio.run(middleware(_message(b""), processed))
    asyncio.run(middleware(_message(b""), rejected))
    after = (
        sample("powderkeg_messages_consumed_total", topic=topics.EVENTS),
        sample("powderkeg_processing_attempts_total", **stage),
        sample("powderkeg_processing_failures_total", **stage, reason="invalid_json"),
        sample("powderkeg_processing_seconds_count", **stage),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2, 1, 1]
    assert sample("powderkeg_last_processed_timestamp_seconds", **stage) > 0
