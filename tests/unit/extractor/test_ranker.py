"""The candidate ranker: packaged weights validate, and its probabilities keep the rules' order (calibration)."""

from __future__ import annotations

import pytest

from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ranker import FEATURES, Ranker, RankerWeights, featurize


def _detection(confidence: float, kind: str = "verb", code: str = "190") -> Detection:
    return Detection(sentence_start=0, sentence_end=10, cameo_code=code, confidence=confidence, kind=kind)


def test_packaged_weights_match_the_feature_list() -> None:
    ranker = Ranker.default()
    assert ranker.weights.features == list(FEATURES)
    assert "conflibert" in ranker.weights.trained_on


def test_weights_with_another_feature_list_are_rejected() -> None:
    with pytest.raises(ValueError, match="feature list differs"):
        RankerWeights(features=["x"], weights=[1.0], bias=0.0, trained_on="t", l2=1.0)


def test_scores_are_probabilities_in_the_rules_order() -> None:
    candidates = [_detection(0.7, "pattern"), _detection(0.4), _detection(0.55, "noun", "193")]
    scores = Ranker.default().score(candidates)
    assert all(0.0 < s < 1.0 for s in scores)
    assert sorted(range(3), key=lambda i: -scores[i]) == [0, 2, 1]


def test_features_flag_the_kind_and_the_best_rule_score() -> None:
    a, b = _detection(0.7, "pattern"), _detection(0.4)
    x = dict(zip(FEATURES, featurize(a, [a, b]), strict=True))
    assert x["kind=pattern"] == 1.0 and x["rule_best"] == 1.0 and x["kind=verb"] == 0.0
    assert dict(zip(FEATURES, featurize(b, [a, b]), strict=True))["rule_best"] == 0.0


def test_every_factuality_cause_has_a_feature() -> None:
    from powderkeg_extractor.core.parse.clauses import Cause

    opinion = Detection(sentence_start=0, sentence_end=10, cameo_code="040", confidence=0.5, cause=Cause.OPINION)
    x = dict(zip(FEATURES, featurize(opinion, [opinion]), strict=True))
    assert {f"cause={c}" for c in Cause} <= set(FEATURES)
    assert x["cause=opinion"] == 1.0 and x["cause=claim"] == 0.0
