"""The five kinds of stage function, their signatures, and the registry of each.

A sentence passes, in order: the classify slot's *gate* (raw sentence texts, before the parse), one *detector*
(a parsed sentence -> candidates), the *steps* (one candidate -> a new candidate, or None to drop it), one
*builder* (a candidate -> detections), and the classify slot's *combine* (a sentence's detections, with the
gate's label). ``core/stages/__init__.py`` lists which registered function runs at each place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from powderkeg_extractor.core.context import Candidate, Kit, SentenceContext, SentenceLabel
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.registry import Registry

Gate = Callable[[Sequence[str], Kit], list[SentenceLabel | None]]
"""Candidate sentence texts -> a label for each, or None: that sentence is not parsed."""
Detector = Callable[[SentenceContext, Kit], list[Candidate]]
Step = Callable[[Candidate, Kit], Candidate | None]
Builder = Callable[[Candidate, Kit], list[Detection]]
Combine = Callable[[SentenceLabel, list[Detection], Kit], list[Detection]]
"""A sentence's label and its detections (every candidate, before ranking) -> the detections to keep."""

GATES: Registry[Gate] = Registry("classify gate")
DETECTORS: Registry[Detector] = Registry("detector")
STEPS: Registry[Step] = Registry("step")
BUILDERS: Registry[Builder] = Registry("builder")
COMBINES: Registry[Combine] = Registry("classify combine")
