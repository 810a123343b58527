"""Reading articles from files, folders and standard input.

Every input becomes either an :class:`InputRecord` (a :class:`RawArticle` with where it came from) or an
:class:`InputError` naming ``file:line`` and the reason. A bad line never stops the batch: the caller dead-letters
the error and goes on.

Formats: ``*.txt`` is one article per file (its first line may be a source tag such as ``NN ONLINE:``, which the
core strips); ``*.jsonl`` is one JSON object per line; ``*.json`` is one object or a list of objects. Folders are
walked recursively in sorted order, so a batch is reproducible.

Hostile input is bounded here: a JSON line longer than ``INPUT_LINE_MAX_BYTES`` is rejected without being held
whole; standard input and files are read up to their limit and no further; JSON that nests too deeply for the
parser, integers over Python's digit limit and lone surrogates are rejections, not exceptions; a symbolic link that
leads out of the folder being walked, and anything that is not a regular file (a FIFO would block the batch
forever, a device would never end), is rejected unread.
"""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from powderkeg_contracts import Origin
from powderkeg_contracts.limits import INPUT_LINE_MAX_BYTES, STDIN_MAX_BYTES
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


def find_files(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Expand folders (recursively, sorted) into the files with a known suffix; files named directly are kept.

    Inside a folder, an entry whose real path is outside the folder (a symbolic link to ``/etc``, to another
    user's files) is not read: it becomes an :class:`InputError` (``outside_folder``), so the skip is visible.
    """
    for entry in paths:
        path = Path(entry)
        if not path.is_dir():
            yield path
            continue
        root = path.resolve()
        for candidate in sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES):
            try:
                real = candidate.resolve()
                inside = real.is_relative_to(root)
            except (OSError, RuntimeError) as exc:  # a link loop or a vanished file
                yield InputError(ref=str(candidate), reason="unreadable", message=str(exc)[:300], data=b"")
                continue
            if not inside:
                yield InputError(
                    ref=str(candidate),
                    reason="outside_folder",
                    message=f"a symbolic link out of {path} (to {real}); not followed",
                    data=b"",
                )
            elif real.is_file():
                yield candidate
            elif not real.is_dir():
                message = "not a regular file (FIFO, device, socket)"
                yield InputError(ref=str(candidate), reason="unreadable", message=message, data=b"")


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
    obj = _loads(text)
    if isinstance(obj, _Bad):
        return InputError(ref=ref, reason="invalid_json", message=obj.message, data=line, origin=origin)
    return _from_object(obj, ref=ref, data=line, origin=origin)


class _Bad:
    def __init__(self, message: str) -> None:
        self.message = message


def _loads(text: str) -> Any:
    """``json.loads``, with every way it can fail on hostile input turned into a :class:`_Bad` value."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        # JSONDecodeError is a ValueError; so is an integer over Python's 4,300-digit limit. Nesting deeper than the
        # interpreter's recursion limit raises RecursionError.
        return _Bad(f"{type(exc).__name__}: {str(exc)[:200]}")


class LineReader(Protocol):
    def readline(self, limit: int = -1, /) -> bytes: ...


def _lines(stream: LineReader, limit: int) -> Iterator[tuple[bytes, int]]:
    """(line, full length) per line, each line cut at ``limit + 1`` bytes and the rest skipped unread into memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        size = len(line)
        if size > limit and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line, size


def read_jsonl(
    stream: LineReader, *, name: str, origin: Origin = Origin.JSONL, max_line_bytes: int = INPUT_LINE_MAX_BYTES
) -> Iterator[Item]:
    """One item per non-blank line; ``name:line`` (1-based) as the reference."""
    for number, (line, size) in enumerate(_lines(stream, max_line_bytes), start=1):
        ref = f"{name}:{number}"
        if size > max_line_bytes:
            message = f"line is {size} bytes; the limit is {max_line_bytes}"
            yield InputError(ref=ref, reason="too_large", message=message, data=line, origin=origin)
            continue
        if not line.strip():
            continue
        yield parse_json_line(line.rstrip(b"\r\n"), ref=ref, origin=origin)


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
        obj = _loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield InputError(ref=name, reason="invalid_utf8", message=str(exc), data=data, origin=Origin.JSONL)
        return
    if isinstance(obj, _Bad):
        yield InputError(ref=name, reason="invalid_json", message=obj.message, data=data, origin=Origin.JSONL)
        return
    if isinstance(obj, list):
        for index, element in enumerate(obj):
            encoded = json.dumps(element, ensure_ascii=False).encode("utf-8", "surrogatepass")
            yield _from_object(element, ref=f"{name}#{index}", data=encoded, origin=Origin.JSONL)
    else:
        yield _from_object(obj, ref=name, data=data, origin=Origin.JSONL)


def read_stdin(stream: BinaryIO, *, max_bytes: int = STDIN_MAX_BYTES) -> Iterator[Item]:
    """Standard input: JSONL when the first non-blank byte is ``{``, else one plain-text article.

    JSON lines are streamed (each bounded); plain text is read up to ``max_bytes``, and more is refused.
    """
    head = b""
    while not head.strip():
        chunk = stream.read(4096)
        if not chunk:
            break
        head += chunk
        if len(head) > max_bytes:
            break
    if head.lstrip()[:1] == b"{":
        yield from read_jsonl(_Prefixed(head, stream), name="stdin", origin=Origin.STDIN)
        return
    data = head + stream.read(max_bytes + 1 - len(head)) if len(head) <= max_bytes else head
    if len(data) > max_bytes:
        message = f"standard input is over {max_bytes} bytes; the limit (POWDERKEG_INGEST_MAX_FILE_BYTES)"
        yield InputError(ref="stdin", reason="too_large", message=message, data=data[:4096], origin=Origin.STDIN)
        return
    yield read_text(data, name="stdin", origin=Origin.STDIN)


class _Prefixed:
    """A line reader that first gives back bytes already read from ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = io.BytesIO(head)
        self._stream = stream

    def readline(self, limit: int = -1) -> bytes:
        line = self._head.readline(limit)
        if line.endswith(b"\n") or 0 <= limit <= len(line):
            return line
        return line + self._stream.readline(-1 if limit < 0 else limit - len(line))


def read_path(path: Path, *, max_file_bytes: int) -> Iterator[Item]:
    """Read one file by its suffix. Unreadable, unknown, special or oversized files become errors, not exceptions."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, device or socket)"
            yield InputError(ref=name, reason="unreadable", message=f"{what}; not read", data=b"")
            return
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
            yield from read_stdin(stdin, max_bytes=max_file_bytes)
            continue
        for path in find_files([entry]):
            if isinstance(path, InputError):
                yield path
            else:
                yield from read_path(path, max_file_bytes=max_file_bytes)
