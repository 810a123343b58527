"""Train the candidate ranker (``core/ranker.py``) and measure it honestly with repeated stratified k-fold CV.

Data: the PLOVER GSR sentences (a candidate is right when its PLOVER type is the gold type) and the ConfliBERT
real-news sentences (``also_in_plover_gsr`` false; right when its pentacode is the gold pentacode, statements 0).
The ConfliBERT sentences that are also in the GSR are not used twice. Only the rules' own outputs are features,
so the model is small (one weight per feature) and deterministic (Newton's method, no random start).

Cross-validation: sentences (not candidates) are split, stratified by gold label, 5 folds x 3 seeds; each
sentence's label is predicted by a model that never saw it. Printed: the rules' figures (no training) and the
ranker's out-of-fold figures (mean ± sd over the seeds), and a reliability table (out-of-fold probability bins vs
the share of candidates that were right). The final weights are fitted on everything and written to
``powderkeg_extractor/data/ranker.json``; the report goes to ``data/ranker_cv.txt``.

Usage, from the repository root (``--data``: the development-data folder, see ``powderkeg_extractor/devdata.py``):
    .venv/bin/python services/extractor/scripts/train_ranker.py [--data DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from powderkeg_contracts.models import PloverType
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ontology import QUAD_OF_TYPE, QUAD_PENTACODE, pentacode_of
from powderkeg_extractor.core.ranker import FEATURES, RankerWeights, featurize
from powderkeg_extractor.devdata import add_data_option, dev_data
from powderkeg_extractor.evaluate import NONE, _article, class_scores, load_gold, macro_f1

DATA = Path(__file__).resolve().parents[1] / "powderkeg_extractor" / "data"
L2 = 1.0
FOLDS = 5
SEEDS = (0, 1, 2)
CALIBRATION = ("rule_confidence", "rule_best", "log_candidates")
"""Features that cannot reorder a sentence's candidates (given positive weights on the first two): a calibration."""


class Sentence:
    """One training sentence: its candidates, their features and which of them are right."""

    def __init__(self, source: str, gold: str, detections: list[Detection]) -> None:
        self.source = source
        self.gold = gold
        self.detections = detections
        self.x = np.array([featurize(d, detections) for d in detections]).reshape(len(detections), len(FEATURES))
        self.y = np.array([float(self.label(d) == gold) for d in detections])

    def label(self, d: Detection) -> str:
        if self.source == "gsr":
            return d.record.event_type.value if d.record is not None else NONE
        return str(pentacode_of(d.cameo_code))


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (bias unpenalised); deterministic."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg * w
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(sentences: Sequence[Sentence], scores: Sequence[np.ndarray]) -> list[str]:
    out: list[str] = []
    for s, sc in zip(sentences, scores, strict=True):
        out.append(s.label(s.detections[int(np.argmax(sc))]) if len(sc) else NONE)
    return out


def figures(sentences: Sequence[Sentence], labels: Sequence[str]) -> dict[str, float]:
    """GSR type macro-F1, GSR pentacode macro-F1, real-news pentacode macro-F1."""
    gsr = [i for i, s in enumerate(sentences) if s.source == "gsr"]
    real = [i for i, s in enumerate(sentences) if s.source == "real"]
    types = [t.value for t in PloverType]

    def penta(label: str) -> str:
        return str(QUAD_PENTACODE[QUAD_OF_TYPE[PloverType(label)]]) if label != NONE else "0"

    g_gold = [sentences[i].gold for i in gsr]
    g_pred = [labels[i] for i in gsr]
    pentas = ["0", "1", "2", "3", "4"]
    return {
        "gsr_type_f1": macro_f1(class_scores(g_gold, g_pred, types)),
        "gsr_penta_f1": macro_f1(class_scores([penta(g) for g in g_gold], [penta(p) for p in g_pred], pentas)),
        "real_penta_f1": macro_f1(class_scores([sentences[i].gold for i in real], [labels[i] for i in real], pentas)),
    }


def folds(sentences: Sequence[Sentence], seed: int) -> list[int]:
    """A fold number per sentence, stratified by (source, gold label)."""
    rng = np.random.default_rng(seed)
    out = [0] * len(sentences)
    strata: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        strata.setdefault(f"{s.source}:{s.gold}", []).append(i)
    offset = 0
    for key in sorted(strata):
        idx = list(strata[key])
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[i] = (offset + j) % FOLDS
        offset += len(idx)
    return out


def load_sentences(data: Path) -> list[Sentence]:
    from powderkeg_extractor.core.lexicon import Lexicon
    from powderkeg_extractor.core.nlp import load_nlp
    from powderkeg_extractor.core.ontology import Ontology
    from powderkeg_extractor.core.pipeline import Extractor
    from powderkeg_extractor.core.resolvers import default_resolvers

    gsr = load_gold(data / "plover_gsr" / "plover_gsr.jsonl")
    conflibert = load_gold(data / "conflibert_dev" / "conflibert_dev.jsonl")
    real = [r for r in conflibert if not r.get("also_in_plover_gsr", False)]
    texts = [str(r["text"]) for r in gsr] + [str(r["text"]) for r in real]
    golds = [("gsr", str(r["event_plover_current"])) for r in gsr] + [("real", str(r["pentacode"])) for r in real]
    # No ranker: the rules' own confidence is a feature; never train on the model's output.
    extractor = Extractor(load_nlp(), Lexicon.default(), Ontology.default(), None, default_resolvers())
    detections: list[list[Detection]] = []
    for start in range(0, len(texts), 64):
        batch = [_article(start + i, t) for i, t in enumerate(texts[start : start + 64])]
        detections.extend(extractor.detect_batch(batch))
    return [Sentence(src, gold, ds) for (src, gold), ds in zip(golds, detections, strict=True)]


def _stack(sentences: Sequence[Sentence], idx: Sequence[int], mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = [sentences[i].x[:, mask] for i in idx if len(sentences[i].detections)]
    ys = [sentences[i].y for i in idx if len(sentences[i].detections)]
    return np.vstack(xs), np.concatenate(ys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    add_data_option(parser)
    args = parser.parse_args(argv)
    sentences = load_sentences(dev_data(args.data))
    head = (
        f"train_ranker.py: {sum(s.source == 'gsr' for s in sentences)} GSR + "
        f"{sum(s.source == 'real' for s in sentences)} ConfliBERT real-news sentences, "
        f"{sum(len(s.detections) for s in sentences)} candidates, L2 {L2}"
    )
    arbiter, _, _ = evaluate_model(sentences, FEATURES)
    calibrator, w, bias = evaluate_model(sentences, CALIBRATION)
    report = "\n".join(
        [
            head,
            "",
            f"## Arbitrator: all {len(FEATURES)} features (may reorder candidates)",
            "",
            *arbiter,
            "",
            f"## Calibrator: {', '.join(CALIBRATION)} (keeps the rules' order; committed)",
            "",
            *calibrator,
        ]
    )
    report += "\n"
    sys.stdout.write(report)
    if not args.dry_run:
        weights = RankerWeights(
            features=list(FEATURES),
            weights=[round(float(v), 6) for v in w],
            bias=round(bias, 6),
            trained_on="plover_gsr.jsonl (322) + conflibert_dev.jsonl real-news subset (180)",
            l2=L2,
        )
        (DATA / "ranker.json").write_text(json.dumps(weights.model_dump(), indent=1) + "\n", encoding="utf-8")
        (DATA / "ranker_cv.txt").write_text(report, encoding="utf-8")
    return 0


def evaluate_model(sentences: Sequence[Sentence], active: Sequence[str]) -> tuple[list[str], np.ndarray, float]:
    """CV report lines for a model over the ``active`` features, and its weights fitted on everything."""
    mask = np.array([name in active for name in FEATURES])
    lines: list[str] = []
    rules = figures(sentences, predict(sentences, [np.array([d.confidence for d in s.detections]) for s in sentences]))
    runs: list[dict[str, float]] = []
    oof_p: list[float] = []
    oof_y: list[float] = []
    oof_top: list[tuple[float, float]] = []
    for seed in SEEDS:
        assignment = folds(sentences, seed)
        scores: list[np.ndarray] = [np.zeros(0)] * len(sentences)
        for k in range(FOLDS):
            train = [i for i, f in enumerate(assignment) if f != k]
            w, b = fit(*_stack(sentences, train, mask))
            for i, f in enumerate(assignment):
                if f == k and len(sentences[i].detections):
                    scores[i] = 1.0 / (1.0 + np.exp(-(sentences[i].x[:, mask] @ w + b)))
                    if seed == SEEDS[0]:
                        oof_p.extend(scores[i].tolist())
                        oof_y.extend(sentences[i].y.tolist())
                        top = int(np.argmax(scores[i]))
                        oof_top.append((float(scores[i][top]), float(sentences[i].y[top])))
        runs.append(figures(sentences, predict(sentences, scores)))
    lines += ["| figure | rules (no training) | ranker, out-of-fold (5-fold x 3 seeds, mean ± sd) |", "|---|---:|---:|"]
    for key, name in (
        ("gsr_type_f1", "GSR PLOVER type macro-F1"),
        ("gsr_penta_f1", "GSR pentacode macro-F1"),
        ("real_penta_f1", "ConfliBERT real-news pentacode macro-F1"),
    ):
        values = np.array([r[key] for r in runs])
        lines.append(f"| {name} | {rules[key]:.3f} | {values.mean():.3f} ± {values.std():.3f} |")
    lines += ["", "Reliability (out-of-fold, seed 0): probability bin -> share right", ""]
    lines += ["| bin | all candidates: n | share right | top candidate: n | share right |", "|---|---:|---:|---:|---:|"]
    p_all, y_all = np.array(oof_p), np.array(oof_y)
    top = np.array(oof_top)
    for lo in np.arange(0.0, 1.0, 0.2):
        hi = lo + 0.2
        sel = (p_all >= lo) & ((p_all < hi) | (hi >= 1.0))
        tsel = (top[:, 0] >= lo) & ((top[:, 0] < hi) | (hi >= 1.0))
        share = f"{y_all[sel].mean():.2f}" if sel.any() else "-"
        tshare = f"{top[tsel, 1].mean():.2f}" if tsel.any() else "-"
        lines.append(f"| {lo:.1f}-{hi:.1f} | {int(sel.sum())} | {share} | {int(tsel.sum())} | {tshare} |")
    w, b = fit(*_stack(sentences, range(len(sentences)), mask))
    full = np.zeros(len(FEATURES))
    full[mask] = w
    lines += ["", "Weights fitted on all sentences:", ""]
    lines += [f"- {n}: {v:+.3f}" for n, v in zip(FEATURES, full, strict=True) if n in active] + [f"- bias: {b:+.3f}"]
    return lines, full, b


if __name__ == "__main__":
    raise SystemExit(main())
