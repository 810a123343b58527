"""ConfliBERT-style token F1 of actor spans."""

from __future__ import annotations

import pytest

from powderkeg_extractor.token_f1 import span_tokens, token_f1

TEXT = "Iraqi Prime Minister Mohammed al-Sudani met U.S. envoys in Baghdad."


def test_span_tokens_counts_words_not_punctuation() -> None:
    tokens = span_tokens(TEXT, ["Iraqi Prime Minister"])
    assert tokens == {0, 1, 2}
    assert span_tokens(TEXT, ["U.S. envoys"]) == {7, 8, 9}
    assert span_tokens(TEXT, ["not in the sentence", None, ""]) == set()
    assert span_tokens(TEXT, ["iraqi prime"]) == {0, 1}


def test_partial_overlap_earns_partial_credit() -> None:
    score = token_f1([TEXT], [["Iraqi Prime Minister Mohammed al-Sudani"]], [["Mohammed al-Sudani"]])
    # gold 6 tokens (al and Sudani are two), predicted 3, all inside
    assert (score.tp, score.fp, score.fn) == (3, 0, 3)
    assert score.precision == 1.0
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 / 3)


def test_a_prediction_where_gold_has_none_costs_precision_only() -> None:
    score = token_f1([TEXT, TEXT], [["U.S. envoys"], []], [["U.S. envoys"], ["Baghdad"]])
    assert (score.tp, score.fp, score.fn) == (3, 1, 0)
    assert score.recall == 1.0
    assert score.precision == pytest.approx(0.75)


def test_nothing_predicted_and_nothing_gold_scores_zero_not_an_error() -> None:
    assert token_f1([TEXT], [[]], [[]]).f1 == 0.0
