"""Language detectors side by side: py3langid (the product's) against langdetect (the one it replaced).

A benchmark, not a test: it prints accuracy and time per text for both, measured in one run on the same texts.

- Sentences: the example sentences spaCy ships for each language (``spacy.lang.<code>.examples``, MIT), in every
  language both detectors know. Short, so hard: an article gives a detector far more to go on.
- Paragraphs: the same sentences of each language joined into one text (closer to an article's first 1,000
  characters, which is what ingest examines).
- Articles: the English VOA articles of the development data (``POWDERKEG_DEV_DATA``/``--data``; left out when
  absent), run through each detector directly, bypassing ingest's English function-word shortcut.

Run: ``make bench-language`` (or ``python services/ingest/scripts/bench_language.py [--data DIR]``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import time
from collections.abc import Callable
from pathlib import Path

import spacy.lang

from powderkeg_ingest.core.normalize import ISO_OF

Detector = Callable[[str], str | None]
SAMPLE_CHARS = 1000
"""As ingest: only the first 1,000 characters are examined."""


def spacy_examples() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        if module.name == "xx":
            continue
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        sentences = [s for s in getattr(examples, "sentences", []) if isinstance(s, str)]
        if sentences:
            found[module.name] = sentences
    return found


def voa_articles(data: Path | None) -> list[str]:
    stories = data / "voa" / "voa_stories.jsonl" if data is not None else None
    if stories is None or not stories.is_file():
        return []
    with stories.open(encoding="utf-8") as lines:
        return [str(json.loads(line)["text"]) for line in lines if line.strip()]


def py3langid_detector() -> tuple[Detector, set[str]]:
    """Ingest's model and code mapping, without its English shortcut and minimum length (as langdetect below)."""
    from powderkeg_ingest.core.normalize import language_identifier

    identifier = language_identifier()

    def detect(text: str) -> str | None:
        code = str(identifier.classify(text[:SAMPLE_CHARS])[0])
        return ISO_OF.get(code, code)


    return detect, {ISO_OF.get(str(label), str(label)) for label in identifier.labels}


def langdetect_detector() -> tuple[Detector, set[str]] | None:
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.detector_factory import init_factory
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:
        return None
    init_factory()
    from langdetect.detector_factory import _factory

    def run(text: str) -> str | None:
        DetectorFactory.seed = 0
        try:
            return str(detect(text[:SAMPLE_CHARS])).split("-")[0]
        except LangDetectException:
            return None

    assert _factory is not None
    return run, {lang.split("-")[0] for lang in _factory.get_lang_list()}


def score(detect: Detector, cases: list[tuple[str, str]]) -> tuple[float, float]:
    """(accuracy, milliseconds per text)."""
    started = time.perf_counter()
    right = sum(detect(text) == code for code, text in cases)
    elapsed = time.perf_counter() - started
    return right / len(cases), 1000 * elapsed / len(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("POWDERKEG_DEV_DATA"), help="Development data.")
    args = parser.parse_args(argv)
    detectors: dict[str, tuple[Detector, set[str]]] = {"py3langid": py3langid_detector()}
    old = langdetect_detector()
    if old is not None:
        detectors["langdetect"] = old
    else:
        print("langdetect is not installed (it is in the development lock): py3langid alone")
    known = set.intersection(*(labels for _, labels in detectors.values()))
    examples = {code: s for code, s in spacy_examples().items() if code in known}
    sentences = [(code, text) for code, texts in examples.items() for text in texts]
    paragraphs = [(code, " ".join(texts)) for code, texts in examples.items()]
    articles = [("en", text) for text in voa_articles(args.data)]
    for _, (detect, _) in detectors.items():  # load models and warm up outside the timing
        detect("warm up the model")
    sets = {
        f"sentences ({len(sentences)}, {len(examples)} languages)": sentences,
        f"paragraphs ({len(paragraphs)})": paragraphs,
    }
    if articles:
        sets[f"VOA articles ({len(articles)}, English)"] = articles
    print(f"{'texts':<40} {'detector':<12} {'accuracy':>9} {'ms/text':>9}")
    for label, cases in sets.items():
        for name, (detect, _) in detectors.items():
            accuracy, ms = score(detect, cases)
            print(f"{label:<40} {name:<12} {accuracy:>9.3f} {ms:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
