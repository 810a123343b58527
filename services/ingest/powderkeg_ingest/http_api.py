"""The HTTP push API: ``POST /v1/articles`` (one JSON object, or a JSONL batch) and ``GET /openapi.json``.

Pushes go through the same :class:`~powderkeg_ingest.ingestor.Ingestor` as files do, and the response (202) is sent
only after the broker acknowledged the articles, so a 202 means "on the topic". Rejected inputs are dead-lettered with
``http:<client>:<line>`` as their origin and reported per line.

Status codes: 202 accepted (with per-line errors for batches); 400 malformed body; 401 missing or wrong bearer token
(also when no token is configured: the API never accepts anonymous pushes); 408 the body did not arrive within its
deadline; 413 body over the limit or more lines than a batch may have; 415 other content types or a
``Content-Encoding``; 503 the broker did not acknowledge, or ingest is refusing after a failure (with
``Retry-After``): nothing of a 503 push is recorded, so re-sending it is always right.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from powderkeg_contracts import Origin, limits
from powderkeg_ingest import metrics
from powderkeg_ingest.core.pipeline import IngestResult, RawArticle
from powderkeg_ingest.ingestor import Busy, Ingestor
from powderkeg_ingest.publish import PublishError
from powderkeg_ingest.sources.files import Item, parse_json_line
from powderkeg_runtime.auth import bearer_ok
from powderkeg_runtime.webserver import UvicornThread

log = logging.getLogger(__name__)

JSON_TYPES = {"application/json"}
JSONL_TYPES = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines"}
MAX_CONNECTIONS = 64


class _TooLarge(Exception):
    pass


def _clean(text: str) -> str:
    """A message safe to serialise: lone surrogates from hostile input replaced, length bounded."""
    return text[:2000].encode("utf-8", "replace").decode("utf-8")


def _error(status: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    metrics.HTTP_REQUESTS.labels(status=str(status)).inc()
    return JSONResponse({"error": _clean(message), **extra}, status_code=status, headers=headers)


def _unavailable(message: str, retry_after_s: float) -> JSONResponse:
    seconds = max(1, math.ceil(retry_after_s))
    return _error(503, message, headers={"Retry-After": str(seconds)}, retry_after_s=seconds)


def _authorised(request: Request, token: SecretStr | None) -> bool:
    return bearer_ok(request.headers.get("authorization"), token)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _outcome(line: int, result: IngestResult) -> dict[str, Any]:
    if result.article is not None:
        outcome: dict[str, Any] = {
            "line": line,
            "status": result.kind,
            "article_id": result.article.article_id,
            "duplicate_of": result.article.duplicate_of,
        }
        if result.notes:
            outcome["notes"] = [_clean(note) for note in result.notes]
        return outcome
    if result.kind == "exact_duplicate":
        return {
            "line": line,
            "status": result.kind,
            "article_id": result.duplicate_of,
            "duplicate_of": result.duplicate_of,
        }
    return {"line": line, "status": "rejected", "reason": result.reason, "message": _clean(result.message or "")}


def build_app(
    ingestor: Ingestor, *, token: SecretStr | None, max_body_bytes: int, body_timeout_s: float = 30.0
) -> Starlette:
    """The push API over ``ingestor``; ``token`` is the bearer token clients must send.

    ``body_timeout_s`` is the total time a client has to send its body (a client that trickles bytes would
    otherwise hold a connection and a request slot for as long as it likes).
    """

    def process(items: list[Item]) -> list[IngestResult]:
        return ingestor.submit(items)

    async def push(request: Request) -> JSONResponse:
        if not _authorised(request, token):
            why = "no push token is configured (POWDERKEG_INGEST_HTTP_TOKEN)" if token is None else "bad bearer token"
            return _error(401, f"unauthorised: {why}")
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in JSON_TYPES | JSONL_TYPES:
            return _error(415, f"Content-Type must be application/json or application/x-ndjson, not {media[:100]!r}")
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            return _error(415, f"Content-Encoding {encoding[:50]!r} is not accepted; send the body uncompressed")
        waiting = ingestor.health.retry_after()
        if waiting is not None:
            return _unavailable(f"ingest cannot publish right now ({ingestor.health.ready()[1]}); retry", waiting)
        try:
            async with asyncio.timeout(body_timeout_s):
                body = await _read_body(request, max_body_bytes)
        except _TooLarge:
            return _error(413, f"body larger than {max_body_bytes} bytes; split the batch")
        except TimeoutError:
            return _error(408, f"the body did not arrive within {body_timeout_s:.0f}s")
        if not body.strip():
            return _error(400, "empty body")
        client = request.client.host if request.client else "unknown"
        if media in JSON_TYPES:
            items: list[Item] = [parse_json_line(body, ref=f"http:{client}:1", origin=Origin.HTTP)]
        else:
            lines = body.split(b"\n")
            if sum(1 for line in lines if line.strip()) > limits.HTTP_BATCH_MAX_LINES:
                return _error(413, f"more than {limits.HTTP_BATCH_MAX_LINES} lines; split the batch")
            items = [
                parse_json_line(line, ref=f"http:{client}:{number}", origin=Origin.HTTP)
                for number, line in enumerate(lines, start=1)
                if line.strip()
            ]
        try:
            results = await run_in_threadpool(process, items)
        except Busy as exc:
            return _unavailable(f"{exc}; nothing was recorded", ingestor.health.retry_after_s)
        except PublishError as exc:
            log.error("push not acknowledged by the broker: %s", exc)
            retry = ingestor.health.retry_after() or ingestor.health.retry_after_s
            return _unavailable("the broker did not acknowledge; nothing was recorded, retry later", retry)
        numbers = [int(item.ref.rsplit(":", 1)[1]) for item in items]
        outcomes = [_outcome(line, result) for line, result in zip(numbers, results, strict=True)]
        if media in JSON_TYPES and results[0].kind == "rejected":
            return _error(400, f"{results[0].reason}: {results[0].message}", reason=results[0].reason)
        metrics.HTTP_REQUESTS.labels(status="202").inc()
        return JSONResponse(
            {
                "article_ids": [o["article_id"] for o in outcomes if o.get("article_id")],
                "results": [o for o in outcomes if o["status"] != "rejected"],
                "errors": [o for o in outcomes if o["status"] == "rejected"],
            },
            status_code=202,
        )

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document(max_body_bytes))

    return Starlette(
        routes=[Route("/v1/articles", push, methods=["POST"]), Route("/openapi.json", openapi, methods=["GET"])]
    )


def openapi_document(max_body_bytes: int) -> dict[str, Any]:
    """OpenAPI 3.1 description of the push API; the request schema is generated from :class:`RawArticle`."""
    raw_schema = RawArticle.model_json_schema(by_alias=False)
    raw_schema["properties"].pop("origin", None)
    error = {"type": "object", "properties": {"error": {"type": "string"}, "reason": {"type": "string"}}}
    line_result = {
        "type": "object",
        "properties": {
            "line": {"type": "integer"},
            "status": {"enum": ["published", "near_duplicate", "exact_duplicate", "rejected"]},
            "article_id": {"type": ["string", "null"]},
            "duplicate_of": {"type": ["string", "null"]},
            "reason": {"type": "string"},
            "message": {"type": "string"},
        },
    }

    def response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Powderkeg ingest push API",
            "version": "1",
            "description": "Push news articles into powderkeg.articles.v1. A 202 means the broker acknowledged them.",
        },
        "components": {
            "schemas": {"RawArticle": raw_schema, "Error": error, "LineResult": line_result},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/articles": {
                "post": {
                    "summary": "Push one article (application/json) or a batch, one object per line "
                    "(application/x-ndjson).",
                    "requestBody": {
                        "required": True,
                        "description": f"At most {max_body_bytes} bytes. 'published' is accepted for 'published_at'.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/RawArticle"}},
                            "application/x-ndjson": {"schema": {"type": "string", "description": "JSON lines"}},
                        },
                    },
                    "responses": {
                        "202": response(
                            "Accepted: article ids, per-line results and per-line errors (rejected lines are "
                            "dead-lettered to powderkeg.ingest.v1.dlq).",
                            {
                                "type": "object",
                                "properties": {
                                    "article_ids": {"type": "array", "items": {"type": "string"}},
                                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/LineResult"}},
                                    "errors": {"type": "array", "items": {"$ref": "#/components/schemas/LineResult"}},
                                },
                            },
                        ),
                        "400": response("Malformed body or an article that cannot be accepted", error),
                        "401": response("Missing or wrong bearer token", error),
                        "408": response("The body did not arrive within its deadline", error),
                        "413": response("Body too large, or more lines than a batch may have", error),
                        "415": response("Unsupported Content-Type or a Content-Encoding", error),
                        "503": response("Not acknowledged or refusing after a failure; retry after Retry-After", error),
                    },
                }
            }
        },
    }


class PushServer(UvicornThread):
    """Runs the push API with uvicorn in a daemon thread (signals stay with the main thread, which owns shutdown)."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        # limit_concurrency bounds what slow or hostile clients can hold (more connections get 503 at once).
        super().__init__(
            app, host, port, name="ingest-push-api", limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=5
        )
