"""The alert engine on seed-like events: signals, pairs of sides, factuality, grouping, dedupe, resolution."""

from __future__ import annotations

from datetime import timedelta

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_contracts import Actor, AlertStatus, Direction, Factuality, Location, PloverType, Sector, Severity
from tests.support.events import (
    AFGHANISTAN,
    BORDER,
    CEASEFIRE,
    CLASHES,
    IN_AFGHANISTAN,
    NOBODY,
    PAKISTAN,
    STRIKES,
    T0,
    TALKS,
    THREAT,
    TTP,
    EventFactory,
    signals,
)


def test_talks_collapse_raises_talks_failed_for_the_unordered_pair(make_event: EventFactory) -> None:
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    alerts = AlertEngine().process(event)
    alert = signals(alerts)["talks_failed"]
    assert alert.sides.key == "AFG-PAK"
    assert alert.status is AlertStatus.RAISED and alert.revision == 1
    assert alert.direction is Direction.ESCALATION and alert.severity is Severity.WARNING
    assert "source:Pakistan" in alert.sides.b_actors and "target:Afghanistan" in alert.sides.a_actors
    assert "Pakistan -> Afghanistan" in alert.summary


def test_talks_reported_as_collapsed_match_by_keywords_whatever_the_code(make_event: EventFactory) -> None:
    event = make_event(PloverType.ACCUSE, "112", TALKS, "accusing")
    assert "talks_failed" in signals(AlertEngine().process(event))


def test_border_closure_raises_border_closed(make_event: EventFactory) -> None:
    event = make_event(PloverType.COERCE, "172", BORDER, "shut", mode="restrict", goldstein=-5.0)
    assert signals(AlertEngine().process(event))["border_closed"].sides.key == "AFG-PAK"


def test_restriction_without_a_border_is_not_a_border_closure(make_event: EventFactory) -> None:
    event = make_event(
        PloverType.COERCE, "172", "Police restricted journalists in the capital.", "restricted", mode="restrict"
    )
    assert "border_closed" not in signals(AlertEngine().process(event))


def test_strike_on_an_armed_group_in_another_country_is_about_that_country(make_event: EventFactory) -> None:
    event = make_event(
        PloverType.ASSAULT,
        "195",
        STRIKES,
        "strikes",
        mode="aerial",
        recipient=TTP,
        location=IN_AFGHANISTAN,
        goldstein=-10.0,
    )
    alert = signals(AlertEngine().process(event))["military_strike"]
    assert alert.sides.key == "AFG.rebels.tehrik_i_taliban_pakistan-PAK"
    assert alert.severity is Severity.WARNING, "critical is earned by lethal violence; this sentence names no dead"
    assert alert.countries == ("AFG", "PAK") and alert.kind.value == "interstate", "the strike crosses the border"
    assert "target:Tehrik-i-Taliban Pakistan" in alert.sides.a_actors
    assert "(in AFG)" in alert.summary


def test_strike_on_unnamed_militants_takes_the_location_country(make_event: EventFactory) -> None:
    militants = Actor(text="militants", sector=Sector.INSURGENTS, reason="country not resolved")
    event = make_event(
        PloverType.ASSAULT,
        "195",
        STRIKES,
        "strikes",
        mode="aerial",
        recipient=militants,
        location=IN_AFGHANISTAN,
        goldstein=-10.0,
    )
    alert = signals(AlertEngine().process(event))["military_strike"]
    assert alert.sides.key == "AFG.rebels-PAK" and alert.countries == ("AFG", "PAK")


def test_strike_on_an_armed_group_at_home_is_an_intrastate_alert_and_lethal_is_critical(
    make_event: EventFactory,
) -> None:
    sentence = "Pakistani jets struck TTP hideouts in Waziristan, killing at least 20 militants, the army said."
    event = make_event(
        PloverType.ASSAULT,
        "195",
        sentence,
        "struck",
        mode="aerial",
        recipient=TTP,
        location=Location(place="Waziristan", country="PAK"),
        goldstein=-10.0,
    )
    alert = signals(AlertEngine().process(event))["military_strike"]
    assert alert.sides.key == "PAK-PAK.rebels.tehrik_i_taliban_pakistan" and alert.kind.value == "intrastate"
    assert alert.severity is Severity.CRITICAL, "a strike that kills is critical"


def test_clash_raises_armed_clash(make_event: EventFactory) -> None:
    event = make_event(
        PloverType.ASSAULT, "190", CLASHES, "clashes", recipient=TTP, location=IN_AFGHANISTAN, goldstein=-10.0
    )
    found = signals(AlertEngine().process(event))
    assert found["armed_clash"].countries == ("AFG", "PAK")
    assert "military_strike" not in found


def test_labour_strike_is_not_a_military_strike(make_event: EventFactory) -> None:
    event = make_event(PloverType.ACCUSE, "112", "Dock workers went on strike at the border port.", "strike")
    assert "military_strike" not in signals(AlertEngine().process(event))


def test_hypothetical_threat_raises_threat_single_country(make_event: EventFactory) -> None:
    event = make_event(
        PloverType.THREATEN,
        "138",
        THREAT,
        "warned",
        recipient=NOBODY,
        factuality=Factuality.HYPOTHETICAL,
        goldstein=-7.0,
    )
    alert = signals(AlertEngine().process(event))["threat"]
    assert alert.sides.key == "PAK" and alert.sides.b is None
    assert alert.severity is Severity.CRITICAL
    assert "counterpart unknown" in alert.summary


def test_threat_to_close_the_border_is_a_threat_not_a_closure(make_event: EventFactory) -> None:
    sentence = "Pakistan threatened to close the border crossings with Afghanistan."
    event = make_event(PloverType.THREATEN, "1312", sentence, "threatened", factuality=Factuality.HYPOTHETICAL)
    found = signals(AlertEngine().process(event))
    assert "threat" in found and "border_closed" not in found


def test_ceasefire_that_remains_in_effect_is_not_violated(make_event: EventFactory) -> None:
    for factuality in (Factuality.ASSERTED, Factuality.CLAIMED):
        event = make_event(
            PloverType.AGREE,
            "0871",
            CEASEFIRE,
            "ceasefire",
            factuality=factuality,
            goldstein=9.0,
            article=f"art-{factuality.value}",
        )
        found = signals(AlertEngine().process(event))
        assert "ceasefire_violated" not in found
        assert found["ceasefire_agreed"].direction is Direction.DEESCALATION


def test_ceasefire_violation_needs_an_asserted_violation(make_event: EventFactory) -> None:
    sentence = "Afghan forces violated the ceasefire, shelling Pakistani posts overnight."
    asserted = make_event(PloverType.ASSAULT, "196", sentence, "violated", goldstein=-9.5)
    claimed = make_event(
        PloverType.ASSAULT, "196", sentence, "violated", goldstein=-9.5, factuality=Factuality.CLAIMED, article="art-2"
    )
    assert "ceasefire_violated" in signals(AlertEngine().process(asserted))
    assert "ceasefire_violated" not in signals(AlertEngine().process(claimed))


def test_negated_strike_raises_nothing(make_event: EventFactory) -> None:
    event = make_event(
        PloverType.ASSAULT,
        "195",
        "Pakistan denied carrying out airstrikes in Afghanistan.",
        "airstrikes",
        mode="aerial",
        factuality=Factuality.NEGATED,
        goldstein=-10.0,
    )
    evaluation = AlertEngine().evaluate(event)
    assert evaluation.alerts == []
    assert evaluation.outcome == "factuality_negated"


def test_claimed_event_has_lower_confidence_and_names_the_claimant(make_event: EventFactory) -> None:
    sentence = "The Taliban said Pakistani jets struck a village in Khost."
    spokesman = Actor(text="Zabihullah Mujahid", name="Zabihullah Mujahid", country="AFG", sector=Sector.GOVERNMENT)
    claimed = make_event(
        PloverType.ASSAULT,
        "195",
        sentence,
        "struck",
        mode="aerial",
        factuality=Factuality.CLAIMED,
        speaker=spokesman,
        goldstein=-10.0,
        confidence=0.8,
        article="claim",
    )
    asserted = make_event(
        PloverType.ASSAULT, "195", sentence, "struck", mode="aerial", goldstein=-10.0, confidence=0.8, article="fact"
    )
    claimed_alert = signals(AlertEngine().process(claimed))["military_strike"]
    asserted_alert = signals(AlertEngine().process(asserted))["military_strike"]
    assert claimed_alert.confidence < asserted_alert.confidence
    assert claimed_alert.claimed_by == ("Zabihullah Mujahid",)
    assert asserted_alert.claimed_by == ()
    assert "claimed by Zabihullah Mujahid" in claimed_alert.summary


def test_forty_copies_of_one_story_are_one_alert_counting_forty_articles(make_event: EventFactory) -> None:
    engine = AlertEngine()
    ids = set()
    last = None
    for n in range(40):
        event = make_event(
            PloverType.REJECT,
            "125",
            TALKS,
            "collapsed",
            mode="meet",
            article=f"copy-{n}",
            story="copy-0",
            published_at=T0 + timedelta(minutes=n),
        )
        alert = signals(engine.process(event))["talks_failed"]
        ids.add(alert.alert_id)
        last = alert
    assert len(ids) == 1 and last is not None
    assert len(last.article_ids) == 40 and last.story_ids == ("copy-0",)
    assert last.revision == 40 and last.status is AlertStatus.UPDATED
    assert "40 articles, 1 distinct story" in last.summary
    assert last.severity is Severity.WARNING, "copies of one story are not corroboration"
    assert len([a for a in engine.open_alerts() if a.signal == "talks_failed"]) == 1


def test_independent_stories_corroborate_and_raise_severity(make_event: EventFactory) -> None:
    engine = AlertEngine()
    confidences = []
    for n in range(3):
        event = make_event(
            PloverType.REJECT,
            "125",
            TALKS,
            "collapsed",
            mode="meet",
            article=f"story-{n}",
            published_at=T0 + timedelta(hours=n),
        )
        alert = signals(engine.process(event))["talks_failed"]
        confidences.append(alert.confidence)
    assert confidences[0] < confidences[1] < confidences[2]
    assert alert.severity is Severity.CRITICAL and len(alert.story_ids) == 3


def test_same_event_twice_changes_nothing(make_event: EventFactory) -> None:
    engine = AlertEngine()
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    first = engine.process(event)
    before = engine.open_alerts()
    evaluation = engine.evaluate(event)
    assert first and evaluation.alerts == [] and evaluation.outcome == "duplicate"
    assert engine.open_alerts() == before


def test_alert_resolves_after_the_quiet_period_in_event_time(make_event: EventFactory) -> None:
    engine = AlertEngine()
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    raised = signals(engine.process(event))["talks_failed"]
    assert engine.advance(T0 + timedelta(hours=71)) == []
    resolved = [a for a in engine.advance(T0 + timedelta(hours=73)) if a.signal == "talks_failed"]
    assert len(resolved) == 1
    alert = resolved[0]
    assert alert.alert_id == raised.alert_id and alert.status is AlertStatus.RESOLVED and alert.revision == 2
    assert alert.resolved_at == T0 + timedelta(hours=72)
    assert engine.open_alerts() == []


def test_new_episode_after_resolution_gets_a_new_id(make_event: EventFactory) -> None:
    engine = AlertEngine()
    first = signals(engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")))
    later = make_event(
        PloverType.REJECT,
        "125",
        TALKS,
        "collapsed",
        mode="meet",
        article="art-later",
        published_at=T0 + timedelta(days=5),
    )
    alerts = engine.process(later)
    statuses = {(a.alert_id, a.status) for a in alerts if a.signal == "talks_failed"}
    assert (first["talks_failed"].alert_id, AlertStatus.RESOLVED) in statuses
    new = [a for a in alerts if a.signal == "talks_failed" and a.status is AlertStatus.RAISED]
    assert len(new) == 1 and new[0].alert_id != first["talks_failed"].alert_id


def test_replay_gives_the_same_alert_ids(make_event: EventFactory) -> None:
    events = [
        make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet"),
        make_event(
            PloverType.ASSAULT,
            "195",
            STRIKES,
            "strikes",
            mode="aerial",
            recipient=TTP,
            location=IN_AFGHANISTAN,
            goldstein=-10.0,
        ),
    ]
    runs = []
    for _ in range(2):
        engine = AlertEngine()
        runs.append([(a.alert_id, a.revision) for e in events for a in engine.process(e)])
    assert runs[0] == runs[1] and runs[0]


def test_event_without_any_time_uses_ingested_at_then_is_untimed(make_event: EventFactory) -> None:
    untimed = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", published_at=None)
    assert AlertEngine().evaluate(untimed).outcome == "untimed"
    timed = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", published_at=None, ingested_at=T0)
    evaluation = AlertEngine().evaluate(timed)
    assert evaluation.event_time == T0 and evaluation.alerts


def test_late_event_does_not_raise_an_already_stale_episode(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.advance(T0 + timedelta(days=10))
    evaluation = engine.evaluate(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet"))
    assert evaluation.alerts == [] and evaluation.outcome == "late"


def test_state_round_trips_through_json(make_event: EventFactory) -> None:
    engine = AlertEngine()
    engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet"))
    from powderkeg_alerting.core.state import EpisodeState

    for episode in engine.store.episodes.values():
        assert EpisodeState.model_validate_json(episode.model_dump_json()) == episode


def test_sides_keep_pakistan_and_afghanistan_apart(make_event: EventFactory) -> None:
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", actor=AFGHANISTAN, recipient=PAKISTAN)
    alert = signals(AlertEngine().process(event))["talks_failed"]
    assert alert.sides.key == "AFG-PAK" and "source:Afghanistan" in alert.sides.a_actors


def test_trade_disrupted_by_a_border_closure_is_not_also_sanctions(make_event: EventFactory) -> None:
    closure = make_event(PloverType.SANCTION, "160", BORDER + " Trade flows were disrupted.", "disrupting")
    found = signals(AlertEngine().process(closure))
    assert "border_closed" in found and "sanctions" not in found
    halt = make_event(PloverType.SANCTION, "160", "Pakistan halted all trade with Afghanistan.", "halted")
    assert "sanctions" in signals(AlertEngine().process(halt))


def test_a_quarrel_called_a_clash_is_not_an_armed_clash(make_event: EventFactory) -> None:
    quarrel = make_event(
        PloverType.ASSAULT,
        "190",
        "The US paused military aid after the Oval Office clash with Zelenskyy.",
        "clash",
        goldstein=-10.0,
    )
    assert "armed_clash" not in signals(AlertEngine().process(quarrel))


def test_a_redelivered_event_reports_the_current_state_of_its_alerts_without_changing_it(
    make_event: EventFactory,
) -> None:
    engine = AlertEngine()
    event = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet")
    raised = engine.process(event)
    again = engine.evaluate(event)
    assert again.alerts == [] and again.outcome == "duplicate"
    assert again.current == [a for a in raised if a.signal == "talks_failed"] == engine.open_alerts()


HELD = "Pakistani and Afghan delegations held a four-day round of peace talks in Istanbul, mediated by Turkey."


def test_talks_that_the_same_story_says_failed_are_not_talks_under_way(make_event: EventFactory) -> None:
    engine = AlertEngine()
    failed = make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", story="s1")
    held = make_event(PloverType.CONSULT, "046", HELD, "talks", mode="meet", story="s1", article="art-2")
    assert "talks_failed" in signals(engine.process(failed))
    assert engine.process(held) == []
    assert engine.evaluate(held).outcome.value == "duplicate"  # it was seen, as superseded, not dropped unseen
    other = make_event(PloverType.CONSULT, "046", HELD, "talks", mode="meet", story="s2", article="art-3")
    assert "talks_resumed" in signals(engine.process(other))  # another story's talks are news


def test_a_failure_told_after_its_talks_resolves_the_talks_alert_of_that_story(make_event: EventFactory) -> None:
    engine = AlertEngine()
    held = make_event(PloverType.CONSULT, "046", HELD, "talks", mode="meet", story="s1")
    raised = signals(engine.process(held))["talks_resumed"]
    out = engine.process(make_event(PloverType.REJECT, "125", TALKS, "collapsed", mode="meet", story="s1",
                                    article="art-2"))
    resolved = next(a for a in out if a.signal == "talks_resumed")
    assert resolved.alert_id == raised.alert_id and resolved.status is AlertStatus.RESOLVED
    assert resolved.revision == raised.revision + 1
    assert "talks_failed" in {a.signal for a in out if a.status is AlertStatus.RAISED}


def test_a_ceasefire_agreed_weeks_before_the_article_is_no_news_but_a_strike_that_month_is(
    make_event: EventFactory,
) -> None:
    from powderkeg_contracts.models import EventDate, Granularity

    ten_days_ago = EventDate(date=(T0 - timedelta(days=10)).date(), granularity=Granularity.DAY, text="Oct. 19")
    ceasefire = make_event(PloverType.RETREAT, "0871", CEASEFIRE, "ceasefire", mode="ceasefire",
                           event_date=ten_days_ago)
    assert "ceasefire_agreed" not in signals(AlertEngine().process(ceasefire))
    yesterday = EventDate(date=(T0 - timedelta(days=1)).date(), granularity=Granularity.DAY, text="Tuesday")
    fresh = make_event(PloverType.RETREAT, "0871", CEASEFIRE, "ceasefire", mode="ceasefire", event_date=yesterday,
                       article="art-2")
    assert "ceasefire_agreed" in signals(AlertEngine().process(fresh))
    strike = make_event(PloverType.ASSAULT, "195", STRIKES, "strikes", mode="aerial", event_date=ten_days_ago,
                        location=IN_AFGHANISTAN)
    assert signals(AlertEngine().process(strike))


def test_an_undated_article_is_timed_by_when_ingest_took_it(make_event: EventFactory) -> None:
    from powderkeg_alerting.core.engine import event_time
    from powderkeg_contracts.models import EventDate, Granularity

    early = EventDate(date=(T0 - timedelta(days=3)).date(), granularity=Granularity.MONTH, text="earlier this month")
    event = make_event(PloverType.ASSAULT, "195", STRIKES, "strikes", published_at=None, event_date=early)
    event = event.model_copy(update={"ingested_at": T0})
    assert event_time(event, None, None) == T0
