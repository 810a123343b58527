"""Guarded HTTP fetching for feeds and linked pages: only http/https, no private addresses (but those allowed one by
one), bounded size, redirects and time.

A feed URL is configuration, but the links inside a feed are not: without these guards a feed could make ingest
read cloud metadata endpoints (169.254.169.254), admin interfaces on loopback or hosts on the private network, or
exhaust memory with an endless body. Every refusal raises :class:`FetchRefused` with a bounded reason, which the
caller counts (``powderkeg_ingest_fetch_refused_total{reason}``) and logs.

The address is checked twice: :meth:`SafeFetcher.check_url` refuses early with a clear reason, and the connection
itself goes through :class:`_GuardedBackend`, which resolves the name once more, refuses if any address is not
permitted (:class:`~powderkeg_ingest.core.netpolicy.PrivateAllowance`), and connects to the address it just checked.
A DNS server that answers with a public address for the check and a private one for the connection (rebinding) is
therefore refused too. Redirects are re-checked hop by hop.

Time is one total deadline per fetch, not a timeout per read: every socket operation of the fetch (connect, TLS,
headers, body) waits at most until the deadline, in slices of :data:`SLICE_S`, so a server that trickles one byte
at a time is cut off at the deadline and a cancellation (SIGTERM) is seen within a slice. Bodies are decompressed
here, a bounded amount at a time, so a gzip bomb is refused once ``max_bytes`` of output exist, not after it has
been inflated.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict

from powderkeg_ingest.core.netpolicy import PrivateAllowance

RefusalReason = Literal[
    "scheme",
    "private_address",
    "unresolvable",
    "too_large",
    "too_many_redirects",
    "timeout",
    "bad_url",
    "encoding",
    "cancelled",
]
Resolver = Callable[[str, int], list[str]]
AddressCheck = Callable[[str, str], bool]
"""(host, address) -> may a fetch of ``host`` connect to ``address``?"""

SLICE_S = 0.5
"""Longest single wait on a socket: how soon a cancellation or the deadline is noticed."""
ENCODINGS = ("identity", "gzip", "x-gzip", "deflate")


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
    allow_private: str = ""
    """Private addresses, CIDR networks or host names that may be reached (``PrivateAllowance.parse``)."""
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


class _RefusedAddress(Exception):
    """Raised inside the connection when the name resolves to an address that is not permitted."""


class _Cancelled(Exception):
    """Raised inside the connection when the fetch was cancelled (the service is stopping)."""


class _Budget:
    """The current fetch's deadline and the service's cancel event, read by every socket operation."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self.deadline = float("inf")

    def wait(self, timeout: float | None) -> float:
        """How long the next socket operation may wait; raises when cancelled or out of time."""
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled("cancelled")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the fetch's total deadline passed")
        return min(remaining, SLICE_S, timeout if timeout is not None else SLICE_S)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every wait ends at the fetch's deadline (or its cancellation), however slow the peer."""

    def __init__(self, inner: httpcore.NetworkStream, budget: _Budget) -> None:
        self._inner = inner
        self._budget = budget

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            wait = self._budget.wait(timeout)  # raises once cancelled or out of time
            try:
                return self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                continue  # a slice ended; the budget decides whether to go on

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, max(self._budget.deadline - time.monotonic(), 0.001))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        remaining = max(self._budget.deadline - time.monotonic(), 0.001)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, remaining), self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, but a TCP connection only ever goes to an address that passed the check, and
    every wait on it ends at the fetch's deadline."""

    def __init__(self, resolve: Resolver, permitted: AddressCheck, budget: _Budget) -> None:
        self._resolve = resolve
        self._permitted = permitted
        self._budget = budget

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
        refused = [a for a in addresses if not self._permitted(host, a)]
        if refused or not addresses:
            raise _RefusedAddress(f"{host} resolves to non-public {', '.join(refused) or '-'} at connect time")
        remaining = max(self._budget.deadline - time.monotonic(), 0.001)
        stream = super().connect_tcp(addresses[0], port, min(remaining, timeout or remaining), local_address,
                                     socket_options)
        return _DeadlineStream(stream, self._budget)


def _decoded(response: httpx.Response, url: str, max_bytes: int) -> Iterator[bytes]:
    """The body, decompressed here in bounded steps: never more than ``max_bytes + 1`` bytes of output exist."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower() or "identity"
    if encoding not in ENCODINGS:
        raise FetchRefused("encoding", url, f"Content-Encoding {encoding[:40]!r} is not accepted")
    if encoding == "identity":
        yield from response.iter_raw()
        return
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    produced = 0
    for chunk in response.iter_raw():
        data = chunk
        while data:
            try:
                out = inflater.decompress(data, max_bytes + 1 - produced)
            except zlib.error as exc:
                raise FetchRefused("encoding", url, f"the {encoding} body does not decompress: {exc}") from None
            produced += len(out)
            yield out
            if produced > max_bytes:
                return
            data = inflater.unconsumed_tail
    yield inflater.flush()


class SafeFetcher:
    """Fetches one URL at a time under a :class:`FetchPolicy`.

    ``resolver`` and ``permitted`` (may a fetch of this host reach this address?) are injectable so that tests can
    exercise the checks with names of their own; by default an address is permitted when it is public or allowed by
    the policy's ``allow_private``. ``cancel`` (the service's stop event) ends a fetch within :data:`SLICE_S`.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        resolver: Resolver = _system_resolver,
        permitted: AddressCheck | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolver
        self._permitted = permitted or PrivateAllowance.parse(policy.allow_private).permits
        self._budget = _Budget(cancel)
        transport = httpx.HTTPTransport(trust_env=False)
        # httpx has no public hook for name resolution; its transport's pool is rebuilt with the guarded backend
        # (same TLS context; server_hostname still comes from the URL, so certificates are checked by name).
        transport._pool = httpcore.ConnectionPool(
            ssl_context=transport._pool._ssl_context,
            network_backend=_GuardedBackend(resolver, self._permitted, self._budget),
        )
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout_s),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,  # no proxy from the environment: the address checks must be about the real target
        )

    @property
    def cancelled(self) -> bool:
        return self._budget.cancel is not None and self._budget.cancel.is_set()

    def close(self) -> None:
        self._client.close()

    def check_url(self, url: str) -> None:
        """Refuse URLs that are not http(s) or whose host resolves to an address that is not permitted."""
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
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchRefused("unresolvable", url, str(exc)[:200]) from None
        refused = [a for a in addresses if not self._permitted(host, a)]
        if refused or not addresses:
            raise FetchRefused("private_address", url, f"{host} resolves to non-public {', '.join(refused) or '-'}")

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url`` with conditional headers, following at most ``max_redirects`` checked redirects.

        The whole fetch, redirects included, has one deadline of ``timeout_s``.
        """
        deadline = time.monotonic() + self.policy.timeout_s
        self._budget.deadline = deadline
        try:
            return self._fetch(url, etag, last_modified, deadline)
        finally:
            self._budget.deadline = float("inf")

    def _fetch(self, url: str, etag: str | None, last_modified: str | None, deadline: float) -> Fetched:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            if self.cancelled:
                raise FetchRefused("cancelled", current, "the service is stopping")
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
            except _Cancelled:
                raise FetchRefused("cancelled", current, "the service is stopping") from None
            except httpx.TimeoutException as exc:
                raise FetchRefused("timeout", current, f"no complete answer within {self.policy.timeout_s}s") from exc
            except httpx.InvalidURL as exc:  # not an httpx.HTTPError: a link over 64 KB, a bad host, ...
                raise FetchRefused("bad_url", current[:200], str(exc)[:200]) from None
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
        for chunk in _decoded(response, url, self.policy.max_bytes):
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise FetchRefused("too_large", url, f"body exceeds {self.policy.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchRefused("timeout", url, f"body not complete within {self.policy.timeout_s}s")
            chunks.append(chunk)
        return b"".join(chunks)
