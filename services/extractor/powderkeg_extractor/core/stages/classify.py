"""The classify stage: the sentence classifier gates the parse and names each sentence's main event.

A sentence classifier reads sentences, not triggers, so the stage has two places in the order. Its *gate* runs over
the raw text of every candidate sentence of a batch, in one call, before ``nlp.pipe``: a sentence it judges not to
report a political event is not parsed and yields nothing (the parse and the stages after it are what cost). Its
*combine* runs after build over all the sentence's detections, before the ranker: it attaches the reading to
every record (``EventRecord.classification``) and marks the records of the sentence's main event
(``EventRecord.main``). The rules keep triggers, actors, modes, CAMEO codes, dates and offsets.

The classifier is the kit's (``Kit.classifier``, loaded once by ``Extractor.packaged``); without one every version
here passes the rules' output through unchanged. Which versions run is the evidence of docs/classifier.md:

* ``classify.gate.political.v1``: parse only sentences with ``political >= 0.5`` (the threshold is not tuned);
* ``classify.combine.attach.v1``: the main event is the rules' most confident detection;
* ``classify.combine.agree.v1``: the main event is the rules' detection that agrees with the classifier (its PLOVER
  type, else its pentacode), else the rules' most confident; it becomes the sentence's most confident detection, so
  every consumer that takes the top record takes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from powderkeg_extractor.classify.combine import keeps, main_detection
from powderkeg_extractor.core.context import Kit, SentenceLabel
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.stages.kinds import COMBINES, GATES

EMPTY = SentenceLabel()
MARGIN = 0.01
"""How far below the main event the sentence's other detections are put by ``agree``."""


@GATES.register("classify.gate.none.v1")
def gate_none(sentences: Sequence[str], kit: Kit) -> list[SentenceLabel | None]:
    """Parse every candidate sentence; no label."""
    return [EMPTY for _ in sentences]


@GATES.register("classify.gate.political.v1")
def gate_political(sentences: Sequence[str], kit: Kit) -> list[SentenceLabel | None]:
    """Read every candidate sentence in one call; those not judged political are not parsed (None)."""
    if kit.classifier is None or not sentences:
        return [EMPTY for _ in sentences]
    readings = kit.classifier.classify(sentences)
    return [SentenceLabel(reading=r) if keeps(r) else None for r in readings]


@COMBINES.register("classify.combine.none.v1")
def combine_none(label: SentenceLabel, detections: list[Detection], kit: Kit) -> list[Detection]:
    """Keep the rules' detections as they are."""
    return detections


@COMBINES.register("classify.combine.attach.v1")
def combine_attach(label: SentenceLabel, detections: list[Detection], kit: Kit) -> list[Detection]:
    """Attach the reading to every record; the main event is the rules' most confident detection."""
    if label.reading is None or not detections:
        return detections
    return _marked(label, detections, max(detections, key=lambda d: d.confidence), promote=False)


@COMBINES.register("classify.combine.agree.v1")
def combine_agree(label: SentenceLabel, detections: list[Detection], kit: Kit) -> list[Detection]:
    """Attach the reading; the main event is the detection agreeing with the classifier, made the most confident."""
    if label.reading is None or not detections:
        return detections
    chosen = main_detection(label.reading, detections) or max(detections, key=lambda d: d.confidence)
    return _marked(label, detections, chosen, promote=True)


def _same_event(a: Detection, b: Detection) -> bool:
    """One trigger's detections (coordinated parties give one record each): same sentence, trigger and code."""
    if a.record is not None and b.record is not None:
        return a.record.evidence == b.record.evidence
    return (a.sentence_start, a.trigger, a.cameo_code) == (b.sentence_start, b.trigger, b.cameo_code)


def _marked(label: SentenceLabel, detections: list[Detection], chosen: Detection, promote: bool) -> list[Detection]:
    """Every detection with the reading on its record and ``main`` set; with ``promote`` the main event on top."""
    assert label.reading is not None
    classification = label.reading.to_contract()
    top = max(d.confidence for d in detections)
    out: list[Detection] = []
    for d in detections:
        main = _same_event(d, chosen)
        confidence = d.confidence
        if promote:
            confidence = top if main else min(d.confidence, max(0.0, top - MARGIN))
        record = None
        if d.record is not None:
            update = {"classification": classification, "main": main, "confidence": confidence}
            record = d.record.model_copy(update=update)
        out.append(d.model_copy(update={"record": record, "confidence": confidence}))
    return out
