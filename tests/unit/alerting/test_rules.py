"""The rule file: the packaged one loads; broken ones fail with file, rule and problem named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from powderkeg_alerting.core.rules import keyword_pattern, load_rules, parse_rules
from powderkeg_contracts.datafiles import DataFileError

VALID_SIGNAL = """
  - name: talks_failed
    title: Talks failed
    direction: escalation
    severity: warning
    factuality: {asserted: 1.0}
    when:
      - {event_types: [REJECT], modes: [meet]}
"""


def rule_file(signals: str) -> str:
    return f"version: 1\nquiet_period_hours: 72\nsignals:\n{signals}"


def test_packaged_rules_cover_every_signal_of_the_brief() -> None:
    names = {rule.name for rule in load_rules().signals}
    assert {
        "talks_failed",
        "border_closed",
        "military_strike",
        "armed_clash",
        "threat",
        "ceasefire_violated",
        "sanctions",
        "relations_cut",
        "mobilization",
        "ceasefire_agreed",
        "talks_resumed",
    } <= names


def test_no_packaged_rule_lets_negated_events_raise() -> None:
    assert all("negated" not in {f.value for f in rule.factuality} for rule in load_rules().signals)


def test_valid_file_parses() -> None:
    assert parse_rules(rule_file(VALID_SIGNAL), "x.yaml").signals[0].name == "talks_failed"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("severity: warning", "severity: loud"), "severity"),
        (("factuality: {asserted: 1.0}", "factuality: {negated: 1.0}"), "never raise"),
        (("{event_types: [REJECT], modes: [meet]}", "{severity: critical}"), "at least one of"),
        (("event_types: [REJECT]", "event_types: [REJECTED]"), "event_types"),
        (("direction: escalation", "direction: escalation\n    colour: red"), "colour"),
    ],
)
def test_broken_rule_names_file_rule_and_problem(change: tuple[str, str], problem: str) -> None:
    text = rule_file(VALID_SIGNAL.replace(*change))
    with pytest.raises(DataFileError) as info:
        parse_rules(text, "broken.yaml")
    message = str(info.value)
    assert re.match(r"broken\.yaml:\d+: signal talks_failed: ", message), message
    assert problem in message


def test_duplicate_signal_names_are_rejected() -> None:
    with pytest.raises(DataFileError, match="repeated: talks_failed"):
        parse_rules(rule_file(VALID_SIGNAL + VALID_SIGNAL), "dup.yaml")


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("signals: [unclosed", encoding="utf-8")
    with pytest.raises(DataFileError, match=str(path)):
        load_rules(path)


def test_keyword_wildcards_and_phrases() -> None:
    pattern = keyword_pattern(["fail*", "broke down"])
    assert pattern.search("the talks FAILED")
    assert pattern.search("talks broke   down on Monday")
    assert not pattern.search("the prefailing state")
