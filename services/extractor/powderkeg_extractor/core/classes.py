"""Actor classes: who an actor is in a conflict (ACLED-style), read from the dictionary data the extractor has.

A CAMEO code says a sector, but several conflict classes share one: protesters, rioters and activists are all
``OPP``, gunmen and militants both ``INS``, a mob is ``CVL``. The words that name a group ("gunmen", "rioters",
"peacekeepers") tell them apart, so the class is read, in order, from:

1. a named group listed in the data (communal militias the dictionaries code as rebels, IGO missions);
2. the code of a named entity (a person, an organisation, an armed group): "Boko Haram fighters" is Boko Haram's;
3. the group words of the phrase's head part, the match nearest its end ("rebel forces" are rebels, "security
   forces" state forces, "Kenyan peacekeepers" external forces);
4. the role segments of its code; then the group words after a preposition ("leaders of the protesters"); then
   its sector;
5. a bare country is its government ("Pakistan said"); a place below a country ("Quetta") is none, and neither
   is an unknown name that only borrowed a country.

The lists are data (``data/actor_classes.yaml``), validated by the one loader of the project.
"""

from __future__ import annotations

import functools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_contracts import datafiles
from powderkeg_contracts.models import Actor, Sector
from powderkeg_contracts.sides import ActorClass
from powderkeg_extractor.core.keys import Token, phrase_key, tokenize
from powderkeg_extractor.core.words import Word

CLASSES_FILE = "actor_classes.yaml"

CLASS_OF_SECTOR: dict[Sector, ActorClass | None] = {
    Sector.GOVERNMENT: ActorClass.GOVERNMENT,
    Sector.JUDICIARY: ActorClass.GOVERNMENT,
    Sector.LEGISLATURE: ActorClass.GOVERNMENT,
    Sector.MILITARY: ActorClass.STATE_FORCES,
    Sector.POLICE: ActorClass.STATE_FORCES,
    Sector.REBELS: ActorClass.REBELS,
    Sector.INSURGENTS: ActorClass.REBELS,
    Sector.CRIMINAL: ActorClass.POLITICAL_MILITIA,
    Sector.OPPOSITION: ActorClass.OPPOSITION,
    Sector.CIVILIANS: ActorClass.CIVILIANS,
    Sector.MEDIA: ActorClass.CIVILIANS,
    Sector.BUSINESS: ActorClass.CIVILIANS,
    Sector.NGO: ActorClass.CIVILIANS,
    Sector.RELIGIOUS: ActorClass.CIVILIANS,
    Sector.INTERNATIONAL_ORGANISATION: ActorClass.EXTERNAL,
    Sector.OTHER: None,
}
"""The class of each CAMEO/PLOVER sector, for an actor whose code and words say nothing more."""

_TAIL_WORDS = frozenset({"of", "from", "in", "at", "near", "with", "to", "loyal", "belonging", "linked", "allied"})
"""Words that end a phrase's head part: the group after them is what the head belongs to ("leaders *of* ...")."""


class ClassData(BaseModel):
    """The packaged lists (``data/actor_classes.yaml`` says what each is for)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: dict[ActorClass, frozenset[Word]]
    named: dict[ActorClass, frozenset[str]] = Field(default_factory=dict)
    codes: dict[str, ActorClass] = Field(description="CAMEO role segment (three capitals) -> class.")

    @classmethod
    @functools.cache
    def default(cls) -> ClassData:
        """The packaged lists, loaded once per process."""
        path = resources.files("powderkeg_extractor").joinpath("data", CLASSES_FILE)
        return datafiles.load(path, cls, source=f"powderkeg_extractor/data/{CLASSES_FILE}")

    @functools.cached_property
    def phrases(self) -> dict[str, ActorClass]:
        """Every word list entry by its key (the first class listing a phrase keeps it)."""
        out: dict[str, ActorClass] = {}
        for cls, words in self.words.items():
            for word in sorted(words):
                out.setdefault(phrase_key(word), cls)
        return out

    @functools.cached_property
    def longest(self) -> int:
        return max(key.count(" ") + 1 for key in self.phrases)

    @functools.cached_property
    def names(self) -> dict[str, ActorClass]:
        return {name: cls for cls, names in self.named.items() for name in names}


def class_of(
    actor: Actor, *, named: bool = False, place: bool = False, data: ClassData | None = None
) -> ActorClass | None:
    """The actor's class (module docstring), or None when nothing about it says one.

    ``named``: the actor is a named entity (a person, an organisation, an armed group), whose own code outranks
    the group words beside it; a country or place named beside a group word is not. ``place``: the phrase names
    only a place below a country ("Borno state", "Quetta"), which is no government.
    """
    if actor.actor_class is not None:
        return actor.actor_class
    data = data or ClassData.default()
    if actor.name and actor.name in data.names:
        return data.names[actor.name]
    head, tail = words_classes(actor.text or "", data)
    if counts_only(actor.text or ""):
        return tail  # "an army of repair crews": what the force noun counts is the actor, whatever its code says
    coded = _code_class(actor.code, data)
    if coded is not None and named:
        return coded
    found = head or coded or tail
    if found is not None:
        return found
    if actor.sector is not None:
        return CLASS_OF_SECTOR[actor.sector]
    if place or actor.code:
        return None  # a place ("Quetta" is PAK with no role), or a name that only borrowed a country
    return ActorClass.GOVERNMENT if actor.country and actor.name else None


def words_class(text: str, data: ClassData | None = None) -> ActorClass | None:
    """The class the group words of ``text`` say (those of its head part first)."""
    head, tail = words_classes(text, data)
    return head or tail


def words_classes(text: str, data: ClassData | None = None) -> tuple[ActorClass | None, ActorClass | None]:
    """The class the group words of ``text``'s head part say (the match nearest its end), and its tail's (the last
    match after the first preposition: "leaders *of the protesters*")."""
    data = data or ClassData.default()
    tokens = tokenize(text)
    keys = [t.key for t in tokens]
    head_end = next((i for i, key in enumerate(keys) if key in _TAIL_WORDS and i > 0), len(keys))
    if _figure_of_speech(tokens, head_end):
        keys = keys[head_end:]  # "an army of repair crews" are repair crews
        head_end = 0
    found: list[tuple[int, ActorClass]] = []
    i = 0
    while i < len(keys):
        for length in range(min(data.longest, len(keys) - i), 0, -1):
            cls = data.phrases.get(" ".join(keys[i : i + length]))
            if cls is not None:
                found.append((i + length, cls))
                i += length
                break
        else:
            i += 1
    head = [cls for end, cls in found if end <= head_end]
    tail = [cls for end, cls in found if end > head_end]
    return (head[-1] if head else None), (tail[-1] if tail else None)


_COLLECTIVES = frozenset({"army", "armies", "legion", "legions", "battalion", "battalions", "armada", "horde", "hordes",
                          "brigade", "brigades", "regiment", "swarm", "fleet", "platoon", "squad", "troop"})
"""Force nouns that also count people or things: "an army of volunteers", "a battalion of lawyers", "a fleet of
fishing boats"."""


def counts_only(text: str) -> bool:
    """Whether the phrase's force noun only counts what follows it ("an army of volunteers")."""
    tokens = tokenize(text)
    keys = [t.key for t in tokens]
    return _figure_of_speech(tokens, next((i for i, key in enumerate(keys) if key in _TAIL_WORDS and i > 0), len(keys)))


def _figure_of_speech(tokens: list[Token], head_end: int) -> bool:
    """A force noun that only counts what its "of" names, a common plural noun: "an army of repair crews" (not "the
    Army of Mali" or "the Army of Islam", whose "of" names a country or a group by name)."""
    if head_end == len(tokens) or tokens[head_end].key != "of" or head_end + 1 >= len(tokens):
        return False
    if tokens[head_end - 1].key not in _COLLECTIVES:
        return False
    after = tokens[head_end + 1 :]
    if after and after[0].key == "the":
        after = after[1:]
    words = [t for t in after if t.text.isalpha()]
    return bool(words) and words[0].text.islower() and words[-1].key.endswith("s")


def _code_class(code: str | None, data: ClassData) -> ActorClass | None:
    if not code:
        return None
    for i in range(0, len(code) - 2, 3):
        cls = data.codes.get(code[i : i + 3])
        if cls is not None:
            return cls
    return None
