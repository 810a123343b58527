"""Precision of the alerts raised on the VOA holdout articles, as two annotators judged them (GUIDE.md).

Run: ``python services/cli/evaluation/alert_precision/score.py``. Prints, per system (``before``: the alerting of
commit 40ce942, before the intrastate work; ``after``: the alerting this file was made with) and per annotator, the
share of alerts with the right signal, the right sides, current, and fully right (all three), then the two
annotators' agreement (raw and Cohen's kappa) over all items.

``python score.py --alerts FILE``: the same figures for the alerts of a later system, ``powderkeg run --json`` over
the holdout articles written to FILE::

    python score.py --holdout-articles build/voa_holdout.jsonl   # the 29 articles, from $POWDERKEG_DEV_DATA/voa
    powderkeg run build/voa_holdout.jsonl --json > build/holdout_alerts.jsonl
    python score.py --alerts build/holdout_alerts.jsonl
 An alert identical to a judged one (same signal, sides and evidence) keeps its
judgements; any other is listed as unjudged, to be judged before the figures are quoted.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE.parents[2] / "extractor" / "training" / "data" / "voa_labels.jsonl"
FIELDS = ("signal_right", "sides_right", "current")


def fully(judgement: dict[str, object]) -> bool:
    return all(bool(judgement[field]) for field in FIELDS)


def kappa(a: list[bool], b: list[bool]) -> tuple[float, float]:
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    pa, pb = sum(a) / len(a), sum(b) / len(b)
    expected = pa * pb + (1 - pa) * (1 - pb)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def identity(alert: dict[str, object]) -> tuple[object, ...]:
    """What makes two alerts the same alert to a reader: signal, the two sides' labels and the evidence shown."""
    return (alert["signal"], alert["side_a"], alert["side_b"], tuple(sorted(alert["evidence"])))  # type: ignore[arg-type]


def as_shown(alert: dict[str, object]) -> dict[str, object]:
    """A ``powderkeg run --json`` alert in the form the annotators saw."""
    sides: dict[str, dict[str, object] | None] = alert["sides"]  # type: ignore[assignment]
    b = sides.get("b")
    return {"signal": alert["signal"], "side_a": sides["a"]["label"], "side_b": b["label"] if b else None,  # type: ignore[index]
            "evidence": list(alert["evidence"])}  # type: ignore[call-overload]


def later_system(rows: list[dict[str, object]], path: Path) -> list[dict[str, object]]:
    judged = {identity(row["alert"]): row for row in rows}  # type: ignore[arg-type]
    mine: list[dict[str, object]] = []
    for line in path.open(encoding="utf-8"):
        shown = as_shown(json.loads(line))
        row = judged.get(identity(shown))
        if row is None:
            print(f"unjudged: {shown['signal']} [{shown['side_a']} vs {shown['side_b']}]: {shown['evidence']}")
            continue
        mine.append({**row, "system": path.name})
    return mine


def write_holdout(out: Path) -> int:
    """The holdout split's articles from the development data (``POWDERKEG_DEV_DATA``, else ``../shared/data``)."""
    data = Path(os.environ.get("POWDERKEG_DEV_DATA") or HERE.parents[4] / "shared" / "data")
    ids = {str(json.loads(line)["article_id"]) for line in LABELS.open(encoding="utf-8")
           if json.loads(line)["split"] == "holdout"}
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = [line for line in (data / "voa" / "voa_stories.jsonl").open(encoding="utf-8")
            if str(json.loads(line)["id"]) in ids]
    out.write_text("".join(kept), encoding="utf-8")
    print(f"{len(kept)} holdout articles -> {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=Path, help="JSON lines of a later system's alerts (powderkeg run --json).")
    parser.add_argument("--holdout-articles", type=Path, help="Write the holdout's VOA articles here and stop.")
    args = parser.parse_args()
    if args.holdout_articles:
        return write_holdout(args.holdout_articles)
    rows = [json.loads(line) for line in (HERE / "alerts_judged.jsonl").open(encoding="utf-8")]
    systems = {name: [r for r in rows if r["system"] == name] for name in ("before", "after")}
    if args.alerts:
        systems[args.alerts.name] = later_system(rows, args.alerts)
    print(f"{'system':<22}{'judge':>6}{'alerts':>8}{'signal':>8}{'sides':>8}{'current':>9}{'fully':>8}")
    for system, mine in systems.items():
        for judge in ("judge_1", "judge_2"):
            counts = [sum(bool(row[judge][f]) for row in mine) for f in FIELDS] + [sum(fully(r[judge]) for r in mine)]
            widths = (8, 8, 9, 8)
            shares = "".join(f"{c / len(mine):>{w}.2f}" for w, c in zip(widths, counts, strict=True))
            print(f"{system:<22}{judge[-1]:>6}{len(mine):>8}{shares}")
    print("\nagreement over all items (raw, Cohen's kappa):")
    for field in (*FIELDS, "fully"):
        pick = (lambda j: fully(j)) if field == "fully" else (lambda j, f=field: bool(j[f]))
        raw, k = kappa([pick(r["judge_1"]) for r in rows], [pick(r["judge_2"]) for r in rows])
        print(f"  {field:<13} {raw:.2f}  {k:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
