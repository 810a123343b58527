"""Markdown tables of ``make eval-classifier`` (what docs/classifier.md quotes)."""

from __future__ import annotations

from typing import Any

from powderkeg_extractor.classify.evaluation import PENTACODES
from powderkeg_extractor.evaluate import NONE

SYSTEMS = ("rules", "rules_gated", "classifier", "combination", "combination_strict")


def _f(x: Any) -> str:
    return f"{float(x):.3f}"


def _ms(d: Any) -> str:
    return f"{d['mean']:.3f} ± {d['sd']:.3f}"


def _confusion(title: str, matrix: list[list[int]], rows: tuple[str, ...]) -> list[str]:
    cols = [*PENTACODES, NONE]
    lines = [f"{title} (gold rows, predicted columns)", "", "| gold \\ predicted | " + " | ".join(cols) + " |"]
    lines.append("|---|" + "---:|" * len(cols))
    lines += [f"| {g} | " + " | ".join(str(v) for v in row) + " |" for g, row in zip(rows, matrix, strict=True)]
    return [*lines, ""]


def _tok(r: dict[str, Any], key: str) -> str:
    return _f(r[key]["f1"]) if key in r else "-"


def conflibert(res: dict[str, Any]) -> list[str]:
    n_all, n_real = res["rules"]["all"]["sentences"], res["rules"]["real_news"]["sentences"]
    lines = [
        f"### ConfliBERT development sentences ({n_all}; {n_real} real news), classifier out of fold",
        "",
        "| system | pentacode macro-F1, all (pooled / folds) | real news (pooled / folds) | source token F1 all / real "
        "| target token F1 all / real | source span match | target span match |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in SYSTEMS:
        r = res[name]
        lines.append(
            f"| {name} | {_f(r['all']['pentacode_macro_f1'])} / {_ms(r['folds_all'])} | "
            f"{_f(r['real_news']['pentacode_macro_f1'])} / {_ms(r['folds_real_news'])} | "
            f"{_tok(r, 'source_token_f1')} / {_tok(r, 'source_token_f1_real_news')} | "
            f"{_tok(r, 'target_token_f1')} / {_tok(r, 'target_token_f1_real_news')} | "
            f"{_f(r['all']['source_span_match'])} | {_f(r['all']['target_span_match'])} |"
        )
    lines.append("")
    for name in SYSTEMS:
        lines += _confusion(f"ConfliBERT pentacode, {name}", res[name]["pentacode_confusion"], PENTACODES)
    return lines


def gsr(res: dict[str, Any]) -> list[str]:
    lines = [
        f"### PLOVER gold standard ({res['rules']['sentences']} sentences), classifier out of fold",
        "",
        "| system | PLOVER type macro-F1 (pooled / folds) | pentacode macro-F1 (pooled / folds) | predicted none |",
        "|---|---:|---:|---:|",
    ]
    for name in SYSTEMS:
        r = res[name]
        lines.append(
            f"| {name} | {_f(r['plover_macro_f1'])} / {_ms(r['folds_plover_macro_f1'])} | "
            f"{_f(r['pentacode_macro_f1'])} / {_ms(r['folds_pentacode_macro_f1'])} | {r['predicted_none']} |"
        )
    return [*lines, ""]


def voa(res: dict[str, Any]) -> list[str]:
    r0 = res["rules"]
    lines = [
        f"### VOA holdout ({r0['sentences']} sentences, {r0['events']} events; never trained or tuned on)",
        "",
        "| system | event P / R / F1 | pentacode macro-F1 (gold events) | with none | PLOVER type macro-F1 "
        "| disaster/accident -> conflict type | non-event -> event | source token F1 | target token F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in SYSTEMS:
        r = res[name]
        lines.append(
            f"| {name} | {_f(r['event_precision'])} / {_f(r['event_recall'])} / {_f(r['event_f1'])} | "
            f"{_f(r['pentacode_macro_f1'])} | {_f(r['pentacode_with_none_macro_f1'])} | "
            f"{_f(r['plover_macro_f1'])} (n={r['plover_n']}) | "
            f"{_f(r['hazard_conflict_share'])} (n={r['hazard_sentences']}) | {_f(r['nonevent_false_event_share'])} | "
            f"{_tok(r, 'source_token_f1')} | {_tok(r, 'target_token_f1')} |"
        )
    h = res["side_heads"]
    lines += [
        "",
        "| side head (VOA holdout) | figure |",
        "|---|---:|",
        f"| factuality of gold events, classifier accuracy / macro-F1 (n={h['factuality_n']}) | "
        f"{_f(h['factuality_classifier_accuracy'])} / {_f(h['factuality_classifier_macro_f1'])} |",
        f"| factuality where the rules have a top record: rules / classifier accuracy (n={h['factuality_rules_n']}) | "
        f"{_f(h['factuality_rules_accuracy'])} / {_f(h['factuality_classifier_accuracy_on_rules_subset'])} |",
        f"| signal families, classifier P / R / F1 at 0.5 ({h['families_gold']} gold) | {_f(h['families_precision'])} "
        f"/ {_f(h['families_recall'])} / {_f(h['families_f1'])} |",
        "",
    ]
    for name in SYSTEMS:
        lines += _confusion(f"VOA holdout pentacode, {name}", res[name]["pentacode_confusion"], (*PENTACODES, NONE))
    return lines


def comparison(results: dict[str, Any]) -> list[str]:
    """Held-out VOA against the cross-validated development figures, system by system."""
    lines = [
        "### Held-out VOA against the cross-validated development sets (pentacode macro-F1)",
        "",
        "| system | VOA holdout (gold events) | ConfliBERT real news, folds | ConfliBERT all, folds | GSR, folds |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in SYSTEMS:
        v, c, g = results["voa_holdout"][name], results["conflibert"][name], results["gsr"][name]
        lines.append(
            f"| {name} | {_f(v['pentacode_macro_f1'])} | {_ms(c['folds_real_news'])} | {_ms(c['folds_all'])} | "
            f"{_ms(g['folds_pentacode_macro_f1'])} |"
        )
    return [*lines, ""]


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    if "conflibert" in results:
        lines += conflibert(results["conflibert"])
    if "gsr" in results:
        lines += gsr(results["gsr"])
    if "voa_holdout" in results:
        lines += voa(results["voa_holdout"])
    if {"conflibert", "gsr", "voa_holdout"} <= set(results):
        lines += comparison(results)
    return "\n".join(lines)
