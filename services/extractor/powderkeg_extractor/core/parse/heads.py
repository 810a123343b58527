"""Who did what to whom, and where: the noun phrases the parse gives a trigger as its arguments.

The verb and its arguments decide the roles (subject or passive agent -> actor; direct object or the object of a
directional preposition -> recipient), not which names happen to sit in the sentence. Subjects are inherited
through control and coordination ("vowed to take", "Pakistan said ..., accusing Kabul"); nominal triggers take
their actor from "by X", a possessive or a nationality adjective, and their recipient from "on/against X".
Which of these phrases become the event's parties, and what stands in when they do not resolve, is decided by
the arguments stage (``core/stages/arguments.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from powderkeg_extractor.core.parse.syntax import INHERIT_DEPS, NOUN_MODIFIER_DEPS, PHRASE_STOP_DEPS, subject_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from spacy.tokens import Doc, Token

    from powderkeg_extractor.core.words import Words

_MAX_CLIMB = 6


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase of the sentence: its head token and its char span relative to the sentence's doc."""

    head: Token
    start: int
    end: int
    text: str


def phrase_of(head: Token) -> Phrase:
    """The noun phrase headed by ``head`` without relative clauses, appositions and most prepositional phrases.

    "of" phrases stay ("leaders of Hamas"); everything after a comma or a clause boundary goes.
    """
    keep = [head]
    stack = [head]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.dep_ in PHRASE_STOP_DEPS and not (child.dep_ == "prep" and child.lower_ == "of"):
                continue
            keep.append(child)
            stack.append(child)
    indices = sorted(t.i for t in keep)
    lo, hi = indices[0], indices[-1]
    while lo < head.i and (head.doc[lo].dep_ in ("det", "punct", "cc") or head.doc[lo].is_space):
        lo += 1
    span = head.doc[lo : hi + 1]
    return Phrase(head, span.start_char, span.end_char, span.text)


def conjuncts(head: Token) -> list[Token]:
    """``head`` and the nouns coordinated with it ("Hungarian and Romanian officials", "Qatar and Turkey")."""
    out = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON"):
            out.extend(conjuncts(child))
    return out


def _pobj(prep: Token, words: Words) -> Token | None:
    """The object of a preposition; for a free relative ("on what it described as TTP hideouts") the noun it names."""
    obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
    if obj is not None and (obj.lower_ in words.free_relatives or obj.dep_ == "pcomp"):
        named = next((t for t in obj.subtree if t.dep_ == "pobj" and t.head.lower_ == "as"), None)
        if named is None:
            named = next((t for t in obj.subtree if t.dep_ in ("oprd", "attr") and t.pos_ in ("NOUN", "PROPN")), None)
        if named is None:
            marker = next((t for t in obj.subtree if t.lower_ == "as"), None)
            after: Iterable[Token] = obj.doc[marker.i + 1 : marker.i + 5] if marker is not None else []
            named = next((t for t in after if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound"), None)
        return named if named is not None else (obj if obj.dep_ == "pobj" else None)
    return obj


def is_argument(token: Token, words: Words) -> bool:
    """Whether a noun can be a party (not a date, a number or an abstract event noun)."""
    return (
        token.pos_ in ("NOUN", "PROPN")
        and not token.like_num
        and token.lemma_.lower().rstrip(".") not in words.not_parties
        and token.lower_ not in words.not_parties
    )


def agentless_passive(verb: Token) -> bool:
    """ "TTP leaders are being sheltered in Afghanistan": a passive without "by X" does not name its doer."""
    return any(c.dep_ == "nsubjpass" for c in verb.children) and subject_of(verb) is None


def _elided_passive(verb: Token) -> bool:
    """ "Two soldiers were killed and five injured": a participle coordinated with an agentless passive shares its
    auxiliary, so it is passive too and names no doer; the subject the parser gives it ("five") is who was hurt."""
    if verb.dep_ != "conj" or verb.tag_ != "VBN" or not agentless_passive(verb.head):
        return False
    return not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children)


def is_passive(verb: Token) -> bool:
    """The verb has a passive subject ("was indicted", "is being pressured")."""
    return any(c.dep_ == "nsubjpass" for c in verb.children)


def verb_actor(verb: Token, words: Words) -> list[Token]:
    """The actor heads of a verbal trigger, climbing through control/coordination when it has no subject."""
    if agentless_passive(verb):
        return []
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and is_argument(verb.head, words):
        return conjuncts(verb.head)  # "militants targeting Pakistan"
    if _elided_passive(verb):
        return []
    node = verb
    for _ in range(_MAX_CLIMB):
        if node.dep_ in ("acl", "xcomp") and node.head.pos_ == "NOUN" and subject_of(node) is None:
            from_noun = noun_actor(node.head, words)
            if from_noun:
                return from_noun
        subject = subject_of(node)
        if subject is not None and subject.pos_ != "PRON" and is_argument(subject, words):
            return conjuncts(subject)
        if subject is not None and subject.pos_ != "PRON" and node.dep_ not in INHERIT_DEPS:
            return []
        if subject is not None and subject.pos_ == "PRON" and node.dep_ not in INHERIT_DEPS:
            return []
        if node.dep_ not in INHERIT_DEPS and not (node.dep_ == "relcl" and node.head.pos_ in ("NOUN", "PROPN")):
            return []
        if node.dep_ == "relcl":
            return conjuncts(node.head)
        node = node.head
    return []


def pronoun_subject(verb: Token, words: Words) -> Token | None:
    """The personal pronoun that is the (inherited) subject of ``verb``, for cross-sentence fallback."""
    node = verb
    for _ in range(_MAX_CLIMB):
        subject = subject_of(node)
        if subject is not None:
            return subject if subject.lower_ in words.personal_pronouns else None
        if node.dep_ not in INHERIT_DEPS:
            return None
        node = node.head
    return None


def verb_recipient(verb: Token, words: Words) -> list[Token]:
    """The recipient heads of a verbal trigger: direct object, else the object of a directional preposition."""
    for child in verb.children:
        if child.dep_ in ("dobj", "dative") and is_argument(child, words):
            return conjuncts(child)
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in words.recipient_prepositions:
            obj = _pobj(child, words)
            if obj is not None and is_argument(obj, words):
                return conjuncts(obj)
    for child in verb.children:
        if child.dep_ == "nsubjpass" and is_argument(child, words):
            return conjuncts(child)
    return []


def noun_actor(noun: Token, words: Words) -> list[Token]:
    """Actor of a nominal trigger: "strikes by Pakistan", "Pakistan's strikes", "Pakistani strikes", and "X claimed
    responsibility for the attack"."""
    claimant = _claimant(noun, words) or _performer(noun, words)
    if claimant is not None:
        return conjuncts(claimant)
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "by":
            obj = _pobj(child, words)
            if obj is not None:
                return conjuncts(obj)
        if child.dep_ == "prep" and child.lower_ == "between":
            obj = _pobj(child, words)
            if obj is not None:
                return [obj]
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ != "PRON":
            return [child]
        if child.dep_ in ("amod", "compound") and child.pos_ in ("PROPN", "ADJ") and child.text[:1].isupper():
            return [child]
    return []


def noun_recipient(noun: Token, words: Words) -> list[Token]:
    """Recipient of a nominal trigger: "strikes on TTP", "clashes between X and Y" (the second party), and the
    subject that undergoes it ("the convoy came under attack", "21 passengers died in the attack")."""
    undergoer = _undergoer(noun, words)
    if undergoer:
        return undergoer
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in words.noun_recipient_prepositions:
            obj = _pobj(child, words)
            if obj is not None and is_argument(obj, words):
                return conjuncts(obj)
        if child.dep_ == "prep" and child.lower_ == "between":
            obj = _pobj(child, words)
            if obj is not None:
                rest = conjuncts(obj)[1:]
                if rest:
                    return rest
    return []


def _claimant(noun: Token, words: Words) -> Token | None:
    """X in "X claimed responsibility for <noun>" / "took credit for <noun>"."""
    prep = noun.head if noun.dep_ == "pobj" else None
    if prep is None or prep.lower_ != "for" or prep.head.lemma_.lower() not in words.responsibility_nouns:
        return None
    verb = prep.head.head if prep.head.dep_ == "dobj" else None
    subject = subject_of(verb) if verb is not None else None
    return subject if subject is not None and is_argument(subject, words) else None


def _performer(noun: Token, words: Words) -> Token | None:
    """X in "X completed / conducted / carried out <noun>": the doer of a verb that says the act was done."""
    if noun.dep_ != "dobj" or noun.head.lemma_.lower() not in words.performance_verbs:
        return None
    if any(c.dep_ in ("poss", "prep") and c.lower_ == "by" for c in noun.children):
        return None
    subject = subject_of(noun.head)
    return subject if subject is not None and is_argument(subject, words) else None


def _undergoer(noun: Token, words: Words) -> list[Token]:
    """The subject of the verb that "in/during/under <noun>" attaches to, when that verb's subject undergoes it: a
    passive ("were killed in an ambush") or an undergoer verb ("died in the attack", "came under fire"). A pronoun
    subject of a subordinate clause stands for its main clause's subject ("The train ..., when it came under ...")."""
    prep = noun.head if noun.dep_ == "pobj" else None
    if prep is None or prep.lower_ not in ("in", "during", "under"):
        return []
    verb = prep.head
    if verb.pos_ not in ("VERB", "AUX") or not (is_passive(verb) or verb.lemma_.lower() in words.undergoer_verbs):
        return []
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.pos_ == "PRON" and verb.dep_ in ("advcl", "conj", "relcl"):
        subject = next((c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or not is_argument(subject, words):
        return []
    return conjuncts(subject)


def place_of(trigger: Token, words: Words) -> Phrase | None:
    """A place the parse attaches to the trigger or its governing verb ("in Istanbul", "along the border")."""
    return next(places_of(trigger, words), None)


def places_of(trigger: Token, words: Words) -> Iterator[Phrase]:
    """Every place phrase attached to the trigger or its governing verbs, nearest first, each followed by the places
    nested in it ("at a mosque *in Peshawar*")."""
    node = trigger
    for _ in range(3):
        for child in node.children:
            if child.dep_ == "prep" and child.lower_ in words.place_prepositions:
                obj = _pobj(child, words)
                if obj is not None and obj.pos_ in ("PROPN", "NOUN") and obj.ent_type_ not in ("DATE", "TIME"):
                    yield phrase_of(obj)
                    yield from _nested_places(obj, words)
        if node.head == node:
            break
        node = node.head


def _nested_places(noun: Token, words: Words) -> Iterator[Phrase]:
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in words.place_prepositions:
            obj = _pobj(child, words)
            if obj is not None and obj.pos_ in ("PROPN", "NOUN"):
                yield phrase_of(obj)
                yield from _nested_places(obj, words)


def is_place_adverbial(doc: Doc, start: int, end: int, words: Words) -> bool:
    """Whether the mention at ``start:end`` (char offsets in ``doc``) is the object of a place preposition: where
    the event happened ("killed 30 people *in Peshawar*"), not to whom."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    node = span.root
    for _ in range(_MAX_CLIMB):
        if node.dep_ not in NOUN_MODIFIER_DEPS or node.head == node:
            break
        node = node.head
    return node.dep_ == "pobj" and node.head.lower_ in words.place_prepositions


def names_a_party(phrase: Phrase, start: int, end: int, words: Words) -> bool:
    """Whether the mention at ``start:end`` is (or modifies) an object of the event: the other side, not home.

    "threatened Uzbekistan", "retaliate against Ukraine", "criticised Afghanistan's decision" name a party; "in
    Algiers", "the Nigerian President's resignation", "Vietnam is committed" do not exclude a shared nationality,
    and neither does a phrase of the actor's own ("members of parliament from Kenya's ruling party").
    """
    span = phrase.head.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    node = span.root
    for _ in range(_MAX_CLIMB):
        if node.dep_ not in NOUN_MODIFIER_DEPS or node.head is node:
            break
        node = node.head
    if node.dep_ in ("dobj", "dative"):
        return True
    own = phrase.start <= node.head.head.idx < phrase.end
    return node.dep_ == "pobj" and node.head.lower_ in words.party_prepositions and not own


def is_thing(token: Token) -> bool:
    """A common noun outside any named entity ("agreement", "bans", "condolences"): no party by itself."""
    return token.pos_ == "NOUN" and not token.ent_type_


def parties_beyond(
    verb: Token, obj: Token, words: Words, is_party: Callable[[Token], bool] | None = None
) -> list[Token]:
    """Recipient heads when the direct object is a thing, not a party.

    "ratified an agreement *with the EU*", "renewed an appeal *to Belgium*", "expressed condolences *to the United
    States*", "rejected accusations *by Amnesty*", "praised *China's* assistance": the party is the object of a
    directional preposition of the verb or of the object, or the object's possessor.
    """
    party = is_party or (lambda _token: False)
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in words.recipient_prepositions:
            found = _pobj(child, words)
            if found is not None and is_argument(found, words) and (not is_thing(found) or party(found)):
                return conjuncts(found)
    for child in obj.children:
        if child.dep_ == "prep" and (child.lower_ in words.party_prepositions or child.lower_ == "by"):
            found = _pobj(child, words)
            if found is not None and is_argument(found, words) and (not is_thing(found) or party(found)):
                return conjuncts(found)
        if child.dep_ == "poss" and child.pos_ != "PRON" and is_argument(child, words):
            return [child]
    return []


def talks_partner(subject: Token, words: Words) -> list[Token]:
    """For "talks (with X) collapsed": X, the other party of the failed talks."""
    for tok in subject.subtree:
        if tok.dep_ == "prep" and tok.lower_ in words.partner_prepositions:
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return conjuncts(obj)
    return []


def between_parties(token: Token, words: Words) -> list[Phrase]:
    """The parties of "fighting *between X and Y*", "talks between X and Y" (the trigger's or its subject's)."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "between":
            obj = _pobj(child, words)
            if obj is not None:
                parties = coordinated_parties(obj)
                if len(parties) >= 2:
                    return parties
    return []


def coordinated_parties(head: Token) -> list[Phrase]:
    """The parties a coordinated noun phrase names, one phrase each.

    "Armenia and Azerbaijan" (coordinated nouns), "Indian and Chinese troops" (coordinated modifiers of one noun:
    "Indian troops", "Chinese troops"), and the parser's "the army and M23 rebels" read as a noun modifier with a
    conjunct ("the army", "M23 rebels").
    """
    nouns = conjuncts(head)
    if len(nouns) >= 2:
        return [phrase_of(n) for n in nouns]
    for child in head.children:
        if child.dep_ not in ("amod", "compound", "nmod") or child.i > head.i:
            continue
        others = [c for c in child.children if c.dep_ == "conj"]
        if not others:
            continue
        if child.pos_ == "ADJ" or child.dep_ == "amod":
            return [_with_head(m, head) for m in (child, *others)]
        first = head.doc[child.left_edge.i : child.i + 1]
        second = head.doc[others[-1].left_edge.i : head.i + 1]
        return [
            Phrase(child, first.start_char, first.end_char, first.text),
            Phrase(head, second.start_char, second.end_char, second.text),
        ]
    return []


def _with_head(modifier: Token, head: Token) -> Phrase:
    """ "Chinese" + "troops" -> "Chinese troops", spanning the whole coordinated phrase in the sentence."""
    whole = head.doc[head.left_edge.i : head.i + 1]
    return Phrase(head, whole.start_char, whole.end_char, f"{modifier.text} {head.text}")
