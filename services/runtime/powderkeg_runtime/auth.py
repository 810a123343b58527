"""Bearer-token checks for the HTTP APIs (ingest's push API, the store's query API).

An API with no token configured refuses every request rather than serving anonymously, and the comparison is
constant-time, so that the time taken never reveals how much of a guess was right.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr


def bearer_ok(authorization: str | None, token: SecretStr | None) -> bool:
    """True when the ``Authorization`` header value carries ``Bearer <token>``; always False without a token (or
    with an empty one)."""
    if token is None or not token.get_secret_value() or not authorization:  # an empty token is no token
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode())
