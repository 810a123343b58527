"""Precision of the alerts raised on the VOA holdout articles, as two annotators judged them (GUIDE.md).

Run: ``python services/cli/evaluation/alert_precision/score.py``. Prints, per system (``before``: the alerting of
commit 40ce942, before the intrastate work; ``after``: the alerting this file was made with) and per annotator, the
share of alerts with the right signal, the right sides, current, and fully right (all three), then the two
annotators' agreement (raw and Cohen's kappa) over all items.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ("signal_right", "sides_right", "current")


def fully(judgement: dict[str, object]) -> bool:
    return all(bool(judgement[field]) for field in FIELDS)


def kappa(a: list[bool], b: list[bool]) -> tuple[float, float]:
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    pa, pb = sum(a) / len(a), sum(b) / len(b)
    expected = pa * pb + (1 - pa) * (1 - pb)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main() -> int:
    rows = [json.loads(line) for line in (HERE / "alerts_judged.jsonl").open(encoding="utf-8")]
    print(f"{'system':<8}{'judge':>6}{'alerts':>8}{'signal':>8}{'sides':>8}{'current':>9}{'fully':>8}")
    for system in ("before", "after"):
        mine = [row for row in rows if row["system"] == system]
        for judge in ("judge_1", "judge_2"):
            counts = [sum(bool(row[judge][f]) for row in mine) for f in FIELDS] + [sum(fully(r[judge]) for r in mine)]
            widths = (8, 8, 9, 8)
            shares = "".join(f"{c / len(mine):>{w}.2f}" for w, c in zip(widths, counts, strict=True))
            print(f"{system:<8}{judge[-1]:>6}{len(mine):>8}{shares}")
    print("\nagreement over all items (raw, Cohen's kappa):")
    for field in (*FIELDS, "fully"):
        pick = (lambda j: fully(j)) if field == "fully" else (lambda j, f=field: bool(j[f]))
        raw, k = kappa([pick(r["judge_1"]) for r in rows], [pick(r["judge_2"]) for r in rows])
        print(f"  {field:<13} {raw:.2f}  {k:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
