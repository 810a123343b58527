"""One loader and one error for every data file a core reads: rules, lexicons, gazetteers, word lists, weights.

Why it lives in the contracts: a data file is a contract between whoever edits it and the core that reads it, and
the extractor's and the alerting service's cores both need the same rules for it. Cores may import only the
contracts and themselves (``tests/unit/test_layering.py``), services never import each other, and the runtime is
off limits to cores; the contracts are the one package all of them share. Like the rest of the contracts this
module is pure pydantic plus a parser (PyYAML, already a dependency) and knows nothing of Kafka or settings.

Every problem, whether the text does not parse or an entry does not validate, raises :class:`DataFileError`
with the message ``file:line: entry: field: problem``, so that the line to fix is named::

    supplement.yaml:212: entry nouns.3 (['airstrike']): code: Value error, unknown CAMEO code '299'

The line is found by following pydantic's error location through the parsed document; when the location does
not exist in the text (a missing field) the line of the nearest enclosing entry is given.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[int | str, ...]
EntryNamer = Callable[[Loc, Any], tuple[str, Loc]]
"""Given an error location and the parsed document: the entry's label and the rest of the location (its field)."""

DOCUMENT = "<document>"
_NAME_KEYS = ("name", "lemma", "words", "subjects")
_WS = re.compile(r"[ \t\n\r]*")


class DataFileError(ValueError):
    """A data file that cannot be used. ``str()`` is ``file:line: entry: field: problem``."""

    def __init__(self, file: str, line: int | None, entry: str, field: str, problem: str) -> None:
        self.file = file
        self.line = line
        self.entry = entry
        self.field = field
        self.problem = problem
        super().__init__(f"{file}:{line if line is not None else '?'}: {entry}: {field}: {problem}")


def entry_in_list(loc: Loc, document: Any) -> tuple[str, Loc]:
    """The default label: ``entry <list>.<index> (<name>)`` for an item of a top-level list, else the document.

    The name is the item's first of ``name``, ``lemma``, ``words``, ``subjects``, or the item itself when it is a
    plain value (a word of a word list), so that a reader finds it.
    """
    if len(loc) >= 2 and isinstance(loc[1], int):
        label = f"entry {loc[0]}.{loc[1]}"
        item = _item(document, loc[:2])
        if isinstance(item, Mapping):
            key = next((k for k in _NAME_KEYS if k in item), None)
            if key is not None:
                label += f" ({item[key]!r})"
        elif item is not None and not _is_list(item):
            label += f" ({item!r})"
        return label, loc[2:]
    return DOCUMENT, loc


def parse(
    text: str | bytes,
    model: type[M],
    source: str,
    *,
    fmt: Literal["yaml", "json"],
    name_entry: EntryNamer = entry_in_list,
    context: dict[str, Any] | None = None,
) -> M:
    """Parse and validate ``text`` as ``model``; ``source`` names the file in errors.

    Raises:
        DataFileError: the text does not parse, or the first validation error, with its line.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if fmt == "json":
        try:
            return model.model_validate_json(text, context=context)
        except ValidationError as exc:
            document = _json_document(text, source)
            raise _validation_error(exc, document, source, name_entry, lambda loc: _json_line(text, loc)) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise DataFileError(source, line, DOCUMENT, "-", f"not valid YAML: {detail}") from None
    try:
        return model.model_validate({} if document is None else document, context=context)
    except ValidationError as exc:
        raise _validation_error(exc, document, source, name_entry, lambda loc: _yaml_line(text, loc)) from None


def load(
    path: Path | Traversable,
    model: type[M],
    *,
    source: str | None = None,
    name_entry: EntryNamer = entry_in_list,
    context: dict[str, Any] | None = None,
) -> M:
    """Read ``path`` (``.yaml``/``.yml``/``.json``, optionally ``.gz``) and :func:`parse` it."""
    name = source or str(path)
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataFileError(name, None, DOCUMENT, "-", f"cannot read: {exc}") from exc
    stem = path.name.removesuffix(".gz")
    fmt: Literal["yaml", "json"] = "json" if stem.endswith(".json") else "yaml"
    return parse(raw, model, name, fmt=fmt, name_entry=name_entry, context=context)


def read_lines(path: Path | Traversable) -> list[str]:
    """The lines of a plain-text table (for files kept in their upstream format), as :class:`DataFileError`."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFileError(str(path), None, DOCUMENT, "-", f"cannot read: {exc}") from exc


def json_line(path: Path | Traversable, loc: Loc) -> int | None:
    """The line of ``loc`` in a JSON file, for errors found after loading (None when unreadable)."""
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError):
        return None
    return _json_line(text, loc)


def _validation_error(
    exc: ValidationError, document: Any, source: str, name_entry: EntryNamer, line_of: Callable[[Loc], int | None]
) -> DataFileError:
    errors = exc.errors()
    first = errors[0]
    if first["type"] == "json_invalid":
        return DataFileError(source, _json_syntax_line(first), DOCUMENT, "-", f"not valid JSON: {first['msg']}")
    loc: Loc = tuple(first["loc"])
    entry, rest = name_entry(loc, document)
    field = ".".join(str(part) for part in rest) or "-"
    problem = first["msg"] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    return DataFileError(source, line_of(loc), entry, field, problem)


def _json_document(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(source, exc.lineno, DOCUMENT, "-", f"not valid JSON: {exc.msg}") from None


def _json_syntax_line(error: Any) -> int | None:
    found = re.search(r"line (\d+)", str(error.get("msg", "")))
    return int(found.group(1)) if found else None


def _item(document: Any, loc: Loc) -> Any:
    node = document
    for part in loc:
        in_list = _is_list(node) and isinstance(part, int) and part < len(node)
        if in_list or (isinstance(node, Mapping) and part in node):
            node = node[part]
        else:
            return None
    return node


def _is_list(node: Any) -> bool:
    return isinstance(node, Sequence) and not isinstance(node, str)


def _yaml_line(text: str, loc: Loc) -> int | None:
    """Follow ``loc`` through the YAML node tree; the line of the deepest node reached."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return 1
    line: int = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _json_line(text: str, loc: Loc) -> int | None:
    """Follow ``loc`` through JSON text, skipping sibling values with the C scanner; the line reached."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    try:
        for part in loc:
            found = _json_child(text, pos, part, decoder)
            if found is None:
                break
            pos = found
    except (json.JSONDecodeError, IndexError):
        pass
    return text.count("\n", 0, pos) + 1


def _json_child(text: str, pos: int, part: int | str, decoder: json.JSONDecoder) -> int | None:
    """The offset of child ``part`` of the container at ``pos``, or None."""

    def skip(at: int) -> int:
        return _WS.match(text, at).end()  # type: ignore[union-attr]

    if text[pos] == "[" and isinstance(part, int):
        pos = skip(pos + 1)
        for _ in range(part):
            if text[pos] == "]":
                return None
            _, pos = decoder.raw_decode(text, pos)
            pos = skip(pos)
            if text[pos] == ",":
                pos = skip(pos + 1)
        return None if text[pos] == "]" else pos
    if text[pos] == "{":
        pos = skip(pos + 1)
        while text[pos] != "}":
            key, pos = decoder.raw_decode(text, pos)
            pos = skip(skip(pos) + 1)  # the colon
            if key == str(part):
                return pos
            _, pos = decoder.raw_decode(text, pos)
            pos = skip(pos)
            if text[pos] == ",":
                pos = skip(pos + 1)
    return None
