"""The factuality stage: whether the text says the event happened, and the code an unperformed act takes.

The clause reading (``core/parse/clauses.py``) says what governs the trigger; here that becomes CAMEO's coding of
it (``data/ontology/recoding.yaml``): an act the actor only announces (modal, intent verb) is coded as its
intent (03x) or threat (13x), cooperation it does not give as a refusal (12x). A nominal trigger keeps its code, and
so does an act that is only possible or advisable ("can be killed", "could tighten", "should declare"), or that
is what a thing would do ("a bill that would let the president declare ..."): it is hypothetical, not announced.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from powderkeg_contracts.models import Factuality, PloverType
from powderkeg_extractor.core.context import Candidate, Kit
from powderkeg_extractor.core.parse.clauses import Cause
from powderkeg_extractor.core.parse.syntax import subject_of
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.arguments import names_party
from powderkeg_extractor.core.stages.kinds import STEPS

if TYPE_CHECKING:
    from spacy.tokens import Token


QUESTION = "factuality.question.v1"
_QUESTION_CLIMB = 6


@STEPS.register(QUESTION)
def question(c: Candidate, kit: Kit) -> Candidate:
    """An act inside an indirect question is asked about, not reported: "Asked ... if the U.S. was considering any
    punitive action against Dodik, Rubio said ...", "reporters wondered whether the army would strike". Dropped."""
    words = kit.lexicon.words
    node = c.token
    for _ in range(_QUESTION_CLIMB):
        head = node.head
        if head is node:
            break
        marked = any(m.dep_ == "mark" and m.lower_ in words.question_marks for m in node.children)
        if marked and node.dep_ in ("ccomp", "advcl", "xcomp") and head.lemma_.lower() in words.question_verbs:
            return c.drop(QUESTION, f"inside a question ({head.text} {node.text})")
        node = head
    return c


@STEPS.register("factuality.recode.v1")
def recode(c: Candidate, kit: Kit) -> Candidate:
    """Announced acts take their intent or threat code, refused cooperation its refusal code."""
    if c.trigger.kind is TriggerKind.NOUN:
        return c
    cause = c.clauses.cause
    code: str | None = None
    if cause is Cause.MODAL and c.clauses.modal in kit.lexicon.words.possibility_modals and not _offered(c, kit):
        return c
    if cause in (Cause.MODAL, Cause.INTENT) and (_described(c, kit) or _condition(c, kit) or _predicted(c, kit)):
        return c
    if cause in (Cause.MODAL, Cause.INTENT):
        code = kit.ontology.intent_code(c.trigger.code)
    elif cause is Cause.NEGATION:
        code = kit.ontology.refusal_code(c.trigger.code)
    if code is None:
        return c
    return replace(c, trigger=replace(c.trigger, code=code, mode=None), entry=kit.ontology.lookup(code))


def _offered(c: Candidate, kit: Kit) -> bool:
    """A possible act its political actor holds out: on a condition ("may halt mediation if cooperation founders")
    or announced by that actor itself ("Beijing has hinted that it could retaliate")."""
    if not any(p.actor.country or p.actor.actor_class for p in c.actors):
        return False
    words = kit.lexicon.words
    for child in c.token.children:
        marks = {m.lower_ for m in child.children if m.dep_ == "mark"}
        if child.dep_ == "advcl" and marks & words.conditional_marks:
            return True
    subject = subject_of(c.token)
    return c.token.dep_ == "ccomp" and subject is not None and subject.lower_ in words.personal_pronouns


def _predicted(c: Candidate, kit: Kit) -> bool:
    """What a third party says a party will do is a prediction, not the party's announcement ("'China will use
    domestic laws to enforce ...,' Vuving said", "Russia will attack, U.S. officials said"): the sayer is an
    observer (``words.observer_nouns``) or of another country than the actor. A sayer the resolvers do not
    place ("Kim Yo Jong said") may be the actor's own official, so it stays an announcement."""
    verb, speaker = c.clauses.speaker_verb, c.speaker
    doers = [p.actor for p in c.actors if p.actor.country]
    if verb is None or verb is c.token or not doers:
        return False
    head = subject_of(verb)
    sayer = list(head.subtree) if head is not None else _before(verb)
    observers = kit.lexicon.words.observer_nouns
    if any(t.lemma_.lower() in observers for t in sayer):
        return True
    names = [t for t in sayer if t.pos_ == "PROPN" and t.text[:1].isupper()]
    if len(names) == 1 and introduced_as_observer(names[0].text, c.sentence.article.text, observers):
        return True
    if speaker is None or any(p.actor.text == speaker.actor.text for p in c.actors):
        return False
    said = speaker.actor
    return said.country is not None and all(d.country != said.country for d in doers)


_CLAUSE_END = re.compile(r"[.;:\u201c\u201d\"()]| said| says")


def introduced_as_observer(surname: str, text: str, observers: frozenset[str]) -> bool:
    """Whether the article introduced the person it later names by ``surname`` alone as an observer: "said
    Alexander Vuving, *a professor* at ...", "*analyst* Alexander Vuving" ... then "'China will use ...,' Vuving
    said"."""
    for mention in re.finditer(rf"\b(?:[A-Z][\w'\u2019.-]*\s+){{1,3}}{re.escape(surname)}\b", text):
        after = text[mention.end() : mention.end() + 120]
        cut = _CLAUSE_END.search(after)
        about = after[: cut.start()] if cut else after
        before = text[max(0, mention.start() - 40) : mention.start()]
        words = [
            *re.findall(r"[a-z]+", before.lower())[-2:],
            *re.findall(r"[a-z]+", mention.group(0).lower()),
            *re.findall(r"[a-z]+", about.lower()),
        ]
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
        if any(w in observers for w in (*words, *pairs)):
            return True
    return False


def _before(verb: Token) -> list[Token]:
    """The words right before a report verb, back to a punctuation mark: its sayer when the parse gives it no
    subject ('..." an analyst at the Lowy Institute said')."""
    out: list[Token] = []
    for i in range(verb.i - 1, max(verb.sent.start, verb.i - 12) - 1, -1):
        token = verb.doc[i]
        if token.is_punct:
            break
        out.append(token)
    return out


def _condition(c: Candidate, kit: Kit) -> bool:
    """The act is the condition of another ("warned that *if India strikes* again it would retaliate"): nobody
    announces it."""
    marks = kit.lexicon.words.conditional_marks
    return c.token.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in c.token.children)


def _described(c: Candidate, kit: Kit) -> bool:
    """An act inside what a thing would do ("a bill *that would let the president declare* a state of emergency",
    "a plan to impose sanctions"): the thing's content, which nobody announces or threatens."""
    node = c.token
    for _ in range(8):
        if node.head is node:
            return False
        child, node = node, node.head
        if child.dep_ in ("relcl", "acl") and node.pos_ == "NOUN" and not names_party(node, c, kit):
            return True
    return False


@STEPS.register("factuality.threat_hypothetical.v1")
def threat_hypothetical(c: Candidate, kit: Kit) -> Candidate:
    """A threat is hypothetical: the threatened act has not happened."""
    if c.entry.plover is PloverType.THREATEN and c.factuality is Factuality.ASSERTED:
        return replace(c, factuality=Factuality.HYPOTHETICAL)
    return c
