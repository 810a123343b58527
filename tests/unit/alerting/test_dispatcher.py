"""The dispatcher's lanes: a sink that never answers delays no other sink, and its overflow is counted."""

from __future__ import annotations

import asyncio

import httpx
from prometheus_client import REGISTRY
from pydantic import SecretStr

from powderkeg_alerting.sinks import RetryPolicy, WebhookSink
from powderkeg_alerting.sinks.base import MAX_ANSWER_BYTES, deliver
from powderkeg_alerting.sinks.dispatcher import Dispatcher
from powderkeg_contracts import Alert
from tests.support.events import EventFactory, talks_alert

SECRET = SecretStr("s")


def _dropped(sink: str) -> float:
    return REGISTRY.get_sample_value("powderkeg_alert_delivery_dropped_total", {"sink": sink}) or 0.0


def test_a_webhook_that_never_answers_delays_no_other_sink(make_event: EventFactory) -> None:
    alerts = [talks_alert(make_event).model_copy(update={"revision": n}) for n in range(1, 7)]
    dead = WebhookSink("never-answers", "http://dead.example/hook", SECRET)
    live = WebhookSink("works", "http://live.example/hook", SECRET)
    live_got: list[int] = []
    dead_started: list[int] = []
    dead_finished: list[int] = []
    dropped_before = _dropped("never-answers"), _dropped("works")

    async def handler(request: httpx.Request) -> httpx.Response:
        revision = Alert.model_validate_json(request.content).revision
        if request.url.host == "dead.example":
            dead_started.append(revision)
            await asyncio.sleep(3600)
            dead_finished.append(revision)
        live_got.append(revision)
        return httpx.Response(200)

    async def scenario() -> None:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        policy = RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01, timeout=30.0)
        dispatcher = Dispatcher([dead, live], policy, client=client, queue_size=3)
        runner = asyncio.create_task(dispatcher.run())
        for alert in alerts:
            dispatcher.submit(alert)
            await asyncio.sleep(0)
        for _ in range(400):  # bounded: the live sink needs a few event-loop turns, not time
            if len(live_got) == len(alerts):
                break
            await asyncio.sleep(0.005)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await client.aclose()

    asyncio.run(scenario())
    assert live_got == [1, 2, 3, 4, 5, 6]  # every alert, in order, while the dead sink's first attempt still hangs
    assert dead_started == [1] and dead_finished == []
    # The dead lane holds one alert in flight and three queued: the other two were dropped, counted, and only there.
    assert _dropped("never-answers") - dropped_before[0] == 2
    assert _dropped("works") - dropped_before[1] == 0


def test_an_attempt_has_a_total_deadline_and_a_bounded_answer(make_event: EventFactory) -> None:
    alert = talks_alert(make_event)
    sink = WebhookSink("trickle", "http://trickle.example/hook", SECRET)

    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def,override]
            while True:  # one byte at a time, for ever: each read is quick, the whole never ends
                await asyncio.sleep(0.01)
                yield b"x"

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def,override]
            while True:
                yield b"y" * 65536

    async def trickling(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle())

    async def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, stream=Endless())

    async def scenario(handler: object) -> object:
        class Transport(httpx.AsyncBaseTransport):  # MockTransport reads the whole answer; this one streams it
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                return await handler(request)  # type: ignore[operator,no-any-return]

        async with httpx.AsyncClient(transport=Transport()) as client:
            return await deliver(client, sink, alert, RetryPolicy(attempts=2, base_delay=0.0, timeout=0.3))

    slow = asyncio.run(scenario(trickling))
    assert not slow.ok and slow.attempts == 2 and "within 0.3s" in (slow.error or "")  # type: ignore[attr-defined]
    huge = asyncio.run(scenario(endless))
    assert not huge.ok and huge.status == 500  # type: ignore[attr-defined]
    assert len(huge.error or "") < MAX_ANSWER_BYTES  # type: ignore[attr-defined]


def test_a_link_alertmanager_would_refuse_never_becomes_its_generator_url(make_event: EventFactory) -> None:
    from powderkeg_alerting.sinks import to_alertmanager

    alert = talks_alert(make_event)
    for bad in ("javascript:alert(1)", "https://news.example/a story", "https://news.example/\u00e9"):
        assert "generatorURL" not in to_alertmanager(alert.model_copy(update={"urls": (bad,)}))
    mixed = alert.model_copy(update={"urls": ("javascript:x", "https://news.example/ok")})
    assert to_alertmanager(mixed)["generatorURL"] == "https://news.example/ok"
