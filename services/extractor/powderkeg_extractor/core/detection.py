"""One coded finding of the extractor: an event record, or a statement (CAMEO 01/02) that has no PLOVER type.

The evaluation needs statements (pentacode 0) and the ranker needs every candidate of a sentence; the Kafka topic
only carries the records.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from powderkeg_contracts.models import Actor, EventRecord
from powderkeg_extractor.core.parse.clauses import Cause
from powderkeg_extractor.core.parse.triggers import TriggerKind


class Detection(BaseModel):
    """What the build stage made of one candidate, with what the ranker's features read."""

    model_config = ConfigDict(frozen=True)

    sentence_start: int
    sentence_end: int
    cameo_code: str
    confidence: float
    kind: TriggerKind | None = None
    """Where the code came from (see ``core/parse/triggers.py``)."""
    trigger: str = ""
    depth: int = 0
    """Clause embeddings between the trigger and the sentence root."""
    size: int = 0
    """Slots of the matched pattern (0 for defaults and nouns)."""
    cause: Cause | None = None
    """Why the event is not plainly asserted (see ``core/parse/clauses.py``)."""
    root: bool = False
    """The trigger heads the sentence."""
    actors: tuple[Actor, ...] = ()
    recipients: tuple[Actor, ...] = ()
    record: EventRecord | None = None
