"""The push API in process over httpx's ASGI transport (the real broker is exercised by the integration tests)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from powderkeg_ingest.core.pipeline import IngestCore
from powderkeg_ingest.http_api import build_app
from powderkeg_ingest.ingestor import Ingestor
from tests.support.asgi import TestClient
from tests.support.sinks import RecordingSink

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = "WASHINGTON — The State Department said talks with both governments would resume next week in Doha."


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def client(sink: RecordingSink) -> TestClient:
    app = build_app(Ingestor(IngestCore(), sink), token=SecretStr(TOKEN), max_body_bytes=2000)
    return TestClient(app, client=("203.0.113.5", 5000))


def test_one_json_article_is_accepted_after_the_flush(client: TestClient, sink: RecordingSink) -> None:
    resp = client.post("/v1/articles", json={"id": "push-1", "text": BODY, "title": "Talks"}, headers=AUTH)
    assert resp.status_code == 202, resp.text
    assert resp.json()["article_ids"] == ["push-1"]
    assert [a.article_id for a in sink.articles] == ["push-1"]
    assert sink.articles[0].origin.value == "http"
    assert sink.flushes == 1


def test_jsonl_batch_reports_per_line_errors(client: TestClient, sink: RecordingSink) -> None:
    lines = [json.dumps({"text": BODY}), "{broken", json.dumps({"text": BODY}), json.dumps({"text": "Other. " * 9})]
    resp = client.post(
        "/v1/articles",
        content="\n".join(lines).encode(),
        headers={**AUTH, "Content-Type": "application/x-ndjson"},
    )
    assert resp.status_code == 202
    payload = resp.json()
    assert [e["line"] for e in payload["errors"]] == [2]
    assert payload["errors"][0]["reason"] == "invalid_json"
    assert [r["status"] for r in payload["results"]] == ["published", "exact_duplicate", "published"]
    assert len(payload["article_ids"]) == 3 and payload["article_ids"][0] == payload["article_ids"][1]
    (letter,) = sink.letters
    assert letter.origin == "http:203.0.113.5:2"


@pytest.mark.parametrize(
    ("headers", "why"),
    [({}, "bad bearer token"), ({"Authorization": "Bearer wrong"}, "bad"), ({"Authorization": TOKEN}, "bad")],
)
def test_missing_or_wrong_token_is_401(client: TestClient, headers: dict[str, str], why: str) -> None:
    resp = client.post("/v1/articles", json={"text": BODY}, headers=headers)
    assert resp.status_code == 401
    assert why in resp.json()["error"]


def test_without_a_configured_token_every_push_is_refused(sink: RecordingSink) -> None:
    client = TestClient(build_app(Ingestor(IngestCore(), sink), token=None, max_body_bytes=2000))
    resp = client.post("/v1/articles", json={"text": BODY}, headers={"Authorization": "Bearer "})
    assert resp.status_code == 401 and "no push token" in resp.json()["error"]
    assert sink.articles == []


def test_body_over_the_limit_is_413(client: TestClient, sink: RecordingSink) -> None:
    resp = client.post("/v1/articles", json={"text": "x" * 3000}, headers=AUTH)
    assert resp.status_code == 413
    assert sink.articles == [] and sink.letters == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"[1]", "not_an_object"),
        (b'{"title": "t"}', "missing_text"),
        (b'{"text": "   "}', "empty_text"),
        (b'{"text": "ok", "id": "bad id"}', "invalid_id"),
    ],
)
def test_malformed_json_bodies_are_400_with_a_reason(
    client: TestClient, sink: RecordingSink, body: bytes, reason: str
) -> None:
    resp = client.post("/v1/articles", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["reason"] == reason
    assert len(sink.letters) == 1 and sink.articles == []


def test_other_content_types_are_415(client: TestClient) -> None:
    resp = client.post("/v1/articles", content=BODY.encode(), headers={**AUTH, "Content-Type": "text/plain"})
    assert resp.status_code == 415


def test_empty_body_is_400(client: TestClient) -> None:
    resp = client.post("/v1/articles", content=b"  ", headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 400


def test_openapi_describes_the_push_endpoint(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    post = doc["paths"]["/v1/articles"]["post"]
    assert set(post["responses"]) == {"202", "400", "401", "408", "413", "415", "503"}
    assert "text" in doc["components"]["schemas"]["RawArticle"]["required"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
