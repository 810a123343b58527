"""The query API's filters as validated models, shared by the HTTP API and ``powderkeg export``.

Query strings arrive as text: lists are comma-separated (``severity=warning,critical``), times are ISO 8601 or
relative to now (``since=24h``, ``since=7d``), and every value is checked here, so that a bad filter is a 400 with the
field and the reason, never a database error.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from powderkeg_contracts import AlertStatus, ConflictKind, Factuality, PloverType, Severity

MAX_LIMIT = 1000
_RELATIVE = re.compile(r"^-?(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_COUNTRY = re.compile(r"^[A-Z]{3}$")
_KEY = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


class FilterError(ValueError):
    """A filter the API cannot run; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_time(value: str, now: datetime) -> datetime:
    """ISO 8601 (a date means its midnight, UTC) or a span back from ``now``: ``30m``, ``24h``, ``7d``, ``2w``."""
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is neither ISO 8601 nor a span like 24h or 7d") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class _Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    since: datetime | None = Field(default=None, description="From this time (ISO 8601, or 24h, 7d ... back).")
    until: datetime | None = Field(default=None, description="Before this time (ISO 8601, or a span back).")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3 code of a country involved.")
    side: str | None = Field(default=None, description="Side key (PAK, SDN.rebels.rapid_support_forces).")
    pair: str | None = Field(default=None, description="Pair key (AFG-PAK).")
    kind: list[ConflictKind] = Field(default_factory=list, description="interstate, intrastate, one_sided.")
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, description="The next_cursor of the previous page.")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not _COUNTRY.match(value.upper()):
            raise ValueError("must be an ISO 3166-1 alpha-3 code such as PAK")
        return value.upper() if value else None

    @field_validator("side", "pair")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not _KEY.match(value):
            raise ValueError("must be a side or pair key (letters, digits, . _ -)")
        return value


class AlertQuery(_Query):
    """Filters of ``GET /v1/alerts``; every filter narrows (AND)."""

    signal: list[str] = Field(default_factory=list, description="Signal names (from the alerting rule file).")
    severity: list[Severity] = Field(default_factory=list)
    status: list[AlertStatus] = Field(default_factory=list, description="raised, updated, resolved; or 'open'.")
    q: str | None = Field(default=None, max_length=200, description="Words in the title, summary or evidence.")
    sort: Literal["recent", "severity"] = Field(default="recent", description="recent: latest activity first; "
                                                "severity: most severe first, then latest.")


class EventQuery(_Query):
    """Filters of ``GET /v1/events``; every filter narrows (AND)."""

    event_type: list[PloverType] = Field(default_factory=list, description="PLOVER types.")
    cameo: str | None = Field(default=None, pattern=r"^[0-2][0-9]{0,3}$", description="CAMEO code prefix: 19, 193.")
    location_country: str | None = Field(default=None, description="ISO3 of the country where it happened.")
    actor: str | None = Field(default=None, max_length=200, description="Words in an actor's name or text.")
    location: str | None = Field(default=None, max_length=200, description="Words in the place or admin-1 name.")
    factuality: list[Factuality] = Field(default_factory=list)
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("location_country")
    @classmethod
    def _location_country(cls, value: str | None) -> str | None:
        return cls._country(value)


Q = TypeVar("Q", bound=_Query)

LIST_FIELDS = {"kind", "signal", "severity", "status", "event_type", "factuality"}
TIME_FIELDS = {"since", "until"}


def parse_query(model: type[Q], params: Mapping[str, str], now: datetime) -> Q:
    """Build ``model`` from query-string ``params``; :class:`FilterError` names the first bad parameter."""
    data: dict[str, Any] = {}
    for name, raw in params.items():
        if name in {"format", "token"}:
            continue
        if name not in model.model_fields:
            raise FilterError(name, f"unknown parameter (known: {', '.join(sorted(model.model_fields))})")
        if name in LIST_FIELDS:
            items = [part.strip() for part in raw.split(",") if part.strip()]
            if name == "status" and "open" in items:
                items = [s for s in items if s != "open"] + [AlertStatus.RAISED.value, AlertStatus.UPDATED.value]
            data[name] = items
        elif name in TIME_FIELDS:
            try:
                data[name] = parse_time(raw, now)
            except ValueError as exc:
                raise FilterError(name, str(exc)) from None
        else:
            data[name] = raw
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise FilterError(str(err["loc"][0]) if err["loc"] else "query", err["msg"]) from None


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor of the sort key of the last row of a page."""
    text = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> list[Any]:
    """The sort key a cursor holds, checked against the expected ``kinds`` (datetime, int, str ...)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong shape")
        out: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError("wrong type")
            else:
                out.append(value)
        return out
    except (ValueError, TypeError) as exc:
        raise FilterError("cursor", f"not a cursor this API issued ({exc})") from None
