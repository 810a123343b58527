"""Assemble the classifier's training rows from the project's labels and the development data, reproducibly.

Sources (see ``services/extractor/training/data/README.md`` and ``docs/classifier.md``):

* ``voa_labels.jsonl`` split ``dev``: the project's own labels, natural base rate of non-events. The ``holdout``
  split is never read here except to remove near-copies of its sentences (a shared 8-word sequence) from every
  training source, the dev split included.
* ``synthetic.jsonl``: synthetic sentences (training only).
* ``plover_gsr`` and ``conflibert_dev`` (read from the dev-data folder, never copied): merged on normalised text
  (257 sentences are in both) and split into stratified folds for cross-validation; one row per sentence.
* NGEC-2025 verified positive quotes: weak labels, a PLOVER type with a VOA fragment, capped per type.

GSR, ConfliBERT and NGEC rows were selected because they hold an event, so they train the type *given* an event
(``conditional``), never the event/non-event decision.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from powderkeg_extractor.classify.keys import normalise, sentence_key
from powderkeg_extractor.classify.labels import (
    CLASSES_OF_PENTACODE,
    FACTUALITY,
    PENTACODE_OF_CLASS,
    class_of,
    families_of,
)
from powderkeg_runtime.settings import DevDataSettings

REPO = Path(__file__).resolve().parents[4]
DATA = REPO / "services" / "extractor" / "training" / "data"
FOLDS = 5
NGEC_WEIGHT = 0.5
NGEC_CAP_PER_TYPE = 120
SHINGLE = 8


@dataclass
class Row:
    """One training sentence. ``allowed`` is the set of sentence classes the label admits (one, or a pentacode's)."""

    key: str
    text: str
    origin: str
    allowed: list[str]
    conditional: bool
    weight: float = 1.0
    factuality: str | None = None
    families: list[str] | None = None
    fold: int = -1
    gold_pentacode: int | None = None
    gold_type: str | None = None
    in_gsr: bool = False
    in_conflibert: bool = False
    conflibert_real: bool = False
    article: str | None = None
    """The VOA article of a VOA dev row: its cross-validation fold is the article's."""
    extra: dict[str, object] = field(default_factory=dict)


def shingles(text: str) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def fold_training_rows(rows: list[dict[str, object]], k: int) -> list[dict[str, object]]:
    """The rows a fold's model trains on: every row outside fold ``k`` that shares no 8-word sequence with it.

    Related VOA stories and the wire copies of ConfliBERT repeat sentences, so without the guard a model would
    have read a near-copy of a sentence it is scored on.
    """
    guard: set[tuple[str, ...]] = set()
    for r in rows:
        if r["fold"] == k:
            guard |= shingles(str(r["text"]))
    return [r for r in rows if r["fold"] != k and not shingles(str(r["text"])) & guard]


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{lineno}: not JSON: {exc.msg}") from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def labelled_row(r: dict[str, object], origin: str) -> Row:
    """A row of the annotation guide's format (VOA labels, synthetic)."""
    cls = class_of(bool(r["event"]), r.get("pentacode"), r.get("plover"))  # type: ignore[arg-type]
    fact = r.get("factuality") if r["event"] else None
    if fact is not None and fact not in FACTUALITY:
        raise SystemExit(f"{origin} {r.get('id')}: unknown factuality {fact!r}")
    return Row(
        key=sentence_key(str(r["text"])),
        text=str(r["text"]),
        origin=origin,
        allowed=[cls],
        conditional=False,
        factuality=fact,  # type: ignore[arg-type]
        families=families_of(r.get("signals") or []),  # type: ignore[arg-type]
        gold_pentacode=PENTACODE_OF_CLASS[cls],
        gold_type=cls,
        article=str(r["article_id"]) if r.get("article_id") else None,
    )


def voa_folds(rows: list[Row]) -> None:
    """Give each VOA dev article one of the folds (articles ordered by a hash of their id, dealt in turn).

    Related stories repeat sentences, so a fold holds whole articles; the near-copy guard of the cross-validation
    (``train.py``) removes what other articles repeat of a held-out one.
    """
    articles = sorted({r.article for r in rows if r.article}, key=lambda a: hashlib.sha256(a.encode()).hexdigest())
    fold_of = {a: i % FOLDS for i, a in enumerate(articles)}
    for row in rows:
        if row.article:
            row.fold = fold_of[row.article]


def gold_rows(dev_data: Path) -> list[Row]:
    """GSR and ConfliBERT sentences merged on normalised text, with stratified folds."""
    merged: dict[str, Row] = {}
    for r in read_jsonl(dev_data / "plover_gsr" / "plover_gsr.jsonl"):
        text, typ = str(r["text"]), str(r["event_plover_current"])
        key = sentence_key(text)
        merged.setdefault(
            key,
            Row(key=key, text=text, origin="gsr", allowed=[typ], conditional=True, gold_type=typ, in_gsr=True),
        )
    disagree = 0
    for r in read_jsonl(dev_data / "conflibert_dev" / "conflibert_dev.jsonl"):
        text, penta = str(r["text"]), int(r["pentacode"])  # type: ignore[call-overload]
        key = sentence_key(text)
        row = merged.get(key)
        if row is None:
            row = merged[key] = Row(
                key=key, text=text, origin="conflibert", allowed=list(CLASSES_OF_PENTACODE[penta]), conditional=True
            )
        elif PENTACODE_OF_CLASS[row.allowed[0]] != penta:
            disagree += 1
        row.in_conflibert = True
        row.gold_pentacode = penta
        row.conflibert_real = row.conflibert_real or not r.get("also_in_plover_gsr", False)
    # Stratified by label, ordered by key hash: reproducible and independent of file order.
    strata: dict[str, list[Row]] = collections.defaultdict(list)
    for row in merged.values():
        strata[row.gold_type or f"penta{row.gold_pentacode}"].append(row)
    offset = 0
    for name in sorted(strata):
        for i, row in enumerate(sorted(strata[name], key=lambda x: x.key)):
            row.fold = (offset + i) % FOLDS
        offset += len(strata[name])
    sys.stdout.write(f"gsr+conflibert: {len(merged)} distinct sentences, {disagree} whose GSR type and ConfliBERT ")
    sys.stdout.write("pentacode disagree (the GSR type is the training label)\n")
    return list(merged.values())


def ngec_rows(dev_data: Path) -> list[Row]:
    """Verified NGEC positives: one row per distinct quote with exactly one verified type, capped per type."""
    types: dict[str, set[str]] = collections.defaultdict(set)
    texts: dict[str, str] = {}
    for r in read_jsonl(dev_data / "ngec2025_voa_labels" / "labels.jsonl"):
        quote = str(r.get("quote") or "").strip()
        if r["stage"] != "verify" or r["label"] != 1 or len(normalise(quote).split()) < 5:
            continue
        key = sentence_key(quote)
        types[key].add(str(r["event_type"]))
        texts.setdefault(key, quote)
    by_type: dict[str, list[str]] = collections.defaultdict(list)
    for key, ts in types.items():
        if len(ts) == 1:
            by_type[next(iter(ts))].append(key)
    rows: list[Row] = []
    for typ in sorted(by_type):
        keys = sorted(by_type[typ])[:NGEC_CAP_PER_TYPE]
        rows += [
            Row(key=k, text=texts[k], origin="ngec", allowed=[typ], conditional=True, weight=NGEC_WEIGHT, gold_type=typ)
            for k in keys
        ]
    sys.stdout.write(f"ngec: {len(types)} distinct verified quotes, {sum(len(v) for v in by_type.values())} with one ")
    sys.stdout.write(f"type, {len(rows)} kept (at most {NGEC_CAP_PER_TYPE} per type)\n")
    return rows


def drop_near_copies(rows: list[Row], protected: Iterable[str], what: str) -> list[Row]:
    """Rows sharing an 8-word shingle with a protected (evaluation) sentence are removed, and counted."""
    guard: set[tuple[str, ...]] = set()
    for text in protected:
        guard |= shingles(text)
    kept = [r for r in rows if not (shingles(r.text) & guard)]
    counts = collections.Counter(r.origin for r in rows) - collections.Counter(r.origin for r in kept)
    sys.stdout.write(f"near-copies of {what} removed: {dict(counts) or 0}\n")
    return kept


def build(dev_data: Path, synthetic: Path) -> tuple[list[Row], dict[str, str]]:
    voa_path = DATA / "voa_labels.jsonl"
    voa = list(read_jsonl(voa_path))
    holdout_texts = [str(r["text"]) for r in voa if r["split"] == "holdout"]
    dev = [labelled_row(r, "voa") for r in voa if r["split"] == "dev"]
    voa_folds(dev)
    syn = [labelled_row(r, "synthetic") for r in read_jsonl(synthetic)] if synthetic.exists() else []
    gold = gold_rows(dev_data)
    ngec = ngec_rows(dev_data)
    # Near-copies of evaluation sentences go, from every training source: related VOA stories repeat sentences
    # across articles, so the article-level split alone does not keep the holdout unseen.
    others = drop_near_copies(syn + ngec + dev, holdout_texts, "VOA holdout sentences")
    others = drop_near_copies(others, [r.text for r in gold], "GSR/ConfliBERT sentences")
    rows: list[Row] = []
    seen: set[str] = set()
    for row in gold + others:  # first source wins a duplicate: gold, then synthetic, NGEC, VOA dev
        if row.key not in seen:
            seen.add(row.key)
            rows.append(row)
    inputs = {
        "voa_labels.jsonl": voa_path,
        "synthetic.jsonl": synthetic,
        "plover_gsr.jsonl": dev_data / "plover_gsr" / "plover_gsr.jsonl",
        "conflibert_dev.jsonl": dev_data / "conflibert_dev" / "conflibert_dev.jsonl",
        "ngec2025_voa_labels/labels.jsonl": dev_data / "ngec2025_voa_labels" / "labels.jsonl",
    }
    checksums = {name: sha256_file(p) for name, p in inputs.items() if p.exists()}
    return rows, checksums


def dev_data_dir(value: str | None) -> Path:
    """The development data folder: ``--dev-data``, else the ``POWDERKEG_DEV_DATA`` setting (see the README)."""
    if value is None:
        return DevDataSettings().path()
    path = Path(value)
    return path if path.is_absolute() else (REPO / path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", help="development data folder (default: $POWDERKEG_DEV_DATA or ../shared/data)")
    parser.add_argument("--synthetic", type=Path, default=DATA / "synthetic.jsonl")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "classifier" / "train_rows.jsonl")
    args = parser.parse_args(argv)
    dev_data = dev_data_dir(args.dev_data)
    if not (dev_data / "conflibert_dev").is_dir():
        sys.stderr.write(f"no development data at {dev_data}: set POWDERKEG_DEV_DATA or pass --dev-data\n")
        return 2
    rows, checksums = build(dev_data, args.synthetic)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
    counts = collections.Counter(r.origin for r in rows)
    sys.stdout.write(f"training rows: {len(rows)} {dict(sorted(counts.items()))}\n")
    for name, digest in checksums.items():
        sys.stdout.write(f"sha256 {digest}  {name}\n")
    sys.stdout.write(f"sha256 {sha256_file(args.out)}  {args.out.name}\n")
    (args.out.parent / "data_checksums.json").write_text(
        json.dumps({"inputs": checksums, "rows": dict(counts), "train_rows": sha256_file(args.out)}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
