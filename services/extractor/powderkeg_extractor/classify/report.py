"""Markdown tables of ``make eval-dev`` (what docs/classifier.md quotes)."""

from __future__ import annotations

from typing import Any

from powderkeg_extractor.classify.evaluation import PENTACODES
from powderkeg_extractor.evaluate import NONE

SYSTEMS = ("rules", "classifier", "gated", "agree")
"""Rows of every table: the rules alone, the classifier's own label, and the extractor's classify stages."""


def _f(x: Any) -> str:
    return f"{float(x):.3f}"


def _ms(d: Any) -> str:
    return f"{d['mean']:.3f} ± {d['sd']:.3f}"


def _systems(res: dict[str, Any]) -> list[str]:
    return [name for name in SYSTEMS if name in res]


def _confusion(title: str, matrix: list[list[int]], rows: tuple[str, ...]) -> list[str]:
    cols = [*PENTACODES, NONE]
    lines = [f"{title} (gold rows, predicted columns)", "", "| gold \\ predicted | " + " | ".join(cols) + " |"]
    lines.append("|---|" + "---:|" * len(cols))
    lines += [f"| {g} | " + " | ".join(str(v) for v in row) + " |" for g, row in zip(rows, matrix, strict=True)]
    return [*lines, ""]


def _tok(r: dict[str, Any], key: str) -> str:
    return _f(r[key]["f1"]) if key in r else "-"


def variants(res: dict[str, Any]) -> list[str]:
    lines = [
        "### Variants: the classifier alone, out of fold",
        "",
        "| variant | ConfliBERT real news pentacode | GSR pentacode | VOA dev pentacode with none | VOA dev event F1 "
        "| selection score |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in sorted(res.items(), key=lambda kv: -kv[1]["selection"]):
        lines.append(
            f"| {name} | {_f(r['conflibert_real_news'])} | {_f(r['gsr'])} | {_f(r['voa_dev_with_none'])} | "
            f"{_f(r['voa_dev_event_f1'])} | {_f(r['selection'])} |"
        )
    return [*lines, ""]


def conflibert(res: dict[str, Any]) -> list[str]:
    n_all, n_real = res["rules"]["all"]["sentences"], res["rules"]["real_news"]["sentences"]
    lines = [
        f"### ConfliBERT development sentences ({n_all}; {n_real} real news), classifier out of fold",
        "",
        "| system | pentacode macro-F1, all (pooled / folds) | real news (pooled / folds) | source token F1 all / real "
        "| target token F1 all / real | source span match | target span match |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in _systems(res):
        r = res[name]
        lines.append(
            f"| {name} | {_f(r['all']['pentacode_macro_f1'])} / {_ms(r['folds_all'])} | "
            f"{_f(r['real_news']['pentacode_macro_f1'])} / {_ms(r['folds_real_news'])} | "
            f"{_tok(r, 'source_token_f1')} / {_tok(r, 'source_token_f1_real_news')} | "
            f"{_tok(r, 'target_token_f1')} / {_tok(r, 'target_token_f1_real_news')} | "
            f"{_f(r['all']['source_span_match'])} | {_f(r['all']['target_span_match'])} |"
        )
    lines.append("")
    for name in _systems(res):
        lines += _confusion(f"ConfliBERT pentacode, {name}", res[name]["pentacode_confusion"], PENTACODES)
    return lines


def gsr(res: dict[str, Any]) -> list[str]:
    lines = [
        f"### PLOVER gold standard ({res['rules']['sentences']} sentences), classifier out of fold",
        "",
        "| system | PLOVER type macro-F1 (pooled / folds) | pentacode macro-F1 (pooled / folds) | predicted none |",
        "|---|---:|---:|---:|",
    ]
    for name in _systems(res):
        r = res[name]
        lines.append(
            f"| {name} | {_f(r['plover_macro_f1'])} / {_ms(r['folds_plover_macro_f1'])} | "
            f"{_f(r['pentacode_macro_f1'])} / {_ms(r['folds_pentacode_macro_f1'])} | {r['predicted_none']} |"
        )
    return [*lines, ""]


def voa(res: dict[str, Any], split: str) -> list[str]:
    r0 = res["rules"]
    title = (
        "VOA dev articles, classifier out of fold" if split == "voa_dev" else "VOA holdout (never trained or tuned on)"
    )
    folds = "folds_pentacode_macro_f1" in r0
    lines = [
        f"### {title} ({r0['sentences']} sentences, {r0['events']} events)",
        "",
        "| system | event P / R / F1 | pentacode macro-F1 (gold events) | with none | PLOVER type macro-F1 "
        "| disaster/accident -> conflict type | non-event -> event | source token F1 | target token F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in _systems(res):
        r = res[name]
        penta = _f(r["pentacode_macro_f1"]) + (f" / {_ms(r['folds_pentacode_macro_f1'])}" if folds else "")
        with_none = _f(r["pentacode_with_none_macro_f1"])
        with_none += f" / {_ms(r['folds_pentacode_with_none_macro_f1'])}" if folds else ""
        lines.append(
            f"| {name} | {_f(r['event_precision'])} / {_f(r['event_recall'])} / {_f(r['event_f1'])} | "
            f"{penta} | {with_none} | {_f(r['plover_macro_f1'])} (n={r['plover_n']}) | "
            f"{_f(r['hazard_conflict_share'])} (n={r['hazard_sentences']}) | {_f(r['nonevent_false_event_share'])} | "
            f"{_tok(r, 'source_token_f1')} | {_tok(r, 'target_token_f1')} |"
        )
    h = res["side_heads"]
    lines += [
        "",
        "| side head | figure |",
        "|---|---:|",
        f"| factuality of gold events, classifier accuracy / macro-F1 (n={h['factuality_n']}) | "
        f"{_f(h['factuality_classifier_accuracy'])} / {_f(h['factuality_classifier_macro_f1'])} |",
        f"| factuality where the rules have a top record: rules / classifier accuracy (n={h['factuality_rules_n']}) | "
        f"{_f(h['factuality_rules_accuracy'])} / {_f(h['factuality_classifier_accuracy_on_rules_subset'])} |",
        f"| signal families, classifier P / R / F1 at 0.5 ({h['families_gold']} gold) | {_f(h['families_precision'])} "
        f"/ {_f(h['families_recall'])} / {_f(h['families_f1'])} |",
        "",
    ]
    name_of = "VOA dev" if split == "voa_dev" else "VOA holdout"
    for name in _systems(res):
        lines += _confusion(f"{name_of} pentacode, {name}", res[name]["pentacode_confusion"], (*PENTACODES, NONE))
    return lines


def comparison(results: dict[str, Any]) -> list[str]:
    """Held-out VOA against the cross-validated development figures, system by system."""
    lines = [
        "### Held-out VOA against the cross-validated sets (pentacode macro-F1 of the gold events)",
        "",
        "| system | VOA holdout | VOA dev, folds | ConfliBERT real news, folds | ConfliBERT all, folds | GSR, folds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in _systems(results["voa_holdout"]):
        v, d = results["voa_holdout"][name], results["voa_dev"][name]
        c, g = results["conflibert"][name], results["gsr"][name]
        lines.append(
            f"| {name} | {_f(v['pentacode_macro_f1'])} | {_ms(d['folds_pentacode_macro_f1'])} | "
            f"{_ms(c['folds_real_news'])} | {_ms(c['folds_all'])} | {_ms(g['folds_pentacode_macro_f1'])} |"
        )
    return [*lines, ""]


def render(results: dict[str, Any]) -> str:
    lines: list[str] = [f"Cross-validated variant scored: {results.get('variant', '?')}", ""]
    if "variants" in results:
        lines += variants(results["variants"])
    if "conflibert" in results:
        lines += conflibert(results["conflibert"])
    if "gsr" in results:
        lines += gsr(results["gsr"])
    for split in ("voa_dev", "voa_holdout"):
        if split in results:
            lines += voa(results[split], split)
    if {"conflibert", "gsr", "voa_dev", "voa_holdout"} <= set(results):
        lines += comparison(results)
    return "\n".join(lines)
