"""Trigger precedence: ordered PETRARCH patterns, light verbs with event nouns, negated cooperation."""

from __future__ import annotations

from powderkeg_contracts.models import PloverType


def _types(extractor, article_factory, text: str) -> set[PloverType]:  # type: ignore[no-untyped-def]
    return {r.event_type for r in extractor.extract(article_factory(text))}


def test_light_verb_takes_the_code_of_its_event_noun(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Opposition supporters in Pakistan staged rallies against the government, saying the premier must quit."
    records = extractor.extract(article_factory(text))
    top = max(records, key=lambda r: r.confidence)
    assert top.event_type is PloverType.PROTEST
    assert top.evidence.trigger.startswith("staged")


def test_light_verb_with_attack_noun_is_an_assault(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Militants in Afghanistan launched several attacks on Pakistani border posts."
    assert PloverType.ASSAULT in _types(extractor, article_factory, text)


def test_general_strike_is_a_protest_not_a_military_strike(extractor, article_factory) -> None:  # type: ignore[no-untyped-def]
    text = "Unions in Nepal organized a general strike against the new tax."
    types = _types(extractor, article_factory, text)
    assert PloverType.PROTEST in types
    assert PloverType.ASSAULT not in types
