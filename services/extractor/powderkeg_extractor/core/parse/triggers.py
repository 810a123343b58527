"""Event triggers in a parsed sentence: which words report an event, and which CAMEO code they carry.

A *pure* matcher in the spirit of spaCy's span ruler: :func:`find_triggers` only reads the parse and the lexicon
and returns :class:`Trigger` objects; deciding and building records from them is the stages' job. Four kinds of trigger,
in order of precedence:

1. ``predicate``: a supplement rule on a subject and its predicate ("talks collapsed", "crossings remain shut");
2. ``pattern``: a PETRARCH verb pattern with at least one slot matched (the most specific one wins);
3. ``verb``: the default code of a supplement verb, else of the PETRARCH verb block; a light verb whose object
   is a nominal trigger ("staged rallies", "launched attacks") takes the noun's code first;
4. ``noun``: a nominal trigger ("airstrike", "clashes", "ceasefire") not already the object of an event verb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from powderkeg_extractor.core.lexicon import Lexicon, Pattern, SupplementVerb
from powderkeg_extractor.core.ontology import Ontology, pentacode_of
from powderkeg_extractor.core.parse.syntax import (
    ARGUMENT_DEPS,
    ATTRIBUTIVE_DEPS,
    CLAUSE_BOUNDARY_DEPS,
    NOMINAL_DEPS,
    hyphen_head,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from powderkeg_extractor.core.words import Words

_VERB_TAGS = frozenset({"VERB"})
_NOUN_POS = frozenset({"NOUN", "PROPN"})
_MONTH_NAMES = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan.",
        "Feb.",
        "Mar.",
        "Apr.",
        "Aug.",
        "Sept.",
        "Sep.",
        "Oct.",
        "Nov.",
        "Dec.",
    ]
)


def _shows_something(token: Token, lexicon: Lexicon) -> bool:
    """ "demonstrates a complete disregard", "to demonstrate that it is a partner": a protest verb with an object or
    a clause shows something; one protests *against* or *over* something, never a thing."""
    if token.lemma_.lower() not in lexicon.words.showing_verbs:
        return False
    return any(c.dep_ in ("dobj", "ccomp") for c in token.children)


def _publishes_something(token: Token, lexicon: Lexicon) -> bool:
    """ "the statement released hours after the attack", "an assessment released Thursday showed", "released a
    video": what is released is a text, a picture or money, not a person; no one is freed."""
    if token.lemma_.lower() != "release":
        return False
    things = lexicon.words.released_things
    released = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    if token.dep_ in ("acl", "amod", "relcl") and token.tag_ == "VBN":
        released.append(token.head)
    if not released:  # "In the statement released hours after ...", misparsed as a phrase of the verb
        released = [g for c in token.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
    return any(t.lower_ in things or t.lemma_.lower() in things for t in released)


def _ceremonial_march(token: Token, lexicon: Lexicon) -> bool:
    """A march in a sentence of parades or music ("will march at the Independence Day parade", "playing marches"):
    a ceremony, not a protest or a troop movement."""
    if token.lemma_.lower() != "march" and token.lower_ not in ("march", "marches", "marched", "marching"):
        return False
    return any(t.lemma_.lower() in lexicon.words.ceremony_words for t in token.sent)


def _names_an_institution(token: Token, words: Words) -> bool:
    """ "the Tuol Sleng Genocide Museum", "a war memorial", "Victory Day": a noun that modifies the name of a place,
    a body or a day is part of that name, not an event."""
    node = token
    for _ in range(_PATTERN_DEPTH):
        if node.dep_ not in ("compound", "amod", "nmod") or node.head == node:
            return False
        node = node.head
        if node.pos_ in _NOUN_POS and node.lemma_.lower() in words.institution_nouns:
            return True
    return False


def _names_a_month(token: Token) -> bool:
    """ "in March", "on March 3", "March 3, 2024": the month, not a march. The pipeline runs no NER, so the case
    decides; a sentence's first word is a month only when a day follows ("March 3 ...")."""
    if token.text not in _MONTH_NAMES:
        return False
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return not token.is_sent_start or (following is not None and following.like_num)


_PATTERN_DEPTH = 3


class TriggerKind(StrEnum):
    """Where a trigger's code came from, in order of precedence (see the module docstring)."""

    PREDICATE = "predicate"
    PATTERN = "pattern"
    SUPPLEMENT = "supplement"
    VERB = "verb"
    NOUN = "noun"


@dataclass(frozen=True, slots=True)
class Trigger:
    """One event trigger: the head token, the code and where the code came from."""

    token: Token
    code: str
    kind: TriggerKind
    mode: str | None = None
    extra: tuple[Token, ...] = field(default=())
    size: int = 0

    @property
    def tokens(self) -> list[Token]:
        return sorted((self.token, *self.extra), key=lambda t: t.i)


def _words(token: Token) -> set[str]:
    return {token.lemma_.lower(), token.lower_}


def _region(tokens: list[Token]) -> list[set[str]]:
    """Per token position, the words a slot can match there: the token and the phrases it starts."""
    out: list[set[str]] = []
    for i, tok in enumerate(tokens):
        words = _words(tok)
        if i + 1 < len(tokens):
            words.add(f"{tok.lower_} {tokens[i + 1].lower_}")
            words.add(f"{tok.lower_} {tokens[i + 1].lemma_.lower()}")
        if i + 2 < len(tokens):
            words.add(f"{tok.lower_} {tokens[i + 1].lower_} {tokens[i + 2].lower_}")
        out.append(words)
    return out


def _in_order(slots: list[list[str]], region: list[set[str]]) -> bool:
    """Every slot matches at a later position than the previous one, as in PETRARCH's ordered patterns.

    "part in protest" must read in that order: "captured part of ... after days of fighting" is not "take part
    in", and "converging for a rally in Lagos" is not "converging in rallies for".
    """
    position = 0
    for slot in slots:
        while position < len(region) and not any(w in region[position] for w in slot):
            position += 1
        if position == len(region):
            return False
        position += 1
    return True


def _pattern_matches(pattern: Pattern, pre: list[set[str]], post: list[set[str]], seen: set[str]) -> bool:
    """``seen`` (every word of both regions) rejects most patterns before the ordered check."""
    if pattern.size == 0:
        return False
    if not all(any(w in seen for w in slot) for slot in (*pattern.pre, *pattern.post)):
        return False
    return _in_order(pattern.pre, pre) and _in_order(pattern.post, post)


def _post_tokens(verb: Token) -> list[Token]:
    """The verb's own arguments to its right, at most three dependency steps down ("demand the removal of X").

    Deeper words ("at the fourth round of talks") belong to other phrases and must not satisfy a pattern, nor does
    the attribution "according to ..." ("fought insurgents, according to a source" is no *accord*).
    """
    out: list[Token] = []
    frontier = [c for c in verb.rights if c.dep_ not in CLAUSE_BOUNDARY_DEPS and c.lower_ != "according"]
    for _ in range(_PATTERN_DEPTH):
        out.extend(frontier)
        frontier = [g for c in frontier for g in c.children if g.dep_ not in CLAUSE_BOUNDARY_DEPS]
    return sorted(out, key=lambda t: t.i)


def _particles_ok(verb: Token, particles: list[str]) -> bool:
    if not particles:
        return True
    nearby = {t.lower_ for t in verb.children} | {t.lower_ for t in verb.doc[verb.i + 1 : verb.i + 3]}
    return all(p in nearby for p in particles)


def _verb_trigger(verb: Token, lexicon: Lexicon, ontology: Ontology) -> Trigger | None:
    lemma = verb.lemma_.lower()
    candidates = lexicon.by_lemma.get(lemma) or lexicon.by_lemma.get(verb.lower_) or []
    supplement = _supplement_verb(verb, lexicon.supplement_verbs.get(lemma, []))
    pre = _region(list(verb.doc[max(verb.sent.start, verb.i - 6) : verb.i]))
    post = _region(_post_tokens(verb))
    seen = set().union(*pre, *post)
    matched: list[Pattern] = []
    default: str | None = None
    null_verb = False
    phrasal = False
    for block, entry in candidates:
        if not _particles_ok(verb, entry.particles):
            continue
        matched.extend(p for p in lexicon.usable_patterns[id(block)] if _pattern_matches(p, pre, post, seen))
        if entry.particles or default is None:
            default = entry.code or block.code or default
            null_verb = null_verb or entry.null_code
        phrasal = phrasal or bool(entry.particles)
    best = _most_specific(matched, (supplement.code if supplement is not None else None) or default)
    if phrasal and supplement is not None and not supplement.particles:
        supplement = None
    if supplement is not None and (best is None or best[1].code is None or supplement.objects):
        return Trigger(verb, supplement.code, TriggerKind.SUPPLEMENT, supplement.mode) if supplement.code else None
    if best is not None:
        code = best[1].code
        if code and default and default.startswith("10"):
            code = ontology.demand_code(code)
        return Trigger(verb, code, TriggerKind.PATTERN, size=best[0]) if code else None
    if null_verb or default is None or lemma in lexicon.generic_verbs:
        return None
    return Trigger(verb, default, TriggerKind.VERB)


def _most_specific(matched: list[Pattern], meaning: str | None) -> tuple[int, Pattern] | None:
    """The matched pattern with the most slots; among equally specific ones, the one closest to the verb's meaning.

    A verb block's patterns are shared by all its verbs ("take part in" sits with "capture"), so a one-word match
    can code a sense the verb does not have; on a tie the pattern whose CAMEO root, else pentacode, agrees with the
    verb's own default ("capture" 171: "captured a stronghold" 192 over "part" 030) wins, then the first listed.
    """
    if not matched:
        return None
    top = max(p.size for p in matched)
    tied = [p for p in matched if p.size == top]
    if meaning is not None and len(tied) > 1:
        root, penta = meaning[:2], pentacode_of(meaning)
        tied.sort(key=lambda p: (p.code is None or p.code[:2] != root, p.code is None or pentacode_of(p.code) != penta))
    return top, tied[0]


def _supplement_verb(verb: Token, entries: list[SupplementVerb]) -> SupplementVerb | None:
    """The first supplement entry of the verb whose object and particle conditions hold."""
    for entry in entries:
        if entry.objects:
            args = {w for c in verb.children if c.dep_ in ARGUMENT_DEPS for t in c.subtree for w in _words(t)}
            if not args & set(entry.objects):
                continue
        if entry.particles and not any(_particles_ok(verb, [p]) for p in entry.particles):
            continue
        return entry
    return None


def _compound_noun(token: Token, lexicon: Lexicon) -> tuple[str, Token | None] | None:
    hyphenated = _hyphenated(token)
    if hyphenated is not None and hyphenated[0] in lexicon.nouns:
        return hyphenated  # "a sit-in", "the cease-fire": spaCy splits the word at its hyphen
    prev = token.doc[token.i - 1] if token.i > token.sent.start else None
    if prev is not None:
        for first in (prev.lower_, prev.lemma_.lower()):
            for last in (token.lower_, token.lemma_.lower()):
                if f"{first} {last}" in lexicon.nouns:
                    return f"{first} {last}", prev
    for word in (token.lower_, token.lemma_.lower()):
        if word in lexicon.nouns:
            return word, None
    return None


def _hyphenated(token: Token) -> tuple[str, Token] | None:
    """The word ``token`` ends when spaCy split it at a hyphen ("sit - in"), with its first part."""
    first = hyphen_head(token)
    return (f"{first.lower_}-{token.lower_}", first) if first is not None else None


def _predicate_trigger(verb: Token, lexicon: Lexicon) -> Trigger | None:
    predicates = _words(verb) | {
        w for c in verb.children if c.dep_ in ("acomp", "oprd", "prt", "advmod") for w in _words(c)
    }
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    heads = _words(subject) | {
        w for c in subject.children if c.dep_ in ("prep", "compound") for t in c.subtree for w in _words(t)
    }
    hyphenated = _hyphenated(subject)
    if hyphenated is not None:
        heads.add(hyphenated[0])  # "the cease-fire collapsed"
    for rule in lexicon.supplement.predicates:
        if heads & set(rule.subjects) and predicates & set(rule.predicates):
            complements = tuple(c for c in verb.children if c.dep_ in ("acomp", "oprd"))
            return Trigger(verb, rule.code, TriggerKind.PREDICATE, rule.mode, extra=(subject, *complements))
    return None


def _light_verb_trigger(verb: Token, lexicon: Lexicon) -> Trigger | None:
    """ "staged rallies", "launched attacks", "organized a general strike": the object noun is the event.

    A light verb says little by itself, and its PETRARCH patterns match words elsewhere in the clause ("staged
    rallies ..., saying he must resign" is not a demand); its direct object, when it is a nominal trigger, names
    the event with the verb's own subject as actor.
    """
    if not _words(verb) & lexicon.light_verbs:
        return None
    deps = {"dobj", "nsubjpass"}
    if not any(c.dep_ == "dobj" for c in verb.children):
        deps.add("nsubj")  # "riots are still continuing", "fighting escalated": the subject is the event
    for child in verb.children:
        if child.dep_ not in deps:
            continue
        found = _compound_noun(child, lexicon)
        if found is not None:
            phrase, prev = found
            noun = lexicon.nouns[phrase]
            if phrase == "strike" and _labour_strike(child, lexicon.words):
                noun = lexicon.nouns["general strike"]  # "staged a one-day strike over the minimum wage"
            extra = (child, prev) if prev is not None else (child,)
            return Trigger(verb, noun.code, TriggerKind.SUPPLEMENT, noun.mode, extra=extra)
    return None


def _on_strike_trigger(verb: Token, lexicon: Lexicon) -> Trigger | None:
    """ "teachers went on strike", "doctors remain on hunger strike": a strike one is *on* is always a labour (or
    hunger) strike, and the verb's subject is who strikes. Without this the noun stands alone and has no actor."""
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.lower_ != "on":
            continue
        for noun in prep.children:
            if noun.dep_ != "pobj" or noun.lemma_.lower() != "strike":
                continue
            found = _compound_noun(noun, lexicon)
            phrase = found[0] if found is not None and found[0] != "strike" else "general strike"
            trigger = lexicon.nouns[phrase]
            prev = found[1] if found is not None else None
            extra = (prep, noun, prev) if prev is not None else (prep, noun)
            return Trigger(verb, trigger.code, TriggerKind.SUPPLEMENT, trigger.mode, extra=extra)
    return None


def _determined(token: Token) -> bool:
    """A participle with a determiner of its own is a noun: "*the* wounded", "*the* accused"."""
    return any(child.dep_ == "det" for child in token.children)


def _reports_obligation(verb: Token, obligation: frozenset[str]) -> bool:
    """ "X said Y must do Z" is a demand by X (CAMEO 10), not a statement."""
    return any(
        child.dep_ == "ccomp" and any(g.dep_ == "aux" and g.lower_ in obligation for g in child.children)
        for child in verb.children
    )


_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})
_FORCE_ROOTS = frozenset({"14", "15", "16", "17", "18", "19", "20"})
"""CAMEO roots of acts: a speech verb ("said", "told") whose object is one reports it, it does not do it."""
_WARNED_OF = frozenset({"of", "against", "about"})


def _warns_of_an_act(verb: Token, lexicon: Lexicon) -> bool:
    """Whether a warning verb threatens: it warns a party ("warned Israel", "warned Iran not to ..."), its clause
    tells a future or conditional act ("warned that police will no longer tolerate rallies", "that if ..., it
    would ..."), or it warns of a hostile act, an event noun of CAMEO 13-20 ("warned of retaliation")."""
    for child in verb.children:
        if child.dep_ in ("dobj", "dative") and child.pos_ in ("NOUN", "PROPN", "PRON"):
            return True
        if child.dep_ in ("ccomp", "xcomp", "advcl"):
            clause = [child, *(c for c in child.children if c.dep_ == "conj")]
            for head in clause:
                marks = {c.lower_ for c in head.children if c.dep_ in ("aux", "mark")}
                if marks & _FUTURE_AUX or marks & lexicon.words.conditional_marks:
                    return True
                if any(c.dep_ == "advcl" and {m.lower_ for m in c.children} & lexicon.words.conditional_marks
                       for c in head.children):
                    return True
        if child.dep_ == "prep" and child.lower_ in _WARNED_OF:
            for noun in (g for g in child.children if g.dep_ == "pobj"):
                found = _compound_noun(noun, lexicon)
                code = lexicon.nouns[found[0]].code if found is not None else ""
                if code[:2] in ("13", "14", "15", "16", "17", "18", "19", "20"):
                    return True
    return False


def _criticised_for(verb: Token, lexicon: Lexicon) -> bool:
    """ "attacked the newspaper *for* refusing ...", "slammed Beijing *over* its remarks": an attack verb that gives
    its reason is criticism (CAMEO 111). A span of time ("for three days") or a place ("over the city") is no
    reason; a weapon or a raid ("attacked the base with rockets") never comes with one."""
    words = lexicon.words
    if verb.lemma_.lower() not in words.criticism_verbs:
        return False
    for child in verb.children:
        if child.dep_ != "prep" or child.lower_ not in words.criticism_prepositions:
            continue
        for obj in (g for g in child.children if g.dep_ in ("pobj", "pcomp")):
            if obj.tag_ == "VBG":
                return True
            reason = obj.pos_ in ("NOUN", "PRON") and obj.lemma_.lower() not in words.time_units
            if reason and child.lower_ == "for" and not any(g.like_num for g in obj.children):
                return True
            if reason and child.lower_ == "over" and any(g.dep_ == "poss" for g in obj.children):
                return True  # "over its remarks", "over his handling of ..."
    return False


def _on_strike(noun: Token) -> bool:
    """ "went on strike", "are on strike", "called a strike over pay": a labour strike (CAMEO 143), not an attack."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "on" and head.head.lemma_.lower() in ("go", "be", "remain", "stay"):
        return True
    return any(c.dep_ == "prep" and c.lower_ in ("over", "for") and any(
        g.dep_ == "pobj" and g.lemma_.lower() in ("pay", "wage", "wages", "salary", "salaries", "pension", "pensions")
        for g in c.children) for c in noun.children)


def _labour_strike(noun: Token, words: Words) -> bool:
    """A strike that nothing makes military, and that a modifier or the sentence makes labour (``words.yaml``):
    "an indefinite strike over unpaid salaries", "staged a one-day strike ..., their union said"."""
    modifiers = {c.lower_ for c in noun.children if c.dep_ in ("amod", "compound", "nmod", "poss")}
    if modifiers & words.military_strike_modifiers:
        return False
    aims = [
        g for c in noun.children if c.dep_ == "prep" and c.lower_ in ("against", "over") for g in c.children
        if g.dep_ == "pobj"
    ]
    if any(g.lemma_.lower() in words.grievance_nouns or g.lower_ in words.grievance_nouns for g in aims):
        return True  # "a strike against the pension reform", "a strike over fuel prices"
    if any(
        c.dep_ == "prep" and c.lower_ in ("on", "against", "targeting", "at", "near") and not _when(c, words)
        for c in noun.children
    ):
        return False  # "a strike on the base", "strikes against militant positions"; not "a strike on Monday"
    if noun.dep_ == "nsubj" and noun.head.lemma_.lower() in words.strike_harm_verbs:
        return False  # "the strike killed 12"
    harm = noun.head.head if noun.dep_ == "pobj" and noun.head.lower_ in ("in", "by") else None
    if harm is not None and harm.lemma_.lower() in words.strike_harm_verbs:
        return False  # "aid workers were killed in a strike"
    if modifiers & words.labour_strike_modifiers:
        return True
    if any(c.dep_ in ("amod", "compound", "nmod") and c.lemma_.lower() in words.time_units for c in noun.children):
        return True  # "a one-day strike", "a 48-hour strike"
    return any(t.lower_ in words.labour_words or t.lemma_.lower() in words.labour_words for t in noun.sent)


def _when(prep: Token, words: Words) -> bool:
    """A preposition that dates the act ("on Monday", "at dawn", "on 3 May"), not one that names its target."""
    objects = [g for g in prep.children if g.dep_ == "pobj"]
    dates = words.time_units | words.not_parties
    return bool(objects) and all(o.lemma_.lower() in dates or o.lower_ in dates or o.like_num for o in objects)


def find_triggers(sent: Span, lexicon: Lexicon, ontology: Ontology) -> list[Trigger]:
    """All event triggers in one parsed sentence, in text order.

    A capitalised month name is never one: "in March", "until March 3" name a month, not a march.
    """
    triggers: list[Trigger] = []
    verb_objects: set[int] = set()
    for token in sent:
        if token.pos_ not in _VERB_TAGS and not (token.pos_ == "AUX" and token.dep_ == "ROOT"):
            continue
        if _names_a_month(token) or _ceremonial_march(token, lexicon) or _shows_something(token, lexicon):
            continue
        if _publishes_something(token, lexicon):
            continue
        if token.dep_ in ATTRIBUTIVE_DEPS or _words(token) & lexicon.non_events:
            continue
        if token.tag_ == "VBN" and token.dep_ in NOMINAL_DEPS and _determined(token):
            continue
        trigger = (
            _predicate_trigger(token, lexicon)
            or _light_verb_trigger(token, lexicon)
            or _on_strike_trigger(token, lexicon)
            or _verb_trigger(token, lexicon, ontology)
        )
        if trigger is None:
            continue
        obligation = lexicon.words.obligation_modals
        if trigger.code.startswith("01") and _reports_obligation(token, obligation):
            trigger = Trigger(token, "100", TriggerKind.PATTERN, size=1)
        reported = token.lemma_.lower() in lexicon.words.speech_verbs and trigger.kind is TriggerKind.PATTERN
        if reported and trigger.code[:2] in _FORCE_ROOTS:
            continue  # "police said, the second fatal attack": the attack is its own (nominal) event
        preps = {c.lower_ for c in token.children if c.dep_ == "prep"}
        if trigger.code[:2] == "19" and "alongside" in preps and "against" not in preps:
            trigger = Trigger(token, "062", TriggerKind.PATTERN, size=1)  # "fought alongside X": X is an ally
        if trigger.code[:2] in ("18", "19") and _criticised_for(token, lexicon):
            trigger = Trigger(token, "111", TriggerKind.PATTERN, size=1)
        warning = trigger.code.startswith("13") and token.lemma_.lower() in lexicon.warning_verbs
        if warning and not _warns_of_an_act(token, lexicon):
            continue  # CAMEO 012, a pessimistic comment: a statement, which makes no record
        triggers.append(trigger)
        for child in token.children:
            if child.dep_ in ("dobj", "nsubjpass", "attr", "oprd"):
                verb_objects.add(child.i)
            if child.dep_ == "prep":
                verb_objects.update(g.i for g in child.children if g.dep_ == "pobj")
        for extra in trigger.extra:
            verb_objects.update(t.i for t in extra.subtree)
    for token in sent:
        if token.pos_ not in _NOUN_POS or token.i in verb_objects or _names_a_month(token):
            continue
        if _ceremonial_march(token, lexicon) or _names_an_institution(token, lexicon.words):
            continue
        found = _compound_noun(token, lexicon)
        if found is None:
            continue
        phrase, prev = found
        noun = lexicon.nouns[phrase]
        before: tuple[Token, ...] = (prev,) if prev is not None else ()
        if phrase == "strike" and (_on_strike(token) or _labour_strike(token, lexicon.words)):
            noun = lexicon.nouns["general strike"]
        triggers.append(Trigger(token, noun.code, TriggerKind.NOUN, noun.mode, extra=before))
    triggers.sort(key=lambda t: t.token.i)
    return triggers
