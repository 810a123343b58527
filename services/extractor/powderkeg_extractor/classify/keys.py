"""The identity of a sentence across data sources: its lower-cased alphanumeric words.

The training rows, the out-of-fold predictions and the evaluation key sentences this way, so one sentence that two
sources spell differently (case, quotes, spacing) is one sentence, and predictions carry no text.
"""

from __future__ import annotations

import hashlib
import re


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def sentence_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:16]
