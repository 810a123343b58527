"""The extractor's stages, and the one list that says in which order they run.

:data:`PIPELINE` names a registered function (``core/stages/kinds.py``) for every place in the order:

* **classify**: the sentence classifier's gate reads the raw candidate sentences before the parse and keeps those
  it does not judge political from being parsed; its combine attaches the reading to every record of a sentence
  after build and marks the sentence's main event (``classify.py``);
* **detect**: triggers and what the parse says about each (``detect.py``);
* **arguments**: who says so, who did it, to whom; each field's strategies in order, the parse first and each
  later one only where the field still lacks what it can give (``arguments.py``);
* **factuality**: asserted or not, and the code an announced or refused act takes (``factuality.py``);
* **resolve**: the two sides of a border event, where, when (``resolve.py``);
* **build**: confidence and records (``build.py``).

To change a behaviour, register a new version of one function beside the old one and name it here; to add a
stage (actor classes or conflict sides in *resolve*, a learned classifier in *classify*), register it and put its
name at its place in the list. ``Extractor(..., order=...)`` runs any such list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from powderkeg_extractor.core.stages import (
    agency,
    arguments,
    build,
    classify,
    detect,
    factuality,
    reciprocal,
    resolve,
)
from powderkeg_extractor.core.stages.kinds import (
    BUILDERS,
    COMBINES,
    DETECTORS,
    GATES,
    STEPS,
    Builder,
    Combine,
    Detector,
    Gate,
    Step,
)

__all__ = ["PIPELINE", "CompiledPipeline", "compile_pipeline"]

_MODULES = (
    agency,
    arguments,
    build,
    classify,
    detect,
    factuality,
    reciprocal,
    resolve,
)  # importing them registers their functions

PIPELINE: Final[tuple[str, ...]] = (
    "classify.gate.political.v1",  # classify: only sentences the classifier judges political are parsed
    "detect.triggers.v1",  # detect: one candidate per trigger, with its readings of the parse
    "speaker.report_verb.v1",  # arguments: the sayer of a report or claim verb above the trigger
    "actor.parse.v1",  # the subject or agent; a country-less group borrows the sentence's only country
    "agency.political_agent.v1",  # no political agent (a hazard, an accident, a market, a team): dropped
    "agency.event_subject.v1",  # "the attack killed ...": the event noun's parties, or nobody named
    "agency.civil_blockade.v1",  # a blockade by civilians or protesters is a protest that obstructs (CAMEO 144)
    "arguments.reciprocal.v1",  # X and Y clashed, fighting between X and Y: one event, both parties
    "actor.pronoun.v1",  # ... else a personal pronoun's referent, from an earlier sentence
    "actor.speaker.v1",  # ... else the speaker
    "actor.before_trigger.v1",  # no actor with a country: the nearest country before the trigger
    "recipient.parse.v1",  # the object, or the object of a directional preposition
    "recipient.beyond_thing.v1",  # an object that is a thing gives way to the party it names
    "recipient.other_party.v1",  # failed talks: the article's other main country
    "recipient.after_trigger.v1",  # else the first other party named after the trigger
    "recipient.borrow_country.v1",  # else the parse's recipients, borrowing the sentence's only country
    "arguments.require_party.v1",  # a verb's default code with no known party is dropped
    "factuality.question.v1",  # an act inside an indirect question ("asked whether X would strike") is dropped
    "factuality.recode.v1",  # announced acts -> intent/threat codes, refused cooperation -> refusal codes
    "factuality.threat_hypothetical.v1",  # a threat has not happened
    "resolve.border_dyad.v1",  # a border clash or closure without parties: the article's two countries
    "resolve.location.v1",  # the place attached to the trigger, else the paragraph's last one
    "resolve.unidentified_agent.v1",  # violence with no perpetrator named: an unidentified armed group there
    "resolve.date.v1",  # the sentence's date expression
    "resolve.background.v1",  # told as history or background: dated before publication, habitual, years ago
    "build.records.v1",  # confidence, records
    "classify.combine.agree.v1",  # classify: the reading on every record; the main event agrees with it
)


@dataclass(frozen=True, slots=True)
class CompiledPipeline:
    """An order resolved to its functions, checked to have one gate, one detector, steps, one builder, one combine."""

    names: tuple[str, ...]
    gate: Gate
    detect: Detector
    steps: tuple[Step, ...]
    build: Builder
    combine: Combine


def compile_pipeline(order: Sequence[str] = PIPELINE) -> CompiledPipeline:
    """Look every name up by its place: gate, detector, steps..., builder, combine.

    Raises:
        ValueError: the order is too short; KeyError: a name is not registered for its place (all are listed).
    """
    names = tuple(order)
    if len(names) < 4:
        raise ValueError("an order needs a classify gate, a detector, a builder and a classify combine")
    gate, detector, *steps, builder, combine = names
    return CompiledPipeline(
        names=names,
        gate=GATES.get(gate),
        detect=DETECTORS.get(detector),
        steps=tuple(STEPS.get(n) for n in steps),
        build=BUILDERS.get(builder),
        combine=COMBINES.get(combine),
    )
