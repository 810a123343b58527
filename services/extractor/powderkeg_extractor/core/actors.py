"""Actor resolution: noun phrases and sentences -> :class:`Actor` with country, sector and CAMEO-style code.

A phrase is scanned once, left to right, for the longest gazetteer phrase at each word (dictionary lookups on token
keys, never a regular expression per entry). Two kinds of match combine into one actor:

* *entities* (countries, capitals, places and demonyms, people, organisations, armed groups, IGOs) give the country
  and often the sector (``PAKGOV``, ``AFGREB``, ``IGOUNO``);
* *agents* (titles and group nouns: minister, troops, police, protesters ...) give the sector when the entity does not
  (``Three Pakistani security officials`` -> PAK + government).

The most specific entity wins (a named person or group over a country named beside it), and a prepositional tail
is ignored once an entity has been seen (``Pakistan's ambassador to the UN`` is Pakistani).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from powderkeg_contracts import datafiles
from powderkeg_contracts.models import Actor, Location, Sector
from powderkeg_extractor.core.classes import class_of
from powderkeg_extractor.core.gazetteer import EntryKind, Gazetteer, Hit, load_gazetteer
from powderkeg_extractor.core.keys import Token, phrase_key, tokenize
from powderkeg_extractor.core.ontology import split_code
from powderkeg_extractor.core.places import resolve_place
from powderkeg_extractor.core.words import WordSet

GAZETTEER_FILE = "gazetteer.json.gz"

_SPECIFICITY = {
    EntryKind.PERSON: 5,
    EntryKind.ARMED_GROUP: 5,
    EntryKind.ORGANISATION: 5,
    EntryKind.IGO: 5,
    EntryKind.NGO: 5,
    EntryKind.COMPANY: 4,
    EntryKind.SURNAME: 5,
    EntryKind.CAPITAL: 3,
    EntryKind.COUNTRY: 2,
    EntryKind.PLACE: 1,
}
_MAX_GAP = 3
_PEOPLE_KINDS = {EntryKind.COUNTRY, EntryKind.PLACE, EntryKind.CAPITAL}
_NAMED_KINDS = frozenset(EntryKind) - _PEOPLE_KINDS - {EntryKind.AGENT}
"""Entities whose own code says who they are, over the group words beside them ("Boko Haram fighters")."""
ETHNIC_GROUP = "ethnic group: coded by the state it lives in, which the phrase does not name"
UNKNOWN_ACTOR = "no known actor, country, organisation or title in phrase"
AGENT_ONLY = "no country or organisation named, only a title or group word"
"""The resolver's reasons for an actor without a country that may borrow one from its sentence (core/stages)."""
ACTOR_WORDS_FILE = "actor_words.yaml"


class ActorWords(BaseModel):
    """The words matched between and around gazetteer phrases (``data/actor_words.yaml`` says what each is for)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prepositions: WordSet
    residence_prepositions: WordSet
    glue: WordSet
    former: WordSet
    abbreviations: WordSet
    generic_place_words: WordSet

    @classmethod
    @functools.cache
    def default(cls) -> ActorWords:
        """The packaged word lists, loaded once per process."""
        path = resources.files("powderkeg_extractor").joinpath("data", ACTOR_WORDS_FILE)
        return datafiles.load(path, cls, source=f"powderkeg_extractor/data/{ACTOR_WORDS_FILE}")


@dataclass(frozen=True, slots=True)
class ActorMatch:
    """An actor mention found in a text: character offsets into that text and the resolved actor."""

    start: int
    end: int
    actor: Actor


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    hit: Hit
    agent: bool


class ActorResolver:
    """Resolves actor phrases, finds actor mentions in sentences and resolves place names."""

    def __init__(self, gazetteer: Gazetteer, words: ActorWords | None = None) -> None:
        self._gaz = gazetteer
        self._words = words or ActorWords.default()

    @classmethod
    def default(cls) -> ActorResolver:
        """The resolver over the packaged gazetteer, loaded and validated once per process."""
        return _default_resolver()

    @classmethod
    def from_file(cls, path: Path) -> ActorResolver:
        return cls(load_gazetteer(path))

    def resolve(self, phrase: str, *, as_of: dt.date | None = None) -> Actor:
        """Resolve a noun phrase to the best actor; an unresolved phrase keeps its text and says why."""
        tokens = tokenize(phrase)
        if not tokens:
            return Actor(text=phrase or None, reason="empty actor phrase")
        spans = self._scan(tokens, lowercase_ok=phrase.islower(), as_of=as_of)
        if not spans:
            return Actor(text=phrase, reason=UNKNOWN_ACTOR)
        return self._combine(phrase, tokens, spans, as_of)

    def find(self, text: str, *, as_of: dt.date | None = None) -> list[ActorMatch]:
        """Every actor mention in a text: longest match, non-overlapping, in order of appearance."""
        tokens = tokenize(text)
        spans = self._scan(tokens, lowercase_ok=False, as_of=as_of)
        out: list[ActorMatch] = []
        for group in self._mentions(text, tokens, spans):
            first = group[0].start
            while first > 0 and tokens[first - 1].key in self._words.former and first > group[0].start - 2:
                first -= 1
            last = tokens[group[-1].end - 1]
            start, end = tokens[first].start, last.end
            if last.text.endswith(".") and last.text.count(".") == 1 and last.key not in self._words.abbreviations:
                end -= 1
            mention = text[start:end]
            out.append(ActorMatch(start, end, self._combine(mention, tokens, group, as_of, first=first)))
        return out

    def resolve_place(self, name: str) -> Location:
        """Map a place name (city, region, country) to its country; unknown places keep their name and say why."""
        return resolve_place(self._gaz, name, self._words.generic_place_words)

    def _scan(self, tokens: list[Token], *, lowercase_ok: bool, as_of: dt.date | None = None) -> list[_Span]:
        spans: list[_Span] = []
        i, n = 0, len(tokens)
        while i < n:
            best: _Span | None = None
            longest = min(self._gaz.max_len(tokens[i].key), n - i)
            for length in range(longest, 0, -1):
                key = " ".join(t.key for t in tokens[i : i + length])
                hit = self._gaz.actor(key)
                if (
                    hit is not None
                    and hit.record.kind is EntryKind.SURNAME
                    and not (spans and spans[-1].agent and spans[-1].end == i)
                ):
                    hit = None
                if hit is not None and length == 1 and not self._name_alone_ok(tokens, i, hit, spans, as_of):
                    hit = None
                if hit is not None and self._case_ok(hit, tokens[i : i + length], lowercase_ok):
                    best = _Span(i, i + length, hit, agent=False)
                    break
                agent = self._gaz.agent(key)
                if agent is not None:
                    best = _Span(i, i + length, agent, agent=True)
                    break
            if best is None:
                i += 1
                continue
            spans.append(best)
            i = best.end
        return spans

    def _name_alone_ok(
        self, tokens: list[Token], i: int, hit: Hit, spans: list[_Span], as_of: dt.date | None
    ) -> bool:
        """Whether one word may stand for a person: never a country or a leader guessed from a stray token.

        A single-word alias of a person (a surname, "Hassan", "Albert") is not that person when an unknown
        capitalised word stands beside it (it is part of another name: "Malie Joly", "Ilyas Ali Hassan", "Hassan
        Sheikh Mohamud"); a surname needs a role that applies on the article's date ("President Mugabe" in 2005, not
        "Minister Malie" twenty years after Mpho Malie left office); and a person out of office on that date (an
        elite) needs a title right before the name. A one-word country after an unknown capitalised word is a
        surname ("Michael Jordan").
        """
        record = hit.record
        own = set(phrase_key(record.name).split())
        if record.kind is EntryKind.COUNTRY:
            return not self._stranger(tokens, i, i - 1, own, spans)  # "Michael Jordan" is no country
        if record.kind not in (EntryKind.PERSON, EntryKind.SURNAME):
            return True
        titled = bool(spans) and spans[-1].agent and spans[-1].end == i
        if self._stranger(tokens, i, i - 1, own, spans) or self._stranger(tokens, i, i + 1, own, spans):
            return False
        if as_of is None:
            return True
        code = record.code_on(as_of)
        if record.kind is EntryKind.SURNAME and not (code.dated and code.applies(as_of)):
            return False
        return titled or not code.code.endswith("ELI")

    def _stranger(self, tokens: list[Token], i: int, j: int, own: set[str], spans: list[_Span]) -> bool:
        """An unknown capitalised word at ``j``, written right beside the name at ``i``: part of a personal name the
        gazetteer does not know."""
        if j < 0 or j >= len(tokens):
            return False
        word = tokens[j]
        left, right = tokens[min(i, j)], tokens[max(i, j)]
        if right.start - left.end > 1:
            return False  # a comma or a stop between them ("platform X, Pakistan's minister"): not one name
        if not word.text[:1].isupper() or word.key in own or word.key in self._words.abbreviations:
            return False
        words = self._words
        if word.key in words.generic_place_words or word.key in words.glue or word.key in words.prepositions:
            return False
        if j == 0 or tokens[j - 1].text.endswith((".", "!", "?", ":")):
            return False  # capitalised as the first word of a sentence: no sign of a name
        if word.text.endswith(".") or any(sp.start <= j < sp.end for sp in spans[-1:]):
            return False
        return self._gaz.actor(word.key) is None and self._gaz.agent(word.key) is None

    def _titles_inside(self, tokens: list[Token], entities: list[_Span]) -> list[_Span]:
        """Titles written inside a matched name ("Prime Minister Ehud Barak" is one dictionary phrase)."""
        found: list[_Span] = []
        for entity in entities:
            for i in range(entity.start, entity.end):
                for j in range(min(entity.end, i + 3), i, -1):
                    hit = self._gaz.agent(" ".join(t.key for t in tokens[i:j]))
                    if hit is not None:
                        found.append(_Span(i, j, hit, agent=True))
                        break
        return found

    @staticmethod
    def _case_ok(hit: Hit, words: list[Token], lowercase_ok: bool) -> bool:
        if hit.acronym_only:
            return all(w.is_upper for w in words)
        return lowercase_ok or any(w.is_capitalised for w in words)

    def _mentions(self, text: str, tokens: list[Token], spans: list[_Span]) -> list[list[_Span]]:
        groups: list[list[_Span]] = []
        coordinated = False
        for span in spans:
            joins = groups and self._joins(text, tokens, groups[-1][-1], span)
            if joins and not (coordinated and not span.agent):
                coordinated = coordinated or any(t.key == "and" for t in tokens[groups[-1][-1].end : span.start])
                groups[-1].append(span)
            else:
                groups.append([span])
                coordinated = False
        return groups

    def _joins(self, text: str, tokens: list[Token], left: _Span, right: _Span) -> bool:
        gap = tokens[left.end : right.start]
        if len(gap) > _MAX_GAP:
            return False
        between = text[tokens[left.end - 1].end : tokens[right.start].start]
        if any(c in between for c in ',;:()[]"“”!?') or "\n" in between:
            return False
        for word in tokens[left.end - 1 : right.start]:
            if word.text.endswith(".") and word.text.count(".") == 1 and word.key not in self._words.abbreviations:
                return False
        for word in gap:
            if word.key == "and":
                if not right.agent or len(gap) > 2:
                    return False
            elif word.key not in self._words.glue and not word.is_capitalised:
                return False
        return True

    def _combine(
        self, text: str, tokens: list[Token], spans: list[_Span], as_of: dt.date | None, *, first: int = 0
    ) -> Actor:
        words = self._words
        entity_seen = False
        kept: list[_Span] = []
        tail: _Span | None = None
        for span in spans:
            between = tokens[kept[-1].start + 1 : span.start] if kept else []
            if entity_seen and any(t.key in words.prepositions for t in between):
                preposition = next((t.key for t in reversed(between) if t.key in words.prepositions), "")
                tail = span if preposition in words.residence_prepositions and not span.agent else None
                break
            kept.append(span)
            entity_seen = entity_seen or not span.agent
        entities = [s for s in kept if not s.agent]
        agents = [s for s in kept if s.agent] or self._titles_inside(tokens, entities)
        former = any(t.key in words.former for t in tokens[first : kept[-1].end])
        agent_sector = next((split_code(a.hit.record.code_on(as_of).code)[1] for a in agents), None)
        agent_code = next((a.hit.record.code_on(as_of).code[1:4] for a in agents), None)
        if not entities:
            return _classed(Actor(text=text, sector=agent_sector, code=agent_code, reason=AGENT_ONLY))
        entity = max(entities, key=lambda s: _SPECIFICITY[s.hit.record.kind])
        people = self._people_of(tokens, entity, tail)
        ethnic = entity.start >= 1 and tokens[entity.start - 1].key == "ethnic"
        if people is None and ethnic and entity.hit.record.kind in _PEOPLE_KINDS:
            return _classed(Actor(text=text, sector=agent_sector, code=agent_code, reason=ETHNIC_GROUP))
        entity = people or entity
        record = entity.hit.record
        code = record.code_on(as_of).code
        country, sector, reason = split_code(code)
        if country is None and reason is not None and record.kind is not EntryKind.IGO:
            country = next((c for c in (split_code(e.hit.record.code_on(as_of).code)[0] for e in entities) if c), None)
            reason = None if country else reason
        if former and record.kind is EntryKind.PERSON:
            sector, code = Sector.OTHER, f"{country or code[:3]}ELI"
        elif (sector is None or sector is Sector.OTHER) and agent_sector is not None and agent_code is not None:
            sector = agent_sector
            code = f"{country or code[:3]}{agent_code}"
        elif sector is None and record.kind in (EntryKind.COUNTRY, EntryKind.CAPITAL) and people is None:
            sector = Sector.GOVERNMENT
            code = f"{country}GOV"
        elif country is not None and code[:3] != country and not code.startswith(("MNC", "NGO")):
            code = country + code[3:]
        if sector is None and reason is None:
            reason = "no title or group word gives a sector"
        actor = Actor(text=text, name=record.name, country=country, sector=sector, code=code, reason=reason)
        return _classed(actor, named=record.kind in _NAMED_KINDS, place=record.kind is EntryKind.PLACE)

    def _people_of(self, tokens: list[Token], entity: _Span, tail: _Span | None) -> _Span | None:
        """The state a people lives in: "ethnic Albanians in south Serbia", "the Kurds of northern Iraq".

        A nationality word names a state, but "ethnic X" and "Xs of <country>" name a people, coded (as CAMEO
        does) by the state they live in; the place must be a country or place *name*, not another demonym.
        """
        record = entity.hit.record
        if tail is None or record.kind not in _PEOPLE_KINDS or tail.hit.record.kind not in _PEOPLE_KINDS:
            return None
        ethnic = entity.start >= 1 and tokens[entity.start - 1].key == "ethnic"
        word = " ".join(t.key for t in tokens[entity.start : entity.end])
        demonym = word != phrase_key(record.name) and word.endswith("s")
        place_word = " ".join(t.key for t in tokens[tail.start : tail.end])
        named = place_word == phrase_key(tail.hit.record.name) or tail.hit.record.kind is EntryKind.CAPITAL
        prepositions = self._words.prepositions
        preposition = next((t.key for t in reversed(tokens[entity.end : tail.start]) if t.key in prepositions), "")
        if named and (ethnic or (demonym and preposition == "of")):
            return tail
        return None


def _classed(actor: Actor, *, named: bool = False, place: bool = False) -> Actor:
    """``actor`` with its conflict class (``core/classes.py``), when one can be told."""
    cls = class_of(actor, named=named, place=place)
    return actor if cls is None else actor.model_copy(update={"actor_class": cls})


@functools.lru_cache(maxsize=1)
def _default_resolver() -> ActorResolver:
    data = resources.files("powderkeg_extractor") / "data" / GAZETTEER_FILE
    with resources.as_file(data) as path:
        return ActorResolver(load_gazetteer(path))
