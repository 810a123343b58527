"""Factuality: does the text say the event happened, or that it did not, might, or is only alleged to have?

Decided from the dependency path between the event's trigger and the sentence root, because the words that change
factuality govern the trigger: a negation attached to it ("did not attack"), a modal or a future/intent verb above
it ("would take", "threatened to close", "vowed that ... would"), a claim verb above it ("accused X of ...").
A report verb above it ("say", "announce") makes the sayer the speaker but leaves the event asserted: "a ceasefire
... which both sides say remains in effect" is an asserted ceasefire. An opinion word above it ("pessimistic about
resuming talks", "the chances of a deal") makes it hypothetical: the sentence reports an attitude, not the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from powderkeg_contracts.models import Factuality
from powderkeg_extractor.core.parse.syntax import EMBEDDING_DEPS

if TYPE_CHECKING:
    from spacy.tokens import Token

    from powderkeg_extractor.core.lexicon import Supplement
    from powderkeg_extractor.core.words import Words

_MAX_DEPTH = 12
_APPEAL_DEPS = EMBEDDING_DEPS | {"prep", "pobj"}
"""How an appealed act hangs under its appeal word: a clause, or a preposition ("calls for a ceasefire")."""


class Cause(StrEnum):
    """Why an event is not plainly asserted."""

    MODAL = "modal"
    CONDITIONAL = "conditional"
    INTENT = "intent"
    APPEAL = "appeal"
    CLAIM = "claim"
    NEGATION = "negation"
    OPINION = "opinion"


@dataclass(frozen=True, slots=True)
class FactualityResult:
    """Factuality of one trigger, the token of the speaker's verb (if reported) and how deeply it is embedded.

    ``depth`` counts clause embeddings except the content clause of a report verb: in "X attacked Y, officials
    said" the attack is the news the report carries, not a side remark.
    """

    factuality: Factuality
    speaker_verb: Token | None
    depth: int
    cause: Cause | None = None
    modal: str | None = None
    """The modal that made the event hypothetical (``cause`` MODAL): "will", "could"."""


_NOBODY = frozenset({"nobody", "none", "noone", "nothing"})
"""Subjects that deny the act by themselves: "nobody was hurt", "none of the passengers were killed"."""


def _negated(token: Token, supplement: Supplement) -> bool:
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ in ("det", "advmod") and child.lower_ in supplement.negation_markers):
            return True
        if child.dep_ in ("nsubj", "nsubjpass") and _no_one(child, supplement):
            return True
    return False


def _dismissed_report(trigger: Token, words: Words) -> bool:
    """The act is the content of a report or a rumour that the sentence's speaker dismisses: "dismissed as
    propaganda media reports *that the army was planning an attack*", "denied rumours *of a coup attempt*"."""
    node = trigger
    for _ in range(4):
        if node.head is node:
            return False
        node = node.head
        if node.pos_ in ("NOUN", "PROPN", "VERB") and node.lemma_.lower() in words.report_nouns and node.dep_ in (
            "dobj", "pobj", "nsubjpass"
        ):
            governor = node.head
            if governor.dep_ == "prep" and governor.lower_ == "as":
                governor = governor.head  # "dismissed as baseless reports that ..."
            return governor.pos_ == "VERB" and governor.lemma_.lower() in words.dismissal_verbs
    return False


def _no_one(subject: Token, supplement: Supplement) -> bool:
    """A subject quantified by a negation ("no passengers were killed", "no one was injured") denies the act."""
    if subject.lower_ in _NOBODY:
        return True
    return any(c.dep_ == "det" and c.lower_ in supplement.negation_markers for c in subject.children)


def _modal(token: Token, words: Words) -> bool:
    return _modal_word(token, words) is not None


def _modal_word(token: Token, words: Words) -> str | None:
    return next((c.lower_ for c in token.children if c.dep_ == "aux" and c.lower_ in words.modals), None)


def _appeal_object(verb: Token, appeal: frozenset[str]) -> bool:
    """ "reiterated its demand that Israel ease ...": the clause is the content of the verb's appeal-noun object."""
    return any(c.dep_ == "dobj" and c.pos_ == "NOUN" and c.lemma_.lower() in appeal for c in verb.children)


_ANY = frozenset({"any", "whatever", "whichever"})
_UNSPECIFIED_DEPS = frozenset({"pobj", "prep", "pcomp", "compound", "amod", "nmod"})


def _unspecified(trigger: Token) -> bool:
    """An act quantified by "any" is no particular one ("approval within 48 hours of *any* declaration of martial
    law", "will take *any* measures necessary, including reimposing sanctions"): it is hypothetical."""
    node = trigger
    for _ in range(5):
        if any(c.dep_ == "det" and c.lower_ in _ANY for c in node.children):
            return True
        if node.dep_ not in _UNSPECIFIED_DEPS or node.head is node:
            return False
        node = node.head
    return False


def _conditional(token: Token, words: Words) -> bool:
    return any(child.dep_ == "mark" and child.lower_ in words.conditional_marks for child in token.children)


def assess(trigger: Token, supplement: Supplement, words: Words, *, own_claim: bool = False) -> FactualityResult:
    """Classify ``trigger``'s factuality by walking up its heads to the sentence root.

    Args:
        trigger: the event's trigger token (verb or nominal head) in a parsed sentence.
        supplement: the lexicon supplement with the report, claim, future and negation word lists.
        words: the grammar word lists (modals, conditional subordinators).
        own_claim: the event is itself an allegation (ACCUSE by a claim verb); it is then ``claimed`` by its actor.
    """
    claim = frozenset(supplement.claim_verbs)
    claim_nouns = frozenset(supplement.claim_nouns)
    report = frozenset(supplement.report_verbs)
    future = frozenset(supplement.future_markers)
    appeal = frozenset(supplement.appeal_verbs)
    refusal = frozenset(supplement.refusal_verbs)
    opinion = frozenset(supplement.opinion_words)
    factuality = Factuality.CLAIMED if own_claim else Factuality.ASSERTED
    cause: Cause | None = Cause.CLAIM if own_claim else None
    speaker_verb: Token | None = trigger if own_claim else None
    if _negated(trigger, supplement) or _dismissed_report(trigger, words):
        return FactualityResult(Factuality.NEGATED, speaker_verb, 0, Cause.NEGATION)
    clause = _first_conjunct(trigger)
    if _conditional(clause, words) or _unspecified(trigger):
        factuality, cause = Factuality.HYPOTHETICAL, Cause.CONDITIONAL
    modal: str | None = None
    if not _conditional(clause, words) and (modal := _modal_word(clause, words)) is not None:
        factuality, cause = Factuality.HYPOTHETICAL, Cause.MODAL
        if modal not in words.possibility_modals and trigger.lemma_.lower() in words.continuation_verbs:
            factuality, cause, modal = Factuality.ASSERTED, None, None  # "would remain shut": in force now
    if factuality is Factuality.ASSERTED and (supposed := _supposed_subject(trigger, words)) is not None:
        factuality, cause, modal = Factuality.HYPOTHETICAL, Cause.MODAL, supposed
    depth = 0
    token = trigger
    steps = 0
    while token.head is not token and steps < _MAX_DEPTH:
        child, token = token, token.head
        steps += 1
        if child.dep_ in EMBEDDING_DEPS and not (child.dep_ == "ccomp" and token.lemma_.lower() in report):
            depth += 1
        conditional = child.dep_ == "advcl" and child is not trigger and _conditional(child, words)
        if conditional and factuality is Factuality.ASSERTED:
            factuality, cause = Factuality.HYPOTHETICAL, Cause.CONDITIONAL  # "if it ... tests more missiles"
        lemma = token.lemma_.lower()
        if child.dep_ == "acl" and token.pos_ == "NOUN" and lemma in claim_nouns:
            if factuality is Factuality.ASSERTED:
                factuality, cause = Factuality.CLAIMED, Cause.CLAIM
            continue
        if child.dep_ in ("relcl", "acl") and token.pos_ in ("NOUN", "PROPN") and lemma not in appeal:
            continue
        appealed = lemma in appeal and token.pos_ in ("VERB", "NOUN") and child.dep_ in _APPEAL_DEPS
        if lemma in claim and factuality is not Factuality.NEGATED:
            if factuality is Factuality.ASSERTED:
                factuality, cause = Factuality.CLAIMED, cause or Cause.CLAIM
            speaker_verb = speaker_verb or token
        elif appealed or (child.dep_ == "ccomp" and _appeal_object(token, appeal)):
            factuality, cause = Factuality.HYPOTHETICAL, Cause.APPEAL
            speaker_verb = speaker_verb or token
        elif lemma in future and token.pos_ in ("VERB", "AUX", "NOUN", "ADJ"):
            factuality = Factuality.HYPOTHETICAL
            cause = cause if cause is Cause.APPEAL else Cause.INTENT
            speaker_verb = speaker_verb or token
        elif lemma in report:
            speaker_verb = speaker_verb or token
        elif lemma in opinion and token.pos_ in ("ADJ", "NOUN") and factuality is not Factuality.NEGATED:
            factuality, cause = Factuality.HYPOTHETICAL, Cause.OPINION
        refused = child.dep_ == "xcomp" and lemma in refusal and depth == 1
        denied = lemma in words.denial_verbs and child.dep_ in ("xcomp", "ccomp", "dobj", "pcomp")
        refused = refused or (denied and depth <= 1)
        if refused or (child.dep_ in ("xcomp", "ccomp", "advcl") and _negated(token, supplement)):
            factuality, cause = Factuality.NEGATED, Cause.NEGATION
        governs = child.dep_ in ("xcomp", "ccomp") and (_modal(token, words) or _conditional(token, words))
        if governs and factuality is Factuality.ASSERTED:
            cause = Cause.CONDITIONAL if _conditional(token, words) else Cause.MODAL
            modal = _modal_word(token, words) if cause is Cause.MODAL else None
            factuality = Factuality.HYPOTHETICAL
    if speaker_verb is None:
        speaker_verb = _parenthetical_report(trigger, token, report)
    return FactualityResult(factuality, speaker_verb, depth, cause, modal)


def _first_conjunct(verb: Token) -> Token:
    """ "if it changes its position or *tests* more missiles", "would attack and *seize*": a coordinated verb shares
    its first conjunct's condition and modal, which the parse attaches there only."""
    node = verb
    while node.dep_ == "conj" and node.head is not node and node.head.pos_ in ("VERB", "AUX") and node.pos_ == "VERB":
        if any(c.dep_ in ("aux", "mark") for c in node.children):
            break  # its own auxiliary or subordinator: "... and will strike"
        node = node.head
    return node


_PHRASE_DEPS = frozenset({"pobj", "prep", "conj", "dobj", "compound", "nmod", "appos"})
_SUPPOSING = frozenset({"would", "could", "might", "may"})


def _supposed_subject(trigger: Token, words: Words) -> str | None:
    """ "a Chinese blockade of Taiwan *would cost* $2 trillion", "a war could be catastrophic", "could raise tensions
    with missile launches": an event noun as an argument of a modal verb is supposed, not reported. "The attack could
    have killed more" (perfect) and "would be investigated" (passive) happened."""
    if trigger.pos_ not in ("NOUN", "PROPN"):
        return None
    node = trigger
    for _ in range(5):  # up the noun phrase to its verb: "could raise tensions *with missile launches*"
        if node.head is node or node.head.pos_ in ("VERB", "AUX") or node.dep_ not in _PHRASE_DEPS:
            break
        node = node.head
    verb, role = node.head, node.dep_
    if role not in ("nsubj", "nsubjpass", "dobj", "prep", "attr") or verb.pos_ not in ("VERB", "AUX"):
        return None
    if any((c.dep_ == "aux" and c.lemma_.lower() == "have") or c.dep_ == "auxpass" for c in verb.children):
        return None  # "could have killed more", "would be investigated": the act happened
    modal = _modal_word(_first_conjunct(verb), words)
    return modal if modal in _SUPPOSING else None


def _parenthetical_report(trigger: Token, root: Token, report: frozenset[str]) -> Token | None:
    """ "North Korea fired a missile ..., South Korea's Joint Chiefs of Staff said, ...": the report verb the parse
    hangs beside the clause (parataxis), not above it."""
    for head in (trigger, root):
        for child in head.children:
            if child.dep_ == "parataxis" and child.lemma_.lower() in report and child.i > trigger.i:
                return child
    return None
