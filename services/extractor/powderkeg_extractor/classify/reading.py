"""What the classifier says about one sentence, and its mapping onto the contract's ``SentenceClass``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from powderkeg_contracts.models import Factuality, PloverType, SentenceClass
from powderkeg_extractor.classify.labels import CLASSES, CLASSES_OF_PENTACODE, FACTUALITY, FAMILIES, NONEVENT


@dataclass(frozen=True)
class SentenceReading:
    """Probabilities over the sentence classes, the factuality classes and the signal families (independent).

    ``pentacode`` and ``event_type`` describe the main event *if* the sentence holds one: ``pentacode`` is the
    pentacode with the largest summed class probability, ``event_type`` the most probable PLOVER type within it
    (``None`` for pentacode 0, statements), so the two always agree. ``probability`` is ``p(pentacode | event)``.
    """

    model: str
    classes: tuple[float, ...]
    factuality_probs: tuple[float, ...]
    family_probs: tuple[float, ...]

    @property
    def political(self) -> float:
        """Probability that the sentence reports a political event."""
        return 1.0 - self.classes[CLASSES.index(NONEVENT)]

    def class_probability(self, name: str) -> float:
        return self.classes[CLASSES.index(name)]

    @property
    def pentacode_probs(self) -> tuple[float, ...]:
        """``p(pentacode k | event)`` for k = 0..4."""
        event = max(self.political, 1e-12)
        return tuple(sum(self.class_probability(c) for c in CLASSES_OF_PENTACODE[k]) / event for k in range(5))

    @property
    def pentacode(self) -> int:
        probs = self.pentacode_probs
        return max(range(5), key=lambda k: probs[k])

    @property
    def probability(self) -> float:
        return min(1.0, self.pentacode_probs[self.pentacode])

    @property
    def event_type(self) -> PloverType | None:
        names = [c for c in CLASSES_OF_PENTACODE[self.pentacode] if c in PloverType.__members__]
        if not names:
            return None
        return PloverType(max(names, key=self.class_probability))

    @property
    def factuality(self) -> Factuality:
        return Factuality(FACTUALITY[max(range(len(FACTUALITY)), key=lambda i: self.factuality_probs[i])])

    def families(self, threshold: float = 0.5) -> tuple[str, ...]:
        """Signal families whose probability reaches ``threshold``."""
        return tuple(f for f, p in zip(FAMILIES, self.family_probs, strict=True) if p >= threshold)

    def to_contract(self) -> SentenceClass:
        return SentenceClass(
            model=self.model,
            political=min(1.0, max(0.0, self.political)),
            pentacode=self.pentacode,
            event_type=self.event_type,
            probability=self.probability,
        )

    def probabilities(self) -> dict[str, list[float]]:
        """Plain lists, for JSON (the cross-validation predictions)."""
        return {
            "classes": [round(p, 6) for p in self.classes],
            "factuality": [round(p, 6) for p in self.factuality_probs],
            "families": [round(p, 6) for p in self.family_probs],
        }

    @classmethod
    def from_probabilities(cls, model: str, probs: dict[str, list[float]]) -> SentenceReading:
        return cls(model, tuple(probs["classes"]), tuple(probs["factuality"]), tuple(probs["families"]))


class Reader(Protocol):
    """What the extractor's classify stage needs of a classifier: a name, and readings of many sentences at once."""

    name: str

    def classify(self, texts: Sequence[str]) -> list[SentenceReading]: ...
