"""The stage order: every name is registered, an order can be changed by name, and strategies sign their reasons."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from powderkeg_extractor.core.context import Kit, SentenceLabel
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.core.registry import Registry
from powderkeg_extractor.core.stages import PIPELINE, compile_pipeline
from powderkeg_extractor.core.stages.kinds import GATES, STEPS


def _with(extractor: Extractor, order: Sequence[str]) -> Extractor:
    return Extractor(
        extractor.nlp, extractor.lexicon, extractor.ontology, extractor.ranker, extractor.resolvers, order=order
    )


def test_the_packaged_order_compiles_and_lists_each_stage_once() -> None:
    pipeline = compile_pipeline(PIPELINE)
    assert len(pipeline.steps) == len(PIPELINE) - 4
    assert len(set(PIPELINE)) == len(PIPELINE)
    stages = [name.split(".")[0] for name in PIPELINE]
    firsts = [stages.index(s) for s in ("detect", "actor", "recipient", "factuality", "resolve", "build")]
    assert firsts == sorted(firsts)


def test_an_unknown_or_misplaced_name_is_refused_naming_what_is_registered() -> None:
    with pytest.raises(KeyError, match=r"no step registered as 'actor\.telepathy\.v1'.*actor\.parse\.v1"):
        compile_pipeline([*PIPELINE[:3], "actor.telepathy.v1", *PIPELINE[3:]])
    with pytest.raises(KeyError, match=r"no classify gate registered as 'detect\.triggers\.v1'"):
        compile_pipeline(PIPELINE[1:])


def test_names_carry_a_version_and_are_registered_once() -> None:
    registry: Registry[object] = Registry("thing")  # type: ignore[type-var]
    with pytest.raises(ValueError, match=r"<stage>\.<what>\.v<N>"):
        registry.register("actor_parse")
    registry.register("thing.one.v1")(print)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("thing.one.v1")(print)
    assert "actor.pronoun.v1" in STEPS and "classify.gate.none.v1" in GATES


def test_a_fallback_strategy_signs_the_party_it_decides(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Pakistan accused Afghanistan of sheltering militants. He threatened to attack militant bases."
    records = extractor.extract(article_factory(text))
    by_trigger = {r.evidence.trigger: r.actor.reason for r in records}
    assert by_trigger["accused"] is None  # read straight from the parse and resolved: nothing to explain
    assert (by_trigger["sheltering"] or "").startswith("actor.speaker.v1: ")
    assert (by_trigger["threatened"] or "").startswith("actor.pronoun.v1: ")
    reasons = [p.reason for r in records for p in (r.actor, r.recipient, r.location, r.event_date) if p.reason]
    assert reasons and all(r.split(": ", 1)[0] in PIPELINE for r in reasons), reasons


def test_an_order_without_a_fallback_runs_without_it(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    """ "It threatened" has no actor in its sentence: the pronoun strategy gives the earlier sentence's; without it
    the next strategy in the order (the speaker of "threatened", itself the pronoun) decides, and says so."""
    article = article_factory("Iran rejected the proposal on Monday. It threatened to close the strait.")
    with_pronoun = [r for r in extractor.extract(article) if r.evidence.trigger.startswith("threatened")]
    assert with_pronoun and with_pronoun[0].actor.country == "IRN"
    assert (with_pronoun[0].actor.reason or "").startswith("actor.pronoun.v1: ")
    without = _with(extractor, [n for n in PIPELINE if n != "actor.pronoun.v1"]).extract(article)
    threats = [r for r in without if r.evidence.trigger.startswith("threatened")]
    assert threats and all((r.actor.reason or "").startswith("actor.speaker.v1: ") for r in threats)


def test_the_classify_gate_sees_raw_sentences_before_the_parse_and_can_skip_them(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def gate(sentences: Sequence[str], kit: Kit) -> list[SentenceLabel | None]:
        seen.extend(sentences)
        return [None if "strike" in s else SentenceLabel({"gate": 1.0}) for s in sentences]

    name = "classify.gate.test_skip_strikes.v1"
    if name not in GATES:
        GATES.register(name)(gate)
    gated = _with(extractor, [name, *PIPELINE[1:]])
    text = "Pakistan launched air strikes on Afghan camps. Turkey and Qatar mediated talks in Doha."
    triggers = {d.trigger for d in gated.detect_batch([article_factory(text)])[0]}
    assert any("strike" in s for s in seen) and not any("strikes" in t or "launched" in t for t in triggers)
    assert triggers, "the sentence the gate kept is still extracted"
