"""The build stage: a decided candidate -> detections, with the rules' confidence; records for events.

Confidence is a simple additive score over what the evidence rests on (how specific the lexicon match was, how
deeply the trigger is embedded, whether the actor resolved to a country of its own); the ranker then calibrates it
(``core/ranker.py``). One record per actor (coordinated actors); one for a reciprocal event (both parties act:
clashes) and one each way for the two sides of a border closure; a statement (CAMEO 01/02) is a detection without a
record.
"""

from __future__ import annotations

from powderkeg_contracts.models import Actor, EventDate, EventRecord, Evidence, Location, PloverType, Sector
from powderkeg_extractor.core.context import Candidate, Kit
from powderkeg_extractor.core.detection import Detection
from powderkeg_extractor.core.ids import event_id
from powderkeg_extractor.core.parse.clauses import Cause
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.kinds import BUILDERS

RECORDS = "build.records.v1"
BASE_CONFIDENCE = {
    TriggerKind.PREDICATE: 0.8,
    TriggerKind.PATTERN: 0.7,
    TriggerKind.SUPPLEMENT: 0.7,
    TriggerKind.VERB: 0.55,
    TriggerKind.NOUN: 0.5,
}
STATEMENT_PENALTY = 0.25
DEPTH_PENALTY = 0.08
APPEALED_PENALTY = 0.25
"""An act another party is only asked to do ("urged X to withdraw"), or one the speaker only has an opinion about
("pessimistic about resuming talks"), or one the recipient is only accused of ("accused X of ignoring Y"), is not
the sentence's event; the appeal, the statement or the accusation is."""
INHERITED_PLACE_PENALTY = 0.05
NO_ACTOR = "no actor in the parse of the sentence, and no fallback found one"
NO_RECIPIENT = "no recipient in the parse of the sentence, and no fallback found one"


@BUILDERS.register(RECORDS)
def build_records(c: Candidate, kit: Kit) -> list[Detection]:
    """The detections of one candidate: one per record, or one statement."""
    confidence = rule_confidence(c)
    plover = c.entry.plover
    if plover is None:
        return [_detection(c, confidence, None)]
    if c.location_inherited:
        confidence = round(max(confidence - INHERITED_PLACE_PENALTY, 0.01), 3)
    actors = [p.actor for p in c.actors] or [Actor(reason=f"{RECORDS}: {NO_ACTOR}")]
    recipient = c.recipients[0].actor if c.recipients else Actor(reason=f"{RECORDS}: {NO_RECIPIENT}")
    pairs = [(a, recipient) for a in actors]
    reciprocal = c.reciprocal
    if len(c.sides) == 2:
        reciprocal = plover is PloverType.ASSAULT
        pairs = [(c.sides[0], c.sides[1])] if reciprocal else [(c.sides[0], c.sides[1]), (c.sides[1], c.sides[0])]
    return [_detection(c, confidence, _record(c, kit, plover, a, r, confidence, reciprocal)) for a, r in pairs]


def _detection(c: Candidate, confidence: float, record: EventRecord | None) -> Detection:
    trigger = c.trigger
    return Detection(
        sentence_start=c.sentence.start,
        sentence_end=c.sentence.end,
        cameo_code=_cameo_code(c),
        confidence=confidence,
        kind=trigger.kind,
        trigger=" ".join(t.text for t in trigger.tokens),
        depth=c.clauses.depth,
        size=trigger.size,
        cause=c.clauses.cause,
        root=c.token.dep_ == "ROOT",
        actors=tuple(p.actor for p in c.actors),
        recipients=tuple(p.actor for p in c.recipients),
        record=record,
    )


def _cameo_code(c: Candidate) -> str:
    """The trigger's code, or the entry's where the ontology knows a more specific one."""
    code = c.trigger.code
    return c.entry.code if len(code) < len(c.entry.code) else code


def rule_confidence(c: Candidate) -> float:
    """The rules' score: base by trigger kind and pattern size, penalties for statements, depth, appeals."""
    trigger = c.trigger
    is_noun = trigger.kind is TriggerKind.NOUN or (
        trigger.kind is TriggerKind.PREDICATE and c.token.pos_ not in ("VERB", "AUX")
    )
    score = BASE_CONFIDENCE[trigger.kind] + 0.03 * min(trigger.size, 3)
    if not c.is_event:
        score -= STATEMENT_PENALTY
    score -= DEPTH_PENALTY * min(c.clauses.depth, 4)
    first = c.actors[0] if c.actors else None
    if first is not None and _resolved(first.actor) and not first.borrowed:
        score += 0.1
    elif first is None:
        score -= 0.1
    if is_noun:
        score -= 0.05
    confidence = round(min(max(score, 0.01), 0.99), 3)
    cause = c.clauses.cause
    if cause in (Cause.APPEAL, Cause.OPINION) or (cause is Cause.CLAIM and c.clauses.speaker_verb is not c.token):
        confidence = round(max(confidence - APPEALED_PENALTY, 0.01), 3)
    return confidence


def _record(
    c: Candidate, kit: Kit, plover: PloverType, actor: Actor, recipient: Actor, confidence: float, reciprocal: bool
) -> EventRecord:
    s = c.sentence
    article = s.article
    entry = c.entry
    tokens = c.trigger.tokens
    trig_start = s.start + tokens[0].idx
    trig_end = s.start + tokens[-1].idx + len(tokens[-1].text)
    trigger_text = article.text[trig_start:trig_end]
    evidence = Evidence(
        sentence=article.text[s.start : s.end],
        start=s.start,
        end=s.end,
        trigger=trigger_text,
        trigger_start=trig_start,
        trigger_end=trig_end,
    )
    return EventRecord(
        event_id=event_id(
            article.article_id,
            article.text,
            s.start,
            s.end,
            f"{trig_start}:{trigger_text}",
            plover.value,
            actor.code or actor.text or "",
            recipient.code or recipient.text or "",
        ),
        article_id=article.article_id,
        story_id=article.story_id,
        event_type=plover,
        mode=c.trigger.mode or entry.mode,
        cameo_code=_cameo_code(c),
        quad_class=entry.quad_class,
        pentacode=entry.pentacode,
        goldstein=entry.goldstein,
        actor=actor,
        recipient=recipient,
        location=c.location or Location(reason=f"{RECORDS}: no place resolved (no resolve.location step ran)"),
        event_date=c.event_date or EventDate(reason=f"{RECORDS}: no date resolved (no resolve.date step ran)"),
        factuality=c.factuality,
        speaker=c.speaker.actor if c.speaker is not None else None,
        evidence=evidence,
        confidence=confidence,
        reciprocal=reciprocal,
        background_reason=c.background_reason,
        published_at=article.published_at,
        url=article.url,
        source=article.source,
        ingested_at=article.ingested_at,
        extractor_version=kit.version,
    )


def _resolved(actor: Actor) -> bool:
    """The actor resolved to who it is: a country, or an international organisation that has none."""
    international = (Sector.INTERNATIONAL_ORGANISATION, Sector.NGO)
    return actor.country is not None or (actor.code is not None and actor.sector in international)
