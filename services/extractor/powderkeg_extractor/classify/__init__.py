"""The sentence classifier: is a sentence a political event, and of which pentacode and PLOVER type.

A pure, importable component (no Kafka, no settings); the extractor's ``classify`` stage calls it. See
``docs/classifier.md`` for the model card and the figures.
"""

from powderkeg_extractor.classify.classifier import (
    ClassifierUnavailable,
    Manifest,
    SentenceClassifier,
    load_optional,
    package_dir,
)
from powderkeg_extractor.classify.reading import SentenceReading

__all__ = [
    "ClassifierUnavailable",
    "Manifest",
    "SentenceClassifier",
    "SentenceReading",
    "load_optional",
    "package_dir",
]
