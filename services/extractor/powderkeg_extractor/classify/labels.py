"""The classifier's label space, shared by training and run time so the two cannot drift apart.

One softmax over 18 *sentence classes*: ``nonevent`` (no political event), ``statement`` (CAMEO 01-02, pentacode 0,
no PLOVER type) and the 16 PLOVER types. Everything else is derived from it, so the outputs agree by construction:
``political = 1 - p(nonevent)``; ``p(pentacode k)`` is the sum over the classes whose CAMEO root has pentacode k
(CONCEDE is root 08, so 2; SANCTION is root 16, so 4, as the ConfliBERT labels and `core/ontology.py` count them).
Two side heads: the main event's factuality, and escalation-signal *families* (multi-label).
"""

from __future__ import annotations

from collections.abc import Iterable

from powderkeg_contracts.models import Factuality, PloverType

NONEVENT = "nonevent"
STATEMENT = "statement"
CLASSES: tuple[str, ...] = (NONEVENT, STATEMENT, *(t.value for t in PloverType))
"""Sentence classes in the order of the model's logits."""

PENTACODE_OF_CLASS: dict[str, int | None] = {
    NONEVENT: None,
    STATEMENT: 0,
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 2,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "SANCTION": 4,
    "PROTEST": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}
"""Pentacode of each class's CAMEO roots (01-02 -> 0, 03-05 -> 1, 06-08 -> 2, 09-13 -> 3, 14-20 -> 4)."""

CLASSES_OF_PENTACODE: dict[int, tuple[str, ...]] = {
    k: tuple(c for c in CLASSES if PENTACODE_OF_CLASS[c] == k) for k in range(5)
}

CONFLICT_TYPES: frozenset[str] = frozenset({"ASSAULT", "COERCE", "PROTEST", "MOBILIZE", "THREATEN", "SANCTION"})
"""The types that count as a conflict event in the disaster/accident false-alarm figure."""

FACTUALITY: tuple[str, ...] = tuple(f.value for f in Factuality)

SIGNAL_FAMILIES: dict[str, tuple[str, ...]] = {
    "violence": (
        "military_strike",
        "armed_clash",
        "bombing",
        "armed_group_attack",
        "attack_on_civilians",
        "abduction",
        "ceasefire_violated",
        "territory_seized",
    ),
    "repression": ("repression", "force_against_protesters", "emergency_rule", "coup", "border_closed"),
    "unrest": ("protest", "riot"),
    "threat": ("threat", "mobilization", "weapons_test"),
    "rupture": ("talks_failed", "sanctions", "relations_cut"),
    "deescalation": ("ceasefire_agreed", "talks_resumed", "peace_agreement", "troops_withdrawn", "prisoners_released"),
}
"""Escalation-signal families (docs/annotation.md, "Signals"), grouped so each family has enough examples."""

FAMILY_OF_SIGNAL: dict[str, str] = {s: fam for fam, signals in SIGNAL_FAMILIES.items() for s in signals}
FAMILIES: tuple[str, ...] = tuple(SIGNAL_FAMILIES)


def families_of(signals: Iterable[str]) -> list[str]:
    """The families of a row's signals, sorted (unknown signal names are ignored)."""
    return sorted({FAMILY_OF_SIGNAL[s] for s in signals if s in FAMILY_OF_SIGNAL})


def class_of(event: bool, pentacode: int | None, plover: str | None) -> str:
    """The sentence class of an annotated row (docs/annotation.md fields).

    Raises:
        ValueError: when the fields contradict each other (an event without a pentacode, a type whose pentacode
            differs from the row's).
    """
    if not event:
        return NONEVENT
    if plover is None:
        if pentacode != 0:
            raise ValueError(f"an event with no PLOVER type must be a statement (pentacode 0), got {pentacode}")
        return STATEMENT
    if plover not in PENTACODE_OF_CLASS or plover in (NONEVENT, STATEMENT):
        raise ValueError(f"unknown PLOVER type {plover!r}")
    if pentacode is not None and PENTACODE_OF_CLASS[plover] != pentacode:
        raise ValueError(f"PLOVER type {plover} has pentacode {PENTACODE_OF_CLASS[plover]}, the row says {pentacode}")
    return plover
