"""Calling an ASGI app (the ingest push API) in process, without a server."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette


class TestClient:
    """A synchronous client over httpx's ASGI transport (starlette's TestClient deprecates plain httpx)."""

    __test__ = False

    def __init__(self, app: Starlette, client: tuple[str, int] = ("127.0.0.1", 5000)) -> None:
        self._transport = httpx.ASGITransport(app=app, client=client)

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self._transport, base_url="http://ingest.test") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._request("GET", url, **kwargs)
