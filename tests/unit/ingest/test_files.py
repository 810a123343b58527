"""Reading files, folders, JSONL and stdin: malformed lines become errors with file:line, never stop the batch."""

from __future__ import annotations

import io
import json
from pathlib import Path

from powderkeg_contracts import Origin
from powderkeg_ingest.sources.files import InputError, InputRecord, find_files, read_inputs, read_stdin

LIMIT = 10_000_000


def _write_jsonl(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_jsonl_with_malformed_lines_keeps_going(tmp_path: Path) -> None:
    good = {"id": "v1", "text": "Body one.", "published": "2025-01-01", "author": "A", "keywords": "x", "section": "s"}
    path = tmp_path / "batch.jsonl"
    _write_jsonl(
        path,
        [
            json.dumps(good).encode(),
            b"{not json",
            b"[1, 2]",
            json.dumps({"title": "no text"}).encode(),
            b'{"text": "caf\xe9"}',
            json.dumps({"text": 42}).encode(),
            b"",
            json.dumps({"id": 7, "text": "Body two.", "published_at": "2025-02-02"}).encode(),
        ],
    )
    items = list(read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=LIMIT))
    kinds = [(item.ref.rsplit(":", 1)[1], type(item).__name__, getattr(item, "reason", None)) for item in items]
    assert kinds == [
        ("1", "InputRecord", None),
        ("2", "InputError", "invalid_json"),
        ("3", "InputError", "not_an_object"),
        ("4", "InputError", "missing_text"),
        ("5", "InputError", "invalid_utf8"),
        ("6", "InputError", "invalid_field"),
        ("8", "InputRecord", None),
    ]
    first, last = items[0], items[-1]
    assert isinstance(first, InputRecord) and isinstance(last, InputRecord)
    assert first.raw.id == "v1" and first.raw.published_at == "2025-01-01" and first.raw.origin is Origin.JSONL
    assert last.raw.id == "7" and last.raw.published_at == "2025-02-02"
    bad = items[4]
    assert isinstance(bad, InputError) and bad.data == b'{"text": "caf\xe9"}'
    assert bad.ref == f"{path}:5"


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Z story.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps([{"text": "C1."}, {"text": "C2."}]), encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in find_files([tmp_path])] == ["a.txt", "b/z.txt", "c.json"]
    items = list(read_inputs([str(tmp_path)], stdin=io.BytesIO(), max_file_bytes=LIMIT))
    texts = [item.raw.text for item in items if isinstance(item, InputRecord)]
    assert texts == ["A story.", "Z story.", "C1.", "C2."]
    assert items[2].ref.endswith("c.json#0")


def test_plain_text_file_keeps_its_tag_line_for_the_core(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes("\ufeffNN ONLINE:\nBody.".encode())
    (item,) = read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=LIMIT)
    assert isinstance(item, InputRecord)
    assert item.raw.text == "NN ONLINE:\nBody."
    assert item.raw.origin is Origin.FILE


def test_invalid_utf8_text_file_and_missing_file_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9")
    items = list(read_inputs([str(bad), str(tmp_path / "missing.txt")], stdin=io.BytesIO(), max_file_bytes=LIMIT))
    assert [getattr(i, "reason", None) for i in items] == ["invalid_utf8", "unreadable"]


def test_oversized_text_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 200, encoding="utf-8")
    (item,) = read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=100)
    assert isinstance(item, InputError) and item.reason == "too_large"


def test_stdin_plain_text_and_jsonl() -> None:
    (text_item,) = read_stdin(io.BytesIO(b"WASHINGTON \xe2\x80\x94 Body."))
    assert isinstance(text_item, InputRecord) and text_item.raw.origin is Origin.STDIN
    items = list(read_stdin(io.BytesIO(b'{"text": "one"}\n\n{"text": \n')))
    assert [i.ref for i in items] == ["stdin:1", "stdin:3"]
    assert isinstance(items[1], InputError) and items[1].reason == "invalid_json"


def test_dash_reads_stdin_among_paths(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("File.", encoding="utf-8")
    items = list(read_inputs([str(path), "-"], stdin=io.BytesIO(b"Piped."), max_file_bytes=LIMIT))
    assert [i.raw.text for i in items if isinstance(i, InputRecord)] == ["File.", "Piped."]
