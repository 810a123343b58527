"""Reciprocal events: both parties act on each other, so they are one event with two sides, not two one-sided ones.

PLOVER codes "X and Y clashed", "fighting between X and Y" and "troops clashed with militants" as one event whose
actor and recipient act alike. The parse gives such parties in three shapes, each read here as actor X and
recipient Y with ``reciprocal`` set:

* coordinated subjects of a reciprocal verb ("Armenia and Azerbaijan exchanged fire"), including coordinated
  modifiers of one noun ("Indian and Chinese troops clashed": Indian troops and Chinese troops);
* "between X and Y" on the trigger, or on the subject of a predicate rule ("talks between X and Y collapsed");
* a reciprocal verb with a party as its object or after "with" ("clashed with militants"), or a verb whose
  object it engages "in" a reciprocal act ("rebels engaged peacekeepers in a firefight");
* a plural party alone ("rival militias exchanged gunfire"): its members are both parties;
* coordinated subjects of a verb of agreement, or of talks, with no other party ("Thailand and Cambodia agreed to
  a ceasefire", "Kinshasa and Kigali signed a deal", "Armenian and Azerbaijani commissions resumed talks"), or the
  parties that one subject stands for ("delegations of the army and the RSF resumed talks"): they agree or talk with
  each other.

What two parties exchange is never a party: the object of "exchanged heavy artillery fire" is not its recipient.
Runs right after ``actor.parse.v1``, so that the actor fallbacks see the parties and the recipient strategies keep
them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from powderkeg_extractor.core.context import Candidate, Kit
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.parse.heads import Phrase
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.arguments import names_party, party_of
from powderkeg_extractor.core.stages.kinds import STEPS

if TYPE_CHECKING:
    from spacy.tokens import Token

    from powderkeg_extractor.core.words import Words

RECIPROCAL = "arguments.reciprocal.v1"


@STEPS.register(RECIPROCAL)
def reciprocal(c: Candidate, kit: Kit) -> Candidate:
    """Actor X and recipient Y of a reciprocal event, and ``reciprocal`` set (module docstring)."""
    if not c.is_event or c.reciprocal:
        return c
    words = kit.lexicon.words
    token = c.token
    parties = heads.between_parties(token, words)
    if not parties and c.trigger.kind is TriggerKind.PREDICATE and c.trigger.extra:
        parties = heads.between_parties(c.trigger.extra[0], words)
    if not parties and c.trigger.kind is TriggerKind.NOUN and _happens(token):
        parties = heads.between_parties(token.head, words)  # "fighting broke out *between X and Y*"
    if parties:
        return _both(c, kit, parties[0], parties[1])
    coordinated = _coordinated(c) or _represented(c, words)
    if coordinated and _mutual(c, words) and not any(names_party(h, c, kit) for h in c.recipient_heads):
        # "Thailand and Cambodia agreed to a ceasefire", "Armenian and Azerbaijani commissions resumed talks": with
        # each other
        return _both(c, kit, *coordinated)
    if not ({t.lemma_.lower() for t in c.trigger.tokens} & words.reciprocal_words or _engaged_in(token, words)):
        return c
    if coordinated:
        return _both(c, kit, *coordinated)
    other = _counterpart(c, kit)
    if other is None and len(c.actor_heads) == 1 and c.actor_heads[0].tag_ in ("NNS", "NNPS"):
        return _among(c, kit, c.actor_heads[0])
    if other is None or not c.actor_heads:
        return c
    recipient = party_of(RECIPROCAL, heads.phrase_of(other), c, kit, borrow=True)
    return replace(c, recipient_heads=(other,), recipients=(recipient,), reciprocal=True)


def _happens(noun: Token) -> bool:
    """The event noun is the subject of a verb of occurrence with no object ("fighting broke out", "clashes erupted",
    "fighting raged"): the parser hangs the phrase "between X and Y" on that verb."""
    verb = noun.head
    return noun.dep_ == "nsubj" and verb.pos_ == "VERB" and not any(ch.dep_ == "dobj" for ch in verb.children)


def _both(c: Candidate, kit: Kit, first: Phrase, second: Phrase) -> Candidate:
    actor = party_of(RECIPROCAL, first, c, kit, borrow=True, others=[second])
    recipient = party_of(RECIPROCAL, second, c, kit, borrow=True, others=[first])
    return replace(
        c,
        actor_heads=(first.head,),
        recipient_heads=(second.head,),
        actors=(actor,),
        recipients=(recipient,),
        reciprocal=True,
    )


def _among(c: Candidate, kit: Kit, plural: Token) -> Candidate:
    """ "Rival militias exchanged gunfire", "gangs clashed": a plural party with no other acts on itself, so its
    members are both sides (the same kind of side, unnamed apart)."""
    if not names_party(plural, c, kit):
        return c
    phrase = heads.phrase_of(plural)
    actor = party_of(RECIPROCAL, phrase, c, kit, borrow=True)
    return replace(c, recipient_heads=(plural,), recipients=(actor,), reciprocal=True)


def _counterpart(c: Candidate, kit: Kit) -> Token | None:
    """The other party of a reciprocal verb or noun with one actor: its object, or the object of "with"/"against".

    The object of an exchange verb is what is exchanged, and an object that names no party ("fought a war") is
    what is fought over: both give way to "with X".
    """
    words = kit.lexicon.words
    token = c.token
    exchange = token.lemma_.lower() in words.exchange_verbs
    for head in c.recipient_heads[:1]:
        is_object = head.dep_ in ("dobj", "dative")
        if not (is_object and (exchange or not names_party(head, c, kit))):
            return head
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in ("with", "against"):
            obj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if obj is not None and heads.is_argument(obj, words) and names_party(obj, c, kit):
                return obj
    return None


def _coordinated(c: Candidate) -> tuple[Phrase, Phrase] | None:
    """The first two coordinated actors: two actor heads ("Armenia and Azerbaijan"), or one noun with coordinated
    modifiers ("Indian and Chinese troops")."""
    if len(c.actor_heads) >= 2:
        return heads.phrase_of(c.actor_heads[0]), heads.phrase_of(c.actor_heads[1])
    split = heads.coordinated_parties(c.actor_heads[0]) if c.actor_heads else []
    return (split[0], split[1]) if len(split) >= 2 else None


def _represented(c: Candidate, words: Words) -> tuple[Phrase, Phrase] | None:
    """ "Delegations *of the Sudanese army and the RSF*", "representatives of the two governments": one actor that
    stands for coordinated parties after "of" stands for both."""
    if len(c.actor_heads) != 1 or c.actor_heads[0].lemma_.lower() not in words.representative_nouns:
        return None
    of = next((ch for ch in c.actor_heads[0].children if ch.dep_ == "prep" and ch.lower_ == "of"), None)
    first = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
    second = next((g for g in first.children if g.dep_ == "conj"), None) if first is not None else None
    if first is None or second is None:
        return None
    return heads.phrase_of(first), heads.phrase_of(second)


def _mutual(c: Candidate, words: Words) -> bool:
    """A verb of agreement ("agreed", "signed"), or a trigger that holds talks ("resumed border talks")."""
    if c.trigger.kind is not TriggerKind.NOUN and c.token.lemma_.lower() in words.mutual_verbs:
        return True
    return any(t.lemma_.lower() in words.mutual_nouns for t in c.trigger.tokens)


def _engaged_in(verb: Token, words: Words) -> bool:
    """ "engaged peacekeepers *in a firefight*", "were locked in battle": a reciprocal noun after "in"."""
    return any(
        child.dep_ == "prep"
        and child.lower_ == "in"
        and any(g.dep_ == "pobj" and g.lemma_.lower() in words.reciprocal_words for g in child.children)
        for child in verb.children
    )
