"""Properties over arbitrary text: the extractor never raises, and identical text always yields identical ids."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_TEXT = st.text(min_size=1, max_size=300).filter(lambda s: s.strip() != "")
_NEWSY = st.lists(
    st.sampled_from(
        [
            "Pakistan",
            "attacked",
            "Kabul",
            "did not",
            "accused",
            "ceasefire",
            "talks",
            "collapsed",
            ".",
            ",",
            "\u202e",
            "shelling",
            "on Monday",
            "\U0001f600",
            "threatened to",
            "close the border",
            "\n",
            "Qatar",
            "mediate",
        ]
    ),
    min_size=1,
    max_size=25,
).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_TEXT, _NEWSY))
def test_never_raises_and_ids_are_deterministic(extractor, article_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    first = extractor.extract(article_factory(text))
    second = extractor.extract(article_factory(text, article_id="a1"))
    assert [r.event_id for r in first] == [r.event_id for r in second]
    for record in first:
        assert text[record.evidence.trigger_start : record.evidence.trigger_end] == record.evidence.trigger
        assert 0.0 <= record.confidence <= 1.0
