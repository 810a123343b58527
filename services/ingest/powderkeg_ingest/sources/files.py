"""Reading articles from files, folders and standard input.

Every input becomes either an :class:`InputRecord` (a :class:`RawArticle` with where it came from) or an
:class:`InputError` naming ``file:line`` and the reason. A bad line never stops the batch: the caller dead-letters
the error and goes on.

Formats: ``*.txt`` is one article per file (its first line may be a source tag such as ``NN ONLINE:``, which the
core strips); ``*.jsonl`` is one JSON object per line; ``*.json`` is one object or a list of objects. Folders are
walked recursively in sorted order, so a batch is reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, ValidationError

from powderkeg_contracts import Origin
from powderkeg_ingest.core.errors import Reason
from powderkeg_ingest.core.pipeline import RawArticle

SUFFIXES = (".txt", ".jsonl", ".json")
STDIN = "-"


class InputRecord(BaseModel):
    """One raw article and where it was read (``path:line``, ``path``, ``stdin:line`` or a URL)."""

    model_config = ConfigDict(frozen=True)

    ref: str
    raw: RawArticle
    data: bytes


class InputError(BaseModel):
    """An input that could not be read as an article: where, why (a stable reason code) and the exact bytes."""

    model_config = ConfigDict(frozen=True)

    ref: str
    reason: Reason
    message: str
    data: bytes
    origin: Origin = Origin.FILE


Item = InputRecord | InputError


def find_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders (recursively, sorted) into the files with a known suffix; files named directly are kept."""
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def _from_object(obj: Any, *, ref: str, data: bytes, origin: Origin) -> Item:
    if not isinstance(obj, dict):
        return InputError(
            ref=ref,
            reason="not_an_object",
            message=f"expected a JSON object, got {type(obj).__name__}",
            data=data,
            origin=origin,
        )
    if "text" not in obj or obj["text"] is None:
        return InputError(
            ref=ref, reason="missing_text", message="the object has no 'text' field", data=data, origin=origin
        )
    fields = {k: v for k, v in obj.items() if k in RawArticle.model_fields or k == "published"}
    fields["origin"] = origin
    try:
        return InputRecord(ref=ref, raw=RawArticle.model_validate(fields), data=data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return InputError(ref=ref, reason="invalid_field", message=problems, data=data, origin=origin)


def parse_json_line(line: bytes, *, ref: str, origin: Origin) -> Item:
    """Parse one JSONL line (bytes, so that invalid UTF-8 is reported rather than replaced)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputError(ref=ref, reason="invalid_utf8", message=str(exc), data=line, origin=origin)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputError(ref=ref, reason="invalid_json", message=str(exc), data=line, origin=origin)
    return _from_object(obj, ref=ref, data=line, origin=origin)


def read_jsonl(stream: BinaryIO, *, name: str, origin: Origin = Origin.JSONL) -> Iterator[Item]:
    """One item per non-blank line; ``name:line`` (1-based) as the reference."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        yield parse_json_line(line.rstrip(b"\r\n"), ref=f"{name}:{number}", origin=origin)


def read_text(data: bytes, *, name: str, origin: Origin = Origin.FILE) -> Item:
    """A whole plain-text file (or stdin) as one article."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return InputError(ref=name, reason="invalid_utf8", message=str(exc), data=data, origin=origin)
    return InputRecord(ref=name, raw=RawArticle(text=text, origin=origin), data=data)


def read_json(data: bytes, *, name: str) -> Iterator[Item]:
    """A ``.json`` file: one object, or a list of objects (``name:#index`` as the reference)."""
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield InputError(ref=name, reason="invalid_utf8", message=str(exc), data=data, origin=Origin.JSONL)
        return
    except json.JSONDecodeError as exc:
        yield InputError(ref=name, reason="invalid_json", message=str(exc), data=data, origin=Origin.JSONL)
        return
    if isinstance(obj, list):
        for index, element in enumerate(obj):
            encoded = json.dumps(element, ensure_ascii=False).encode()
            yield _from_object(element, ref=f"{name}#{index}", data=encoded, origin=Origin.JSONL)
    else:
        yield _from_object(obj, ref=name, data=data, origin=Origin.JSONL)


def read_stdin(stream: BinaryIO) -> Iterator[Item]:
    """Standard input: JSONL when the first non-blank byte is ``{``, else one plain-text article."""
    data = stream.read()
    if data.lstrip()[:1] == b"{":
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                yield parse_json_line(line, ref=f"stdin:{number}", origin=Origin.STDIN)
    else:
        yield read_text(data, name="stdin", origin=Origin.STDIN)


def read_path(path: Path, *, max_file_bytes: int) -> Iterator[Item]:
    """Read one file by its suffix. Unreadable, unknown or oversized files become errors, not exceptions."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            with path.open("rb") as stream:
                yield from read_jsonl(stream, name=name)
            return
        size = path.stat().st_size
        if size > max_file_bytes:
            yield InputError(
                ref=name, reason="too_large", message=f"file is {size} bytes; the limit is {max_file_bytes}", data=b""
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(ref=name, reason="unreadable", message=f"cannot read: {exc.strerror or exc}", data=b"")
        return
    if suffix == ".json":
        yield from read_json(data, name=name)
    else:
        yield read_text(data, name=name)


def read_inputs(paths: Iterable[str], *, stdin: BinaryIO, max_file_bytes: int) -> Iterator[Item]:
    """Every item from ``paths`` in order; ``-`` reads standard input."""
    for entry in paths:
        if entry == STDIN:
            yield from read_stdin(stdin)
            continue
        for path in find_files([entry]):
            yield from read_path(path, max_file_bytes=max_file_bytes)
