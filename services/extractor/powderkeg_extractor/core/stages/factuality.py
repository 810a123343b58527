"""The factuality stage: whether the text says the event happened, and the code an unperformed act takes.

The clause reading (``core/parse/clauses.py``) says what governs the trigger; here that becomes CAMEO's coding of
it (``data/ontology/recoding.yaml``): an act the actor only announces (modal, intent verb) is coded as its
intent (03x) or threat (13x), cooperation it does not give as a refusal (12x). A nominal trigger keeps its code.
"""

from __future__ import annotations

from dataclasses import replace

from powderkeg_contracts.models import Factuality, PloverType
from powderkeg_extractor.core.context import Candidate, Kit
from powderkeg_extractor.core.parse.clauses import Cause
from powderkeg_extractor.core.parse.triggers import TriggerKind
from powderkeg_extractor.core.stages.kinds import STEPS


@STEPS.register("factuality.recode.v1")
def recode(c: Candidate, kit: Kit) -> Candidate:
    """Announced acts take their intent or threat code, refused cooperation its refusal code."""
    if c.trigger.kind is TriggerKind.NOUN:
        return c
    cause = c.clauses.cause
    code: str | None = None
    if cause in (Cause.MODAL, Cause.INTENT):
        code = kit.ontology.intent_code(c.trigger.code)
    elif cause is Cause.NEGATION:
        code = kit.ontology.refusal_code(c.trigger.code)
    if code is None:
        return c
    return replace(c, trigger=replace(c.trigger, code=code, mode=None), entry=kit.ontology.lookup(code))


@STEPS.register("factuality.threat_hypothetical.v1")
def threat_hypothetical(c: Candidate, kit: Kit) -> Candidate:
    """A threat is hypothetical: the threatened act has not happened."""
    if c.entry.plover is PloverType.THREATEN and c.factuality is Factuality.ASSERTED:
        return replace(c, factuality=Factuality.HYPOTHETICAL)
    return c
