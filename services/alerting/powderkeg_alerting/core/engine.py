"""The alert engine: events in, alerts out. Pure: no Kafka, no clock, no environment.

Time is event time throughout, so that replaying a topic gives the same alerts with the same ids. An event's time is
the first of: its article's ``published_at``; its ``event_date`` (start of day, UTC); the ``received_at`` the caller
passes (the Kafka record timestamp in the service); its ``ingested_at``; the engine's watermark (latest event time
seen). An event with none of these is counted as ``untimed`` and raises nothing.

Usage::

    engine = AlertEngine()
    for event in events:
        publish(engine.process(event))      # raised / updated alerts
    publish(engine.advance(latest_time))    # alerts resolved after their quiet period
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_alerting.core import episodes
from powderkeg_alerting.core.dyads import DyadSides, resolve_sides, with_story_pair
from powderkeg_alerting.core.index import EscalationIndex, IndexParams
from powderkeg_alerting.core.rules import RuleSet, SignalRule, load_rules
from powderkeg_alerting.core.state import EngineStore, EpisodeState, PendingEvent, StoryContext
from powderkeg_contracts import Alert, AlertStatus, EventRecord, Severity

SEEN_RETENTION = timedelta(days=14)
"""How long (event time) an event id is remembered for dedupe; replays older than this are not redelivered by Kafka
in practice (the events topic is compacted by time long before)."""


MAX_PENDING = 50
"""Events of one story kept waiting for the story's pair; the oldest are dropped beyond this."""
STORY_RETENTION = timedelta(days=3)
"""Story contexts (and events still waiting in them) are forgotten this long (event time) after their last event."""


def dyad_key(countries: tuple[str, ...]) -> str:
    return f"{countries[0]}-{countries[1]}"


class Evaluation(BaseModel):
    """What one event did: the alerts it raised or updated, and notes (counted by the service) on why not more."""

    model_config = ConfigDict(frozen=True)

    alerts: list[Alert] = Field(default_factory=list)
    outcome: str = Field(
        description="alerted | no_signal | no_dyad | late | duplicate | untimed | waiting_for_story | factuality_*"
    )
    signals: list[str] = Field(default_factory=list, description="Signals the event matched, alerted or not.")
    current: list[Alert] = Field(
        default_factory=list,
        description="For a duplicate: the unchanged current state of the open alerts it belongs to, so that a service "
        "replaying after a crash can publish alerts whose state was saved but whose message was lost.",
    )
    event_time: datetime | None = None
    dyad: str | None = None


def event_time(event: EventRecord, received_at: datetime | None, watermark: datetime | None) -> datetime | None:
    """Event time by the fallback chain in the module docstring."""
    if event.published_at is not None:
        return event.published_at.astimezone(UTC)
    if event.event_date.date is not None:
        return datetime.combine(event.event_date.date, time(0), tzinfo=UTC)
    for candidate in (received_at, event.ingested_at):
        if candidate is not None:
            return candidate.astimezone(UTC) if candidate.tzinfo else candidate.replace(tzinfo=UTC)
    return watermark


class AlertEngine:
    """Groups matching events into one alert per dyad and signal, updates and resolves it, in event time."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        store: EngineStore | None = None,
        index_params: IndexParams | None = None,
    ) -> None:
        self.rules = rules or load_rules()
        self.store = store if store is not None else EngineStore()
        self.index = EscalationIndex(index_params or IndexParams(), self.store.dyads)
        self._rules_by_name = {rule.name: rule for rule in self.rules.signals}
        self._watermark: datetime | None = None
        self._pruned_at: datetime | None = None

    @property
    def watermark(self) -> datetime | None:
        """The latest event time seen. Not stored separately: a restarted engine rebuilds it from the event times
        of the seen ids in its store, so that it continues exactly like an engine that never stopped."""
        if self._watermark is None and len(self.store.seen):
            self._watermark = max(self.store.seen.values())
        return self._watermark

    def process(self, event: EventRecord, received_at: datetime | None = None) -> list[Alert]:
        """Alerts raised or updated by ``event``; processing the same event again returns nothing."""
        return self.evaluate(event, received_at).alerts

    def evaluate(self, event: EventRecord, received_at: datetime | None = None) -> Evaluation:
        """Like :meth:`process`, with the outcome and matched signals for metrics and logs."""
        if event.event_id in self.store.seen:
            return Evaluation(outcome="duplicate", current=self._current_alerts_of(event.event_id))
        when = event_time(event, received_at, self.watermark)
        if when is None:
            return Evaluation(outcome="untimed")
        self.store.seen[event.event_id] = when
        if self.watermark is None or when > self.watermark:
            self._watermark = when
        sides = resolve_sides(event)
        matched = [(rule, severity) for rule in self.rules.signals if (severity := rule.match(event)) is not None]
        story = self.store.stories.get(event.story_id) or StoryContext(updated_at=when)
        story.updated_at = max(story.updated_at, when)
        alerts: list[Alert] = []
        if len(sides.countries) == 2:
            first_pair = story.dyad is None
            story.votes[dyad_key(sides.countries)] = story.votes.get(dyad_key(sides.countries), 0) + 1
            if first_pair:
                pending, story.pending = story.pending, []
                for item in pending:
                    self._evaluate_placed(item.event, item.when, resolve_sides(item.event), story, alerts)
        elif sides.unresolved and story.dyad is None and self._needs_pair(sides, matched):
            story.pending.append(PendingEvent(event=event, when=when))
            del story.pending[:-MAX_PENDING]
            self.store.stories[event.story_id] = story
            return Evaluation(outcome="waiting_for_story", signals=[r.name for r, _ in matched], event_time=when)
        self.store.stories[event.story_id] = story
        outcome, placed = self._evaluate_placed(event, when, sides, story, alerts, matched)
        return Evaluation(
            alerts=alerts, outcome=outcome, signals=[r.name for r, _ in matched], event_time=when, dyad=placed
        )

    @staticmethod
    def _needs_pair(sides: DyadSides, matched: list[tuple[SignalRule, Severity]]) -> bool:
        """Whether some matched signal cannot be raised until the story's pair is known."""
        return any(not sides.countries or not rule.single_country for rule, _ in matched)

    def _evaluate_placed(
        self,
        event: EventRecord,
        when: datetime,
        sides: DyadSides,
        story: StoryContext,
        alerts: list[Alert],
        matched: list[tuple[SignalRule, Severity]] | None = None,
    ) -> tuple[str, str | None]:
        """Place ``event`` in a pair (its own, else its story's), update the index, apply matched signals."""
        if sides.unresolved and story.dyad is not None:
            sides = with_story_pair(sides, story.dyad) or sides
        if matched is None:
            matched = [(rule, severity) for rule in self.rules.signals if (severity := rule.match(event)) is not None]
        countries = sides.countries
        pair = dyad_key(countries) if len(countries) == 2 else None
        index_value = None
        if pair is not None:
            surge_alerts, index_value = self.index.observe(pair, event, when)
            alerts.extend(surge_alerts)
        outcomes = [self._apply(rule, severity, event, sides, when, index_value, alerts) for rule, severity in matched]
        outcome = "alerted" if "alerted" in outcomes else (outcomes[0] if outcomes else "no_signal")
        return outcome, pair

    def _apply(
        self,
        rule: SignalRule,
        severity: Severity,
        event: EventRecord,
        sides: DyadSides,
        when: datetime,
        index_value: float | None,
        alerts: list[Alert],
    ) -> str:
        weight = rule.factuality.get(event.factuality)
        if weight is None:
            return f"factuality_{event.factuality.value}"
        countries = sides.countries
        if len(countries) == 2:
            pair = (countries[0], countries[1])
        elif len(countries) == 1 and rule.single_country:
            pair = (countries[0], countries[0])
        else:
            return "no_dyad"
        key = f"{pair[0]}-{pair[1]}|{rule.name}"
        episode = self.store.episodes.get(key)
        quiet = self.rules.quiet_period(rule)
        if episode is not None and when - episode.last_seen >= quiet:
            alerts.append(self._resolve(key, episode, rule))
            episode = None
        if episode is None:
            if self._watermark is not None and when + quiet <= self._watermark:
                return "late"
            episode = episodes.open_episode(rule, pair, event, sides, when)
        episodes.add_event(
            episode,
            rule,
            event,
            sides,
            when=when,
            severity=severity,
            confidence=event.confidence * weight,
            max_listed=self.rules.max_listed,
        )
        if index_value is not None:
            episode.escalation_index = index_value
        self.store.episodes[key] = episode
        alerts.append(episodes.to_alert(episode, rule.title))
        return "alerted"

    def _resolve(self, key: str, episode: EpisodeState, rule: SignalRule) -> Alert:
        episode.revision += 1
        episode.status = AlertStatus.RESOLVED
        resolved_at = episode.last_seen + self.rules.quiet_period(rule)
        alert = episodes.to_alert(episode, rule.title, resolved_at=resolved_at)
        del self.store.episodes[key]
        return alert

    def advance(self, now: datetime) -> list[Alert]:
        """Resolve episodes quiet for their signal's quiet period as of event time ``now``; prune old event ids."""
        if self.watermark is None or now > self.watermark:
            self._watermark = now
        resolved: list[Alert] = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            rule = self._rules_by_name.get(episode.signal)
            if rule is None:
                continue
            if now - episode.last_seen >= self.rules.quiet_period(rule):
                resolved.append(self._resolve(key, episode, rule))
        resolved.extend(self.index.advance(now))
        if self._pruned_at is None or now - self._pruned_at >= timedelta(hours=1):
            self._pruned_at = now
            horizon = now - SEEN_RETENTION
            for event_id in [k for k, seen_at in self.store.seen.items() if seen_at < horizon]:
                del self.store.seen[event_id]
            stale = now - STORY_RETENTION
            for story_id in [k for k, story in self.store.stories.items() if story.updated_at < stale]:
                del self.store.stories[story_id]
        return resolved

    def _current_alerts_of(self, event_id: str) -> list[Alert]:
        result = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            if event_id in episode.event_ids:
                rule = self._rules_by_name.get(episode.signal)
                result.append(episodes.to_alert(episode, rule.title if rule else episode.signal))
        return result

    def open_alerts(self) -> list[Alert]:
        """The current state of every open alert, ordered by dyad and signal."""
        result = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            rule = self._rules_by_name.get(episode.signal)
            result.append(episodes.to_alert(episode, rule.title if rule else episode.signal))
        result.extend(self.index.open_alerts())
        return result
