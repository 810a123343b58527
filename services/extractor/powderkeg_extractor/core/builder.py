"""From a trigger in a parsed sentence to :class:`EventRecord` objects (one per coordinated actor).

Confidence is a simple additive score over what the evidence rests on (how specific the lexicon match was, how
deeply the trigger is embedded, whether the actor resolved to a country); its calibration against the development
data is reported in docs/extraction.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from powderkeg_contracts.models import (
    Actor,
    Article,
    EventRecord,
    Evidence,
    Factuality,
    Location,
    PloverType,
    Sector,
)
from powderkeg_extractor.core import arguments
from powderkeg_extractor.core.detect import TriggerKind
from powderkeg_extractor.core.factuality import Cause, assess
from powderkeg_extractor.core.ids import event_id
from powderkeg_extractor.core.syntax import subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from powderkeg_extractor.core.detect import Trigger
    from powderkeg_extractor.core.lexicon import Lexicon
    from powderkeg_extractor.core.ontology import Ontology
    from powderkeg_extractor.core.resolvers import Resolvers
    from powderkeg_extractor.core.words import Words

BASE_CONFIDENCE = {"predicate": 0.8, "pattern": 0.7, "supplement": 0.7, "verb": 0.55, "noun": 0.5}
_STATEMENT_PENALTY = 0.25
_DEPTH_PENALTY = 0.08
_APPEALED_PENALTY = 0.25
"""An act another party is only asked to do ("urged X to withdraw"), or one the speaker only has an opinion about
("pessimistic about resuming talks"), or one the recipient is only accused of ("accused X of ignoring Y"), is not
the sentence's event; the appeal, the statement or the accusation is."""
_MAX_ACTORS = 3
_NO_ACTOR = "no actor in the parse of the sentence"
_INHERITED_PLACE = "no place in the sentence; inherited from an earlier sentence of the article"
_INHERITED_PENALTY = 0.05
_RECIPROCAL = frozenset({"193", "191"})
"""Clashes and fighting (both sides act) and border closures (one side or both): events whose unnamed parties are
the two countries of the article when the event is at their border."""
_DYAD_REASON = "party not named; one of the article's two most mentioned countries"
_NO_RECIPIENT = "no recipient in the parse of the sentence"


class Detection(BaseModel):
    """One coded finding: an event record, or a statement (CAMEO 01/02) that has no PLOVER type.

    The evaluation needs statements (pentacode 0); the Kafka topic only carries records.
    """

    model_config = ConfigDict(frozen=True)

    sentence_start: int
    sentence_end: int
    cameo_code: str
    confidence: float
    kind: TriggerKind | None = None
    """Where the code came from (see ``core/detect.py``)."""
    trigger: str = ""
    depth: int = 0
    """Clause embeddings between the trigger and the sentence root."""
    size: int = 0
    """Slots of the matched pattern (0 for defaults and nouns)."""
    cause: Cause | None = None
    """Why the event is not plainly asserted (see ``core/factuality.py``)."""
    root: bool = False
    """The trigger heads the sentence."""
    actors: tuple[Actor, ...] = ()
    recipients: tuple[Actor, ...] = ()
    record: EventRecord | None = None


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """A parsed candidate sentence and where it sits in its article."""

    article: Article
    doc: Doc
    start: int
    end: int
    as_of: dt.date | None
    previous_actor: Actor | None = None
    """The last actor with a country in an earlier sentence of the article: the referent of "he", "it"."""
    previous_location: Location | None = None
    """The last place with a country an earlier event of the article named explicitly."""
    article_parties: Callable[[], list[Actor]] | None = None
    """The two countries the article is about (most mentioned), computed on demand: the sides of a border clash."""


class RecordBuilder:
    """Turns triggers into detections; holds the lexicon, ontology and resolvers."""

    def __init__(self, lexicon: Lexicon, ontology: Ontology, resolvers: Resolvers, version: str) -> None:
        self.lexicon = lexicon
        self.ontology = ontology
        self.resolvers = resolvers
        self.version = version
        self._claim = frozenset(lexicon.supplement.claim_verbs)

    def _actor(
        self, token: Token, ctx: SentenceContext, *, inherit: bool = False, others: Sequence[Token] = ()
    ) -> Actor:
        phrase = arguments.phrase_of(token)
        actor = self.resolvers.actor(phrase.text, ctx.as_of)
        if inherit and actor.country is None and actor.reason is not None:
            mentions = self.resolvers.find(ctx.doc.text, ctx.as_of)
            other = tuple(arguments.phrase_of(t) for t in others)
            actor = arguments.inherit_country(actor, phrase, mentions, self.lexicon.words, other)
        return actor

    def build(self, ctx: SentenceContext, trigger: Trigger) -> list[Detection]:
        """The detections for one trigger: none, one, or one per coordinated actor."""
        assert trigger.code is not None
        entry = self.ontology.lookup(trigger.code)
        words = self.lexicon.words
        token = trigger.token
        is_noun = trigger.kind == "noun" or (trigger.kind == "predicate" and token.pos_ not in ("VERB", "AUX"))
        if trigger.kind == "noun":
            actor_heads, recipient_heads = arguments.noun_actor(token, words), arguments.noun_recipient(token, words)
        else:
            actor_heads, recipient_heads = arguments.verb_actor(token, words), arguments.verb_recipient(token, words)
            if trigger.kind == "predicate":
                actor_heads = []
                subject = trigger.extra[0] if trigger.extra else None
                if subject is not None:
                    recipient_heads = _talks_partner(subject, words) or recipient_heads
        own_claim = entry.plover is PloverType.ACCUSE and token.lemma_.lower() in self._claim
        fact = assess(token, self.lexicon.supplement, words, own_claim=own_claim)
        factuality = fact.factuality
        intent = None
        if fact.cause in ("modal", "intent"):
            intent = self.ontology.intent_code(trigger.code)
        elif fact.cause == "negation":
            intent = self.ontology.refusal_code(trigger.code)
        intent = intent if trigger.kind != "noun" else None
        if intent is not None:
            trigger = replace(trigger, code=intent, mode=None)
            entry = self.ontology.lookup(intent)
        if entry.plover is PloverType.THREATEN and factuality is Factuality.ASSERTED:
            factuality = Factuality.HYPOTHETICAL
        speaker: Actor | None = None
        if fact.speaker_verb is not None:
            speaker_head = subject_of(fact.speaker_verb)
            if speaker_head is not None and speaker_head.pos_ != "PRON":
                speaker = self._actor(speaker_head, ctx)
            elif speaker_head is not None and speaker_head.lower_ in words.personal_pronouns:
                speaker = ctx.previous_actor
            elif fact.speaker_verb is not token:
                inherited = arguments.verb_actor(fact.speaker_verb, words)
                speaker = self._actor(inherited[0], ctx) if inherited else None
        actors = [
            self._actor(h, ctx, inherit=True, others=recipient_heads[:_MAX_ACTORS]) for h in actor_heads[:_MAX_ACTORS]
        ]
        if not actors and trigger.kind != "noun" and arguments.pronoun_subject(token, words) is not None:
            actors = [ctx.previous_actor] if ctx.previous_actor is not None else []
        if not actors and speaker is not None and trigger.kind != "noun" and not arguments.agentless_passive(token):
            actors = [speaker]
        if (
            entry.plover is not None
            and not any(a.country for a in actors)
            and trigger.kind != "noun"
            and not arguments.agentless_passive(token)
        ):
            # Never the passive subject: "X was indicted by the tribunal" is done *to* X.
            undergoer = {t.idx for h in recipient_heads for t in h.subtree} if arguments.is_passive(token) else set()
            actors = self._actor_before(token, ctx, exclude=undergoer) or actors
        recipients = [self._actor(h, ctx) for h in recipient_heads[:_MAX_ACTORS]]
        if (
            trigger.kind != "noun"
            and recipient_heads
            and arguments.is_thing(recipient_heads[0])
            and not any(r.country or r.code or r.sector for r in recipients)
        ):
            beyond = arguments.parties_beyond(token, recipient_heads[0], words)
            if beyond:
                recipient_heads = beyond
                recipients = [self._actor(h, ctx) for h in recipient_heads[:_MAX_ACTORS]]
        if not any(r.country for r in recipients) and trigger.kind == "predicate":
            recipients = self._other_party(actors, ctx) or recipients
        elif not any(r.country for r in recipients):
            recipients = self._recipient_after(token, ctx, actors) or recipients
        if not any(r.country for r in recipients):
            recipients = [
                self._actor(h, ctx, inherit=True, others=actor_heads[:_MAX_ACTORS])
                for h in recipient_heads[:_MAX_ACTORS]
            ] or recipients
        dyad = self._border_dyad(trigger, ctx) if not any(a.country for a in actors) else []
        if trigger.kind == "verb" and entry.plover is not None and not _resolved(actors, recipients):
            return []
        confidence = self._confidence(trigger, entry.plover is None, fact.depth, actors, is_noun)
        if fact.cause in ("appeal", "opinion") or (fact.cause == "claim" and fact.speaker_verb is not token):
            confidence = round(max(confidence - _APPEALED_PENALTY, 0.01), 3)
        trigger_code = trigger.code or entry.code  # never None here: build() asserts it, replace() keeps a code
        detection_args = {
            "sentence_start": ctx.start,
            "sentence_end": ctx.end,
            "cameo_code": entry.code if len(trigger_code) < len(entry.code) else trigger_code,
            "confidence": confidence,
            "kind": trigger.kind,
            "trigger": " ".join(t.text for t in trigger.tokens),
            "depth": fact.depth,
            "size": trigger.size,
            "cause": fact.cause,
            "root": token.dep_ == "ROOT",
            "actors": tuple(actors),
            "recipients": tuple(recipients),
        }
        if entry.plover is None:
            return [Detection(**detection_args)]
        location = self._location(token, ctx)
        if location.country is None and ctx.previous_location is not None:
            location = ctx.previous_location.model_copy(update={"reason": _INHERITED_PLACE})
            confidence = round(max(confidence - _INHERITED_PENALTY, 0.01), 3)
            detection_args["confidence"] = confidence
        event_date = self.resolvers.date(ctx.doc.text, ctx.article.published_at)
        recipient = recipients[0] if recipients else Actor(reason=_NO_RECIPIENT)
        mode = trigger.mode or entry.mode
        tokens = trigger.tokens
        trig_start = ctx.start + tokens[0].idx
        trig_end = ctx.start + tokens[-1].idx + len(tokens[-1].text)
        trigger_text = ctx.article.text[trig_start:trig_end]
        evidence = Evidence(
            sentence=ctx.article.text[ctx.start : ctx.end],
            start=ctx.start,
            end=ctx.end,
            trigger=trigger_text,
            trigger_start=trig_start,
            trigger_end=trig_end,
        )
        out: list[Detection] = []
        pairs = [(a, recipient) for a in actors or [Actor(reason=_NO_ACTOR)]]
        if len(dyad) == 2:
            pairs = [(dyad[0], dyad[1]), (dyad[1], dyad[0])]
        for actor, recipient in pairs:
            record = EventRecord(
                event_id=event_id(
                    ctx.article.article_id,
                    ctx.article.text,
                    ctx.start,
                    ctx.end,
                    f"{trig_start}:{trigger_text}",
                    entry.plover.value,
                    actor.code or actor.text or "",
                    recipient.code or recipient.text or "",
                ),
                article_id=ctx.article.article_id,
                story_id=ctx.article.story_id,
                event_type=entry.plover,
                mode=mode,
                cameo_code=detection_args["cameo_code"],
                quad_class=entry.quad_class,
                pentacode=entry.pentacode,
                goldstein=entry.goldstein,
                actor=actor,
                recipient=recipient,
                location=location,
                event_date=event_date,
                factuality=factuality,
                speaker=speaker,
                evidence=evidence,
                confidence=confidence,
                published_at=ctx.article.published_at,
                url=ctx.article.url,
                source=ctx.article.source,
                ingested_at=ctx.article.ingested_at,
                extractor_version=self.version,
            )
            out.append(Detection(**detection_args, record=record))
        return out

    def _actor_before(
        self, token: Token, ctx: SentenceContext, exclude: frozenset[int] | set[int] = frozenset()
    ) -> list[Actor]:
        """Fallback when the subject does not resolve: the nearest country-bearing mention before the trigger
        (``exclude``: character offsets of words that cannot be the actor)."""
        before = [
            a
            for start, _end, a in self.resolvers.find(ctx.doc.text, ctx.as_of)
            if start < token.idx and start not in exclude
        ]
        with_country = [a for a in before if a.country]
        return with_country[-1:] if with_country else []

    def _recipient_after(self, token: Token, ctx: SentenceContext, actors: list[Actor]) -> list[Actor]:
        """Fallback when the parse gives no resolvable recipient: the first other country named after the trigger.

        Prepositional recipients the parse attaches elsewhere ("withdraw its troops from Lebanon", "talks with X
        on Y") are the common case; the mention must follow the trigger and differ from the actor's country.
        """
        own = {a.country for a in actors if a.country and a.reason != arguments.INHERITED_COUNTRY}
        after = [
            a
            for start, _end, a in self.resolvers.find(ctx.doc.text, ctx.as_of)
            if start > token.idx and (a.country or (a.code and a.sector is Sector.INTERNATIONAL_ORGANISATION))
        ]
        other = [a for a in after if a.country not in own]
        return other[:1] or arguments.domestic_party(after, actors)

    @staticmethod
    def _other_party(actors: list[Actor], ctx: SentenceContext) -> list[Actor]:
        """For "the talks failed" with no partner named: the article's other main country, if the actor is one.

        Names after the predicate are mediators or circumstances ("despite efforts by Qatar and Turkey"), not the
        partner; the partner of talks an article reports failing is the other side the article is about.
        """
        own = {a.country for a in actors if a.country}
        parties = ctx.article_parties() if ctx.article_parties is not None and own else []
        if len(parties) != 2 or not own & {p.country for p in parties}:
            return []
        return [p.model_copy(update={"reason": _DYAD_REASON}) for p in parties if p.country not in own]

    def _border_dyad(self, trigger: Trigger, ctx: SentenceContext) -> list[Actor]:
        """The two sides of a reciprocal event "along the border" / "border clashes" whose parties the parse lacks.

        A border clash is between the two neighbouring states the article is about; its two most mentioned
        countries stand in for the unnamed parties (one record each way, as for a clash "between X and Y").
        """
        if trigger.code not in _RECIPROCAL or ctx.article_parties is None:
            return []
        near = {t.lemma_.lower() for t in trigger.token.subtree}
        place = arguments.place_of(trigger.token, self.lexicon.words)
        if not near & self.lexicon.words.border_words and not (place is not None and "border" in place.text.lower()):
            return []
        parties = ctx.article_parties()
        if len(parties) != 2:
            return []
        return [p.model_copy(update={"reason": _DYAD_REASON}) for p in parties]

    def _location(self, token: Token, ctx: SentenceContext) -> Location:
        phrase = arguments.place_of(token, self.lexicon.words)
        if phrase is None:
            return Location(reason="no place attached to the event in the sentence")
        return self.resolvers.place(phrase.text)

    @staticmethod
    def _confidence(trigger: Trigger, statement: bool, depth: int, actors: list[Actor], is_noun: bool) -> float:
        score = BASE_CONFIDENCE[trigger.kind] + 0.03 * min(trigger.size, 3)
        if statement:
            score -= _STATEMENT_PENALTY
        score -= _DEPTH_PENALTY * min(depth, 4)
        if actors and actors[0].country is not None and actors[0].reason != arguments.INHERITED_COUNTRY:
            score += 0.1
        elif not actors:
            score -= 0.1
        if is_noun:
            score -= 0.05
        return round(min(max(score, 0.01), 0.99), 3)


def _resolved(actors: list[Actor], recipients: list[Actor]) -> bool:
    """Whether any party resolved to a known actor: a verb's default code alone is too weak without one.

    "Officials think prices will go up" has a verb with a CAMEO default and no party; an event needs someone.
    """
    return any(a.country or a.code for a in (*actors, *recipients))


def _talks_partner(subject: Token, words: Words) -> list[Token]:
    """For "talks (with X) collapsed": X, the other party of the failed talks."""
    for tok in subject.subtree:
        if tok.dep_ == "prep" and tok.lower_ in words.partner_prepositions:
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return arguments.conjuncts(obj)
    return []
