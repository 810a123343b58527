"""The arguments stage: who says so, who did it and to whom. Each strategy is a registered step.

The parse decides the roles (``core/parse/heads.py``). When its phrase does not resolve to a country, later
strategies stand in, in the order ``core/stages/__init__.py`` lists them; each one applies only while the field is
still missing what it can give, and a party it decides carries its name at the head of its ``reason``. The parse
strategies leave a reason only where the resolver left a field empty, or where a country was borrowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from powderkeg_contracts.models import Actor, PloverType, QuadClass, Sector
from powderkeg_extractor.core.actors import AGENT_ONLY, ETHNIC_GROUP, UNKNOWN_ACTOR
from powderkeg_extractor.core.context import (
    ARTICLE_PARTY,
    PLACE_ONLY,
    RECIPIENT_AFTER,
    Candidate,
    Kit,
    Party,
    SentenceContext,
)
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.parse.heads import Phrase
from powderkeg_extractor.core.parse.syntax import subject_of
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.kinds import STEPS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from powderkeg_extractor.core.words import Words

MAX_PARTIES = 3
"""Coordinated actors give one record each ("Qatar and Turkey mediated"), up to this many."""
INHERITED_COUNTRY = "country not in the phrase; the only country the sentence names"
_PRONOUN = "a personal pronoun: the last actor with a country in an earlier sentence"

SPEAKER = "speaker.report_verb.v1"
ACTOR_PARSE = "actor.parse.v1"
ACTOR_PRONOUN = "actor.pronoun.v1"
ACTOR_SPEAKER = "actor.speaker.v1"
ACTOR_BEFORE = "actor.before_trigger.v1"
RECIPIENT_PARSE = "recipient.parse.v1"
RECIPIENT_BEYOND = "recipient.beyond_thing.v1"
RECIPIENT_OTHER = "recipient.other_party.v1"
RECIPIENT_BORROW = "recipient.borrow_country.v1"


@STEPS.register(SPEAKER)
def speaker(c: Candidate, kit: Kit) -> Candidate:
    """The sayer of a report or claim verb above the trigger: its subject, a pronoun's referent, or its actor."""
    verb = c.clauses.speaker_verb
    if verb is None:
        return c
    words = kit.lexicon.words
    head = subject_of(verb)
    found: Party | None = None
    previous = c.sentence.previous_actor
    if head is not None and head.pos_ != "PRON":
        found = _party(SPEAKER, head, c, kit)
    elif head is not None and head.lower_ in words.personal_pronouns:
        found = previous.handed_on(SPEAKER, _PRONOUN) if previous is not None else None
    elif verb is not c.token:
        inherited = heads.verb_actor(verb, words)
        found = _party(SPEAKER, inherited[0], c, kit) if inherited else None
    return replace(c, speaker=found)


@STEPS.register(ACTOR_PARSE)
def actor_parse(c: Candidate, kit: Kit) -> Candidate:
    """The subject or passive agent (a verb), "by X" or a possessive (a noun); a country-less person or group
    borrows the sentence's only country (:func:`borrow_country`)."""
    others = c.recipient_heads[:MAX_PARTIES]
    found = tuple(_party(ACTOR_PARSE, h, c, kit, borrow=True, others=others) for h in c.actor_heads[:MAX_PARTIES])
    return replace(c, actors=found)


@STEPS.register(ACTOR_PRONOUN)
def actor_pronoun(c: Candidate, kit: Kit) -> Candidate:
    """No actor and a personal-pronoun subject ("he said", "it would"): an earlier subject of the same sentence that
    agrees in number ("The militants blew up tracks ..., where *they* stormed it"), else the last actor of an earlier
    sentence."""
    previous = c.sentence.previous_actor
    if c.actors or c.trigger.kind is TriggerKind.NOUN:
        return c
    pronoun = heads.pronoun_subject(c.token, kit.lexicon.words)
    if pronoun is None:
        return c
    here = _antecedent(pronoun, c, kit)
    if here is not None:
        why = "the referent of a personal pronoun, an earlier subject of the sentence"
        party = party_of(ACTOR_PRONOUN, heads.phrase_of(here), c, kit, borrow=True)
        return replace(c, actor_heads=(here,), actors=(party.handed_on(ACTOR_PRONOUN, why),))
    if previous is None:
        return c
    return replace(c, actors=(previous.handed_on(ACTOR_PRONOUN, _PRONOUN),))


_PLURAL_PRONOUNS = frozenset({"they", "them", "we"})


def _antecedent(pronoun: Token, c: Candidate, kit: Kit) -> Token | None:
    """The nearest subject before ``pronoun`` in its sentence that names a party and agrees with it in number."""
    plural = pronoun.lower_ in _PLURAL_PRONOUNS
    for token in reversed(pronoun.sent[: pronoun.i - pronoun.sent.start]):
        if token.dep_ not in ("nsubj", "nsubjpass") or token.pos_ not in ("NOUN", "PROPN"):
            continue
        if (token.tag_ in ("NNS", "NNPS")) is plural and names_party(token, c, kit):
            return token
    return None


@STEPS.register(ACTOR_SPEAKER)
def actor_speaker(c: Candidate, kit: Kit) -> Candidate:
    """Still no actor: the speaker of the reporting clause ("X announced it will return ...").

    A speaker who reports violence or coercion is not its doer ("rights groups say they face being tortured",
    "security sources say the military rescued ..."): for material conflict the speaker stands in only when the
    act's subject is a pronoun that can refer to it ("Pakistan said it struck ..."). Never for an agentless passive
    or an event whose doer the sentence leaves unnamed ("the attack killed ..., officials said").
    """
    if c.actors or c.speaker is None or c.trigger.kind is TriggerKind.NOUN or heads.agentless_passive(c.token):
        return c
    material = c.entry.quad_class is QuadClass.MATERIAL_CONFLICT
    if c.unnamed_agent or (material and heads.pronoun_subject(c.token, kit.lexicon.words) is None):
        return c
    why = "the speaker of the clause that reports the event"
    return replace(c, actors=(c.speaker.handed_on(ACTOR_SPEAKER, why),))


@STEPS.register(ACTOR_BEFORE)
def actor_before_trigger(c: Candidate, kit: Kit) -> Candidate:
    """No actor with a country: the nearest country-bearing mention before the trigger.

    Never the passive subject: "X was indicted by the tribunal" is done *to* X; never the speaker who reports the
    act ("Canada's foreign minister said all G7 ministers agree ..."). Not for nouns, statements and agentless
    passives, whose doer the sentence does not name.
    """
    token = c.token
    if not c.is_event or any(p.actor.country for p in c.actors) or c.reciprocal or c.unnamed_agent:
        return c
    if c.trigger.kind is TriggerKind.NOUN or heads.agentless_passive(token):
        return c
    passive = heads.is_passive(token)
    undergoer = {t.idx for h in c.recipient_heads for t in h.subtree} if passive else set()
    reporter = c.clauses.speaker_verb
    sayer = subject_of(reporter) if reporter is not None and reporter != token else None
    undergoer |= {t.idx for t in sayer.subtree} if sayer is not None else set()
    s = c.sentence
    mentions = kit.resolvers.find(s.doc.text, s.as_of)
    with_country = [a for start, _end, a in mentions if start < token.idx and start not in undergoer and a.country]
    if not with_country:
        return c
    why = "the nearest country named before the trigger"
    return replace(c, actors=(Party.decided(ACTOR_BEFORE, with_country[-1], why=why),))


@STEPS.register(RECIPIENT_PARSE)
def recipient_parse(c: Candidate, kit: Kit) -> Candidate:
    """The direct object, else the object of a directional preposition (a verb); "on/against X" (a noun)."""
    if c.reciprocal:
        return c  # the reciprocal step read both parties
    if c.entry.plover is PloverType.MOBILIZE:
        # What is mobilised or shown ("massed 100,000 troops", "tested a missile") is the actor's own force, not
        # whom it is aimed at: that comes after a preposition ("near Ukraine's borders") or not at all.
        kept = tuple(h for h in c.recipient_heads if h.dep_ not in ("dobj", "nsubjpass"))
        c = replace(c, recipient_heads=kept)
    found = tuple(_party(RECIPIENT_PARSE, h, c, kit) for h in c.recipient_heads[:MAX_PARTIES])
    return replace(c, recipients=found)


@STEPS.register(RECIPIENT_BEYOND)
def recipient_beyond_thing(c: Candidate, kit: Kit) -> Candidate:
    """The object is a thing ("signed an agreement with the EU"): the party it names, if it names one."""
    first = c.recipient_heads[0] if c.recipient_heads else None
    if c.trigger.kind is TriggerKind.NOUN or first is None or not heads.is_thing(first):
        return c
    if any(p.actor.country or p.actor.code or p.actor.sector for p in c.recipients):
        return c
    beyond = heads.parties_beyond(c.token, first, kit.lexicon.words, lambda t: names_party(t, c, kit))
    if not beyond:
        return c
    found = tuple(_party(RECIPIENT_BEYOND, h, c, kit) for h in beyond[:MAX_PARTIES])
    return replace(c, recipient_heads=tuple(beyond), recipients=found)


@STEPS.register(RECIPIENT_OTHER)
def recipient_other_party(c: Candidate, kit: Kit) -> Candidate:
    """Failed talks with no partner named (a predicate rule): the article's other main country, if the actor is one.

    Names after the predicate are mediators or circumstances ("despite efforts by Qatar and Turkey"), not the
    partner; the partner of talks an article reports failing is the other side the article is about.
    """
    if c.trigger.kind is not TriggerKind.PREDICATE or any(p.actor.country for p in c.recipients):
        return c
    own = {p.actor.country for p in c.actors if p.actor.country}
    parties = c.sentence.article_parties() if c.sentence.article_parties is not None and own else []
    if len(parties) != 2 or not own & {p.country for p in parties}:
        return c
    found = tuple(Party.decided(RECIPIENT_OTHER, _unnamed(p)) for p in parties if p.country not in own)
    return replace(c, recipients=found) if found else c


@STEPS.register(RECIPIENT_AFTER)
def recipient_after_trigger(c: Candidate, kit: Kit) -> Candidate:
    """No recipient with a country (not a predicate rule): the first other country named after the trigger.

    Prepositional recipients the parse attaches elsewhere ("withdraw its troops from Lebanon", "talks with X on Y")
    are the common case; the mention must follow the trigger and differ from the actor's own country. When every
    party after it shares the actor's country, the first other party is the recipient of a domestic event.

    Whoever reports the event is not its recipient ("North Korea fired a missile ..., South Korea's Joint Chiefs of
    Staff said"), nor the doer of a participle phrase ("agreed to a ceasefire at talks *hosted by Malaysia*").

    A place where the event happened ("in Istanbul") is where, not to whom. In material conflict whose parse names
    its people or group ("killed 30 people *in Peshawar*") the place is skipped: the people borrow its country. A
    place taken for a verbal or cooperative event (the host of talks, the place of a statement), or for an act at
    home or by an actor without a country ("al-Shabab detonated a car bomb in Mogadishu"), is the recipient as
    CAMEO codes it but says :data:`PLACE_ONLY`, so that it is never a conflict side (``core/sides.py``). A strike
    on a place abroad ("struck targets in Lebanon") is a plain recipient.
    """
    if c.trigger.kind is TriggerKind.PREDICATE or any(p.actor.country for p in c.recipients):
        return c
    if c.reciprocal and any(p.actor.actor_class is not None for p in c.recipients):
        return c
    own = {p.actor.country for p in c.actors if p.actor.country and not p.borrowed}
    s = c.sentence
    words = kit.lexicon.words
    material = c.entry.quad_class is QuadClass.MATERIAL_CONFLICT
    people = material and any(p.actor.actor_class is not None for p in c.recipients)
    reporter = c.clauses.speaker_verb
    sayer = subject_of(reporter) if reporter is not None and reporter is not c.token else None
    reporting = {t.idx for t in sayer.subtree} if sayer is not None else set()
    if c.token.idx in reporting:
        reporting = set()  # a parse that hangs the event under the sayer's phrase: it says nothing of the sayer
    reporting |= _other_doers(s.doc)
    mentions = [
        (start, a)
        for start, end, a in kit.resolvers.find(s.doc.text, s.as_of)
        if start > c.token.idx
        and start not in reporting
        and (a.country or (a.code and a.sector is Sector.INTERNATIONAL_ORGANISATION))
    ]
    places = {
        start for start, a in mentions if heads.is_place_adverbial(s.doc, start, start + len(a.text or ""), words)
    }
    after = [(start, a) for start, a in mentions if not (people and start in places)]
    found = [m for m in after if m[1].country not in own][:1] or _domestic_party(after, [p.actor for p in c.actors])
    if not found:
        return c
    start, actor = found[0]
    why = "the first other party named after the trigger"
    if start in places and (not material or actor.country in own or not own):
        why = PLACE_ONLY
    return replace(c, recipients=(Party.decided(RECIPIENT_AFTER, actor, why=why),))


@STEPS.register(RECIPIENT_BORROW)
def recipient_borrow_country(c: Candidate, kit: Kit) -> Candidate:
    """Still no recipient with a country: the parse's recipients again, now borrowing the sentence's only country."""
    if any(p.actor.country for p in c.recipients):
        return c
    others = c.actor_heads[:MAX_PARTIES]
    found = tuple(
        _party(RECIPIENT_BORROW, h, c, kit, borrow=True, others=others) for h in c.recipient_heads[:MAX_PARTIES]
    )
    return replace(c, recipients=found) if found else c


@STEPS.register("arguments.require_party.v1")
def require_party(c: Candidate, kit: Kit) -> Candidate | None:
    """A verb's default code alone is too weak without a known party: drop the candidate.

    "Officials think prices will go up" has a verb with a CAMEO default and no party; an event needs someone.
    """
    if c.trigger.kind is not TriggerKind.VERB or not c.is_event:
        return c
    if any(p.actor.country or p.actor.code for p in (*c.actors, *c.recipients)):
        return c
    return None


def borrow_country(
    actor: Actor, phrase: Phrase, mentions: list[tuple[int, int, Actor]], words: Words, others: Sequence[Phrase] = ()
) -> Actor | None:
    """A country-less person or group ("officials", "President Bouteflicka") with the sentence's only country.

    News names the state of an unnamed official or group once, elsewhere in the sentence ("police ... in Algiers",
    "Yoruba leaders ... Nigerian President"); with two or more countries named the choice is not safe, and a
    phrase that is an international organisation keeps no country. Only people and groups borrow: a title or
    group word, or an unknown proper name ("the Umma party"); "aid deliveries" or "the call" do not. Mentions
    inside the phrase's own span do not count, nor those inside ``others`` (the other side's phrases: "officials
    threatened Uzbekistan" does not make the officials Uzbek). None: nothing to borrow.
    """
    if actor.country is not None:
        return None
    unknown_name = actor.reason == UNKNOWN_ACTOR and phrase.head.pos_ == "PROPN"
    borrows = actor.reason in (AGENT_ONLY, ETHNIC_GROUP) or unknown_name
    if not borrows:
        return None
    spans = [(p.start, p.end) for p in (phrase, *others)]
    countries = {
        a.country
        for s, e, a in mentions
        if a.country and all(e <= lo or s >= hi for lo, hi in spans) and not heads.names_a_party(phrase, s, e, words)
    }
    if len(countries) != 1:
        return None
    (country,) = countries
    role = actor.code[-3:] if actor.code and actor.sector is not None else ""
    return actor.model_copy(update={"country": country, "code": country + role, "reason": None})


def _party(
    strategy: str, head: Token, c: Candidate, kit: Kit, *, borrow: bool = False, others: Sequence[Token] = ()
) -> Party:
    """The resolved phrase headed by ``head``; with ``borrow``, a country-less one may borrow the sentence's."""
    return party_of(strategy, heads.phrase_of(head), c, kit, borrow=borrow, others=[heads.phrase_of(t) for t in others])


def party_of(
    strategy: str, phrase: Phrase, c: Candidate, kit: Kit, *, borrow: bool = False, others: Sequence[Phrase] = ()
) -> Party:
    """The resolved ``phrase``; with ``borrow``, a country-less one may borrow the sentence's only country."""
    s: SentenceContext = c.sentence
    actor = kit.resolvers.actor(phrase.text, s.as_of)
    if borrow and actor.country is None and actor.reason is not None:
        mentions = kit.resolvers.find(s.doc.text, s.as_of)
        borrowed = borrow_country(actor, phrase, mentions, kit.lexicon.words, others)
        if borrowed is not None:
            return Party.decided(strategy, borrowed, why=INHERITED_COUNTRY, borrowed=True)
    return Party.decided(strategy, actor)


def names_party(head: Token, c: Candidate, kit: Kit) -> bool:
    """Whether the phrase headed by ``head`` resolves to a party: a country or an actor class."""
    actor = kit.resolvers.actor(heads.phrase_of(head).text, c.sentence.as_of)
    return actor.country is not None or actor.actor_class is not None


def _other_doers(doc: Doc) -> set[int]:
    """Character offsets of the passive agents of participle phrases ("talks hosted *by Malaysia*")."""
    out: set[int] = set()
    for token in doc:
        if token.dep_ == "agent" and token.head.dep_ == "acl":
            out.update(t.idx for t in token.subtree)
    return out


def _domestic_party(after: list[tuple[int, Actor]], actors: list[Actor]) -> list[tuple[int, Actor]]:
    """The recipient of a domestic event: the first named party after the trigger that is not the actor itself.

    "President Museveni threatened to ban Ugandan opposition candidates", "Egyptian demonstrators called for the
    removal of President Mubarak": both sides share a country, and another actor of it (another code: the
    teachers' union and the government) is still the other side.
    """
    own = {a.text for a in actors} | {a.code for a in actors if a.code}
    return next(([m] for m in after if m[1].text not in own and m[1].code not in own), [])


def _unnamed(actor: Actor) -> Actor:
    """An article party standing in for an unnamed one: its reason is only why it stands in."""
    return actor.model_copy(update={"reason": ARTICLE_PARTY})
