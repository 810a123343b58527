"""The resolve stage: where and when an event happened, and the two sides of a reciprocal one.

This is where the resolved parties are completed with what the article, not the sentence, says. Statements
(CAMEO 01/02) produce no record, so they are not resolved.
"""

from __future__ import annotations

from dataclasses import replace

from powderkeg_contracts.models import Actor, Location, PloverType
from powderkeg_contracts.sides import ActorClass
from powderkeg_extractor.core.context import (
    ARTICLE_PARTY,
    PLACE_ONLY,
    Candidate,
    Kit,
    Party,
    guessed_recipient,
    named,
)
from powderkeg_extractor.core.ontology import split_code
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.parse.history import background_of
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.kinds import STEPS

RECIPROCAL = frozenset({"193", "191"})
"""Clashes and fighting (both sides act) and border closures (one side or both): events whose unnamed parties are
the two countries of the article when the event is at their border."""
BORDER_DYAD = "resolve.border_dyad.v1"
LOCATION = "resolve.location.v1"
UNIDENTIFIED = "resolve.unidentified_agent.v1"
UNIDENTIFIED_WHY = "no perpetrator named: an unidentified armed group in the event's country"
INHERITED_PLACE = "no place in the sentence; inherited from an earlier sentence of the article"


@STEPS.register(BORDER_DYAD)
def border_dyad(c: Candidate, kit: Kit) -> Candidate:
    """The two sides of a reciprocal event "along the border" / "border clashes" whose parties the parse lacks.

    A border clash is between the two neighbouring states the article is about; its two most mentioned countries
    stand in for the unnamed parties (one record each way, as for a clash "between X and Y").
    """
    s = c.sentence
    if not c.is_event or any(p.actor.country for p in c.actors):
        return c
    if c.trigger.code not in RECIPROCAL or s.article_parties is None:
        return c
    words = kit.lexicon.words
    near = {t.lemma_.lower() for t in c.token.subtree}
    place = heads.place_of(c.token, words)
    if not near & words.border_words and not (place is not None and "border" in place.text.lower()):
        return c
    parties = s.article_parties()
    if len(parties) != 2:
        return c
    sides = tuple(p.model_copy(update={"reason": f"{BORDER_DYAD}: {ARTICLE_PARTY}"}) for p in parties)
    return replace(c, sides=sides)


@STEPS.register(LOCATION)
def location(c: Candidate, kit: Kit) -> Candidate:
    """The place attached to the trigger or its governing verbs ("in Istanbul", "along the border"; the first that
    resolves to a country, nested ones included: "at a mosque in Peshawar"), else the last explicit place of an
    earlier event in the same paragraph (``previous_location``)."""
    if not c.is_event:
        return c
    found = Location(reason="no place attached to the event in the sentence")
    for phrase in heads.places_of(c.token, kit.lexicon.words):
        place = kit.resolvers.place(phrase.text)
        if found.place is None or (place.country is not None and found.country is None):
            found = place
        if found.country is not None:
            break
    previous = c.sentence.previous_location
    if found.country is None and previous is not None:
        inherited = previous.model_copy(update={"reason": f"{LOCATION}: {INHERITED_PLACE}"})
        return replace(c, location=inherited, location_inherited=True)
    return replace(c, location=named(LOCATION, found))


@STEPS.register(UNIDENTIFIED)
def unidentified_agent(c: Candidate, kit: Kit) -> Candidate:
    """Violence with no perpetrator named ("a bomb killed 11 miners in Quetta", "came under attack"): an
    unidentified armed group (a political militia, CAMEO ``UAF``) of the event's country, as ACLED and the CAMEO
    coders code it; the country is the event's place, else that of its civilian or state victims, else that of the
    place named after the trigger. It needs a victim the parse names (a party only named after the trigger is no
    victim: "the bombing was a plot by France"): people or forces, the target of a nominal trigger ("the convoy
    came under attack"), or, for a verb with no object at all or a named person killed in a passive ("X was killed
    in an airstrike"), its place ("a bomb exploded in Quetta"). A bare mention of an act, or one done to a thing
    ("eradicate poverty"), names no one it was done to."""
    if c.entry.plover is not PloverType.ASSAULT or c.reciprocal or c.sides:
        return c
    if any(p.actor.country or p.actor.actor_class for p in c.actors):
        return c
    parsed = [p.actor for p in c.recipients if not guessed_recipient(p.actor)]
    victims = [a for a in parsed if a.actor_class in _VICTIMS]
    if c.trigger.kind is TriggerKind.NOUN:
        targeted = bool(parsed)
    else:
        named = heads.is_passive(c.token) and any(h.pos_ == "PROPN" for h in c.recipient_heads)
        targeted = not c.recipient_heads or named  # "a bomb exploded in Quetta", "al-Rufay'i was killed in ..."
    if not victims and not targeted:
        return c  # "the attack was a blunder", "eradicate poverty": no one suffers the act in this sentence
    country = c.location.country if c.location is not None else None
    if country is None:
        country = next((a.country for a in victims if a.country), None)
    if country is None:  # the place named after the trigger, which the fallback kept only as where it happened
        country = next((p.actor.country for p in c.recipients if PLACE_ONLY in (p.actor.reason or "")), None)
    if country is None:
        return c
    code = f"{country}UAF"
    _country, sector, _reason = split_code(code)
    actor = Actor(
        country=country,
        sector=sector,
        code=code,
        actor_class=ActorClass.POLITICAL_MILITIA,
        reason=f"{UNIDENTIFIED}: {UNIDENTIFIED_WHY}",
    )
    return replace(c, actors=(Party(actor, borrowed=True),))


_VICTIMS = frozenset({ActorClass.CIVILIANS, ActorClass.STATE_FORCES, ActorClass.GOVERNMENT})


@STEPS.register("resolve.date.v1")
def date(c: Candidate, kit: Kit) -> Candidate:
    """The sentence's date expression against the publication date (``core/dates.py``); an article with none (a
    plain text file) is anchored on when ingest took it, as GDELT's DATEADDED is, and the reason says so."""
    if not c.is_event:
        return c
    article = c.sentence.article
    found = kit.resolvers.date(c.sentence.doc.text, article.published_at or article.ingested_at)
    if article.published_at is None:
        why = f"{found.reason}; " if found.reason else ""
        found = found.model_copy(update={"reason": f"{why}no publication date: anchored on the ingest time"})
    return replace(c, event_date=named("resolve.date.v1", found))


@STEPS.register("resolve.background.v1")
def background(c: Candidate, kit: Kit) -> Candidate:
    """Whether the event is told as history or background (``core/parse/history.py``): dated before publication,
    years ago, part of a span that lasted years, habitual, or under an anniversary."""
    if not c.is_event:
        return c
    why = background_of(c.token, c.sentence.article.published_at, kit.lexicon.words)
    return replace(c, background_reason=f"resolve.background.v1: {why}") if why else c
