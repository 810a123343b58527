"""Measure actor resolution on the development data and print the figures.

Usage::

    .venv/bin/python services/extractor/scripts/actor_accuracy.py [--data DIR] [--gsr FILE] [--conflibert FILE]

The gold files default to ``plover_gsr/plover_gsr.jsonl`` and ``conflibert_dev/conflibert_dev.jsonl`` in the
development-data folder (``powderkeg_extractor/devdata.py``).

PLOVER GSR (gold actor text + code): ``resolve(text)`` is right when it gives the gold country; gold ``IGO`` is right
when the actor is an international organisation or an international NGO (the GSR codes the Red Cross and Amnesty
as IGO), ``NGO`` when it is an NGO, ``IMG`` when it is a transnational armed
group. GSR uses some old CAMEO codes (``JAP``, ``ITL``, ``VTN``, ``ISM``); they are mapped with ``iso_country``.
``find(sentence)`` recall counts gold spans overlapped by a found mention (and exactly equal ones).
``--roles actor|recipient`` runs the whole extractor instead and groups the GSR sentences whose top event's
actor (recipient) misses the gold countries by cause (statement won, right phrase without country, other phrase).
ConfliBERT dev (gold spans only): coverage = fraction of spans that ``resolve`` gives a country or an international
actor. ``--misses N`` prints the N most frequent unresolved words for development (never copy them into the repo).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from powderkeg_contracts.models import Actor, Sector
from powderkeg_extractor.core.actors import ActorResolver
from powderkeg_extractor.core.ontology import iso_country
from powderkeg_extractor.devdata import add_data_option, dev_data

_INTERNATIONAL = {"IGO": Sector.INTERNATIONAL_ORGANISATION, "NGO": Sector.NGO, "IMG": Sector.INSURGENTS}


def _correct(actor: Actor, gold: str) -> bool:
    if gold == "IGO":
        return actor.country is None and actor.sector in (Sector.INTERNATIONAL_ORGANISATION, Sector.NGO)
    if gold in _INTERNATIONAL:
        return actor.country is None and actor.sector is _INTERNATIONAL[gold]
    return actor.country == iso_country(gold)


def _resolved(actor: Actor) -> bool:
    return (
        actor.country is not None
        or actor.sector in (Sector.INTERNATIONAL_ORGANISATION, Sector.NGO)
        or (actor.code is not None and actor.code[:3] in {"IGO", "NGO", "IMG"})
    )


def gsr(resolver: ActorResolver, path: Path, misses: Counter[str]) -> None:
    total = right = spans = overlap = exact = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        found = resolver.find(text)
        for gold in record["actor"] + record["recipient"]:
            if not gold.get("code") or not gold.get("text"):
                continue
            total += 1
            actor = resolver.resolve(gold["text"])
            if _correct(actor, gold["code"]):
                right += 1
            else:
                misses[f"GSR {gold['text']!r} gold={gold['code']} got={actor.country}/{actor.code}"] += 1
            start = text.find(gold["text"])
            if start < 0:
                continue
            end = start + len(gold["text"])
            spans += 1
            if any(m.start < end and start < m.end for m in found):
                overlap += 1
            if any(m.start == start and m.end == end for m in found):
                exact += 1
    sys.stdout.write(f"PLOVER GSR: resolve() country/IGO accuracy {right}/{total} = {right / max(total, 1):.3f}\n")
    sys.stdout.write(
        f"PLOVER GSR: find() recall of gold spans: overlap {overlap}/{spans} = "
        f"{overlap / max(spans, 1):.3f}, exact {exact}/{spans} = {exact / max(spans, 1):.3f}\n"
    )


def conflibert(resolver: ActorResolver, path: Path, misses: Counter[str]) -> None:
    total = resolved = news_total = news_resolved = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for span in record["source_spans"] + record["target_spans"] + record["reciprocal_spans"]:
            actor = resolver.resolve(span)
            ok = _resolved(actor)
            total += 1
            resolved += ok
            if not record["also_in_plover_gsr"]:
                news_total += 1
                news_resolved += ok
            if not ok:
                misses[f"CB {span!r}"] += 1
    sys.stdout.write(
        f"ConfliBERT dev: resolve() coverage (country or international) {resolved}/{total} = "
        f"{resolved / max(total, 1):.3f}; news-only sentences {news_resolved}/{news_total} = "
        f"{news_resolved / max(news_total, 1):.3f}\n"
    )


def _cause(gold: list[dict[str, str]], actors: tuple[Actor, ...], label: str) -> str:
    """Why the top event's actors miss the gold countries, in the groups the role work is organised by."""
    if not any(a.text for a in actors):
        return "no actor (nothing detected, or no argument in the parse)"
    texts = [_norm(a.text or "") for a in actors]
    same_np = any(g and t and (g in t or t in g) for g in (_norm(x.get("text") or "") for x in gold) for t in texts)
    if label == "none":
        return "a statement won: the speaker of reported speech is the actor"
    if same_np and all(a.country is None for a in actors):
        return "right noun phrase, no country (unresolved or a bare agent word)"
    if same_np:
        return "right noun phrase, other country (gazetteer or coding convention)"
    if any(a.country is None for a in actors):
        return "other noun phrase, no country"
    return "other noun phrase chosen (role assignment or event choice)"


def _norm(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def roles(path: Path, side: str) -> None:
    """List GSR sentences whose top event's actors (or recipients) miss the gold countries, grouped by cause."""
    from powderkeg_extractor import evaluate

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    preds = evaluate.predict([r["text"] for r in rows])
    groups: dict[str, list[str]] = {}
    total = 0
    for row, pred in zip(rows, preds, strict=True):
        gold = [g for g in row[side] if g.get("code")]
        countries = {iso_country(g["code"][:3]) for g in gold}
        actors = pred.actors if side == "actor" else pred.recipients
        if not countries - {"IGO", "NGO", "IMG"}:
            continue
        total += 1
        if any(a.country in countries for a in actors):
            continue
        got = ", ".join(f"{a.text!r}={a.country}" for a in actors) or "-"
        want = ", ".join(f"{g['text']!r}={g['code']}" for g in gold)
        line = f"[{pred.label}] {row['text'][:110]}\n      gold {want}\n      got  {got}"
        groups.setdefault(_cause(gold, actors, pred.label), []).append(line)
    misses = sum(len(v) for v in groups.values())
    sys.stdout.write(f"GSR {side} country misses (top event): {misses}/{total}\n")
    for cause, lines in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        sys.stdout.write(f"\n## {cause}: {len(lines)}\n")
        for line in lines:
            sys.stdout.write(f"  {line}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    parser.add_argument("--gsr", type=Path, help="PLOVER GSR gold (default: DATA/plover_gsr/plover_gsr.jsonl)")
    parser.add_argument("--conflibert", type=Path, help="default: DATA/conflibert_dev/conflibert_dev.jsonl")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses (development only)")
    parser.add_argument(
        "--roles",
        choices=("actor", "recipient"),
        help="instead: run the extractor on the GSR and group the top event's country misses by cause",
    )
    args = parser.parse_args(argv)
    data = dev_data(args.data)
    args.gsr = args.gsr or data / "plover_gsr" / "plover_gsr.jsonl"
    args.conflibert = args.conflibert or data / "conflibert_dev" / "conflibert_dev.jsonl"
    if args.roles:
        roles(args.gsr, args.roles)
        return 0
    started = time.perf_counter()
    resolver = ActorResolver.default()
    sys.stdout.write(f"gazetteer loaded in {time.perf_counter() - started:.3f} s\n")
    misses: Counter[str] = Counter()
    gsr(resolver, args.gsr, misses)
    conflibert(resolver, args.conflibert, misses)
    for miss, count in misses.most_common(args.misses):
        sys.stdout.write(f"  miss x{count}: {miss}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
