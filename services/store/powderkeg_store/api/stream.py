"""``GET /v1/stream``: new and updated alerts as Server-Sent Events.

Each stored change of an alert (new, or replaced by a higher revision) has a sequence number in ``alert_changes``;
the stream sends ``id: <seq>``, ``event: alert`` and the alert as JSON, oldest change first. A client resumes without
a gap by sending the last id it saw (``Last-Event-ID``, or ``?after=``); a new client starts at the current end.
The stream polls the database, so it sees what any store process wrote, and a comment line every
:data:`KEEPALIVE_S` keeps proxies from closing a quiet connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse

from powderkeg_store import metrics, queries
from powderkeg_store.core.filters import FilterError

KEEPALIVE_S = 15.0


def _start(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("after")
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise FilterError("after", "must be the id of an earlier stream event (an integer)")
    return int(raw)


async def alert_stream(request: Request, engine: Engine, *, poll_s: float) -> StreamingResponse:
    def fetch(after: int) -> list[tuple[int, dict[str, object]]]:
        with engine.connect() as conn:
            return queries.changes_after(conn, after)

    def end() -> int:
        with engine.connect() as conn:
            return queries.last_change(conn)

    start = _start(request)
    last = start if start is not None else await run_in_threadpool(end)

    async def events() -> AsyncIterator[str]:
        nonlocal last
        metrics.STREAM_CLIENTS.inc()
        try:
            yield f"retry: 2000\n: connected at change {last}\n\n"
            quiet_since = time.monotonic()
            while not await request.is_disconnected():
                changes = await run_in_threadpool(fetch, last)
                for seq, alert in changes:
                    last = seq
                    yield f"id: {seq}\nevent: alert\ndata: {json.dumps(alert, separators=(',', ':'))}\n\n"
                if changes:
                    quiet_since = time.monotonic()
                    continue
                if time.monotonic() - quiet_since > KEEPALIVE_S:
                    quiet_since = time.monotonic()
                    yield ": keepalive\n\n"
                await asyncio.sleep(poll_s)
        finally:
            metrics.STREAM_CLIENTS.dec()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
