"""``powderkeg eval-alerts``: do the alerts a duty officer gets match what the sentences report?

Three measurements, each over data with gold labels (extractor and alert engine exactly as in ``powderkeg run``):

1. **Recall per family** on gold conflict sentences, each fed alone as one article: PLOVER gold-standard sentences of
   type ASSAULT, COERCE, MOBILIZE, PROTEST (and THREATEN, SANCTION, REJECT for the verbal families), ConfliBERT
   sentences of pentacode 4, and the project's VOA sentences whose labels name a signal. A hit is an escalation
   alert of the sentence's family.
2. **False alarms per 1,000 sentences** that are not conflict: cooperative and neutral gold sentences (PLOVER types of
   quad class cooperation, ConfliBERT pentacode 0-2) must raise no violent alert; VOA sentences labelled as no
   political event (disasters, accidents, health, sports, business, analysis ...) must raise no escalation alert.
3. **Alert precision on whole VOA articles**: every article goes through the pipeline whole; each alert's events
   are traced to the labelled sentences holding their triggers (the model's sentence splits can differ from the
   labels': a quote's closing mark can join two labelled sentences), and the alert is right when one of them is
   labelled with the alert's signal family (and, for the side check, when the alert's countries are among the
   sentence's labelled countries).

4. **Hand-written probes** (``evaluation/probes/``): snippets of every kind an early-warning desk watches, and hard
   negatives (disasters, accidents, sports, speculation), each fed alone; the figures are the targets for held-out
   news (an escalation alert for violent events, no alert for disasters).

The VOA labels carry a fixed ``split``: ``dev`` is what the rules may be tuned on, ``holdout`` is never looked at
while tuning. So do the probes (``dev.jsonl``, ``holdout.jsonl``). Figures are printed per split; ``--errors``
lists misses and false alarms and refuses the holdout.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from powderkeg_contracts import Alert, Article, Direction, EventRecord, Origin, PloverType
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.devdata import add_data_option, dev_data
from powderkeg_extractor.settings import configured_extractor
from powderkeg_ingest.core.pipeline import CoreConfig, IngestCore, RawArticle

REPO_ROOT = Path(__file__).resolve().parents[3]
VOA_LABELS = REPO_ROOT / "services" / "extractor" / "training" / "data" / "voa_labels.jsonl"
PROBES = REPO_ROOT / "services" / "cli" / "evaluation" / "probes"
PUBLISHED = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
BATCH = 64

FAMILIES: dict[str, frozenset[str]] = {
    "violence": frozenset(
        {
            "military_strike",
            "armed_clash",
            "bombing",
            "armed_group_attack",
            "attack_on_civilians",
            "abduction",
            "ceasefire_violated",
            "force_against_protesters",
            "escalation_surge",
        }
    ),
    "coercion": frozenset(
        {"repression", "force_against_protesters", "emergency_rule", "coup", "territory_seized", "border_closed"}
    ),
    "mobilization": frozenset({"mobilization", "weapons_test"}),
    "unrest": frozenset({"protest", "riot", "force_against_protesters"}),
    "threat": frozenset({"threat"}),
    "sanctions": frozenset({"sanctions", "relations_cut"}),
    "talks": frozenset({"talks_failed"}),
}
"""Signal families: an alert of any signal of the family counts as a hit for a sentence of that family."""
VIOLENT: frozenset[str] = FAMILIES["violence"] | FAMILIES["mobilization"] | {"coup", "territory_seized", "riot"}
"""Alerts a peaceful or cooperative sentence must never raise."""
MATERIAL = ("violence", "coercion", "mobilization", "unrest")
GSR_FAMILY = {
    "ASSAULT": "violence",
    "COERCE": "coercion",
    "MOBILIZE": "mobilization",
    "PROTEST": "unrest",
    "THREATEN": "threat",
    "SANCTION": "sanctions",
}
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
NOT_NEWS_TOPICS = frozenset(
    {"disaster", "accident", "health", "sports", "economy", "science_tech", "culture", "crime", "other", "analysis"}
)


def family_of(signal: str) -> set[str]:
    return {name for name, members in FAMILIES.items() if signal in members}


@dataclass
class Case:
    """One gold sentence (or article) fed to the pipeline alone."""

    ref: str
    text: str
    family: str | None
    """The gold family (None: a negative)."""
    group: str
    published: datetime = PUBLISHED


@dataclass
class Tally:
    hits: collections.Counter[str] = field(default_factory=collections.Counter)
    totals: collections.Counter[str] = field(default_factory=collections.Counter)
    misses: list[tuple[str, str, str, list[str]]] = field(default_factory=list)

    def add(self, key: str, hit: bool, case: Case, raised: list[str]) -> None:
        self.totals[key] += 1
        if hit:
            self.hits[key] += 1
        else:
            self.misses.append((key, case.ref, case.text, raised))


def _article(ref: str, text: str, published: datetime) -> Article:
    """The article that ingest publishes for ``text``, as in ``powderkeg run``: normalised, its dateline and source tag
    stripped (the contract's ``text``), so the extractor never reads "JAYAPURA, Indonesia —" as a subject."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    raw = RawArticle(text=text, id=f"eval-{digest[:24]}", source=ref[:200], published_at=published, origin=Origin.JSONL)
    result = IngestCore(CoreConfig(detect_language=False)).accept(raw, now=published)
    if result.article is None:
        raise ValueError(f"{ref}: ingest rejects the text ({result.reason}: {result.message})")
    return result.article


def alerts_of(events: Sequence[EventRecord], published: datetime) -> list[Alert]:
    """The latest revision of every alert the engine raises for one article's events."""
    from powderkeg_alerting.core.engine import AlertEngine

    engine = AlertEngine()
    latest: dict[str, Alert] = {}
    for event in events:
        for alert in engine.process(event, received_at=published):
            latest[alert.alert_id] = alert
    return list(latest.values())


def run_cases(extractor: Extractor, cases: Sequence[Case]) -> list[tuple[list[EventRecord], list[Alert]]]:
    out: list[tuple[list[EventRecord], list[Alert]]] = []
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        batches = extractor.extract_batch([_article(c.ref, c.text, c.published) for c in chunk])
        for case, events in zip(chunk, batches, strict=True):
            out.append((events, alerts_of(events, case.published)))
    return out


def escalations(alerts: Iterable[Alert]) -> list[str]:
    return sorted({a.signal for a in alerts if a.direction is Direction.ESCALATION})


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_cases(data: Path) -> list[Case]:
    """Sentence cases from the PLOVER gold standard and the ConfliBERT sentences (development data)."""
    cases: list[Case] = []
    gsr = data / "plover_gsr" / "plover_gsr.jsonl"
    seen: set[str] = set()
    for row in _jsonl(gsr):
        kind = str(row.get("event_plover_current") or "")
        text = str(row["text"])
        seen.add(" ".join(text.split()).lower())
        if kind in GSR_FAMILY:
            cases.append(Case(f"gsr:{row['id']}", text, GSR_FAMILY[kind], "gsr"))
        elif kind in COOPERATIVE:
            cases.append(Case(f"gsr:{row['id']}", text, None, "gsr_cooperative"))
    for n, row in enumerate(_jsonl(data / "conflibert_dev" / "conflibert_dev.jsonl")):
        text = str(row["text"])
        if " ".join(text.split()).lower() in seen:
            continue  # the same CAMEO-manual sentence is already a GSR case
        code = int(row["pentacode"])  # type: ignore[call-overload]
        if code == 4:
            cases.append(Case(f"conflibert:{n}", text, "material", "conflibert"))
        elif code <= 2:
            cases.append(Case(f"conflibert:{n}", text, None, "conflibert_neutral"))
    return cases


def voa_sentence_cases(rows: Sequence[dict[str, object]], split: str) -> list[Case]:
    """VOA sentences of one split: those labelled with a current escalation signal, and those that are not news."""
    cases: list[Case] = []
    for row in rows:
        if row["split"] != split:
            continue
        families = sorted({f for s in row.get("signals") or [] for f in family_of(str(s))})  # type: ignore[attr-defined]
        text = str(row["text"])
        if families:
            cases.append(Case(str(row["id"]), text, families[0], f"voa_{split}"))
        elif not row["event"] and row.get("topic") in NOT_NEWS_TOPICS:
            cases.append(Case(str(row["id"]), text, None, f"voa_{split}_not_political"))
    return cases


def score_cases(cases: Sequence[Case], results: Sequence[tuple[list[EventRecord], list[Alert]]]) -> dict[str, Tally]:
    recall: Tally = Tally()
    false_alarms: Tally = Tally()
    for case, (_events, alerts) in zip(cases, results, strict=True):
        raised = escalations(alerts)
        if case.family is None:
            bad = VIOLENT if case.group in ("gsr_cooperative", "conflibert_neutral") else None
            alarm = [s for s in raised if bad is None or s in bad]
            false_alarms.add(case.group, not alarm, case, alarm)
            continue
        wanted = set().union(*(FAMILIES[f] for f in MATERIAL)) if case.family == "material" else FAMILIES[case.family]
        key = f"{case.group}:{case.family}"
        recall.add(key, bool(set(raised) & wanted), case, raised)
    return {"recall": recall, "clean": false_alarms}


@dataclass
class Precision:
    alerts: int = 0
    right_signal: int = 0
    right_sides: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)


def voa_precision(extractor: Extractor, rows: Sequence[dict[str, object]], voa: Path, split: str) -> Precision:
    """Alert precision over whole VOA articles of ``split`` (see the module docstring)."""
    by_article: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
    for row in rows:
        if row["split"] == split:
            by_article[str(row["article_id"])].append(row)
    stories = {str(s["id"]): s for s in _jsonl(voa)}
    result = Precision()
    ids = sorted(by_article)
    articles = [
        _article(f"voa:{a}", str(stories[a]["text"]), datetime.fromisoformat(str(stories[a]["published"])))
        for a in ids
    ]
    for start in range(0, len(articles), 8):
        chunk = articles[start : start + 8]
        batch = extractor.extract_batch(chunk)
        for article_id, article, events in zip(ids[start : start + 8], chunk, batch, strict=True):
            assert article.published_at is not None
            sentences = _shifted(by_article[article_id], str(stories[article_id]["text"]), article.text)
            for alert in alerts_of(events, article.published_at):
                if alert.direction is Direction.ESCALATION:
                    _judge(alert, sentences, {e.event_id: e for e in events}, result)
    return result


def _shifted(rows: Sequence[dict[str, object]], original: str, text: str) -> list[dict[str, object]]:
    """The labelled sentences with offsets into ``text``, the article's text once ingest stripped a dateline from the
    head of ``original`` (the labels' offsets are into ``original``)."""
    cut = len(original) - len(text) if original.endswith(text) else 0
    return [{**row, "start": int(row["start"]) - cut, "end": int(row["end"]) - cut} for row in rows]  # type: ignore[call-overload]


def _judge(
    alert: Alert, sentences: Sequence[dict[str, object]], by_event: dict[str, EventRecord], result: Precision
) -> None:
    """Count one alert: right signal when a sentence behind it is labelled with its family; right sides too when the
    alert's countries are among those sentences' labelled countries."""
    result.alerts += 1
    labelled = [_sentence_at(sentences, by_event[e].evidence.trigger_start) for e in alert.event_ids if e in by_event]
    matches = [s for s in labelled if s is not None and family_of(alert.signal) & _families(s)]
    if not matches:
        first = next((s for s in labelled if s is not None), None)
        result.wrong.append((alert.signal, alert.sides.label, str(first["text"]) if first else alert.summary))
        return
    result.right_signal += 1
    countries = {str(c) for s in matches for c in (s.get("source_country"), s.get("target_country")) if c}
    if set(alert.countries) <= countries:
        result.right_sides += 1


def _families(row: dict[str, object]) -> set[str]:
    return {f for s in row.get("signals") or [] for f in family_of(str(s))}  # type: ignore[attr-defined]


def _sentence_at(rows: Sequence[dict[str, object]], start: int) -> dict[str, object] | None:
    for row in rows:
        if int(row["start"]) <= start < int(row["end"]) + 1:  # type: ignore[call-overload]
            return row
    return None


VIOLENT_PROBES = frozenset(
    {
        "interstate_strike",
        "intrastate_strike",
        "clash_interstate",
        "clash_intrastate",
        "reciprocal_clash",
        "bombing",
        "armed_group_attack",
        "attack_on_civilians",
        "abduction",
        "territory_seized",
        "coup",
        "force_against_protesters",
        "riot",
    }
)
STRIKE_PROBES = frozenset(
    {"interstate_strike", "intrastate_strike", "clash_interstate", "clash_intrastate", "reciprocal_clash"}
)
CONFLICT_TYPES = frozenset(
    {PloverType.ASSAULT, PloverType.COERCE, PloverType.PROTEST, PloverType.MOBILIZE, PloverType.THREATEN,
     PloverType.SANCTION}
)


@dataclass
class Probes:
    """The hand-written probes of one split (``evaluation/probes/README.md``)."""

    right: list[int] = field(default_factory=lambda: [0, 0])
    violent: list[int] = field(default_factory=lambda: [0, 0])
    strikes: list[int] = field(default_factory=lambda: [0, 0])
    hazard_alerts: list[int] = field(default_factory=lambda: [0, 0])
    hazard_events: list[int] = field(default_factory=lambda: [0, 0])
    peaceful_military: list[int] = field(default_factory=lambda: [0, 0])
    sides: list[int] = field(default_factory=lambda: [0, 0])
    wrong: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)


def score_probes(extractor: Extractor, rows: Sequence[dict[str, object]]) -> Probes:
    """Each snippet alone as one article; the figures the issue sets targets for."""
    cases = [Case(str(r["id"]), str(r["text"]), None, str(r["category"])) for r in rows]
    out = Probes()
    for row, (events, alerts) in zip(rows, run_cases(extractor, cases), strict=True):
        category, expected = str(row["category"]), {str(s) for s in row["expected_any"]}  # type: ignore[attr-defined]
        raised = set(escalations(alerts))
        every = {a.signal for a in alerts}
        right = bool(every & expected) if expected else not raised
        _count(out.right, right)
        if not right:
            out.wrong.append((str(row["id"]), str(row["text"]), sorted(expected), sorted(every)))
        if category in VIOLENT_PROBES:
            _count(out.violent, bool(raised & (VIOLENT | FAMILIES["coercion"])))
        if category in STRIKE_PROBES:
            _count(out.strikes, bool(raised & {"military_strike", "armed_clash"}))
        if category in ("disaster", "accident"):
            _count(out.hazard_alerts, bool(raised))
            _count(out.hazard_events, any(e.event_type in CONFLICT_TYPES for e in events))
        if category in ("peaceful_protest", "de_escalation"):
            _count(out.peaceful_military, bool(raised & VIOLENT))
        hits = [a for a in alerts if a.signal in expected]
        if hits:
            countries = {str(c) for c in row["countries"]}  # type: ignore[attr-defined]
            _count(out.sides, any(a.countries and set(a.countries) <= countries for a in hits))
    return out


def _count(tally: list[int], hit: bool) -> None:
    tally[0] += int(hit)
    tally[1] += 1


def render_probes(probes: dict[str, Probes]) -> str:
    lines = ["## Hand-written probes, each snippet alone (evaluation/probes/README.md)", ""]
    lines += ["| measure | target | " + " | ".join(probes) + " |", "|---|---|" + "---:|" * len(probes)]
    rows = [
        ("violent events with an escalation alert", ">= 0.85", "violent"),
        ("strikes and clashes raising military_strike or armed_clash", ">= 0.80", "strikes"),
        ("disasters and accidents raising an escalation alert", "<= 0.02", "hazard_alerts"),
        ("disasters and accidents with a conflict-type event", "<= 0.05", "hazard_events"),
        ("peaceful protests and agreements raising a military alert", "<= 0.02", "peaceful_military"),
        ("snippets whose alerts are right (an expected signal, or none)", "", "right"),
        ("right-signal alerts whose countries are the snippet's sides", "", "sides"),
    ]
    for title, target, name in rows:
        cells = [_rate(*getattr(p, name)) for p in probes.values()]
        lines.append(f"| {title} | {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "n/a"


def render(tallies: dict[str, Tally], precision: dict[str, Precision]) -> str:
    lines = ["## Recall: an escalation alert of the sentence's family", "", "| cases | recall |", "|---|---:|"]
    recall = tallies["recall"]
    for key in sorted(recall.totals):
        lines.append(f"| {key} | {_rate(recall.hits[key], recall.totals[key])} |")
    lines += ["", "## False alarms per 1,000 sentences that are not conflict", ""]
    lines += ["| cases | sentences | false alarms | per 1,000 |", "|---|---:|---:|---:|"]
    clean = tallies["clean"]
    for key in sorted(clean.totals):
        total = clean.totals[key]
        alarms = total - clean.hits[key]
        lines.append(f"| {key} | {total} | {alarms} | {1000 * alarms / total:.1f} |")
    lines += ["", "## VOA articles: escalation alerts whose evidence sentence is labelled with their signal", ""]
    lines += ["| split | alerts | right signal | right signal and sides |", "|---|---:|---:|---:|"]
    for split, p in precision.items():
        lines.append(f"| {split} | {p.alerts} | {_rate(p.right_signal, p.alerts)} | {_rate(p.right_sides, p.alerts)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="powderkeg eval-alerts", description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    parser.add_argument("--labels", type=Path, default=VOA_LABELS, help="The project's VOA sentence labels.")
    parser.add_argument("--split", choices=["dev", "holdout", "both"], default="both")
    parser.add_argument("--probes", type=Path, default=PROBES, help="Folder of the hand-written probe snippets.")
    parser.add_argument("--errors", action="store_true", help="List misses and false alarms (dev data only).")
    parser.add_argument("--json-out", type=Path, help="Also write the figures as JSON.")
    args = parser.parse_args(argv)
    if args.errors and args.split != "dev":
        parser.error("--errors lists cases of the dev split only (--split dev): the holdout is never looked at")
    splits = ["dev", "holdout"] if args.split == "both" else [args.split]
    data = dev_data(args.data)
    extractor = configured_extractor()
    rows = _jsonl(args.labels)
    cases = gold_cases(data)
    for split in splits:
        cases += voa_sentence_cases(rows, split)
    tallies = score_cases(cases, run_cases(extractor, cases))
    precision = {s: voa_precision(extractor, rows, data / "voa" / "voa_stories.jsonl", s) for s in splits}
    probes = {s: score_probes(extractor, _jsonl(args.probes / f"{s}.jsonl")) for s in splits}
    print(render(tallies, precision))
    print()
    print(render_probes(probes))
    if args.errors:
        _print_errors(tallies, precision)
        print("\n## Probes not right (dev)")
        for ref, text, expected, got in probes["dev"].wrong:
            print(f"- {ref}: {text[:200]} -> {got or 'nothing'} (expected {expected or 'no escalation'})")
    if args.json_out:
        figures = {
            "recall": {k: [tallies["recall"].hits[k], v] for k, v in tallies["recall"].totals.items()},
            "clean": {k: [tallies["clean"].hits[k], v] for k, v in tallies["clean"].totals.items()},
            "precision": {s: [p.alerts, p.right_signal, p.right_sides] for s, p in precision.items()},
            "probes": {
                s: {k: getattr(p, k) for k in ("right", "violent", "strikes", "hazard_alerts", "hazard_events",
                                               "peaceful_military", "sides")}
                for s, p in probes.items()
            },
        }
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def _print_errors(tallies: dict[str, Tally], precision: dict[str, Precision]) -> None:
    out = sys.stdout
    print("\n## Misses", file=out)
    for key, ref, text, raised in tallies["recall"].misses:
        print(f"- [{key}] {ref}: {text[:200]} -> {raised or 'nothing'}", file=out)
    print("\n## False alarms", file=out)
    for key, ref, text, raised in tallies["clean"].misses:
        print(f"- [{key}] {ref}: {text[:200]} -> {raised}", file=out)
    for split, p in precision.items():
        print(f"\n## Wrong alerts ({split})", file=out)
        for signal, sides, text in p.wrong:
            print(f"- {signal} [{sides}]: {text[:200]}", file=out)


if __name__ == "__main__":
    sys.exit(main())
