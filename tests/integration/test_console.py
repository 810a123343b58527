"""The web console in a real headless browser (Debian's chromium driven by Playwright), over a store on the real
PostgreSQL fed through the real broker.

The seed story goes through the embedded pipeline, its events and every alert revision onto Kafka, and the store's
consumer into PostgreSQL; the page must list the story's alerts, show an alert pushed through the broker afterwards
without a reload, and show an alert's evidence on its page. Screenshots go to build/ (look at them).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from powderkeg_contracts import ActorClass, Alert, AlertStatus, Severity, Side, pair_of
from powderkeg_runtime.codec import encode
from powderkeg_runtime.webserver import UvicornThread
from powderkeg_store import schema
from powderkeg_store.api.app import build_app
from powderkeg_store.consumer import StoreConsumer
from powderkeg_store.db import open_store
from tests.support.kafka import produce
from tests.support.polling import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LIVE_BOUND_S = 20.0
"""A pushed alert must be on the page within this (the consumer polls every 0.5 s, the stream every second)."""


@pytest.fixture(scope="module")
def seed() -> tuple[list[object], list[Alert]]:
    from powderkeg_cli.embedded import _read, run_pipeline

    raws, _ = _read([str(ROOT / "seeds" / "000_63084aac38a30e02.txt")])
    result = run_pipeline(raws)
    assert result.alerts, "the seed story raises alerts"
    return list(result.events), result.revisions


@pytest.fixture
def console(
    seed: tuple[list[object], list[Alert]],
    database_factory: Callable[[], str],
    kafka_bootstrap: str,
    topic_factory: Callable[..., str],
    unique_group: str,
) -> Iterator[tuple[str, Callable[[Alert], None], list[Alert]]]:
    events, revisions = seed
    names = (topic_factory("events"), topic_factory("alerts"), topic_factory("outcomes"))
    engine: Engine = open_store(database_factory())
    produce(kafka_bootstrap, names[0], [(e.sides.key, encode(e)) for e in events])  # type: ignore[attr-defined]
    produce(kafka_bootstrap, names[1], [(a.alert_id, encode(a)) for a in revisions])
    consumer = StoreConsumer(engine, bootstrap=kafka_bootstrap, group_id=unique_group, topic_names=names)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    latest = list({a.alert_id: a for a in revisions}.values())
    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.alerts)).scalar_one())

    wait_for(stored, 60, "every alert in the store", every_s=0.2, until=lambda n: n == len(latest))
    token = secrets.token_urlsafe(12)
    server = UvicornThread(build_app(engine, token=SecretStr(token)), "127.0.0.1", 0, graceful_s=1).start()

    def push(alert: Alert) -> None:
        produce(kafka_bootstrap, names[1], [(alert.alert_id, encode(alert))])

    try:
        yield f"http://127.0.0.1:{server.port}/#token={token}", push, latest
    finally:
        server.stop()
        stop.set()
        thread.join(timeout=10)
        consumer.close()
        engine.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} missing: `bash deploy/stack.sh install` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _intrastate_alert(template: Alert) -> Alert:
    sides = pair_of(
        Side(country="SDN", actor_class=ActorClass.STATE_FORCES, label="Sudan"),
        Side(country="SDN", actor_class=ActorClass.REBELS, group="Rapid Support Forces",
             label="Rapid Support Forces (SDN)"),
    )
    return template.model_copy(update={
        "alert_id": "armed_clash.SDN-SDN.rebels.rapid_support_forces.livetest",
        "signal": "armed_clash", "title": "Armed clashes", "severity": Severity.CRITICAL,
        "status": AlertStatus.RAISED, "revision": 1, "sides": sides, "kind": sides.kind,
        "countries": sides.countries, "summary": "Armed clashes (Sudan vs Rapid Support Forces): pushed by the test",
        "evidence": ("Heavy fighting between the army and the RSF was reported in El Fasher.",),
        "locations": ("El Fasher",), "first_seen": template.last_seen + timedelta(hours=1),
        "last_seen": template.last_seen + timedelta(hours=1),
    })


def test_the_console_lists_the_story_follows_the_stream_and_shows_evidence(
    console: tuple[str, Callable[[Alert], None], list[Alert]], browser: object
) -> None:
    url, push, alerts = console
    BUILD.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".alert", timeout=20_000)
    page.wait_for_selector("#live[data-state=live]", timeout=20_000)
    shown = page.eval_on_selector_all(".alert", "cards => cards.map(c => c.dataset.alertId)")
    assert set(shown) == {a.alert_id for a in alerts}
    titles = page.inner_text("#alerts")
    assert all(a.title in titles and a.sides.label in titles for a in alerts)
    page.wait_for_timeout(800)  # let the map and the chart draw
    page.screenshot(path=str(BUILD / "console-list.png"))

    page.evaluate("window.__sameDocument = true")
    live = _intrastate_alert(alerts[0])
    pushed = time.monotonic()
    push(live)
    page.wait_for_selector(f'[data-alert-id="{live.alert_id}"]', timeout=LIVE_BOUND_S * 1000)
    latency = time.monotonic() - pushed
    print(f"\npushed alert on the page after {latency:.2f} s (bound {LIVE_BOUND_S:.0f} s)")
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    card = page.inner_text(f'[data-alert-id="{live.alert_id}"]')
    assert live.sides.label in card and "NEW" in card and "intrastate" in card
    assert page.eval_on_selector_all(".alert", "cards => cards[0].dataset.alertId") == live.alert_id
    page.screenshot(path=str(BUILD / "console-live.png"))

    target = max(alerts, key=lambda a: len(a.evidence))
    page.click(f'[data-alert-id="{target.alert_id}"] a.title')
    page.wait_for_selector("[data-testid=evidence] li", timeout=15_000)
    page.wait_for_selector("[data-testid=timeline] li", timeout=15_000)
    evidence = page.inner_text("[data-testid=evidence]")
    assert all(sentence in evidence for sentence in target.evidence)
    assert page.inner_text("[data-testid=alert-title]") == target.title
    page.wait_for_timeout(800)
    page.screenshot(path=str(BUILD / "console-alert.png"))
    assert errors == []
