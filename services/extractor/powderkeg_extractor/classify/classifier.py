"""The sentence classifier at run time: int8 MiniLM-L6 through ONNX Runtime, WordPiece through ``tokenizers``.

``SentenceClassifier.from_package()`` loads the model shipped in ``classify/data/``; ``load(path)`` any folder with
the same three files (``model.int8.onnx``, ``tokenizer.json``, ``manifest.json``). ``classify`` takes a batch of
texts (tokenised together, run one by one: see its docstring; ``workers`` runs that many sentences at a time, one
core each) and may be called from several threads at once: the ONNX Runtime session and the tokenizer are only
read, and a call keeps its state on the stack. ``load_optional`` is
what a service calls: on a missing or damaged model it logs one warning and returns ``None``, and the extractor
then runs on its rules alone.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from powderkeg_extractor.classify.labels import CLASSES, FACTUALITY, FAMILIES
from powderkeg_extractor.classify.reading import SentenceReading

log = logging.getLogger(__name__)

MODEL_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"


class ClassifierUnavailable(RuntimeError):
    """The model folder is missing, incomplete, damaged, or was trained for another label space."""


class Manifest(BaseModel):
    """The part of ``manifest.json`` the run time relies on (the training part is provenance, kept as is)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    model: str
    version: str
    files: dict[str, str]
    classes: tuple[str, ...]
    factuality: tuple[str, ...]
    families: tuple[str, ...]
    max_length: int


def package_dir() -> Path:
    return Path(str(resources.files("powderkeg_extractor.classify"))) / "data"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest, checked against the label space and against the files' checksums.

    Raises:
        ClassifierUnavailable: what is wrong, naming the file.
    """
    path = folder / MANIFEST_FILE
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ClassifierUnavailable(f"{path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise ClassifierUnavailable(f"{path}: not a classifier manifest: {exc.errors()[0]['msg']}") from exc
    expected = (tuple(CLASSES), tuple(FACTUALITY), tuple(FAMILIES))
    if (manifest.classes, manifest.factuality, manifest.families) != expected:
        raise ClassifierUnavailable(f"{path}: trained for another label space than powderkeg_extractor.classify")
    for name in (MODEL_FILE, TOKENIZER_FILE):
        file = folder / name
        if not file.is_file():
            raise ClassifierUnavailable(f"{file}: missing")
        if sha256_file(file) != manifest.files.get(name):
            raise ClassifierUnavailable(f"{file}: sha256 differs from {path}")
    return manifest


def _softmax(x: Any) -> Any:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class SentenceClassifier:
    """Political event or not, pentacode, PLOVER type, factuality and signal families of sentences."""

    def __init__(self, folder: Path, manifest: Manifest, name: str, threads: int, workers: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(folder / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # onnxruntime raises its own untyped errors on a bad graph
            raise ClassifierUnavailable(f"{folder}: cannot load the model: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(manifest.max_length)
        self.manifest = manifest
        self.name = name
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, "classifier") if self.workers > 1 else None

    @classmethod
    def load(cls, folder: Path, name: str | None = None, threads: int = 1, workers: int = 1) -> SentenceClassifier:
        """Load the model in ``folder``; ``threads`` per run, ``workers`` runs at a time.

        Raises:
            ClassifierUnavailable: the folder does not hold a usable model.
        """
        manifest = read_manifest(folder)
        return cls(folder, manifest, name or f"{manifest.model}-{manifest.version}", threads, workers)

    @classmethod
    def from_package(cls, threads: int = 1, workers: int = 1) -> SentenceClassifier:
        """Load the model shipped with the package (``powderkeg_extractor/classify/data``)."""
        return cls.load(package_dir(), threads=threads, workers=workers)

    def classify(self, texts: Sequence[str]) -> list[SentenceReading]:
        """One reading per text, in order. Texts longer than the model's window are read up to it.

        Each sentence is run on its own. Dynamic int8 quantisation scales activations per run, so in a padded batch
        a sentence's probabilities moved with its batch-mates (by up to 0.24; 30 of 400 VOA sentences changed
        label), and the extractor's output would depend on how articles were batched. One run per sentence costs
        about a third of the batched throughput and keeps every reading a function of its sentence alone.
        """
        encodings = self._tokenizer.encode_batch(list(texts))
        if self._pool is not None and len(encodings) > 1:
            return list(self._pool.map(self._run, encodings))
        return [self._run(encoding) for encoding in encodings]

    def _run(self, encoding: Any) -> SentenceReading:
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        classes, factuality, families = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return SentenceReading(
            model=self.name,
            classes=tuple(float(p) for p in _softmax(classes)[0]),
            factuality_probs=tuple(float(p) for p in _softmax(factuality)[0]),
            family_probs=tuple(float(p) for p in 1.0 / (1.0 + np.exp(-families[0]))),
        )


def load_optional(folder: Path | None = None, threads: int = 1, workers: int = 1) -> SentenceClassifier | None:
    """The classifier, or ``None`` with one warning saying why and that the rules run alone."""
    try:
        return SentenceClassifier.load(folder or package_dir(), threads=threads, workers=workers)
    except ClassifierUnavailable as exc:
        log.warning("sentence classifier unavailable, extracting with the rules alone: %s", exc)
        return None
