"""The query API over a SQLite store, served by uvicorn on a loopback port: auth, filters, pages, CSV, the stream."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from powderkeg_runtime.webserver import UvicornThread
from powderkeg_store.api.app import build_app
from powderkeg_store.core.columns import ALERT_FIELDS, EVENT_FIELDS
from powderkeg_store.db import open_store
from powderkeg_store.writer import Batch, write_batch
from tests.support.store_factory import alert, event

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'api.sqlite'}")
    with engine.begin() as conn:
        events = [event(i, minutes=i, place="Peshawar", place_country="PAK", latitude=34.0, longitude=71.6,
                        geonames_id=1) for i in range(12)]
        write_batch(conn, Batch(events=[(e, None) for e in events], alerts=[alert(1), alert(2)]), datetime.now(UTC))
    yield engine
    engine.dispose()


def _serve(engine: Engine, token: SecretStr | None) -> tuple[UvicornThread, httpx.Client]:
    server = UvicornThread(build_app(engine, token=token, stream_poll_s=0.05), "127.0.0.1", 0, graceful_s=1).start()
    return server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10)


@pytest.fixture
def client(engine: Engine) -> Iterator[httpx.Client]:
    server, client = _serve(engine, SecretStr(TOKEN))
    yield client
    client.close()
    server.stop()


def test_every_v1_route_needs_the_token(engine: Engine, client: httpx.Client) -> None:
    for path in ("/v1/alerts", "/v1/events", "/v1/pairs", "/v1/stats", "/v1/stream", "/v1/map"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    server, anonymous = _serve(engine, None)
    try:
        response = anonymous.get("/v1/alerts", headers=AUTH)
    finally:
        anonymous.close()
        server.stop()
    assert response.status_code == 401 and "POWDERKEG_STORE_API_TOKEN" in response.json()["error"]


def test_the_console_and_the_openapi_document_need_no_token(client: httpx.Client) -> None:
    assert "POWDERKEG" in client.get("/").text
    assert client.get("/static/app.js").status_code == 200
    doc = client.get("/openapi.json").json()
    params = {p["name"] for p in doc["paths"]["/v1/events"]["get"]["parameters"]}
    assert {"country", "cameo", "min_confidence", "cursor", "format"} <= params


def test_alerts_list_and_one_alert(client: httpx.Client) -> None:
    page = client.get("/v1/alerts", params={"severity": "warning"}, headers=AUTH).json()
    assert [a["revision"] for a in page["items"]] == [2]
    assert "event_ids" not in page["items"][0] and page["items"][0]["n_events"] == 1
    one = client.get("/v1/alerts/armed_clash.AFG-PAK.abc", headers=AUTH).json()
    assert [r["revision"] for r in one["revisions"]] == [1, 2] and one["events"][0]["event_id"] == "ev-000001"
    assert client.get("/v1/alerts/nope", headers=AUTH).status_code == 404
    assert client.get("/v1/alerts", params={"severity": "critical"}, headers=AUTH).json()["items"] == []


def test_a_bad_filter_is_a_400_naming_it(client: httpx.Client) -> None:
    response = client.get("/v1/events", params={"min_confidence": "high"}, headers=AUTH)
    assert response.status_code == 400 and response.json()["field"] == "min_confidence"


def test_events_pages_follow_the_cursor(client: httpx.Client) -> None:
    first = client.get("/v1/events", params={"limit": 5, "country": "PAK"}, headers=AUTH).json()
    second = client.get("/v1/events", params={"limit": 5, "cursor": first["next_cursor"], "country": "PAK"},
                        headers=AUTH).json()
    ids = [e["event_id"] for e in first["items"] + second["items"]]
    assert ids == [f"ev-{i:06d}" for i in range(11, 1, -1)]


def test_csv_has_the_documented_columns(client: httpx.Client) -> None:
    events = client.get("/v1/events", params={"format": "csv"}, headers=AUTH)
    assert events.headers["content-type"].startswith("text/csv")
    lines = events.text.splitlines()
    assert lines[0].split(",") == list(EVENT_FIELDS) and len(lines) == 13
    alerts = client.get("/v1/alerts", params={"format": "csv"}, headers=AUTH).text.splitlines()
    assert alerts[0].split(",") == list(ALERT_FIELDS) and len(alerts) == 2


def test_pairs_index_and_map(client: httpx.Client) -> None:
    pairs = client.get("/v1/pairs", headers=AUTH).json()["items"]
    assert pairs[0]["pair_key"] == "AFG-PAK" and pairs[0]["n_events"] == 12 and pairs[0]["open_alerts"] == {
        "warning": 1}
    series = client.get("/v1/pairs/AFG-PAK/index", params={"since": "2026-03-01", "until": "2026-03-02"},
                        headers=AUTH).json()
    assert len(series["points"]) == 25 and max(p["index"] for p in series["points"]) > 0
    assert [a["revision"] for a in series["alerts"]] == [1, 2]
    places = client.get("/v1/map", params={"since": "2026-02-28", "until": "2026-03-02"}, headers=AUTH).json()
    assert places["places"][0]["n_events"] == 12 and places["places"][0]["location"] == "Peshawar"


def test_the_stream_sends_changes_after_the_given_id(client: httpx.Client) -> None:
    with client.stream("GET", "/v1/stream", params={"after": 0}, headers=AUTH) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = []
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("data:"):
                break
    assert "event: alert" in lines and any(line.startswith("id: 2") for line in lines)
    assert '"revision":2' in lines[-1]
    assert client.get("/v1/stream", params={"after": "x"}, headers=AUTH).status_code == 400
