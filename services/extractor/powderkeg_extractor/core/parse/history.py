"""Whether an event is told as history or background rather than as news, read from the parse and its dates.

News reports what just happened; the same article tells what happened before, what usually happens and how long a
conflict has lasted. An event is background when, in order:

1. a date attached to the trigger or to a clause that shares its time (its own "the 2004 bombing", "in 2021",
   "since 2011", "two years ago"; "last month, X ambushed a bus and killed 18"; "since 2011, when the government
   sent soldiers") ends :data:`HISTORY_DAYS` or more before publication (``core/dates.py`` resolves it), and so
   does a relative clause of a dated event ("the 2004 bombing of a base that killed nine soldiers");
2. it is told as long ago ("years ago"), months or years after another past event ("several months later, X
   invaded"), for or since years ("have been disputing for years"), or under an anniversary ("the 14th
   anniversary of the start of protests");
3. it is part of a span that lasted years ("a war that lasted more than three years and killed 100,000 people");
4. it is habitual ("the group *frequently* conducts bombings", "has *previously* called") or an ongoing conflict
   told as a state ("has been fighting a deadly insurgency");
5. its parties are named as they were then ("rebels fighting *then*-president Gbagbo");
6. it is the matter of a legal proceeding ("charged with kidnapping", "convicted of planning the attack");
7. it is what a settlement ends ("agreed to a ceasefire after five days of border fighting"), or it describes what
   an event ended ("the deal ended an insurgency *that killed* 15,000 people");
8. it describes who was freed ("the schoolgirls *kidnapped* in Zamfara were freed": the news is the release);
9. it is a standing measure told in the present passive ("both ships *are sanctioned* by the Treasury");
10. it is a named act that a copula comments on ("the bombing *was a plot*", "a missile test *is dangerous*").

Dates are found where they attach in the parse, not anywhere in the sentence: "A trial opened Monday over the 2004
bombing" makes the bombing history and the trial news.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from powderkeg_extractor.core.dates import date_expressions, period_end
from powderkeg_extractor.core.parse.syntax import EMBEDDING_DEPS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from powderkeg_extractor.core.words import Words

HISTORY_DAYS = 14
"""An event whose own date ends this many days or more before publication is background ("last month", "in
January", "in 2024"); "last week" and "on Monday" are news. Alerting separately ignores events whose date starts
30 days or more before their article."""
_CLIMB = 4
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj"})
_MODIFIER_DEPS = frozenset({"nummod", "compound", "amod", "npadvmod", "poss", "nmod"})
_NON_FINITE_DEPS = frozenset({"xcomp", "pcomp", "advcl", "acl"})
_NON_FINITE_TAGS = frozenset({"VB", "VBG", "VBN"})


def background_of(trigger: Token, published: dt.datetime | None, words: Words) -> str | None:
    """Why the event of ``trigger`` is history or background (module docstring), or None when it is news."""
    return (
        _dated(trigger, published)
        or _in_frame(_told_as_past, trigger, words)
        or _in_a_past_span(trigger, words)
        or _in_frame(_habitual, trigger, words)
        or _then(trigger)
        or _judicial(trigger, words)
        or _settled(trigger, words)
        or _what_was_ended(trigger, words)
        or _spoken_of(trigger)
        or _of_a_dated_event(trigger, published)
        or _of_the_freed(trigger, words)
        or _standing(trigger, words)
    )


def _in_frame(check: Callable[[Token, Words], str | None], trigger: Token, words: Words) -> str | None:
    """``check`` on the trigger, then on the words that share its time (:func:`_time_frame`): "the group
    *frequently* conducts bombings ..., *aiming to topple* the government", "*for years*, he has engaged in
    secessionist activity, ... *threatening* the territorial integrity of the country"."""
    for node in _time_frame(trigger):
        found = check(node, words)
        if found is not None:
            return found if node is trigger else f"{found}: {node.text}, which {trigger.text} shares its time with"
    return None


def _of_the_freed(trigger: Token, words: Words) -> str | None:
    """ "more than 270 schoolgirls kidnapped in Zamfara were freed", "the abducted students were released": a
    participle that describes whom a release frees is what they were freed from."""
    if trigger.tag_ != "VBN" or trigger.dep_ not in ("acl", "amod"):
        return None
    noun = trigger.head
    while noun.dep_ == "conj" and noun.head is not noun:
        noun = noun.head
    if noun.dep_ not in ("nsubjpass", "dobj", "nsubj"):
        return None
    verb = noun.head
    if verb.lemma_.lower() in words.release_verbs:
        return f"describes whom a release frees ({trigger.text} ... {verb.text})"
    return None


def _standing(trigger: Token, words: Words) -> str | None:
    """ "are sanctioned by the U.S. Treasury", "which is under U.S. sanctions": a measure in the present passive, or
    one something is under, is in force, not imposed now."""
    if trigger.lemma_.lower() in words.standing_measures and trigger.dep_ == "pobj" and trigger.head.lower_ == "under":
        return f"a measure in force (under {trigger.text}), not a new one"
    if trigger.lemma_.lower() not in words.standing_measures or trigger.tag_ != "VBN":
        return None
    present = [c for c in trigger.children if c.dep_ == "auxpass" and c.tag_ in ("VBZ", "VBP")]
    if present and not any(c.dep_ == "aux" for c in trigger.children):
        return f"a measure in force ({present[0].text} {trigger.text}), not a new one"
    return None


def _judicial(trigger: Token, words: Words) -> str | None:
    """ "charged with robbing, kidnapping and attacking motorists": the act hangs, through a preposition, under a
    word of a legal proceeding."""
    token = trigger
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    if token.dep_ not in ("pcomp", "pobj"):
        return None
    prep = token.head
    if prep.dep_ != "prep" or prep.lower_ not in words.judicial_prepositions:
        return None
    if prep.head.lemma_.lower() in words.judicial_words:
        return f"the matter of a legal proceeding ({prep.head.text} {prep.text})"
    return None


def _settled(trigger: Token, words: Words) -> str | None:
    """ "agreed to a ceasefire *after five days of deadly border fighting*": the fighting is what the agreement
    ends, told as its cause; the news is the agreement."""
    token = trigger
    for _ in range(4):
        if token.dep_ == "conj":
            token = token.head
        elif token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ in ("NOUN", "PROPN"):
            token = token.head.head  # "five days *of* fighting": up to "days"
        else:
            break
    if token.dep_ != "pobj" or token.head.lower_ not in words.settlement_prepositions:
        return None
    verb = token.head.head
    if verb.lemma_.lower() in words.settlement_verbs:
        return f"told as what led to a settlement ({verb.text} {token.head.text})"
    return None


def _spoken_of(trigger: Token) -> str | None:
    """ "the bombing *was a plot* by France", "a missile test *is a little dangerous*", "the ultimatum *is because of*
    the dispute": a named act that a copula says something about is the matter of a comment, not reported. A
    superlative keeps it news ("the attack was the deadliest this year")."""
    if trigger.pos_ not in ("NOUN", "PROPN") or trigger.dep_ != "nsubj":
        return None
    verb = trigger.head
    if verb.lemma_.lower() != "be":
        return None
    said = [c for c in verb.children if c.dep_ in ("attr", "acomp", "prep")]
    if not said or any(t.tag_ in ("JJS", "RBS") for c in said for t in c.subtree):
        return None
    return f"told as the matter of a comment ({trigger.text} {verb.text} {said[0].text})"


def _what_was_ended(trigger: Token, words: Words) -> str | None:
    """ "the 2005 peace deal ended a separatist insurgency *that killed* about 15,000 people": a relative clause of
    what an event ended tells what happened before it ended."""
    if trigger.dep_ not in ("relcl", "acl"):
        return None
    noun = trigger.head
    verb = noun.head
    if noun.dep_ in ("dobj", "nsubjpass") and verb.lemma_.lower() in words.ending_verbs:
        return f"told as what was ended ({verb.text} {noun.text})"
    return None


def _of_a_dated_event(trigger: Token, published: dt.datetime | None) -> str | None:
    """A relative clause of a dated event ("the 2004 bombing of a base ... *that killed* nine soldiers")."""
    if trigger.dep_ not in ("relcl", "acl"):
        return None
    node = trigger.head
    for _ in range(_CLIMB):
        if node.pos_ in ("NOUN", "PROPN"):
            why = _dated(node, published)
            if why is not None:
                return why
        if node.dep_ not in ("pobj", "prep", "compound", "appos") or node.head == node:
            return None
        node = node.head
    return None


def _dated(trigger: Token, published: dt.datetime | None) -> str | None:
    if published is None:
        return None
    pub = published.date()
    frame = _time_frame(trigger)
    if trigger.pos_ in ("NOUN", "PROPN") and trigger.dep_ in _ARGUMENT_DEPS and trigger.head.pos_ == "VERB":
        frame.append(trigger.head)  # "In 2019 a suicide bomber detonated ...": the bomber's act has the verb's date
    for span, text in _old_dates(trigger.doc, published):
        if any(_attached(span.root, verb) for verb in frame) or (
            trigger.dep_ in ("relcl", "advcl") and span.start <= trigger.head.i < span.end
        ):
            return f"dated {text}, before publication"
    for child in trigger.children:
        year = _year(child)
        if child.dep_ in _MODIFIER_DEPS and year is not None and pub.year - year >= 1:
            return f"dated {year}, before publication"
    return None


def _old_dates(doc: Doc, published: dt.datetime) -> list[tuple[Span, str]]:
    """The date expressions of the sentence that end :data:`HISTORY_DAYS` or more before publication."""
    pub = published.date()
    out = []
    for start, end, date in date_expressions(doc.text, published):
        last = period_end(date)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and last is not None and (pub - last).days >= HISTORY_DAYS:
            out.append((span, date.text or span.text))
    return out


def _time_frame(trigger: Token) -> list[Token]:
    """The trigger and the words that share its time: verbs it is coordinated with ("ambushed a bus ... and
    killed 18"), and the clauses a non-finite trigger depends on ("accused of planning to kidnap", "attacked ...,
    killing five")."""
    frame = [trigger, *(c for c in trigger.children if c.dep_ == "conj")]
    node = trigger
    for _ in range(_CLIMB):
        shares = node.dep_ in ("conj", "prep") or (node.dep_ in _NON_FINITE_DEPS and node.tag_ in _NON_FINITE_TAGS)
        if not shares or node.head == node:
            break
        node = node.head
        frame.append(node)
    return frame


def _year(token: Token) -> int | None:
    if token.like_num and len(token.text) == 4 and token.text.isdigit() and token.text[:2] in ("19", "20"):
        return int(token.text)
    return None


def _attached(node: Token, trigger: Token) -> bool:
    """Whether a date phrase's root modifies ``trigger`` itself, not another clause's verb."""
    for _ in range(_CLIMB):
        if node == trigger:
            return True
        if node.head == node or (node.pos_ in ("VERB", "AUX") and node != trigger):
            return False
        node = node.head
    return node == trigger


def _told_as_past(trigger: Token, words: Words) -> str | None:
    for child in trigger.children:
        ago = child.lower_ == "ago" or any(g.lower_ == "ago" for g in child.children)
        if ago and {t.lower_ for t in child.subtree} & words.long_units:
            return "told as years ago"
        later = child.dep_ == "advmod" and child.lower_ == "later" and trigger.tag_ in ("VBD", "VBN")
        if later and {t.lower_ for t in child.subtree} & (words.long_units | {"month", "months"}):
            return "told as months or years after another past event"  # "Several months later, X invaded."
        if child.dep_ == "prep" and child.lower_ in ("for", "since"):
            objects = {t.lower_ for t in child.subtree}
            if objects & words.long_units and not any(t.like_num for t in child.subtree):
                return f"told as lasting {child.lower_} years"
    node = trigger
    for _ in range(_CLIMB + 2):
        if node.head == node:
            break
        node = node.head
        if node.lemma_.lower() in words.history_nouns:
            return f"told under '{node.lower_}'"
    return None


def _in_a_past_span(trigger: Token, words: Words) -> str | None:
    """ "a war that lasted more than three years and killed 100,000 people": the trigger or a verb it is
    coordinated with, or the clause it sits in, spans years in the past tense; or the trigger ends such a span
    ("ended a war that lasted years")."""
    objects = (c for c in trigger.children if c.dep_ in ("dobj", "nsubjpass"))
    spans = (r for o in objects for r in o.children if r.dep_ in ("relcl", "acl"))
    candidates = [trigger, *(t for t in trigger.children if t.dep_ == "conj"), *spans]
    node = trigger
    for _ in range(_CLIMB):
        if node.dep_ not in EMBEDDING_DEPS or node.head == node:
            break
        node = node.head
        candidates.append(node)
    for verb in candidates:
        past_span = verb.lemma_.lower() in words.span_verbs and verb.tag_ in ("VBD", "VBN")
        if past_span and {t.lower_ for t in verb.subtree} & words.long_units:
            return f"told as part of a span that {verb.lower_} years"
    return None


def _habitual(trigger: Token, words: Words) -> str | None:
    for child in trigger.children:
        if child.dep_ == "advmod" and child.lower_ in words.habitual_adverbs:
            return f"told as habitual ({child.lower_})"
    perfect_progressive = trigger.tag_ == "VBG" and any(
        c.dep_ == "aux" and c.lower_ == "been" for c in trigger.children
    )
    if perfect_progressive and any(
        c.dep_ == "dobj" and c.lemma_.lower() in words.ongoing_objects for c in trigger.children
    ):
        return "told as an ongoing conflict, not an event"
    return None


def _then(trigger: Token) -> str | None:
    for token in trigger.subtree:
        if token.lower_ == "then" and token.head != trigger and token.head.pos_ in ("NOUN", "PROPN", "ADJ"):
            return f"its parties named as they were then ({token.head.text})"
    return None
