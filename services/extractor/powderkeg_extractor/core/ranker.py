"""How likely is a candidate to be its sentence's event: a small trained model over what the rules know.

A sentence often holds several triggers ("X *said* it would not *accept* ..."; "*urged* Uganda to *repatriate*").
:func:`featurize` describes each candidate by what the rules know about it (kind of match, pattern size, clause
depth, factuality cause, statement or not, pentacode, main clause, whether actor and recipient resolved, how many
rivals it has, the rules' own score); a logistic model turns that into the probability that it is the sentence's
event, which becomes the record's ``confidence``.

The weights are data (``data/ranker.json``), written by ``services/extractor/scripts/train_ranker.py``, with its
cross-validation report in ``data/ranker_cv.txt``. Under CV the model over all features did *not* beat the
rules at choosing the candidate, so the committed weights use only the order-preserving features (the rules' score,
whether it is the sentence's best, the number of rivals): a calibration that never changes which event wins.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from powderkeg_contracts import datafiles
from powderkeg_extractor.core.ontology import pentacode_of
from powderkeg_extractor.core.parse.clauses import Cause
from powderkeg_extractor.core.parse.triggers import TriggerKind

if TYPE_CHECKING:
    from powderkeg_extractor.core.detection import Detection

FEATURES: tuple[str, ...] = (
    *(f"kind={k}" for k in TriggerKind),
    "pattern_size",
    *(f"depth={d}" for d in ("0", "1", "2", "3+")),
    "statement",
    *(f"pentacode={p}" for p in range(1, 5)),
    *(f"cause={c}" for c in Cause),
    "root",
    "actor_country",
    "actor_none",
    "recipient_country",
    "log_candidates",
    "rule_confidence",
    "rule_best",
    "shallowest",
)


class RankerWeights(BaseModel):
    """The trained model: one weight per feature name, a bias, and where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    features: list[str]
    weights: list[float]
    bias: float
    trained_on: str = Field(description="The data the weights were fitted on (the dev sets: say so in the eval).")
    l2: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _same_features(self) -> RankerWeights:
        if list(self.features) != list(FEATURES):
            raise ValueError(f"feature list differs from the code's ({len(self.features)} vs {len(FEATURES)})")
        if len(self.weights) != len(self.features):
            raise ValueError("one weight per feature is needed")
        return self


def featurize(detection: Detection, rivals: Sequence[Detection]) -> list[float]:
    """The feature vector of ``detection`` among the candidates ``rivals`` of its sentence (itself included)."""
    best_rule = max(d.confidence for d in rivals)
    statement = detection.record is None
    penta = pentacode_of(detection.cameo_code)
    depth = min(detection.depth, 3)
    values: dict[str, float] = {
        f"kind={detection.kind}": 1.0,
        "pattern_size": min(detection.size, 3) / 3,
        f"depth={depth if depth < 3 else '3+'}": 1.0,
        "statement": float(statement),
        "root": float(detection.root),
        "actor_country": float(any(a.country for a in detection.actors)),
        "actor_none": float(not detection.actors),
        "recipient_country": float(any(r.country for r in detection.recipients)),
        "log_candidates": math.log(len(rivals)),
        "rule_confidence": detection.confidence,
        "rule_best": float(detection.confidence >= best_rule),
        "shallowest": float(detection.depth <= min(d.depth for d in rivals)),
    }
    if not statement:
        values[f"pentacode={penta}"] = 1.0
    if detection.cause is not None:
        values[f"cause={detection.cause}"] = 1.0
    return [values.get(name, 0.0) for name in FEATURES]


class Ranker:
    """Scores the candidates of a sentence with the trained weights."""

    def __init__(self, weights: RankerWeights) -> None:
        self.weights = weights
        self.digest = hashlib.sha256(weights.model_dump_json().encode()).hexdigest()[:8]

    @classmethod
    @functools.cache
    def default(cls) -> Ranker:
        path = resources.files("powderkeg_extractor").joinpath("data", "ranker.json")
        return cls(datafiles.load(path, RankerWeights, source="powderkeg_extractor/data/ranker.json"))

    def score(self, candidates: Sequence[Detection]) -> list[float]:
        """Probability, for each candidate, that it is its sentence's event (one sentence's candidates)."""
        out: list[float] = []
        for detection in candidates:
            x = featurize(detection, candidates)
            z = self.weights.bias + sum(w * v for w, v in zip(self.weights.weights, x, strict=True))
            out.append(1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0))))
        return out
