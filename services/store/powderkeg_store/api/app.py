"""The query API under ``/v1/`` and the console, as one Starlette app.

Every ``/v1/`` route is read-only and needs ``Authorization: Bearer <token>`` (the same check as ingest's push API:
no token configured means every request is refused). Errors are JSON ``{"error", "field"}``: 400 for a bad filter,
401 without the token, 404 for an unknown id. ``format=csv`` on the alert and event lists streams CSV instead of a
JSON page (at most :data:`CSV_MAX_ROWS` rows; ``powderkeg export`` writes any number).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from powderkeg_runtime.auth import bearer_ok
from powderkeg_store import metrics, queries
from powderkeg_store.api.openapi import openapi_document
from powderkeg_store.api.stream import alert_stream
from powderkeg_store.core.columns import ALERT_FIELDS, EVENT_FIELDS
from powderkeg_store.core.filters import AlertQuery, EventQuery, FilterError, parse_query, parse_time
from powderkeg_store.core.tabular import csv_lines

log = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent.parent / "web"
CSV_MAX_ROWS = 100_000
MAX_INDEX_POINTS = 2000
Handler = Callable[[Request], Awaitable[Response]]
T = TypeVar("T")


class NotFound(Exception):
    pass


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)


def _json(payload: Any) -> JSONResponse:
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


@functools.cache
def country_table() -> list[dict[str, str]]:
    """ISO 3166-1 countries: alpha-3 (the store's codes), numeric (the map's feature ids) and name."""
    import pycountry

    return [
        {"alpha3": c.alpha_3, "numeric": c.numeric, "name": getattr(c, "common_name", None) or c.name}
        for c in pycountry.countries
    ] + [{"alpha3": "XKX", "numeric": "-99", "name": "Kosovo"}]


def build_app(engine: Engine, *, token: SecretStr | None, stream_poll_s: float = 1.0) -> Starlette:
    """The API and console over ``engine``; ``token`` is the bearer token every ``/v1/`` request must carry."""

    def guarded(endpoint: str, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            started = time.perf_counter()
            if not bearer_ok(request.headers.get("authorization"), token):
                why = "no API token is configured (POWDERKEG_STORE_API_TOKEN)" if token is None else "bad bearer token"
                response: Response = _error(401, f"unauthorised: {why}")
            else:
                try:
                    response = await handler(request)
                except FilterError as exc:
                    response = _error(400, exc.message, exc.field)
                except NotFound as exc:
                    response = _error(404, str(exc))
            metrics.API_REQUESTS.labels(endpoint=endpoint, status=str(response.status_code)).inc()
            metrics.API_SECONDS.labels(endpoint=endpoint).observe(time.perf_counter() - started)
            return response

        return run

    def read(fn: Callable[..., T], *args: Any) -> Awaitable[T]:
        def call() -> T:
            with engine.connect() as conn:
                return fn(conn, *args)

        return run_in_threadpool(call)

    def params(request: Request) -> dict[str, str]:
        return dict(request.query_params)

    def csv_response(name: str, fields: tuple[str, ...], rows: Callable[[Any], Iterator[Any]]) -> StreamingResponse:
        def lines() -> Iterator[str]:
            with engine.connect() as conn:
                yield from csv_lines(fields, (r._mapping for r in islice(rows(conn), CSV_MAX_ROWS)))

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="powderkeg-{name}-{stamp}.csv"'},
        )

    def listing(name: str, model: type[AlertQuery] | type[EventQuery], fields: tuple[str, ...]) -> Handler:
        rows = queries.alert_rows if model is AlertQuery else queries.event_rows
        pages = queries.list_alerts if model is AlertQuery else queries.list_events

        async def handler(request: Request) -> Response:
            q = parse_query(model, params(request), datetime.now(UTC))
            if request.query_params.get("format") == "csv":
                return csv_response(name, fields, lambda conn: rows(conn, q))  # type: ignore[arg-type]
            page = await read(pages, q)
            return _json({"items": page.items, "next_cursor": page.next_cursor})

        return handler

    def one(what: str, param: str, fetch: Callable[[Any, str], dict[str, Any] | None]) -> Handler:
        async def handler(request: Request) -> Response:
            found = await read(fetch, request.path_params[param])
            if found is None:
                raise NotFound(f"no stored {what} {request.path_params[param]!r}")
            return _json(found)

        return handler

    def simple(request: Request, allowed: set[str]) -> dict[str, Any]:
        p = params(request)
        unknown = set(p) - allowed
        if unknown:
            raise FilterError(sorted(unknown)[0], f"unknown parameter (known: {', '.join(sorted(allowed))})")
        country = p.get("country")
        if country is not None and not (len(country) == 3 and country.isalpha()):
            raise FilterError("country", "must be an ISO 3166-1 alpha-3 code such as PAK")
        try:
            limit = int(p.get("limit", "100"))
        except ValueError:
            raise FilterError("limit", "must be an integer") from None
        if not 1 <= limit <= 1000:
            raise FilterError("limit", "must be between 1 and 1000")
        return {"country": country.upper() if country else None, "text": p.get("q"), "limit": limit,
                "kind": [k for k in p.get("kind", "").split(",") if k]}

    async def pairs(request: Request) -> Response:
        args = simple(request, {"country", "kind", "q", "limit"})
        return _json({"items": await read(lambda c: queries.list_pairs(c, **args))})

    def window(request: Request, default: timedelta) -> tuple[datetime, datetime]:
        now = datetime.now(UTC)
        p = request.query_params
        try:
            end = parse_time(p["until"], now) if "until" in p else now
        except ValueError as exc:
            raise FilterError("until", str(exc)) from None
        try:
            start = parse_time(p["since"], now) if "since" in p else end - default
        except ValueError as exc:
            raise FilterError("since", str(exc)) from None
        if start >= end:
            raise FilterError("since", "must be before until")
        return start, end

    async def pair_index(request: Request) -> Response:
        start, end = window(request, timedelta(days=7))
        try:
            step = timedelta(minutes=int(request.query_params.get("step_minutes", "60")))
        except ValueError:
            raise FilterError("step_minutes", "must be an integer") from None
        if step <= timedelta(0):
            raise FilterError("step_minutes", "must be positive")
        if (end - start) / step > MAX_INDEX_POINTS:
            raise FilterError("step_minutes", f"window/step gives more than {MAX_INDEX_POINTS} points; widen the step")
        key = request.path_params["pair_key"]
        return _json(await read(queries.pair_index, key, start, end, step))

    async def sides(request: Request) -> Response:
        args = simple(request, {"country", "q", "limit"})
        return _json({"items": await read(
            lambda c: queries.list_sides(c, country=args["country"], text=args["text"], limit=args["limit"]))})

    async def map_(request: Request) -> Response:
        start, end = window(request, timedelta(days=7))
        country = request.query_params.get("country")
        places = await read(lambda c: queries.map_places(c, since=start, until=end, country=country))
        return _json({"since": start.isoformat(), "until": end.isoformat(), "places": places})

    async def countries(request: Request) -> Response:
        return _json({"items": country_table()})

    async def stats(request: Request) -> Response:
        return _json(await read(queries.stats))

    async def stream(request: Request) -> Response:
        return await alert_stream(request, engine, poll_s=stream_poll_s)

    async def openapi(request: Request) -> Response:
        return _json(openapi_document())

    async def console(request: Request) -> Response:
        return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})

    api = [
        ("alerts", "/v1/alerts", listing("alerts", AlertQuery, ALERT_FIELDS)),
        ("alert", "/v1/alerts/{alert_id}", one("alert", "alert_id", queries.get_alert)),
        ("events", "/v1/events", listing("events", EventQuery, EVENT_FIELDS)),
        ("event", "/v1/events/{event_id}", one("event", "event_id", queries.get_event)),
        ("pairs", "/v1/pairs", pairs),
        ("pair", "/v1/pairs/{pair_key}", one("events for pair", "pair_key", queries.get_pair)),
        ("pair_index", "/v1/pairs/{pair_key}/index", pair_index),
        ("sides", "/v1/sides", sides),
        ("side", "/v1/sides/{side_key}", one("events for side", "side_key", queries.get_side)),
        ("map", "/v1/map", map_),
        ("stats", "/v1/stats", stats),
        ("countries", "/v1/countries", countries),
        ("stream", "/v1/stream", stream),
    ]
    routes: list[Route | Mount] = [Route(path, guarded(name, fn), methods=["GET"]) for name, path, fn in api]
    routes += [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/", console, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=WEB), name="static"),
    ]
    return Starlette(routes=routes)

