"""Strict decoding of Kafka message values into contract models.

Every way a message can be malformed maps to one :class:`DecodeError` kind, which becomes the dead-letter reason:
``invalid_utf8``, ``invalid_json``, ``not_an_object``, ``unknown_schema_version``, ``invalid_fields``, ``empty``.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from powderkeg_contracts.models import schema_version_of

M = TypeVar("M", bound=BaseModel)

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A JSON ``\\uD800``-``\\uDFFF`` escape: half of a pair, or a lone surrogate (raw UTF-8 cannot hold one)."""


def _lone_surrogate(obj: Any) -> bool:
    """Whether any string (key or value) of a parsed JSON document holds a lone surrogate.

    Such a string passes some validators and not others, and anything that re-encodes it to UTF-8 (an alert, a
    table's changelog, a dead letter) raises: it must be refused at the door, for every field alike.
    """
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):  # a document too deep to re-encode is refused with it
        return True
    return False


class DecodeError(ValueError):
    """A message value that is not a valid instance of the expected contract."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.detail = message


def decode(model: type[M], raw: bytes | None) -> M:
    """Decode ``raw`` (UTF-8 JSON) into ``model`` or raise :class:`DecodeError` naming what is wrong."""
    if not raw:
        raise DecodeError("empty", "message value is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError("invalid_utf8", str(exc)) from None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # JSONDecodeError is a ValueError; so are integers over Python's 4,300-digit limit. Nesting deeper than the
        # interpreter's recursion limit raises RecursionError. All are bad JSON to us, never a crash of the consumer.
        raise DecodeError("invalid_json", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(obj, dict):
        raise DecodeError("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    if _SURROGATE_ESCAPE.search(raw) and _lone_surrogate(obj):
        raise DecodeError("invalid_fields", "a string holds a lone surrogate escape (\\ud800-\\udfff unpaired)")
    known = schema_version_of(model) if "schema_version" in model.model_fields else None
    version = obj.get("schema_version", known)
    if known is not None and (type(version) is not int or version != known):
        raise DecodeError(
            "unknown_schema_version",
            f"schema_version {version!r} is not supported for {model.__name__} (this build knows {known})",
        )
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise DecodeError("invalid_fields", problems) from None


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json().encode("utf-8")
