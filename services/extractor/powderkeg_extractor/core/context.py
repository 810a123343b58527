"""The typed contexts the stages read and write: the parts they use, a parsed sentence, and one candidate event.

Every stage is a pure function from a :class:`Candidate` (and the :class:`Kit`) to a new candidate, made with
``dataclasses.replace``; nothing is mutated, so a stage can be read, tested and replaced on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from powderkeg_contracts.models import Actor, Article, EventDate, Factuality, Location

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from powderkeg_extractor.classify.reading import Reader, SentenceReading
    from powderkeg_extractor.core.lexicon import Lexicon
    from powderkeg_extractor.core.ontology import CameoEntry, Ontology
    from powderkeg_extractor.core.parse.clauses import FactualityResult
    from powderkeg_extractor.core.parse.triggers import Trigger
    from powderkeg_extractor.core.resolvers import Resolvers


ARTICLE_PARTY = "party not named; one of the article's two most mentioned countries"
"""The reason of a party that stands in for an unnamed one: one of :attr:`SentenceContext.article_parties`."""
RECIPIENT_AFTER = "recipient.after_trigger.v1"
"""The recipient fallback that takes the first other party named after the trigger: a guess, not the parse's."""
PLACE_ONLY = "the place of the event, named after the trigger: where it happened, not a party"
"""The reason of a recipient that is only the event's place (as CAMEO codes it); ``core/sides.py`` never makes it
a conflict side."""


@dataclass(frozen=True, slots=True)
class Kit:
    """The parts the stages read: lexicon, ontology, resolvers, the version written into records, and the sentence
    classifier of the classify stage (None: the rules alone)."""

    lexicon: Lexicon
    ontology: Ontology
    resolvers: Resolvers
    version: str
    classifier: Reader | None = None


@dataclass(frozen=True, slots=True)
class SentenceLabel:
    """What the classify slot's gate says about a sentence before it is parsed; empty by default.

    The sentence classifier's reading goes in ``reading``; other gates may put plain scores in ``scores``. The
    combine reads them after build, beside every candidate of the sentence.
    """

    scores: Mapping[str, float] = field(default_factory=dict)
    reading: SentenceReading | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """An actor or recipient as a strategy decided it; ``actor.reason`` starts with that strategy's name."""

    actor: Actor
    borrowed: bool = False
    """The country is not the phrase's own: borrowed from the sentence's only country (no confidence bonus, and
    the recipient fallbacks do not treat it as the actor's side)."""
    note: str | None = None
    """What a strategy that hands the party on (a pronoun's referent, the speaker) keeps of its reason: the
    resolver's, and that the country is borrowed; not how the earlier strategy found it."""

    @classmethod
    def decided(cls, strategy: str, actor: Actor, *, why: str | None = None, borrowed: bool = False) -> Party:
        """``actor`` as ``strategy`` chose it: the reason is ``strategy: why; <actor's own reason>``.

        Without ``why`` (the strategy read the party straight from the parse) a reason is written only where the
        actor has one, that is where a field is empty.
        """
        parts = [p for p in (why, actor.reason) if p]
        reason = f"{strategy}: {'; '.join(parts)}" if parts else None
        note = "; ".join(p for p in (why if borrowed else None, actor.reason) if p) or None
        return cls(actor.model_copy(update={"reason": reason}), borrowed=borrowed, note=note)

    def handed_on(self, strategy: str, why: str) -> Party:
        """This party standing in for another field or sentence, as ``strategy`` decided."""
        reason = f"{strategy}: {why}" + (f"; {self.note}" if self.note else "")
        return replace(self, actor=self.actor.model_copy(update={"reason": reason}))


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """A parsed candidate sentence and where it sits in its article."""

    article: Article
    doc: Doc
    start: int
    end: int
    as_of: dt.date | None
    previous_actor: Party | None = None
    """The last actor with a country in an earlier sentence of the article: the referent of "he", "it"."""
    previous_location: Location | None = None
    """The last place with a country an earlier event of the article named explicitly."""
    previous_hazard: str | None = None
    """The hazard or accident the article's previous parsed sentence reports (``stages/agency.py``): the emergency,
    curfew or deployment that follows it is the response, not coercion."""
    article_parties: Callable[[], list[Actor]] | None = None
    """The two countries the article is about (most mentioned), computed on demand: the sides of a border clash."""
    label: SentenceLabel = field(default_factory=SentenceLabel)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One trigger on its way to records: its readings of the parse, and the fields the stages have decided."""

    sentence: SentenceContext
    trigger: Trigger
    entry: CameoEntry
    """The ontology entry of ``trigger.code``; the factuality stage may recode both."""
    clauses: FactualityResult
    """What the clauses above the trigger say (factuality, cause, speaker verb, depth)."""
    actor_heads: tuple[Token, ...] = ()
    recipient_heads: tuple[Token, ...] = ()
    speaker: Party | None = None
    actors: tuple[Party, ...] = ()
    recipients: tuple[Party, ...] = ()
    factuality: Factuality = Factuality.ASSERTED
    sides: tuple[Actor, ...] = ()
    """Both sides of a border event whose parties the parse lacks (one record each way; one for a clash)."""
    reciprocal: bool = False
    """Both parties act on each other ("X and Y clashed", "fighting between X and Y"): one record, both sides."""
    unnamed_agent: bool = False
    """The sentence says the doer is not named ("the attack killed ...": an event is the subject); no fallback
    stands in for it."""
    dropped: str | None = None
    """Why a step dropped the candidate (``<strategy>: <cause>``); the extractor builds nothing from it."""
    location: Location | None = None
    location_inherited: bool = False
    event_date: EventDate | None = None
    background_reason: str | None = None
    """Why the event is told as history or background, not as news (``core/parse/history.py``)."""

    @property
    def token(self) -> Token:
        return self.trigger.token

    def drop(self, strategy: str, cause: str) -> Candidate:
        """This candidate dropped by ``strategy``, saying why."""
        return replace(self, dropped=f"{strategy}: {cause}")

    @property
    def is_event(self) -> bool:
        """It has a PLOVER type; statements and appeals (CAMEO 01/02) do not and produce no record."""
        return self.entry.plover is not None


R = TypeVar("R", Actor, Location, EventDate)


def named(strategy: str, item: R) -> R:
    """``item`` as ``strategy`` decided it: a reason it has (why a field is empty) names the strategy first."""
    return item if item.reason is None else item.model_copy(update={"reason": f"{strategy}: {item.reason}"})


def guessed_recipient(actor: Actor) -> bool:
    """Whether a recipient was only guessed from a name after the trigger, not read from the parse as the one the
    act is done to: such a name is no victim ("the bombing was a plot *by France*")."""
    return (actor.reason or "").startswith(RECIPIENT_AFTER)
