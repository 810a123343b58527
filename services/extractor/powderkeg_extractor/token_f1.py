"""ConfliBERT-style token-level F1 of source and target actors against gold spans.

ConfliBERT scores its source/target tagger per token: each word token of a sentence is inside a gold span of the
role or not, and inside a predicted span or not. True positives, false positives and false negatives are summed
over all sentences (micro average), so a predicted actor that only partly covers the gold phrase earns partial
credit, and an actor predicted where the gold has none costs precision. Word tokens are runs of letters and digits
(punctuation is not counted); a span is located by its first occurrence in the sentence, case-insensitively when
the exact text is not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

_WORD = re.compile(r"\w+", re.UNICODE)


class TokenScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def word_tokens(text: str) -> list[tuple[int, int]]:
    """Character offsets of the word tokens of ``text``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def span_tokens(text: str, spans: Iterable[str | None], tokens: Sequence[tuple[int, int]] | None = None) -> set[int]:
    """Indices of the word tokens of ``text`` covered by any of ``spans`` (spans not found cover nothing)."""
    tokens = word_tokens(text) if tokens is None else tokens
    covered: set[int] = set()
    lowered = text.lower()
    for span in spans:
        if not span or not span.strip():
            continue
        start = text.find(span)
        if start < 0:
            start = lowered.find(span.lower())
        if start < 0:
            continue
        end = start + len(span)
        covered |= {i for i, (s, e) in enumerate(tokens) if s < end and e > start}
    return covered


def token_f1(
    texts: Sequence[str], gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str | None]]
) -> TokenScore:
    """Micro-averaged token P/R/F1 of ``predicted`` spans against ``gold`` spans, sentence by sentence."""
    tp = fp = fn = 0
    for text, gold_spans, pred_spans in zip(texts, gold, predicted, strict=True):
        tokens = word_tokens(text)
        g = span_tokens(text, gold_spans, tokens)
        p = span_tokens(text, pred_spans, tokens)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return TokenScore(precision=precision, recall=recall, f1=f1, tp=tp, fp=fp, fn=fn)
