"""URL validation, done once at ingest: an Article's ``url`` is a valid http(s) URL in plain ASCII, or it is None.

Links travel far (events, alerts, Alertmanager's ``generatorURL``, webhook receivers that render them), so the one
place that reads them from untrusted input is the one place that decides whether they are links. Refused: other
schemes (``javascript:``, ``data:``, ``file:``), whitespace or control characters anywhere, user info
(``https://bank.example@evil.example/``), bad ports, hosts that are not valid names or addresses, and URLs over
:data:`~powderkeg_contracts.limits.URL_MAX_CHARS` after normalisation. Accepted URLs are normalised: scheme and host
lower-cased, an international host name in its IDNA (``xn--``) form, non-ASCII in path, query and fragment
percent-encoded, so every consumer sees the same ASCII string.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal, NamedTuple
from urllib.parse import quote, urlsplit

from powderkeg_contracts.limits import URL_MAX_CHARS

UrlProblem = Literal["too_long", "characters", "scheme", "userinfo", "host", "port", "malformed"]

_FORBIDDEN = re.compile(
    r"[\s\x00-\x1f\x7f\u0080-\u009f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"
)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class CheckedUrl(NamedTuple):
    """The normalised URL, or None and the problem (a stable code) with a short explanation."""

    url: str | None
    problem: UrlProblem | None = None
    detail: str | None = None


def _refuse(problem: UrlProblem, detail: str) -> CheckedUrl:
    return CheckedUrl(None, problem, detail)


def _host(hostname: str) -> str | None:
    """The host in ASCII form, or None when it is neither an IP address nor a valid DNS name."""
    try:
        return str(ipaddress.ip_address(hostname.strip("[]")))
    except ValueError:
        pass
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if not ascii_host or len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return ascii_host


def check_url(value: str) -> CheckedUrl:
    """Validate and normalise one URL from untrusted input; never raises."""
    if len(value) > URL_MAX_CHARS:
        return _refuse("too_long", f"{len(value)} characters; the limit is {URL_MAX_CHARS}")
    if _FORBIDDEN.search(value):
        return _refuse("characters", "contains whitespace, control or invisible formatting characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        return _refuse("port" if "port" in str(exc).lower() else "malformed", str(exc)[:100])
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return _refuse("scheme", f"scheme {scheme or '(none)'!r} is not http or https")
    if "@" in parts.netloc:
        return _refuse("userinfo", "user name or password in the URL")
    if not parts.hostname:
        return _refuse("host", "no host")
    host = _host(parts.hostname)
    if host is None:
        return _refuse("host", "the host is not a valid name or address")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = quote(parts.path, safe=_SAFE_PATH)
    url = f"{scheme}://{netloc}{path}"
    if parts.query:
        url += "?" + quote(parts.query, safe=_SAFE_QUERY)
    if parts.fragment:
        url += "#" + quote(parts.fragment, safe=_SAFE_QUERY)
    if len(url) > URL_MAX_CHARS:
        return _refuse("too_long", f"{len(url)} characters once percent-encoded; the limit is {URL_MAX_CHARS}")
    return CheckedUrl(url)
