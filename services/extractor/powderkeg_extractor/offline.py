"""``powderkeg extract FILE...``: event records from JSONL or plain-text files, without Kafka.

JSONL input has one article per line (``id``, ``text``, optional ``title``, ``published_at``, ``url``, ``source``);
any other file is read as one plain-text article whose id is a hash of its content. Output is one EventRecord JSON
per line on stdout (or ``--output``). A malformed line is reported on stderr with file and line number and skipped;
the exit status is then 1 so that scripts notice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from powderkeg_contracts.models import Article, Origin
from powderkeg_extractor.core.ids import content_id

_BATCH = 32
_PROGRESS_MIN = 50


class InputArticle(BaseModel):
    """One line of the JSONL input format."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    text: str = Field(min_length=1)
    title: str | None = None
    published_at: dt.datetime | None = None
    url: str | None = None
    source: str | None = None


def _article(item: InputArticle, origin: Origin, now: dt.datetime) -> Article:
    published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=dt.UTC)
    return Article(
        article_id=item.id,
        text=item.text,
        title=item.title,
        url=item.url,
        source=item.source,
        published_at=published,
        published_at_reason=None if published is not None else "no published_at in the input",
        ingested_at=now,
        origin=origin,
        content_hash=hashlib.sha256(item.text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def read_articles(path: Path, errors: TextIO) -> Iterator[Article | None]:
    """Articles of one file; yields None for each malformed line after reporting it on ``errors``."""
    now = dt.datetime.now(dt.UTC)
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.strip():
            errors.write(f"{path}: empty file, skipped\n")
            yield None
            return
        yield _article(InputArticle(id=content_id(text), text=text), Origin.FILE, now)
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield _article(InputArticle.model_validate_json(line), Origin.JSONL, now)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                errors.write(f"{path}:{lineno}: {where}: {first['msg']}; line skipped\n")
                yield None


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``powderkeg extract``."""
    parser = argparse.ArgumentParser(prog="powderkeg extract", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSONL (.jsonl/.ndjson) or plain-text files")
    parser.add_argument("--output", "-o", type=Path, help="write records here instead of stdout")
    args = parser.parse_args(argv)
    from tqdm import tqdm

    from powderkeg_extractor.core.pipeline import Extractor

    extractor = Extractor.packaged()
    failed = False
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for path in args.files:
            if not path.is_file():
                sys.stderr.write(f"{path}: no such file\n")
                failed = True
                continue
            batch: list[Article] = []
            total = sum(1 for _ in path.open(encoding="utf-8", errors="replace")) if path.suffix == ".jsonl" else 1
            bar = tqdm(total=total, unit="article", file=sys.stderr, disable=total < _PROGRESS_MIN, desc=path.name)
            for article in read_articles(path, sys.stderr):
                bar.update(1)
                if article is None:
                    failed = True
                    continue
                batch.append(article)
                if len(batch) >= _BATCH:
                    _write(extractor, batch, out)
                    batch = []
            if batch:
                _write(extractor, batch, out)
            bar.close()
    finally:
        if args.output:
            out.close()
    return 1 if failed else 0


def _write(extractor: object, batch: list[Article], out: TextIO) -> None:
    for records in extractor.extract_batch(batch):  # type: ignore[attr-defined]
        for record in records:
            out.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
