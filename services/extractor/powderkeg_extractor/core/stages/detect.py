"""The detect stage: a parsed sentence -> one candidate per trigger, with its readings of the parse.

Each candidate carries what the parse says about its trigger, read once here: the ontology entry of its code,
its argument heads (actor and recipient phrases) and what the clauses above it say (factuality, cause, the
speaker's verb, depth). The later stages decide from these readings.
"""

from __future__ import annotations

from powderkeg_contracts.models import PloverType
from powderkeg_extractor.core.context import Candidate, Kit, SentenceContext
from powderkeg_extractor.core.parse import heads
from powderkeg_extractor.core.parse.clauses import assess
from powderkeg_extractor.core.parse.triggers import Trigger, TriggerKind, find_triggers
from powderkeg_extractor.core.stages.kinds import DETECTORS


@DETECTORS.register("detect.triggers.v1")
def detect_triggers(sentence: SentenceContext, kit: Kit) -> list[Candidate]:
    """Every trigger of the sentence (``core/parse/triggers.py``), in text order, as a candidate."""
    return [
        candidate_of(sentence, trigger, kit)
        for sent in sentence.doc.sents
        for trigger in find_triggers(sent, kit.lexicon, kit.ontology)
    ]


def candidate_of(sentence: SentenceContext, trigger: Trigger, kit: Kit) -> Candidate:
    """The candidate of one trigger: its entry, argument heads and clause reading.

    A nominal trigger takes "by X" / a possessive / a nationality adjective as actor and "on/against X" as
    recipient; a verb its subject and object. A predicate rule ("talks collapsed") has no actor in its subject,
    and the partner of failed talks ("talks with X") is its recipient.
    """
    words = kit.lexicon.words
    entry = kit.ontology.lookup(trigger.code)
    token = trigger.token
    if trigger.kind is TriggerKind.NOUN:
        actor_heads, recipient_heads = heads.noun_actor(token, words), heads.noun_recipient(token, words)
    else:
        actor_heads, recipient_heads = heads.verb_actor(token, words), heads.verb_recipient(token, words)
        if trigger.kind is TriggerKind.PREDICATE:
            actor_heads = []
            subject = trigger.extra[0] if trigger.extra else None
            if subject is not None:
                recipient_heads = heads.talks_partner(subject, words) or recipient_heads
    if trigger.kind is TriggerKind.SUPPLEMENT and any(h in trigger.extra for h in recipient_heads):
        # "staged a strike against ...", "went on strike": the event noun the verb carries is the event, not whom
        # it is aimed at; whom the noun is aimed at is ("carried out a strike on a militant camp").
        noun = next(h for h in recipient_heads if h in trigger.extra)
        recipient_heads = heads.noun_recipient(noun, words)
    own_claim = entry.plover is PloverType.ACCUSE and token.lemma_.lower() in kit.lexicon.claim_verbs
    clauses = assess(token, kit.lexicon.supplement, words, own_claim=own_claim)
    return Candidate(
        sentence=sentence,
        trigger=trigger,
        entry=entry,
        clauses=clauses,
        actor_heads=tuple(actor_heads),
        recipient_heads=tuple(recipient_heads),
        factuality=clauses.factuality,
    )
