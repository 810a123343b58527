"""The stage skeleton without faust: what is sent, in which order, and when the worker must exit for a replay."""

from __future__ import annotations

import asyncio
import logging
import types
from typing import Any

import pytest

from powderkeg_contracts import DeadLetter, EventRecord, topics
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
    assert seen == [(0, 2), (1, 2), (2, 3)], "the first outputs go out together, the last only after they are acked"
    assert exits == []


class _ProducingTopic:
    """A faust topic whose ``send`` hands the record over and returns its acknowledgement, still pending."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handed: list[bytes] = []
        self.acks: list[asyncio.Future[None]] = []

    def get_topic_name(self) -> str:
        return self.name

    async def send(self, *, key: bytes, value: bytes, headers: Any, force: bool) -> asyncio.Future[None]:
        self.handed.append(key)
        self.acks.append(asyncio.get_running_loop().create_future())
        return self.acks[-1]


def test_a_messages_outputs_are_in_flight_together_and_the_last_waits_for_them() -> None:
    events, outcomes = _ProducingTopic("events"), _ProducingTopic("outcomes")
    exits: list[str] = []

    async def handler(record: Any, message: Any) -> list[Output]:
        return [Output(events, f"e{n}".encode(), b"v") for n in range(3)] + [Output(outcomes, b"done", b"v")]

    async def scenario() -> list[tuple[list[bytes], list[bytes]]]:
        stage = Stage("extractor", EventRecord, handler, dlq_topic=DLQ, error_reason="extraction_error",
                      log=logging.getLogger("test.stage"), exit_for_replay=lambda log, what: exits.append(what))
        task = asyncio.create_task(stage.consume(_message(_event())))
        views = []
        for _ in range(5):
            await asyncio.sleep(0)
        views.append((list(events.handed), list(outcomes.handed)))
        for ack in events.acks[:2]:
            ack.set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)
        views.append((list(events.handed), list(outcomes.handed)))
        events.acks[2].set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)
        views.append((list(events.handed), list(outcomes.handed)))
        outcomes.acks[0].set_result(None)
        await asyncio.wait_for(task, 5)
        return views

    views = asyncio.run(scenario())
    assert views[0] == ([b"e0", b"e1", b"e2"], []), "all events handed over before any is acknowledged"
    assert views[1] == ([b"e0", b"e1", b"e2"], []), "the outcome waits for every event's acknowledgement"
    assert views[2] == ([b"e0", b"e1", b"e2"], [b"done"])
    assert exits == []


def test_a_refused_output_among_several_dead_letters_the_message_and_the_last_is_not_sent() -> None:
    from aiokafka.errors import MessageSizeTooLargeError

    captured, exits = CapturedSends(), []

    async def send(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        if key == b"k1":
            raise MessageSizeTooLargeError("the topic's max.message.bytes is smaller")
        await captured(topic, key, value, headers)

    async def handler(record: Any, message: Any) -> list[Output]:
        return [Output(OUT, f"k{n}".encode(), b"v") for n in range(3)] + [Output(OUT, b"last", b"v")]

    asyncio.run(_stage(handler, send, exits).consume(_message(_event())))
    names_keys = [(name, key) for name, key, _, _ in captured.sent]
    assert ("out", b"last") not in names_keys and names_keys[0] == ("out", b"k0")
    assert names_keys[-1][0] == "out.dlq" and exits == []


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


def _skipped(reason: str) -> float:
    from prometheus_client import REGISTRY

    labels = {"stage": "alerting", "reason": reason}
    return REGISTRY.get_sample_value("powderkeg_messages_skipped_total", labels) or 0.0


async def _one_output(record: Any, message: Any) -> list[Output]:
    return [Output(OUT, b"k", b"v")]


def test_an_output_over_the_producers_limit_dead_letters_the_message_with_nothing_sent() -> None:
    from powderkeg_contracts import limits

    captured, exits = CapturedSends(), []

    async def huge(record: Any, message: Any) -> list[Output]:
        return [Output(OUT, b"k", b"small"), Output(OUT, b"k", b"x" * limits.PRODUCER_MAX_REQUEST_BYTES)]

    asyncio.run(_stage(huge, captured, exits).consume(_message(_event())))
    [(name, _, value, _)] = captured.sent
    letter = decode(DeadLetter, value)
    assert name == "out.dlq" and letter.error_class.endswith("OutputTooLarge") and exits == []
    assert "exceeds the producer's limit" in letter.error_message


def test_an_output_the_broker_refuses_for_its_size_dead_letters_the_message() -> None:
    from aiokafka.errors import MessageSizeTooLargeError

    captured, exits = CapturedSends(), []

    async def send(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        if topic is OUT:
            raise MessageSizeTooLargeError("the topic's max.message.bytes is smaller")
        await captured(topic, key, value, headers)

    asyncio.run(_stage(_one_output, send, exits).consume(_message(_event())))
    [(name, _, value, _)] = captured.sent
    assert name == "out.dlq" and decode(DeadLetter, value).error_class.endswith("MessageSizeTooLargeError")
    assert exits == []


def test_a_message_whose_dead_letter_is_refused_is_recorded_by_reference_counted_and_skipped() -> None:
    import hashlib

    from aiokafka.errors import RecordTooLargeError

    captured, exits = CapturedSends(), []

    async def send(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        if len(value) > 2_000:
            raise RecordTooLargeError("the dead-letter topic takes 2,000 bytes")
        await captured(topic, key, value, headers)

    poison = b"\xff" * 50_000
    before = _skipped("invalid_utf8")
    asyncio.run(_stage(_one_output, send, exits).consume(_message(poison, offset=11)))
    [(name, key, value, headers)] = captured.sent
    letter = decode(DeadLetter, value)
    assert name == "out.dlq" and key == b"" and exits == []
    assert letter.truncated and letter.original_value == "" and letter.original_key is None
    assert (letter.original_topic, letter.original_partition, letter.original_offset) == (topics.EVENTS, 1, 11)
    assert letter.original_size == 50_000 and letter.original_sha256 == hashlib.sha256(poison).hexdigest()
    assert "invalid_utf8" in letter.error_message and "refused" in letter.error_message
    assert dict(headers)["__powderkeg.errors.reference"] == b"true"
    assert _skipped("invalid_utf8") == before + 1


def test_a_message_no_letter_at_all_can_be_written_for_is_logged_by_reference_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aiokafka.errors import RecordTooLargeError

    exits: list[str] = []

    async def refuse_all(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        raise RecordTooLargeError("nothing fits")

    before = _skipped("output_refused")
    with caplog.at_level(logging.CRITICAL, logger="test.stage"):
        asyncio.run(_stage(_one_output, refuse_all, exits).consume(_message(_event(), offset=12)))
    assert exits == [] and _skipped("output_refused") == before + 1
    assert any(
        f"{topics.EVENTS}[1]@12" in record.getMessage() and "sha256" in record.getMessage() for record in caplog.records
    )


def test_a_dead_letter_lost_to_a_broker_outage_is_replayed_not_skipped() -> None:
    exits: list[str] = []
    calls: list[str] = []

    async def send(topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        calls.append(topic.get_topic_name())
        raise TimeoutError("broker gone")

    before = _skipped("invalid_json")
    asyncio.run(_stage(_one_output, send, exits).consume(_message(b"not json", offset=13)))
    assert calls == ["out.dlq"], "no reference letter: the broker, not the message, is at fault"
    assert exits == [f"{topics.EVENTS}@13 neither processed nor dead-lettered"]
    assert _skipped("invalid_json") == before
