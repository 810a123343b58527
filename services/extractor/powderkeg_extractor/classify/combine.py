"""The integration policy between the classifier and the rules, as functions the extractor's stage can call.

The classifier decides *whether* a sentence holds a political event and *what kind* its main event is; the rules
keep the triggers, actors, modes, CAMEO codes and offsets. For a sentence with a reading:

1. **Gate**: ``political < THRESHOLD`` -> the sentence holds no political event; it is not parsed, no records.
2. **Main event**: among the rules' detections of the sentence, the most confident one whose PLOVER type is the
   classifier's type; else the most confident one whose pentacode is the classifier's (keeping the rules' type and
   CAMEO code); else none agrees (``main_detection`` returns ``None``).
"""

from __future__ import annotations

from collections.abc import Sequence

from powderkeg_extractor.classify.reading import SentenceReading
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ontology import pentacode_of

THRESHOLD = 0.5
"""The gate on ``political``: fixed at one half, not tuned."""


def keeps(reading: SentenceReading, threshold: float = THRESHOLD) -> bool:
    """Whether the gate lets the sentence through to the parse."""
    return reading.political >= threshold


def main_detection(reading: SentenceReading, detections: Sequence[Detection]) -> Detection | None:
    """The rules' detection that agrees with the classifier's main event (type first, then pentacode), or None."""
    typ, penta = reading.event_type, reading.pentacode
    same_type = [d for d in detections if typ is not None and d.record is not None and d.record.event_type == typ]
    same_penta = [d for d in detections if pentacode_of(d.cameo_code) == penta]
    pool = same_type or same_penta
    return max(pool, key=lambda d: d.confidence) if pool else None
