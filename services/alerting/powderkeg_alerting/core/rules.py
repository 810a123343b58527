"""The signal rule file: pydantic models, loading with errors that name file, rule and problem, and matching.

A signal is a named escalation (or de-escalation) pattern such as ``talks_failed``. Its rule lists predicates
(any may match); each predicate ANDs its fields: PLOVER type and mode, CAMEO code prefix, quad class, actor and
recipient sectors, keywords in the trigger or the evidence sentence. Factuality is a per-signal weight table:
a factuality missing from the table does not raise the signal at all, which is how "threatened to close the border"
raises ``threat`` but not ``border_closed``, and how a ceasefire "which both sides say remains in effect" (claimed)
can never raise ``ceasefire_violated`` (asserted only).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from powderkeg_contracts import (
    Actor,
    ActorClass,
    ConflictKind,
    Direction,
    EventRecord,
    Factuality,
    PloverType,
    QuadClass,
    Sector,
    Severity,
    Side,
    datafiles,
)

SEVERITY_ORDER: dict[Severity, int] = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
"""Rank of each severity; an alert's severity only ever rises during an episode."""

Keyword = Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[a-z][a-z' -]*[a-z]\*?$")]


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """Compile keywords into one case-insensitive, word-bounded regex; ``fail*`` matches fail, failed, failure."""
    parts = []
    for word in keywords:
        stem = re.escape(word.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(stem + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Predicate(_Strict):
    """A conjunction of event tests; every field that is set must hold. Lists inside a field are alternatives."""

    event_types: list[PloverType] = Field(default_factory=list)
    modes: list[str] = Field(default_factory=list, description="PLOVER modes; an event without a mode never matches.")
    exclude_modes: list[str] = Field(default_factory=list, description="PLOVER modes that rule the event out.")
    cameo_prefixes: list[Annotated[str, Field(pattern=r"^[0-2][0-9]{1,3}$")]] = Field(default_factory=list)
    exclude_cameo_prefixes: list[Annotated[str, Field(pattern=r"^[0-2][0-9]{1,3}$")]] = Field(
        default_factory=list, description="CAMEO codes that rule the event out ('10': a demand is not the act)."
    )
    quad_classes: list[QuadClass] = Field(default_factory=list)
    actor_sectors: list[Sector] = Field(default_factory=list)
    recipient_sectors: list[Sector] = Field(default_factory=list)
    actor_classes: list[ActorClass] = Field(default_factory=list, description="Class of the source side.")
    recipient_classes: list[ActorClass] = Field(default_factory=list, description="Class of the target side.")
    exclude_actor_classes: list[ActorClass] = Field(
        default_factory=list, description="Classes of the source side that rule the event out."
    )
    kinds: list[ConflictKind] = Field(default_factory=list, description="Kind of the event's pair of sides.")
    reciprocal: bool | None = Field(default=None, description="Both parties act (clashes between X and Y).")
    question: bool | None = Field(default=None, description="The evidence sentence is a question.")
    actor_keywords: list[Keyword] = Field(
        default_factory=list, description="Any of them in the words naming the actor or the speaker."
    )
    trigger_keywords: list[Keyword] = Field(default_factory=list, description="Any of them in the trigger words.")
    sentence_keywords: list[list[Keyword]] = Field(
        default_factory=list, description="Groups; each group needs one of its words in the evidence sentence."
    )
    exclude_keywords: list[Keyword] = Field(
        default_factory=list, description="None of these may be in the sentence (talks 'resumed' vs 'collapsed')."
    )
    exclude_trigger_keywords: list[Keyword] = Field(default_factory=list, description="None may be in the trigger.")
    severity: Severity | None = Field(default=None, description="Overrides the signal's severity when this matches.")

    @model_validator(mode="after")
    def _not_empty(self) -> Predicate:
        tests = (
            "event_types",
            "modes",
            "cameo_prefixes",
            "quad_classes",
            "actor_classes",
            "recipient_classes",
            "question",
            "actor_keywords",
            "trigger_keywords",
            "sentence_keywords",
        )
        if not any(getattr(self, name) not in (None, []) for name in tests):
            raise ValueError("a predicate needs at least one of " + ", ".join(tests))
        if any(not group for group in self.sentence_keywords):
            raise ValueError("sentence_keywords groups must not be empty")
        return self

    @cached_property
    def _trigger_re(self) -> re.Pattern[str] | None:
        return keyword_pattern(self.trigger_keywords) if self.trigger_keywords else None

    @cached_property
    def _sentence_res(self) -> list[re.Pattern[str]]:
        return [keyword_pattern(group) for group in self.sentence_keywords]

    @cached_property
    def _exclude_re(self) -> re.Pattern[str] | None:
        return keyword_pattern(self.exclude_keywords) if self.exclude_keywords else None

    @cached_property
    def _actor_re(self) -> re.Pattern[str] | None:
        return keyword_pattern(self.actor_keywords) if self.actor_keywords else None

    @cached_property
    def _exclude_trigger_re(self) -> re.Pattern[str] | None:
        return keyword_pattern(self.exclude_trigger_keywords) if self.exclude_trigger_keywords else None

    def matches(self, event: EventRecord) -> bool:
        """Whether ``event`` satisfies every test this predicate sets."""
        if self.event_types and event.event_type not in self.event_types:
            return False
        if self.modes and (event.mode or "").lower() not in self.modes:
            return False
        if self.exclude_modes and (event.mode or "").lower() in self.exclude_modes:
            return False
        if self.cameo_prefixes and not any(event.cameo_code.startswith(p) for p in self.cameo_prefixes):
            return False
        if any(event.cameo_code.startswith(p) for p in self.exclude_cameo_prefixes):
            return False
        if self.quad_classes and event.quad_class not in self.quad_classes:
            return False
        if self.actor_sectors and event.actor.sector not in self.actor_sectors:
            return False
        if self.recipient_sectors and event.recipient.sector not in self.recipient_sectors:
            return False
        if not self._sides_match(event):
            return False
        if self.question is not None and is_question(event.evidence.sentence) is not self.question:
            return False
        if self._actor_re is not None and not self._actor_re.search(actor_words(event)):
            return False
        if self._trigger_re is not None and not self._trigger_re.search(event.evidence.trigger):
            return False
        if self._exclude_trigger_re is not None and self._exclude_trigger_re.search(event.evidence.trigger):
            return False
        if self._exclude_re is not None and self._exclude_re.search(event.evidence.sentence):
            return False
        return all(pattern.search(event.evidence.sentence) for pattern in self._sentence_res)

    def _sides_match(self, event: EventRecord) -> bool:
        sides = event.sides
        source, target = side_class(sides.source, event.actor), side_class(sides.target, event.recipient)
        if self.actor_classes and source not in self.actor_classes:
            return False
        if source is not None and source in self.exclude_actor_classes:
            return False
        if self.recipient_classes and target not in self.recipient_classes:
            return False
        if self.reciprocal is not None and event.reciprocal is not self.reciprocal:
            return False
        if self.kinds:
            pair = sides.pair
            if pair is None or pair.kind not in self.kinds:
                return False
        return True


def side_class(side: Side | None, actor: Actor) -> ActorClass | None:
    """The class of a side, else the class of the actor it would stand for."""
    return side.actor_class if side is not None else actor.actor_class


def actor_words(event: EventRecord) -> str:
    """The words naming the event's actor and its speaker, for ``actor_keywords``."""
    parts = [event.actor.text, event.actor.name]
    if event.speaker is not None:
        parts += [event.speaker.text, event.speaker.name]
    return " ".join(p for p in parts if p)


def is_question(sentence: str) -> bool:
    """Whether a sentence asks rather than reports ("Will Pakistan retaliate?")."""
    return sentence.rstrip().rstrip("\"'”’)»").endswith("?")


class SignalRule(_Strict):
    """One signal: what raises it, how severe it is, which factualities count and how long an episode stays open."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=3, description="Human title used in alert summaries.")
    direction: Direction
    severity: Severity
    factuality: dict[Factuality, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(
        description="Confidence weight per factuality; a factuality not listed never raises this signal."
    )
    two_sides: bool = Field(default=False, description="Raise only for a pair of two sides, never for one alone.")
    counterpart: str | None = Field(
        default=None, description="The signal of the other direction (the de-escalation of an escalation)."
    )
    supersedes: list[str] = Field(
        default_factory=list,
        description="De-escalations this signal presupposes (talks that failed were held): within one story and pair, "
        "this signal's episode replaces theirs.",
    )
    max_event_age_days: int | None = Field(
        default=None, ge=1, description="Overrides the file default: older events are not news for this signal."
    )
    quiet_period_hours: float | None = Field(default=None, gt=0, description="Overrides the file default.")
    escalate_after_stories: int | None = Field(
        default=None, ge=2, description="Raise severity one level once this many distinct stories report it."
    )
    when: list[Predicate] = Field(min_length=1, description="Predicates, or names of the file's `predicates`.")
    severity_when: list[Predicate] = Field(
        default_factory=list, description="Once the signal matched, each of these that matches sets its severity."
    )

    @field_validator("severity_when")
    @classmethod
    def _severity_set(cls, value: list[Predicate]) -> list[Predicate]:
        if any(p.severity is None for p in value):
            raise ValueError("a severity_when predicate must set severity")
        return value

    @field_validator("factuality")
    @classmethod
    def _no_negated(cls, value: dict[Factuality, float]) -> dict[Factuality, float]:
        if Factuality.NEGATED in value:
            raise ValueError("negated events say the event did not happen; they never raise a signal")
        if not value:
            raise ValueError("at least one factuality must be listed")
        return value

    def match(self, event: EventRecord) -> Severity | None:
        """The severity ``event`` raises this signal with (highest over matching predicates), or None.

        Factuality is weighed by the engine, not here.
        """
        found = [p.severity or self.severity for p in self.when if p.matches(event)]
        if not found:
            return None
        found += [p.severity for p in self.severity_when if p.severity is not None and p.matches(event)]
        return max(found, key=SEVERITY_ORDER.__getitem__)


class IgnoreRule(_Strict):
    """Events that raise no signal at all, and why ("question", "risk_or_analysis")."""

    reason: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: list[Predicate] = Field(min_length=1)

    def matches(self, event: EventRecord) -> bool:
        return any(p.matches(event) for p in self.when)


class RuleSet(_Strict):
    """The whole rule file."""

    version: int = Field(ge=1, le=1)
    quiet_period_hours: float = Field(gt=0, description="Event-time hours without new evidence before resolution.")
    max_listed: int = Field(
        default=200,
        ge=10,
        le=1000,
        description="Cap on ids kept per alert (state size); at 1,000 the largest alert still fits in a message.",
    )
    max_event_age_days: int = Field(
        default=30, ge=1, description="An event dated longer than this before its article is history, not news."
    )
    predicates: dict[str, Predicate] = Field(default_factory=dict, description="Named predicates signals refer to.")
    ignore: list[IgnoreRule] = Field(default_factory=list)
    signals: list[SignalRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        names = [s.name for s in self.signals]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"signal names must be unique; repeated: {', '.join(duplicates)}")
        unknown = sorted({s.counterpart for s in self.signals if s.counterpart and s.counterpart not in names})
        if unknown:
            raise ValueError(f"counterpart names no signal: {', '.join(unknown)}")
        unknown = sorted({n for s in self.signals for n in s.supersedes if n not in names})
        if unknown:
            raise ValueError(f"supersedes names no signal: {', '.join(unknown)}")
        return self

    def superseded_by(self, name: str) -> list[str]:
        """The signals whose episode, in the same story and pair, replaces one of signal ``name``."""
        return [s.name for s in self.signals if name in s.supersedes]

    def max_event_age(self, rule: SignalRule) -> timedelta:
        return timedelta(days=rule.max_event_age_days or self.max_event_age_days)

    @model_validator(mode="before")
    @classmethod
    def _resolve_predicates(cls, data: Any) -> Any:
        """Replace predicate names in signals' ``when``/``severity_when`` by the predicates they name, at load."""
        if not isinstance(data, dict) or not isinstance(data.get("signals"), list):
            return data
        named = data.get("predicates") or {}
        signals = []
        for signal in data["signals"]:
            if isinstance(signal, dict):
                signal = dict(signal)
                for field in ("when", "severity_when"):
                    items = signal.get(field)
                    if isinstance(items, list):
                        signal[field] = [_named(named, item, signal.get("name"), field) for item in items]
            signals.append(signal)
        return {**data, "signals": signals}

    def ignored(self, event: EventRecord) -> str | None:
        """The reason ``event`` raises nothing at all, or None."""
        return next((rule.reason for rule in self.ignore if rule.matches(event)), None)

    def quiet_period(self, rule: SignalRule) -> timedelta:
        return timedelta(hours=rule.quiet_period_hours or self.quiet_period_hours)

    def by_name(self, name: str) -> SignalRule:
        for rule in self.signals:
            if rule.name == name:
                return rule
        raise KeyError(name)


def _named(named: Any, item: Any, signal: Any, field: str) -> Any:
    if not isinstance(item, str):
        return item
    if not isinstance(named, dict) or item not in named:
        raise ValueError(f"signal {signal}: {field} names an unknown predicate {item!r}")
    return named[item]


def _name_signal(loc: datafiles.Loc, document: object) -> tuple[str, datafiles.Loc]:
    """``signal <name>`` (or ``signal #<index>``) and the field inside it."""
    if len(loc) >= 2 and loc[0] == "signals" and isinstance(loc[1], int) and isinstance(document, dict):
        signals = document.get("signals") or []
        entry = signals[loc[1]] if isinstance(signals, list) and loc[1] < len(signals) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        return f"signal {name or '#' + str(loc[1])}", loc[2:] or ("<rule>",)
    return datafiles.DOCUMENT, loc


def parse_rules(text: str, source: str) -> RuleSet:
    """Parse and validate rule-file ``text``; ``source`` names the file in errors (``DataFileError``)."""
    return datafiles.parse(text, RuleSet, source, fmt="yaml", name_entry=_name_signal)


def load_rules(path: Path | None = None) -> RuleSet:
    """Load a rule file, by default the packaged ``rules.yaml``."""
    if path is None:
        packaged = resources.files("powderkeg_alerting.core").joinpath("rules.yaml")
        return datafiles.load(packaged, RuleSet, source="powderkeg_alerting/core/rules.yaml", name_entry=_name_signal)
    return datafiles.load(path, RuleSet, name_entry=_name_signal)
