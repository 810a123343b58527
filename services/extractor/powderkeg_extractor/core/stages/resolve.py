"""The resolve stage: where and when an event happened, and the two sides of a reciprocal one.

This is where the resolved parties are completed with what the article, not the sentence, says. Statements
(CAMEO 01/02) produce no record, so they are not resolved.
"""

from __future__ import annotations

from dataclasses import replace

from powderkeg_contracts.models import Location
from powderkeg_extractor.core.context import ARTICLE_PARTY, Candidate, Kit, named
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.stages.kinds import STEPS

RECIPROCAL = frozenset({"193", "191"})
"""Clashes and fighting (both sides act) and border closures (one side or both): events whose unnamed parties are
the two countries of the article when the event is at their border."""
BORDER_DYAD = "resolve.border_dyad.v1"
LOCATION = "resolve.location.v1"
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
    """The place attached to the trigger or its governing verbs ("in Istanbul", "along the border"), else the
    last explicit place of an earlier event in the same paragraph (``previous_location``)."""
    if not c.is_event:
        return c
    phrase = heads.place_of(c.token, kit.lexicon.words)

    found = Location(reason="no place attached to the event in the sentence")
    if phrase is not None:
        found = kit.resolvers.place(phrase.text)
    previous = c.sentence.previous_location
    if found.country is None and previous is not None:
        inherited = previous.model_copy(update={"reason": f"{LOCATION}: {INHERITED_PLACE}"})
        return replace(c, location=inherited, location_inherited=True)
    return replace(c, location=named(LOCATION, found))


@STEPS.register("resolve.date.v1")
def date(c: Candidate, kit: Kit) -> Candidate:
    """The sentence's date expression against the publication date (``core/dates.py``)."""
    if not c.is_event:
        return c
    found = kit.resolvers.date(c.sentence.doc.text, c.sentence.article.published_at)
    return replace(c, event_date=named("resolve.date.v1", found))
