"""The classify slot: where a learned sentence classifier plugs in. Empty by default.

A sentence classifier sees sentences, not triggers, so the slot has two places in the order. Its *gate* runs over
the raw text of the candidate sentences before ``nlp.pipe``, so that it can decide which sentences are parsed at
all (the parse is what costs) and attach a :class:`SentenceLabel` to each; its *combine* runs after build over
all the sentence's detections, before the ranker, where it can re-weigh or drop the rules' candidates by its
label. The ``none`` versions parse every candidate sentence and keep every detection.
"""

from __future__ import annotations

from collections.abc import Sequence

from powderkeg_extractor.core.context import SentenceLabel
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.stages.kinds import COMBINES, GATES

EMPTY = SentenceLabel()


@GATES.register("classify.gate.none.v1")
def gate_none(sentences: Sequence[str]) -> list[SentenceLabel | None]:
    """Parse every candidate sentence; no label."""
    return [EMPTY for _ in sentences]


@COMBINES.register("classify.combine.none.v1")
def combine_none(label: SentenceLabel, detections: list[Detection]) -> list[Detection]:
    """Keep the rules' detections as they are."""
    return detections
