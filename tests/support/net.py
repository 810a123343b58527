"""Loopback ports and service readiness for tests that start servers of their own."""

from __future__ import annotations

import socket

import httpx


def free_port() -> int:
    """A loopback port nobody listens on right now (bound and released), e.g. for a metrics server that must not
    collide with the default 9101-9103, or as a port where a connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(port: int) -> bool:
    """Whether the service whose metrics server is on ``port`` answers ``/readyz`` with 200."""
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
