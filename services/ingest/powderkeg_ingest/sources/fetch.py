"""Guarded HTTP fetching for feeds and linked pages: only http/https, no private addresses, bounded size, redirects
and time.

A feed URL is configuration, but the links inside a feed are not: without these guards a feed could make ingest
read cloud metadata endpoints (169.254.169.254), admin interfaces on loopback or hosts on the private network, or
exhaust memory with an endless body. Every refusal raises :class:`FetchRefused` with a bounded reason, which the
caller counts (``powderkeg_ingest_fetch_refused_total{reason}``) and logs.

The address is checked twice: :meth:`SafeFetcher.check_url` refuses early with a clear reason, and the connection
itself goes through :class:`_GuardedBackend`, which resolves the name once more, refuses if any address is
non-public, and connects to the address it just checked. A DNS server that answers with a public address for the
check and a private one for the connection (rebinding) is therefore refused too. Redirects are re-checked hop by hop.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict

RefusalReason = Literal[
    "scheme", "private_address", "unresolvable", "too_large", "too_many_redirects", "timeout", "bad_url"
]
Resolver = Callable[[str, int], list[str]]
AddressCheck = Callable[[str], bool]


class FetchRefused(Exception):
    """The fetch was refused before or while reading, for a policy reason."""

    def __init__(self, reason: RefusalReason, url: str, detail: str) -> None:
        super().__init__(f"{reason}: {url}: {detail}")
        self.reason: RefusalReason = reason
        self.url = url


class FetchFailed(Exception):
    """The server could not be reached or answered with an error status."""

    def __init__(self, url: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.status = status


class FetchPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 3
    allow_private_networks: bool = False
    user_agent: str = "powderkeg-ingest/0.1 (+https://github.com/powderkeg)"


class Fetched(BaseModel):
    """A response body (empty on 304 Not Modified) with the validators for the next conditional request."""

    model_config = ConfigDict(frozen=True)

    url: str
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _system_resolver(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


class _RefusedAddress(Exception):
    """Raised inside the connection when the name resolves to a non-public address."""


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, but a TCP connection only ever goes to an address that passed the check."""

    def __init__(self, resolve: Resolver, blocked: AddressCheck) -> None:
        self._resolve = resolve
        self._blocked = blocked

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        refused = [a for a in addresses if self._blocked(a)]
        if refused or not addresses:
            raise _RefusedAddress(f"{host} resolves to non-public {', '.join(refused) or '-'} at connect time")
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


class SafeFetcher:
    """Fetches one URL at a time under a :class:`FetchPolicy`.

    ``resolver`` and ``blocked`` (is an address non-public?) are injectable so that tests can treat their loopback
    server as a public host without any other network access.
    """

    def __init__(
        self, policy: FetchPolicy, *, resolver: Resolver = _system_resolver, blocked: AddressCheck = _blocked
    ) -> None:
        self.policy = policy
        self._resolve = resolver
        self._is_blocked = blocked
        transport = httpx.HTTPTransport(trust_env=False)
        if not policy.allow_private_networks:
            # httpx has no public hook for name resolution; its transport's pool is rebuilt with the guarded backend
            # (same TLS context; server_hostname still comes from the URL, so certificates are checked by name).
            transport._pool = httpcore.ConnectionPool(
                ssl_context=transport._pool._ssl_context,
                network_backend=_GuardedBackend(resolver, blocked),
            )
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout_s),
            headers={"User-Agent": policy.user_agent},
            trust_env=False,  # no proxy from the environment: the address checks must be about the real target
        )

    def close(self) -> None:
        self._client.close()

    def check_url(self, url: str) -> None:
        """Refuse URLs that are not http(s) or whose host resolves to a non-public address (unless allowed)."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchRefused("bad_url", url, str(exc)) from None
        if parts.scheme not in ("http", "https"):
            raise FetchRefused("scheme", url, f"scheme {parts.scheme!r} is not http or https")
        host = parts.hostname
        if not host:
            raise FetchRefused("bad_url", url, "no host")
        if self.policy.allow_private_networks:
            return
        try:
            addresses = self._resolve(host, port)
        except OSError as exc:
            raise FetchRefused("unresolvable", url, str(exc)) from None
        blocked = [a for a in addresses if self._is_blocked(a)]
        if blocked or not addresses:
            raise FetchRefused("private_address", url, f"{host} resolves to non-public {', '.join(blocked) or '-'}")

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url`` with conditional headers, following at most ``max_redirects`` checked redirects."""
        deadline = time.monotonic() + self.policy.timeout_s
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            self.check_url(current)
            try:
                with self._client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        current = urljoin(current, location)
                        continue
                    body = self._read(response, current, deadline)
            except _RefusedAddress as exc:
                raise FetchRefused("private_address", current, str(exc)) from None
            except httpx.TimeoutException as exc:
                raise FetchRefused("timeout", current, f"no complete answer within {self.policy.timeout_s}s") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(current, f"{type(exc).__name__}: {exc}") from exc
            if response.status_code not in (200, 304):
                raise FetchFailed(current, f"HTTP {response.status_code}", status=response.status_code)
            return Fetched(
                url=current,
                status=response.status_code,
                body=body,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                content_type=response.headers.get("content-type"),
            )
        raise FetchRefused("too_many_redirects", url, f"more than {self.policy.max_redirects} redirects")

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise FetchRefused("too_large", url, f"Content-Length {declared} > {self.policy.max_bytes}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise FetchRefused("too_large", url, f"body exceeds {self.policy.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchRefused("timeout", url, f"body not complete within {self.policy.timeout_s}s")
            chunks.append(chunk)
        return b"".join(chunks)
