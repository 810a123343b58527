"""The extractor: articles in, :class:`EventRecord` objects out, through the stages of ``core/stages/``.

Speed comes from not parsing what cannot hold an event. Each article is split into sentences with the tokenizer
and the rule-based sentencizer only; a sentence is a candidate only if one of its words can be a trigger in the
lexicon, and goes to the full parse (tagger, parser, lemmatizer; no NER) only if the classify slot's gate keeps
it. Candidate sentences of a whole batch go through one ``nlp.pipe`` call; then each parsed sentence runs the
stages in the order of ``core/stages/PIPELINE``, and the ranker calibrates its detections' confidence.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from powderkeg_contracts.models import Actor, Article, EventRecord, Location
from powderkeg_extractor.core.context import Candidate, Kit, Party, SentenceContext
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.geocode import geocode_records
from powderkeg_extractor.core.lexicon import Lexicon
from powderkeg_extractor.core.ontology import Ontology
from powderkeg_extractor.core.ranker import Ranker
from powderkeg_extractor.core.resolvers import Resolvers, default_resolvers
from powderkeg_extractor.core.sides import assign_sides
from powderkeg_extractor.core.stages import PIPELINE, compile_pipeline
from powderkeg_extractor.core.stages.agency import sentence_hazard

if TYPE_CHECKING:
    from spacy.language import Language

    from powderkeg_extractor.classify.reading import Reader

PACKAGE_VERSION = "0.1.0"
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("es", ""),
    ("s", ""),
    ("d", ""),
)
_MAX_SENTENCE_CHARS = 2000


def _stems(word: str) -> set[str]:
    out = {word}
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + repl
            out.add(stem)
            if len(stem) > 3 and stem[-1] == stem[-2] and not repl:
                out.add(stem[:-1])
    return out


class Extractor:
    """Extract PLOVER/CAMEO events from articles. Thread-compatible, not thread-safe (spaCy is not).

    Every part is passed in, so that a caller can run its own lexicon, ontology, ranker, resolvers, sentence
    classifier or stage order; :meth:`packaged` builds the one the services run. ``ranker`` None keeps the rules'
    additive confidence (``train_ranker.py`` trains on it); ``classifier`` None runs the rules alone.
    """

    def __init__(
        self,
        nlp: Language,
        lexicon: Lexicon,
        ontology: Ontology,
        ranker: Ranker | None,
        resolvers: Resolvers,
        *,
        order: Sequence[str] = PIPELINE,
        classifier: Reader | None = None,
    ) -> None:
        from spacy.pipeline import Sentencizer

        self.nlp = nlp
        self.lexicon = lexicon
        self.ontology = ontology
        self.ranker = ranker
        self.resolvers = resolvers
        self.classifier = classifier
        self.pipeline = compile_pipeline(order)
        ranked = ranker.digest if ranker is not None else "rules"
        classified = f".{classifier.name}" if classifier is not None else ""
        self.version = f"powderkeg-extractor/{PACKAGE_VERSION}+{lexicon.digest}.{ranked}{classified}"
        self.kit = Kit(
            lexicon=lexicon, ontology=ontology, resolvers=resolvers, version=self.version, classifier=classifier
        )
        self._sentencizer = Sentencizer()
        self._disabled = [name for name in nlp.pipe_names if name == "ner"]

    @classmethod
    def packaged(
        cls, nlp: Language | None = None, *, classifier: bool = True, classifier_workers: int = 1
    ) -> Extractor:
        """The extractor with the packaged spaCy model (unless ``nlp`` is given), lexicon, ontology, ranker,
        gazetteer and sentence classifier.

        The classifier is loaded once here; when it is missing or damaged (or ``classifier`` is False) the
        extractor runs on its rules alone, and ``load_optional`` has logged why.
        """
        from powderkeg_extractor.classify import load_optional
        from powderkeg_extractor.core.nlp import load_nlp

        return cls(
            nlp if nlp is not None else load_nlp(),
            Lexicon.default(),
            Ontology.default(),
            Ranker.default(),
            default_resolvers(),
            classifier=load_optional(workers=classifier_workers) if classifier else None,
        )

    def _candidates(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans (char offsets) that contain a possible trigger word; cheap: tokenizer only."""
        doc = self._sentencizer(self.nlp.tokenizer(text))
        words = self.lexicon.trigger_words
        spans: list[tuple[int, int]] = []
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            if any(not tok.is_punct and _stems(tok.lower_) & words for tok in sent):
                start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
                end = sent.start_char + len(sent.text.rstrip())
                spans.extend(_chunks(start, end))
        return spans

    def detect_batch(self, articles: Sequence[Article]) -> list[list[Detection]]:
        """Every detection (records and statements) for each article, parsing all candidates in one pipe."""
        spans = [(i, s, e) for i, article in enumerate(articles) for s, e in self._candidates(article.text)]
        labels = self.pipeline.gate([articles[i].text[s:e] for i, s, e in spans], self.kit)
        jobs = [(job, label) for job, label in zip(spans, labels, strict=True) if label is not None]
        texts = (articles[i].text[s:e] for (i, s, e), _label in jobs)
        results: list[list[Detection]] = [[] for _ in articles]
        previous: dict[int, Party] = {}
        places: dict[int, tuple[Location, int]] = {}
        hazards: dict[int, tuple[str | None, int]] = {}
        docs = self.nlp.pipe(texts, disable=self._disabled) if self._disabled else self.nlp.pipe(texts)
        for ((index, start, end), label), doc in zip(jobs, docs, strict=True):
            article = articles[index]
            as_of: dt.date | None = article.published_at.date() if article.published_at else None
            context = SentenceContext(
                article=article,
                doc=doc,
                start=start,
                end=end,
                as_of=as_of,
                previous_actor=previous.get(index),
                previous_location=_same_paragraph(places.get(index), article.text, start),
                previous_hazard=_next_sentence(hazards.get(index), article.text, start),
                article_parties=functools.partial(self._article_parties, article.text, as_of),
                label=label,
            )
            built, detections = self._detect_sentence(context)
            results[index].extend(detections)
            hazards[index] = (sentence_hazard(doc, self.lexicon.agency), end)
            for candidate in built:
                for party in candidate.actors:
                    if party.actor.country is not None:
                        previous[index] = party
                place = candidate.location
                if place is not None and place.country is not None and not candidate.location_inherited:
                    places[index] = (place, article.text.count("\n", 0, start))
        return results

    @functools.lru_cache(maxsize=64)  # noqa: B019 - a few recent articles; the extractor lives as long as the process
    def _article_countries(self, text: str, as_of: dt.date | None) -> tuple[tuple[str, int, Actor], ...]:
        """The countries an article mentions, most mentioned first: code, mentions, first country-bearing mention."""
        counts: collections.Counter[str] = collections.Counter()
        first: dict[str, Actor] = {}
        for _start, _end, actor in self.resolvers.find(text, as_of):
            if actor.country:
                counts[actor.country] += 1
                first.setdefault(actor.country, actor)
        return tuple((c, n, first[c]) for c, n in counts.most_common())

    def _article_parties(self, text: str, as_of: dt.date | None) -> list[Actor]:
        """The two most mentioned countries of an article, each as its first country-bearing mention."""
        ranked = self._article_countries(text, as_of)[:3]
        if len(ranked) == 3 and ranked[1][1] == ranked[2][1]:
            return []  # no clear second party
        return [actor for _c, _n, actor in ranked[:2]]

    def _main_country(self, article: Article) -> str | None:
        """The country an article names most, when one stands out (no tie for first place); its dateline ("MAIDUGURI,
        Nigeria", which ingest took off the text) counts as a mention."""
        as_of = article.published_at.date() if article.published_at else None
        text = f"{article.dateline.title()}. {article.text}" if article.dateline else article.text
        ranked = self._article_countries(text, as_of)[:2]
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]

    def _detect_sentence(self, context: SentenceContext) -> tuple[list[Candidate], list[Detection]]:
        """The stages over one parsed sentence: the candidates that were built, and the sentence's detections.

        The detections are combined with the gate's label and ranked together: the ranker's features compare a
        candidate with its rivals of the same sentence.
        """
        built: list[Candidate] = []
        detections: list[Detection] = []
        for candidate in self.pipeline.detect(context, self.kit):
            decided = self._decide(candidate)
            found = self.pipeline.build(decided, self.kit) if decided is not None else []
            if decided is not None and found:
                built.append(decided)
                detections.extend(found)
        detections = self.pipeline.combine(context.label, detections, self.kit)
        if self.ranker is None or not detections:
            return built, detections
        scores = self.ranker.score(detections)
        return built, [_with_confidence(d, p) for d, p in zip(detections, scores, strict=True)]

    def _decide(self, candidate: Candidate) -> Candidate | None:
        """The steps in order; None when one drops the candidate (returns None, or marks it ``dropped``)."""
        decided = candidate
        for step in self.pipeline.steps:
            after = step(decided, self.kit)
            if after is None:
                return None
            if after.dropped is not None:
                return None
            decided = after
        return decided

    def extract_batch(self, articles: Sequence[Article]) -> list[list[EventRecord]]:
        """Event records per article, in article order, with their conflict sides; duplicates (same id) dropped."""
        out: list[list[EventRecord]] = []
        for article, detections in zip(articles, self.detect_batch(articles), strict=True):
            seen: set[str] = set()
            records: list[EventRecord] = []
            for detection in detections:
                record = detection.record
                if record is not None and record.event_id not in seen:
                    seen.add(record.event_id)
                    records.append(record)
            placed = geocode_records(assign_sides(records, main_country=self._main_country(article)))
            out.append(placed)
        return out

    def extract(self, article: Article) -> list[EventRecord]:
        """Event records of one article."""
        return self.extract_batch([article])[0]


def _same_paragraph(place: tuple[Location, int] | None, text: str, start: int) -> Location | None:
    """The last explicit location of the article if it was named in the paragraph of the sentence at ``start``."""
    if place is None or text.count("\n", 0, start) != place[1]:
        return None
    return place[0]


def _next_sentence(hazard: tuple[str | None, int] | None, text: str, start: int) -> str | None:
    """The hazard the article's previous parsed sentence reports, if that sentence ends right before ``start``."""
    if hazard is None or text[hazard[1] : start].strip():
        return None
    return hazard[0]


def _with_confidence(detection: Detection, probability: float) -> Detection:
    confidence = round(min(max(probability, 0.01), 0.99), 3)
    record = detection.record.model_copy(update={"confidence": confidence}) if detection.record else None
    return detection.model_copy(update={"confidence": confidence, "record": record})


def _chunks(start: int, end: int) -> list[tuple[int, int]]:
    """Split an over-long "sentence" (lists, tables, missing punctuation) so one parse stays bounded."""
    return [(s, min(s + _MAX_SENTENCE_CHARS, end)) for s in range(start, end, _MAX_SENTENCE_CHARS)]
