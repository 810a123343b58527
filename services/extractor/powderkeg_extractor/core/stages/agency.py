"""The agency stage: nothing without a political agent is political violence, and an event as the doer of another.

Coded by its verb alone, "an earthquake killed eight people" is an assault by Indonesia and "stock indexes
plunged" an attack; a tsunami becomes an actor. ACLED codes political violence only where a political agent acts,
so a conflict event is dropped, with its cause, when its doer or cause is:

* a natural hazard, a disease, an accident or a crash ("floods killed", "died in a crash", "Cyclone Freddy has
  killed"), an explosion, fire or collapse with an accidental modifier or site ("a gas tank explosion", "a blast
  at a fireworks factory"), or a vehicle in an accident ("a bus plunged into a ravine, killing 24"); the doer of
  a participle clause is its verb's ("..., killing 24"), and the cause of a death with no doer can be the clause
  that says when it happened ("two soldiers were killed when lightning struck their camp"); a weapon word makes it
  an attack again ("artillery fire", "a car bomb exploded"), but not as the name of a store ("an ammunition depot");
* an animal ("a lion killed two villagers", "a shark attack");
* a market or the economy ("stock indexes plunged");
* a sports team: a contest verb in a sports report ("X beat Y 3-1"), or a violent verb in a sentence that is plainly
  one ("the batsmen bombarded the attack ... by stumps");
* a film or a product: "the film bombed at the box office";
* a volcano: "Mount Merapi erupted, ... killing 14 hikers";
* a disaster as such: "the disaster killed 64 people";
* a mistake or a drill: "jets mistakenly dropped bombs on a village during a live-fire drill, injuring 15";
* an effort, not violence: an effort verb with a to-infinitive and an unarmed doer ("women struggle to get jobs"),
  or one whose object is a policy's ("promising to fight corruption"), or whose only complement is what it is for
  ("vowing to fight for every vote"); and any conflict act aimed only at a policy, a proposal or ordinary crime
  ("vowed to wage war on corruption", "shot down a takeover bid", "to crush networks of fraudsters"),
  or a violent verb's default whose doer is unarmed people acting on no party ("we all struggled with the forms");
* a rescue or relief deployment: a mobilisation for rescue, relief or a disaster is not a troop mobilisation.

And an event that is the subject of another ("the attack killed five soldiers", "fighting between X and Y killed
15") is the doer's event: the verb takes the noun's parties, or none, and no fallback guesses one.

The word lists are data (``data/lexicon/agency.yaml``). A dropped candidate keeps its cause
(``Candidate.dropped``) and builds no record.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from powderkeg_contracts.models import PloverType, QuadClass
from powderkeg_contracts.sides import ARMED_NON_STATE, STATE_CLASSES, ActorClass
from powderkeg_extractor.core.context import Candidate, Kit
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.parse.syntax import hyphen_head, subject_of
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.arguments import names_party, party_of
from powderkeg_extractor.core.stages.kinds import STEPS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from powderkeg_extractor.core.words import AgencyWords

POLITICAL_AGENT = "agency.political_agent.v1"
EVENT_SUBJECT = "agency.event_subject.v1"

HAZARD = "natural hazard, disease or accident"
ANIMAL = "an animal"
ACCIDENT = "accidental explosion, fire or collapse"
RELIC = "a weapon left from an old war, gone off by accident"
MARKET = "a market or the economy"
SPORTS = "sports result"
WORK = "a film or a product"
EFFORT = "an effort, not violence"
UNARMED = "unarmed people acting on no party"
RELIEF = "rescue or relief deployment"
MISTAKE = "an accident or a drill, not an attack"

_CONFLICT = frozenset({QuadClass.VERBAL_CONFLICT, QuadClass.MATERIAL_CONFLICT})
_CAUSE_PREPOSITIONS = frozenset({"in", "by", "from", "during", "of"})
_WHEN_MARKERS = frozenset({"when", "as", "after", "while", "because"})
_FORCE_TYPES = frozenset({PloverType.ASSAULT, PloverType.COERCE, PloverType.THREATEN})
"""Acts of force, which a policy cannot be the target of; an accusation, a demand or a rejection can be about one
("investigating war crimes", "demanding political changes")."""
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss"})
_SCORE = re.compile(r"\b\d{1,2}\s?[-–]\s?\d{1,2}\b")
_ARMED = STATE_CLASSES | ARMED_NON_STATE
_ARMED_DOERS = frozenset({ActorClass.STATE_FORCES, ActorClass.EXTERNAL}) | ARMED_NON_STATE
"""Who can do violence in a hazard's sentence: not a government, whose acts there are the response to it."""
HAZARD_TYPES = frozenset(
    {PloverType.ASSAULT, PloverType.COERCE, PloverType.MOBILIZE, PloverType.THREATEN, PloverType.SANCTION}
)
"""The event types a hazard or an accident is mistaken for: violence, coercion, deployment, threat, and the
suspension or order ("services were suspended", "ordered the evacuation") that is the response to it."""


CIVIL_BLOCKADE = "agency.civil_blockade.v1"
_BLOCKING = frozenset({"block", "barricade", "blockade", "besiege", "obstruct"})
_CIVIL = frozenset({ActorClass.CIVILIANS, ActorClass.PROTESTERS, ActorClass.RIOTERS, ActorClass.OPPOSITION})


@STEPS.register(CIVIL_BLOCKADE)
def civil_blockade(c: Candidate, kit: Kit) -> Candidate:
    """A blockade or a siege by civilians, protesters or the opposition is a protest that obstructs (CAMEO 144),
    not the state's restriction (191): "hundreds of farmers besieged the agriculture ministry with tractors",
    "protesters blocked the border crossing"."""
    blocks = c.trigger.code == "170" and c.token.lemma_.lower() in _BLOCKING
    if not c.is_event or not (c.trigger.code.startswith("191") or blocks):
        return c
    classes = [p.actor.actor_class for p in c.actors]
    if not classes or not all(cls in _CIVIL for cls in classes):
        return c
    return replace(c, trigger=replace(c.trigger, code="144", mode=None), entry=kit.ontology.lookup("144"))


@STEPS.register(POLITICAL_AGENT)
def political_agent(c: Candidate, kit: Kit) -> Candidate:
    """Drop a conflict event whose doer or cause is no political agent (module docstring)."""
    if not c.is_event or c.entry.quad_class not in _CONFLICT:
        return c
    cause = non_political_cause(c, kit)
    return c.drop(POLITICAL_AGENT, cause) if cause is not None else c


def non_political_cause(c: Candidate, kit: Kit) -> str | None:
    """Why the event has no political agent, or None."""
    agency = kit.lexicon.agency
    armed = any(_weapon(t, agency) for t in c.sentence.doc)
    for head in _agents(c, kit):
        found = noun_cause(head, agency) or (HAZARD if head.lemma_.lower() in agency.calamities else None)
        if found is not None and not (found == ACCIDENT and armed):
            return found
    token = c.token
    if _by_mistake(token, agency):
        return MISTAKE
    for verb in _clause_chain(token):
        found = _accident_clause(verb, c, kit, armed=armed)
        if found is not None:
            return found
    found = _when_clause_cause(token, c, kit, armed=armed)
    if found is not None and (not c.actor_heads or found == RELIC):
        return found
    lemma = token.lemma_.lower()
    sentence = c.sentence.doc
    if lemma in agency.contest_verbs and (
        _SCORE.search(sentence.text) or any(t.lemma_.lower() in agency.sports_words for t in sentence)
    ):
        return SPORTS
    if lemma in agency.sports_violent_verbs and not armed and _sports_report(sentence, agency):
        return SPORTS
    if lemma in agency.difficulty_verbs and _with_things(token, c, kit):
        return EFFORT  # "we all struggled with the forms"
    if c.entry.plover in _FORCE_TYPES and _aimed_at_a_policy(token, kit):
        return EFFORT  # "vowed to wage war on corruption", "to crush the networks of fraudsters"
    doers = [p.actor.actor_class for p in c.actors]
    if lemma in agency.effort_verbs and not any(cls in _ARMED for cls in doers) and (
        _to_infinitive(token) or _for_a_cause(token, c, kit)
    ):
        return EFFORT  # "women struggle to get jobs", "vowing to fight for every vote"
    if (
        c.trigger.kind is TriggerKind.VERB
        and c.entry.plover is PloverType.ASSAULT
        and doers
        and all(cls is ActorClass.CIVILIANS for cls in doers)
        and not any(names_party(h, c, kit) for h in c.recipient_heads)
    ):
        return UNARMED
    if c.entry.plover is PloverType.MOBILIZE and any(
        t.lemma_.lower() in agency.relief_words or t.lemma_.lower() in agency.hazards for t in token.subtree
    ):
        return RELIEF
    if (
        c.entry.plover is PloverType.MOBILIZE
        and c.sentence.previous_hazard is not None
        and any(o.dep_ == "dobj" and o.lemma_.lower() in agency.vehicles for o in token.children)
        and not _armed_sentence(c.sentence.doc, agency)
    ):
        return RELIEF  # "Typhoon X ... killed 25. The army deployed rubber boats to pluck residents from rooftops.": a
        # deployment of craft (not of troops: "India deployed troops along the border") after a hazard
    if (
        c.entry.plover in HAZARD_TYPES
        and token.lemma_.lower() in agency.accident_verbs
        and subject_of(token) is None
        and _relic_sentence(c.sentence.doc, agency)
    ):
        return RELIC  # "... when a landmine left over from the war exploded ..., police said": no doer is named
    if c.entry.plover in HAZARD_TYPES and not any(p.actor.actor_class in _ARMED_DOERS for p in c.actors):
        found = sentence_hazard(c.sentence.doc, agency)
        if found is None and (c.entry.plover in (PloverType.COERCE, PloverType.MOBILIZE) or not c.actors):
            # "... killing 11. The governor declared a state of emergency", "... Two people were killed"
            found = c.sentence.previous_hazard
        if found is not None:
            return f"{found}, told in the sentence with no weapon and no armed doer"
    return None


def sentence_hazard(sentence: Span | Doc, agency: AgencyWords) -> str | None:
    """The natural hazard, accident or animal a sentence reports, when it names no weapon and no armed perpetrator.

    In such a sentence a violent or coercive event with no armed doer is the hazard's doing or the response to it:
    "lightning strikes killed 25", "a tower crane toppled ..., killing three workers", "the government declared a
    state of drought emergency after failed rains killed livestock". A weapon ("a car bomb", "a land mine") or a
    perpetrator ("gunmen set fire to ...", "fighting has displaced ...") makes it no such report.
    """
    if _ordnance_work(sentence, agency):
        return ACCIDENT  # "a deminer was killed when an anti-tank mine detonated during clearance work"
    if _relic_sentence(sentence, agency):
        return RELIC  # "a man was killed when a landmine left over from the war exploded"
    if _armed_sentence(sentence, agency):
        return None
    lemmas = {t.lemma_.lower() for t in sentence if t.pos_ == "NOUN"}
    if lemmas & agency.accidental_heads and lemmas & agency.accident_sites:
        return ACCIDENT  # "the owner of a firecracker factory ..., a day after an explosion killed nine workers"
    for t in sentence:
        if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound" and not _figurative(t, agency):
            found = noun_cause(t, agency)
            if found in (HAZARD, ACCIDENT, ANIMAL):
                return found
        if t.pos_ == "VERB" and t.lemma_.lower() in agency.accident_verbs:
            subject = t.head if t.dep_ == "acl" and t.head.pos_ == "NOUN" else subject_of(t)
            if subject is not None and _accidental_thing(subject, agency):
                return ACCIDENT  # "a tower crane toppled", "their army truck overturned"
    return None


def _relic_sentence(sentence: Span | Doc, agency: AgencyWords) -> bool:
    """The sentence names a weapon left from an old war and no other weapon and no perpetrator: what went off was the
    relic ("a bomb planted by rebels" or "gunmen fired" make it an attack)."""
    weapons = [t for t in sentence if t.pos_ == "NOUN" and _weapon_word(t, agency)]
    return (
        bool(weapons)
        and all(_relic(t, agency) for t in weapons)
        and not any(t.lemma_.lower() in agency.perpetrators or t.lower_ in agency.perpetrators for t in sentence)
    )


def _ordnance_work(sentence: Span | Doc, agency: AgencyWords) -> bool:
    """A report of explosives already there going off: the sentence names a mine or ordnance and the work of clearing
    it (a deminer, demining, clearance, disposal), and no perpetrator ("a bomb planted by rebels" is an attack)."""
    words = {t.lemma_.lower() for t in sentence} | {t.lower_ for t in sentence}
    return (
        bool(words & _ORDNANCE)
        and bool(words & agency.ordnance_work)
        and not any(t.lemma_.lower() in agency.perpetrators or t.lower_ in agency.perpetrators for t in sentence)
    )


def _armed_sentence(sentence: Span | Doc, agency: AgencyWords) -> bool:
    """The sentence names a weapon or an armed perpetrator ("a car bomb", "gunmen", "shelling")."""
    return any(
        _weapon(t, agency) or t.lemma_.lower() in agency.perpetrators or t.lower_ in agency.perpetrators
        for t in sentence
    )


def _weapon(t: Token, agency: AgencyWords) -> bool:
    """A weapon noun; a mine is a place of work when what is mined modifies it or a preposition places it, and a
    weapon that names a store is its stock, not its use ("a missile depot", "an ammunition dump")."""
    if t.pos_ != "NOUN" or not _weapon_word(t, agency):
        return False
    if t.dep_ in ("compound", "amod", "nmod") and t.head.lemma_.lower() in agency.accident_sites:
        return False
    if _relic(t, agency) or _handled(t, agency):
        return False
    if t.lemma_.lower() == "mine":
        placed = t.dep_ == "pobj" and t.head.lower_ in ("in", "at", "inside", "near", "into", "from")
        if t.dep_ == "compound" and t.head.lemma_.lower() not in agency.accidental_heads:
            return False  # "mines officials", "mine workers"; but "a mine blast"
        return not placed and not (_modifiers(t) & (agency.mine_modifiers | agency.accident_modifiers))
    return True


def _handled(t: Token, agency: AgencyWords) -> bool:
    """A weapon made, stored or moved, not used: "during the assembly *of artillery shells*", "workers were
    unloading *munitions*" (the weapon, or the noun it modifies, is what the work is done on)."""
    noun = t.head if t.dep_ in ("compound", "amod", "nmod") and t.head.pos_ == "NOUN" else t
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lemma_.lower() in agency.handling_nouns:
        return True
    return noun.dep_ in ("dobj", "nsubjpass") and noun.head.lemma_.lower() in agency.handling_verbs


def _weapon_word(t: Token, agency: AgencyWords) -> bool:
    return t.lemma_.lower() in agency.weapon_nouns or t.lower_ in agency.weapon_nouns


def _relic(t: Token, agency: AgencyWords) -> bool:
    """A weapon left from an old war: "an unexploded wartime bomb", "a cluster bomblet *left over from* the Vietnam
    War", "a shell *from the war*"."""
    if _modifiers(t) & agency.relic_modifiers:
        return True
    if t.dep_ == "nsubj" and t.head.lemma_.lower() == "leave" and any(
        p.dep_ == "prt" and p.lower_ in ("over", "behind") for p in t.head.children
    ):
        return True  # the parse made a clause of it: "when a landmine *left over from* the war exploded"
    for child in t.children:
        if child.dep_ == "acl" and child.lemma_.lower() == "leave":
            return True  # "left over from", "left behind by"
        if child.dep_ == "prep" and child.lower_ == "from" and _names_war(child):
            return True
        if child.dep_ == "acl" and any(
            p.dep_ == "prep" and p.lower_ in ("during", "in", "from") and _names_war(p) for p in child.children
        ):
            return True  # "a bomblet dropped during the Vietnam War", "mines laid in the civil war"
    return False


def _names_war(prep: Token) -> bool:
    return any(g.lower_ in ("war", "wars") for g in prep.subtree)


def _figurative(t: Token, agency: AgencyWords) -> bool:
    """ "a flood of refugees", "an outbreak of violence", "opened fire", "came under fire", "set fire to": the hazard
    word names no hazard (its "of" object is none, or the fire is gunfire or arson)."""
    for child in t.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [g for g in child.children if g.dep_ == "pobj"]
            literal = any(noun_cause(o, agency) in (HAZARD, ACCIDENT) or _accidental_thing(o, agency) for o in objects)
            if objects and not literal:
                return True  # "a flood of refugees"; but "the crash of a floatplane", "an outbreak of cholera"
    if t.lemma_.lower() in ("fire", "blaze"):
        if t.dep_ == "dobj" and t.head.lemma_.lower() in ("open", "exchange", "return", "trade", "set", "hold", "draw"):
            setter = subject_of(t.head)  # "an exploding transformer set fire to the stalls" is no arson
            return setter is None or not (_accidental_thing(setter, agency) or noun_cause(setter, agency))
        if t.dep_ == "pobj" and t.head.lower_ in ("under", "with"):
            return True
    return False


def _accidental_thing(subject: Token, agency: AgencyWords) -> bool:
    """A vehicle, a machine or a structure as the doer of an accident verb (not the end of a hyphenated word: "the
    cease-fire collapsed")."""
    if hyphen_head(subject) is not None:
        return False
    lemma = subject.lemma_.lower()
    if lemma in agency.vehicles or _modifiers(subject) & agency.vehicles:
        return True
    if _weapon_word(subject, agency) and _relic(subject, agency):
        return True  # "a bomblet left over from the war exploded"
    structure = lemma in agency.accident_modifiers or lemma in agency.accident_sites or lemma in agency.accidental_heads
    if subject.pos_ == "NOUN" and not _weapon_word(subject, agency) and _modifiers(subject) & agency.accident_modifiers:
        return True  # "a gas cylinder storage facility exploded", "a fuel depot caught fire"
    return structure and subject.pos_ == "NOUN"


def _clause_chain(token: Token) -> list[Token]:
    """The trigger and the verbs its participle or coordinated clause hangs from: in "a bus plunged into a ravine,
    killing 24" and "slammed into the coast, injuring dozens and forcing ...", *killing* and *forcing* are the
    plunge's and the typhoon's doing."""
    chain = [token]
    node = token
    while len(chain) < 4 and node.head is not node:
        head = node.head
        if node.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
            head = head.head  # "exploded *after overturning*"
        elif node.dep_ not in ("advcl", "conj", "xcomp") or head.pos_ not in ("VERB", "AUX"):
            break
        node = head
        chain.append(node)
    return chain


def _accident_clause(verb: Token, c: Candidate, kit: Kit, *, armed: bool) -> str | None:
    """An accident verb ("crashed", "collided", "exploded after overturning") done by a vehicle or a structure, or a
    hazard as the doer of the verb a participle hangs from. Talks that collapse are no accident."""
    agency = kit.lexicon.agency
    subject = subject_of(verb)
    if subject is None and verb is c.token:
        subject = next((s for v in _clause_chain(verb)[1:] if (s := subject_of(v)) is not None), None)
    if subject is not None and not armed and _eruption(verb, subject, agency):
        return HAZARD  # "Mount Lekoro erupted ..., killing three hikers"
    # The trigger's own subject counts too when the actor is someone else ("officials warned the pest could wipe
    # out the harvest": the speaker stood in for the doer).
    if subject is not None and (verb is not c.token or subject not in c.actor_heads):
        found = noun_cause(subject, agency)
        if found is not None and not (found == ACCIDENT and armed):
            return found
    if any(_relic_object(o, agency) for o in _objects(verb)):
        return RELIC  # "when their hoe struck a cluster bomblet dropped during the Vietnam War"
    if verb.lemma_.lower() not in agency.accident_verbs or armed:
        return None
    return ACCIDENT if subject is not None and _accidental_thing(subject, agency) else None  # "a tank exploded"


def _objects(verb: Token) -> list[Token]:
    """The verb's direct object and the objects of its prepositions ("stepped *on a mine*")."""
    out = [ch for ch in verb.children if ch.dep_ == "dobj"]
    out += [g for p in verb.children if p.dep_ == "prep" for g in p.children if g.dep_ == "pobj"]
    return out


def _relic_object(noun: Token, agency: AgencyWords) -> bool:
    return _weapon_word(noun, agency) and _relic(noun, agency)


def _eruption(verb: Token, subject: Token, agency: AgencyWords) -> bool:
    """A volcano that erupts: the verb's doer names one ("Mount Merapi", "the volcano"), and nothing erupts *in* or
    *into* something ("the city erupted in protests")."""
    if verb.lemma_.lower() not in agency.eruption_verbs:
        return False
    erupts = verb.lemma_.lower() == "erupt"
    if erupts and any(c.dep_ == "prep" and c.lower_ in ("in", "into") for c in verb.children):
        return False
    return any(t.lemma_.lower() in agency.volcanic_words or t.lower_ in agency.volcanic_words for t in subject.subtree)


def _when_clause_cause(token: Token, c: Candidate, kit: Kit, *, armed: bool) -> str | None:
    """A death or an injury with no doer, caused by what its time clause tells: "two soldiers were killed *when
    lightning struck their camp*", "died *after their truck overturned*". The clause's doer is the cause, as the doer
    of the verb a participle hangs from is; an armed doer there ("when militants attacked") is none. A clause hung
    from a coordinated verb times both ("a farmer was killed and his son wounded *when their plough struck* ...")."""
    chain = _clause_chain(token)
    for verb in [*chain, *(c for v in chain for c in v.children if c.dep_ == "conj" and c.pos_ == "VERB")]:
        for clause in verb.children:
            if clause.dep_ != "advcl" or clause.pos_ not in ("VERB", "AUX"):
                continue
            if not any(m.dep_ in ("advmod", "mark") and m.lower_ in _WHEN_MARKERS for m in clause.children):
                continue
            found = _accident_clause(clause, c, kit, armed=armed)
            if found is not None:
                return found
    return None


def _sports_report(sentence: Span | Doc, agency: AgencyWords) -> bool:
    """A sentence that is plainly a sports report: two different sports words and no weapon or armed perpetrator."""
    if _armed_sentence(sentence, agency):
        return False
    return len({t.lemma_.lower() for t in sentence if t.lemma_.lower() in agency.sports_words}) >= 2


def _with_things(verb: Token, c: Candidate, kit: Kit) -> bool:
    """ "struggled with the forms": what one has trouble *with* names no party (and nothing is struggled against)."""
    if any(ch.dep_ == "dobj" or (ch.dep_ == "prep" and ch.lower_ == "against") for ch in verb.children):
        return False
    objects = [g for p in verb.children if p.dep_ == "prep" and p.lower_ == "with" for g in p.children
               if g.dep_ == "pobj"]
    return bool(objects) and not any(names_party(o, c, kit) for o in objects)


def _aimed_at_a_policy(verb: Token, kit: Kit) -> bool:
    """The act is aimed only at a policy or at ordinary crime, directly or through the event noun it does: "fight
    corruption", "wage war on drugs", "crush the networks of fraudsters". A party among the targets keeps it."""
    agency = kit.lexicon.agency
    objects: list[Token] = []
    for child in verb.children:
        if child.dep_ == "dobj":
            objects.append(child)
            objects.extend(g for p in child.children if p.dep_ == "prep" and p.lower_ in ("on", "against")
                           for g in p.children if g.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ in ("on", "against"):
            objects.extend(g for g in child.children if g.dep_ == "pobj")

    def foe(o: Token) -> bool:
        if o.lemma_.lower() in agency.abstract_foes or o.lower_ in agency.abstract_foes:
            return True
        if o.lemma_.lower() in agency.proposals or o.lower_ in agency.proposals:
            return True  # "shot down a takeover bid", "killed the bill"
        return any(g.lemma_.lower() in agency.abstract_foes or g.lower_ in agency.abstract_foes
                   for p in o.children if p.dep_ == "prep" and p.lower_ == "of" for g in p.children if g.dep_ == "pobj")

    foes = [o for o in objects if foe(o)]
    if not foes:
        return False
    return all(foe(o) or _is_event_word(o, kit) for o in objects)  # "war" in "wage war on corruption"


def noun_cause(noun: Token, agency: AgencyWords) -> str | None:
    """Whether ``noun`` names a hazard, an accident or a market (not a weapon).

    The end of a hyphenated word names none: the word is what it names ("the cease-fire", "a sit-in")."""
    if hyphen_head(noun) is not None:
        return None
    lemma, modifiers = noun.lemma_.lower(), _modifiers(noun)
    if modifiers & agency.weapon_modifiers:
        return None
    if lemma in agency.hazards or noun.lower_ in agency.hazards:
        return HAZARD
    if any(f"{m} {lemma}" in agency.hazards for m in modifiers):
        return HAZARD
    if any(
        c.dep_ == "compound" and c.lemma_.lower() in agency.hazards and c.lemma_.lower() not in agency.conditions
        for c in noun.children
    ):
        return HAZARD  # "lightning strikes", "drought emergency", "flood victims"
    if noun.pos_ == "PROPN" and any(
        c.dep_ == "compound" and c.lemma_.lower() in agency.hazards for c in noun.children
    ):
        return HAZARD  # a named storm or outbreak: "Cyclone Freddy", "Hurricane Otis"
    if lemma in agency.accidental_heads and _sites(noun) & agency.accident_sites:
        return ACCIDENT  # "a blast at a fireworks factory"
    if lemma in agency.animals or noun.lower_ in agency.animals or modifiers & agency.animals:
        return ANIMAL  # "a lion killed two villagers", "a shark attack"
    if lemma in agency.accidental_heads and modifiers & agency.accident_modifiers:
        return ACCIDENT
    if any(m.tag_ == "VBG" and m.lemma_.lower() in agency.accidental_heads for m in noun.children):
        return ACCIDENT  # "collapsing buildings injured 15 people"
    if lemma in agency.markets or noun.lower_ in agency.markets:
        return MARKET
    if lemma in agency.works or noun.lower_ in agency.works:
        return WORK  # "the film bombed at the box office"
    return None


def _agents(c: Candidate, kit: Kit) -> list[Token]:
    """The doers and causes the parse gives: subject or agent heads, a nominal trigger itself, and for a verb with
    no doer the cause it names ("killed *in a landslide*", "died *from cholera*")."""
    found = list(c.actor_heads)
    token = c.token
    if c.trigger.kind is TriggerKind.NOUN:
        found.append(token)
    if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
        found.append(token.head)  # "the film "Iron Harvest" bombed at the box office": the noun it modifies
        if token.head.dep_ == "appos":
            found.append(token.head.head)
        if token.head.dep_ == "pobj" and token.head.head.lower_ == "of" and token.head.head.head.pos_ == "NOUN":
            found.append(token.head.head.head)  # "shares of a platinum miner bombed": the parser's "miner bombed"
    if not c.actor_heads and c.trigger.kind is not TriggerKind.NOUN:
        for child in token.children:
            if child.dep_ in ("prep", "agent") and child.lower_ in _CAUSE_PREPOSITIONS:
                found.extend(g for g in child.children if g.dep_ == "pobj")
    return found


def _modifiers(noun: Token) -> set[str]:
    """The lemmas modifying ``noun`` ("gas tank explosion": gas, tank), through compounds and "of" phrases."""
    out: set[str] = set()
    stack = [noun]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.dep_ in _MODIFIER_DEPS:
                out.add(child.lemma_.lower())
                out.add(child.lower_)
                stack.append(child)
            elif child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        out.add(obj.lemma_.lower())
                        stack.append(obj)
    return out


def _sites(noun: Token) -> set[str]:
    """The places an explosion or a fire is at ("a blast *at a fireworks factory*"), with their modifiers."""
    out: set[str] = set()
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("at", "in", "inside"):
            for obj in (g for g in child.children if g.dep_ == "pobj"):
                out.add(obj.lemma_.lower())
                out |= _modifiers(obj)
    return out


def _by_mistake(token: Token, agency: AgencyWords) -> bool:
    """The act, or the verb its participle hangs from, was done by mistake or in a drill: "jets *mistakenly* dropped
    bombs ..., injuring 15", "a soldier was shot *by accident*", "fired *in error*", "*during a live-fire drill*"."""
    chain = _clause_chain(token)
    told = [cl for v in chain for cl in v.children if cl.dep_ == "advcl" and cl.pos_ in ("VERB", "AUX") and any(
        m.dep_ in ("advmod", "mark") and m.lower_ in _WHEN_MARKERS for m in cl.children)]
    for verb in chain + told:  # "injured *when their carrier overturned during a training exercise*"
        for child in verb.children:
            if child.dep_ == "advmod" and child.lower_ in agency.mistake_adverbs:
                return True
            if child.dep_ != "prep":
                continue
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if child.lower_ in ("by", "in") and any(o.lemma_.lower() in agency.mistake_nouns for o in objects):
                return True
            if child.lower_ in ("during", "in") and any(
                o.lemma_.lower() in agency.drill_words or o.lower_ in agency.drill_words for o in objects
            ):
                return True
            if child.lower_ in ("during", "in") and any(
                ({o.lemma_.lower()} | _modifiers(o)) & agency.ordnance_work for o in objects
            ) and any(t.lemma_.lower() in _ORDNANCE for t in token.sent):
                return True  # "an anti-tank mine detonated during clearance work"
    return False


_ORDNANCE = frozenset({"mine", "landmine", "ordnance", "bomblet", "munition", "shell", "bomb", "uxo"})


def _for_a_cause(verb: Token, c: Candidate, kit: Kit) -> bool:
    """ "fight *for every vote*", "battling for survival": an effort verb whose only complement is what it is for,
    no party, and nothing fought against or with."""
    if any(ch.dep_ == "dobj" or (ch.dep_ == "prep" and ch.lower_ in ("against", "with")) for ch in verb.children):
        return False
    objects = [g for p in verb.children if p.dep_ == "prep" and p.lower_ == "for" for g in p.children
               if g.dep_ == "pobj"]
    return bool(objects) and not any(names_party(o, c, kit) for o in objects) and not c.recipient_heads


def _to_infinitive(word: Token) -> bool:
    """ "struggle *to get* jobs", "its fight *to eradicate* poverty"."""
    return any(
        child.dep_ in ("xcomp", "acl") and any(g.dep_ == "aux" and g.lower_ == "to" for g in child.children)
        for child in word.children
    )


@STEPS.register(EVENT_SUBJECT)
def event_subject(c: Candidate, kit: Kit) -> Candidate:
    """An event as the subject of a verb ("the attack killed", "fighting between X and Y killed"): one act.

    The verb's doer is the event noun's own ("attacks by X", "X's offensive", "between X and Y"), or nobody named:
    then no fallback (the speaker, a country before the trigger) stands in, and a violent event has an unidentified
    perpetrator (``core/sides.py``). A nominal trigger that is a verb's subject takes the verb's object as its
    recipient ("the attack killed five soldiers"), and is its own doer when it names a party ("a suicide bomber").
    """
    if c.trigger.kind is TriggerKind.NOUN:
        return _noun_as_subject(c, kit)
    subject = subject_of(c.token)
    if subject is None or subject in c.trigger.extra or not _is_event_word(subject, kit):
        return c
    words = kit.lexicon.words
    between = heads.between_parties(subject, words)
    if len(between) >= 2:
        actor = party_of(EVENT_SUBJECT, between[0], c, kit, borrow=True, others=[between[1]])
        other = party_of(EVENT_SUBJECT, between[1], c, kit, borrow=True, others=[between[0]])
        return replace(
            c,
            actor_heads=(between[0].head,),
            recipient_heads=(between[1].head,),
            actors=(actor,),
            recipients=(other,),
            reciprocal=True,
        )
    doers = heads.noun_actor(subject, words) or _armed_of(subject, c, kit)
    if doers:
        actors = (party_of(EVENT_SUBJECT, heads.phrase_of(doers[0]), c, kit, borrow=True),)
        return replace(c, actor_heads=(doers[0],), actors=actors)
    return replace(c, actor_heads=(), actors=(), unnamed_agent=True)


def _armed_of(noun: Token, c: Candidate, kit: Kit) -> list[Token]:
    """The doer named by "of" after an event noun, when it is armed or an organisation's force ("the deployment of
    NATO troops"); "the bombing of the embassy" names a target, not a doer."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    actor = kit.resolvers.actor(heads.phrase_of(obj).text, c.sentence.as_of)
                    if actor.actor_class in _ARMED or actor.actor_class is ActorClass.EXTERNAL:
                        return [obj]
    return []


def _noun_as_subject(c: Candidate, kit: Kit) -> Candidate:
    token = c.token
    verb = token.head
    if token.dep_ != "nsubj" or verb.pos_ != "VERB":
        return c
    words = kit.lexicon.words
    if not c.actor_heads and names_party(token, c, kit):
        c = replace(
            c, actor_heads=(token,), actors=(party_of(EVENT_SUBJECT, heads.phrase_of(token), c, kit, borrow=True),)
        )
    elif not c.actor_heads:
        c = replace(c, unnamed_agent=True)
    if not c.recipient_heads:
        c = replace(c, recipient_heads=tuple(heads.verb_recipient(verb, words)))
    return c


def _is_event_word(token: Token, kit: Kit) -> bool:
    """A nominal trigger or a reciprocal word ("attack", "bombing", "fighting"): an event, not a party."""
    words = {token.lemma_.lower(), token.lower_}
    return bool(words & set(kit.lexicon.nouns) or words & kit.lexicon.words.reciprocal_words)
