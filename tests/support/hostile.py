"""Hostile inputs shared by the unit and the integration tests of the bad-input catalogue (docs/reliability.md).

Each entry is what was sent; the tests say what must happen. Sizes are chosen to be over the limits that matter,
and no larger, so the tests stay quick.
"""

from __future__ import annotations

import json

from powderkeg_contracts import limits

BODY = "WASHINGTON — The State Department said talks with both governments would resume next week in Doha."

DEEP_NESTING = b'{"text": "x", "n": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
HUGE_INTEGER = b'{"text": "Pakistan accused Afghanistan.", "n": ' + b"9" * 5000 + b"}"
LONE_SURROGATES = b'{"text": "Pakistan \\ud800accused Afghanistan of attacks.", "title": "\\udfffTalks"}'
OVERSIZED_INVALID = b'{"text": "' + b"x" * 1_500_000  # 1.5 MB, under the body limit, never closed
BIG_TITLE = json.dumps({"text": BODY, "title": "T" * 1_600_000}).encode()


def article(marker: str, **fields: object) -> dict[str, object]:
    """A valid push body whose text is unique to ``marker``."""
    return {"text": f"{BODY} Ref {marker}.", **fields}


FUTURE = "2099-01-01T00:00:00Z"
YEAR_9999 = "9999-12-31T23:59:59Z"
BEFORE_FLOOR = "0001-01-01T00:00:00Z"

BAD_URLS: dict[str, tuple[str, str]] = {
    "javascript_url": ("javascript:alert(document.cookie)", "scheme"),
    "data_url": ("data:text/html,<script>alert(1)</script>", "scheme"),
    "url_with_space": ("https://news.example/a story", "characters"),
    "url_with_userinfo": ("https://bank.example@evil.example/login", "userinfo"),
    "url_over_the_limit": ("https://news.example/" + "a" * limits.URL_MAX_CHARS, "too_long"),
}
