"""The alert engine: events in, alerts out. Pure: no Kafka, no clock, no environment.

Time is event time throughout, so that replaying a topic gives the same alerts with the same ids. An event's time is
the first of: its article's ``published_at``; for an article with no publication date, its ``ingested_at`` (the
extractor anchors such an article's dates on it too, so its event dates are relative to when it was taken, not its
time); its ``event_date`` (start of day, UTC); the ``received_at`` the caller passes (the Kafka record timestamp in
the service); the engine's watermark (latest event time seen). An event with none of these is counted as
``untimed`` and raises nothing. A time more than a day after the event reached the pipeline (its Kafka timestamp or
``ingested_at``) is clamped to that moment: no single message can move the watermark into the future.

Usage::

    engine = AlertEngine()
    for event in events:
        publish(engine.process(event))      # raised / updated alerts
    publish(engine.advance(latest_time))    # alerts resolved after their quiet period
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_alerting.core import episodes
from powderkeg_alerting.core.index import EscalationIndex, IndexParams
from powderkeg_alerting.core.rules import RuleSet, SignalRule, load_rules
from powderkeg_alerting.core.state import EngineStore, EpisodeState, owned, owned_by, seen_key, seen_partition
from powderkeg_contracts import Alert, AlertStatus, EventRecord, Factuality, Severity, SidePair

SEEN_RETENTION = timedelta(days=14)
"""How long (event time, behind the partition's watermark) an event id is remembered for dedupe. An event older than
that is ``late`` for every signal, the escalation index included: the engine can no longer tell a redelivered copy
from a first delivery, so it acts on neither."""

SWEEP_EVERY = timedelta(minutes=1)
"""Resolution sweeps of a partition run when its watermark enters a new interval of this length (event time), not
on every event: a sweep visits every episode of the partition."""


class Outcome(StrEnum):
    """What became of one event in the engine; the ``outcome`` label of ``powderkeg_alerting_events_total``."""

    ALERTED = "alerted"
    NO_SIGNAL = "no_signal"
    NO_PAIR = "no_pair"
    """The event's sides do not make a pair the matched signal can be raised for."""
    LATE = "late"
    DUPLICATE = "duplicate"
    UNTIMED = "untimed"
    BACKGROUND = "background"
    """History or background, not current news: marked so by the extractor, or dated long before its article."""
    IGNORED = "ignored"
    """A question, a risk or an analyst's view (the rule file's ``ignore`` list)."""
    SUPERSEDED = "superseded"
    """A de-escalation whose story reports what undid it for the same pair (talks held, then failed)."""
    FACTUALITY_ASSERTED = "factuality_asserted"
    FACTUALITY_NEGATED = "factuality_negated"
    FACTUALITY_HYPOTHETICAL = "factuality_hypothetical"
    FACTUALITY_CLAIMED = "factuality_claimed"

    @classmethod
    def of_factuality(cls, factuality: Factuality) -> Outcome:
        """The outcome of an event whose factuality the signal does not count."""
        return cls(f"factuality_{factuality.value}")


class Evaluation(BaseModel):
    """What one event did: the alerts it raised or updated, and notes (counted by the service) on why not more."""

    model_config = ConfigDict(frozen=True)

    alerts: list[Alert] = Field(default_factory=list)
    outcome: Outcome
    signals: list[str] = Field(default_factory=list, description="Signals the event matched, alerted or not.")
    current: list[Alert] = Field(
        default_factory=list,
        description="For a duplicate: the unchanged current state of the open alerts it belongs to, so that a service "
        "replaying after a crash can publish alerts whose state was saved but whose message was lost.",
    )
    event_time: datetime | None = None
    pair: str | None = Field(default=None, description="Key of the event's pair of sides.")


MAX_FUTURE = timedelta(days=1)
"""How far past the moment it reached the pipeline an event's time may lie. Beyond that it is clamped: one article
dated 2099 must not move the watermark, resolve every open alert and make every later event ``late``."""


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def event_time(event: EventRecord, received_at: datetime | None, watermark: datetime | None) -> datetime | None:
    """Event time by the fallback chain in the module docstring, never later than ``MAX_FUTURE`` past arrival."""
    arrived = next((_utc(t) for t in (received_at, event.ingested_at) if t is not None), None)
    when: datetime | None
    if event.published_at is not None:
        when = _utc(event.published_at)
    elif event.ingested_at is not None:
        when = _utc(event.ingested_at)
    elif event.event_date.date is not None:
        when = datetime.combine(event.event_date.date, time(0), tzinfo=UTC)
    else:
        when = arrived or watermark
    if when is not None and arrived is not None and when > arrived + MAX_FUTURE:
        return arrived
    return when


def _interval(moment: datetime) -> int:
    return int(_utc(moment).timestamp() // SWEEP_EVERY.total_seconds())


def background(event: EventRecord, max_age: timedelta) -> bool:
    """History, not news: the extractor says so, or the event is dated ``max_age`` or more before its article (its
    publication, else when ingest took it)."""
    if event.background_reason is not None:
        return True
    day, published = event.event_date.date, event.published_at or event.ingested_at
    return day is not None and published is not None and _utc(published).date() - day >= max_age


class AlertEngine:
    """Groups matching events into one alert per pair of sides and signal, updates and resolves it, in event time."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        store: EngineStore | None = None,
        index_params: IndexParams | None = None,
    ) -> None:
        self.rules = rules or load_rules()
        self.store = store if store is not None else EngineStore()
        self.index = EscalationIndex(index_params or IndexParams(), self.store.pairs)
        self._rules_by_name = {rule.name: rule for rule in self.rules.signals}
        self._watermarks: dict[int | None, datetime] = {}
        self._pruned_at: dict[int | None, datetime] = {}

    def watermark_of(self, partition: int | None) -> datetime | None:
        """The latest event time of ``partition`` (None: the embedded mode's only stream).

        One watermark per input partition, never one per worker: which partitions a worker holds changes with every
        rebalance, so a shared watermark would make lateness and resolution depend on the assignment, and a replay
        on another worker would publish different content under the same alert id and revision. Not stored
        separately: it is rebuilt from the event times of the partition's seen ids, so a restarted or newly
        assigned worker continues exactly like one that never stopped."""
        known = self._watermarks.get(partition)
        if known is None:
            times = [at for key, at in self.store.seen.items() if seen_partition(key) == partition]
            if times:
                known = self._watermarks[partition] = max(times)
        return known

    def forget_watermarks(self) -> None:
        """Drop the cached watermarks (on a rebalance: another worker may have moved a partition on meanwhile)."""
        self._watermarks.clear()

    @property
    def watermark(self) -> datetime | None:
        """The latest event time over every partition this engine has state of (gauges, the embedded mode)."""
        if not self._watermarks and any(True for _ in self.store.seen):
            for partition in {seen_partition(key) for key in self.store.seen}:
                self.watermark_of(partition)
        return max(self._watermarks.values(), default=None)

    def process(self, event: EventRecord, received_at: datetime | None = None) -> list[Alert]:
        """Alerts raised or updated by ``event``; processing the same event again returns nothing."""
        return self.evaluate(event, received_at).alerts

    def evaluate(
        self, event: EventRecord, received_at: datetime | None = None, partition: int | None = None
    ) -> Evaluation:
        """Like :meth:`process`, with the outcome and matched signals for metrics and logs.

        ``partition`` is the input partition the event came from (the service's; None in the embedded mode): the
        state the event creates is owned by it (see :mod:`powderkeg_alerting.core.state`)."""
        evaluation = self._evaluate(event, received_at, partition)
        self._mark_seen(event, partition, evaluation)
        return evaluation

    def step(
        self, event: EventRecord, received_at: datetime | None = None, partition: int | None = None
    ) -> tuple[Evaluation, list[Alert]]:
        """The service's unit of work for one event: :meth:`evaluate`, then the partition's sweep if it is due
        (:meth:`sweep_if_due`); the evaluation and the sweep's resolutions.

        The event's seen id is written last, after every change the event and its sweep made: a store whose writes
        survive a crash as a prefix (one changelog partition) then never holds the seen id without those changes,
        so a redelivered event is either fully applied already (a duplicate) or applied again from the same state.
        """
        before = self.watermark_of(partition)
        evaluation = self._evaluate(event, received_at, partition)
        resolved = [] if evaluation.outcome is Outcome.DUPLICATE else self.sweep_if_due(before, partition)
        self._mark_seen(event, partition, evaluation)
        return evaluation, resolved

    def _mark_seen(self, event: EventRecord, partition: int | None, evaluation: Evaluation) -> None:
        if evaluation.outcome is not Outcome.DUPLICATE and evaluation.event_time is not None:
            self.store.seen[seen_key(event.event_id, partition)] = evaluation.event_time

    def _evaluate(self, event: EventRecord, received_at: datetime | None, partition: int | None) -> Evaluation:
        seen = seen_key(event.event_id, partition)
        if seen in self.store.seen:
            return Evaluation(outcome=Outcome.DUPLICATE, current=self._current_alerts_of(event.event_id))
        watermark = self.watermark_of(partition)
        when = event_time(event, received_at, watermark)
        if when is None:
            return Evaluation(outcome=Outcome.UNTIMED)
        if watermark is None or when > watermark:
            self._watermarks[partition] = when
        pair = event.sides.pair
        if watermark is not None and when < watermark - SEEN_RETENTION:
            # Older than the dedupe memory: a redelivered copy would look new (its seen id and its pair's index may be
            # pruned), and a surge it opened would reuse the first one's id with other content.
            return Evaluation(outcome=Outcome.LATE, event_time=when, pair=pair.key if pair else None)
        if background(event, timedelta(days=self.rules.max_event_age_days)):
            return Evaluation(outcome=Outcome.BACKGROUND, event_time=when, pair=pair.key if pair else None)
        if self.rules.ignored(event) is not None:
            return Evaluation(outcome=Outcome.IGNORED, event_time=when, pair=pair.key if pair else None)
        matched = [(rule, severity) for rule in self.rules.signals if (severity := rule.match(event)) is not None]
        alerts: list[Alert] = []
        index_value = None
        if pair is not None:
            surge_alerts, index_value = self.index.observe(pair, event, when, partition)
            alerts.extend(surge_alerts)
        outcomes = [
            self._apply(rule, severity, event, pair, when, index_value, alerts, partition) for rule, severity in matched
        ]
        outcome = Outcome.ALERTED if Outcome.ALERTED in outcomes else (outcomes[0] if outcomes else Outcome.NO_SIGNAL)
        return Evaluation(
            alerts=alerts,
            outcome=outcome,
            signals=[r.name for r, _ in matched],
            event_time=when,
            pair=pair.key if pair is not None else None,
        )

    def _apply(
        self,
        rule: SignalRule,
        severity: Severity,
        event: EventRecord,
        pair: SidePair | None,
        when: datetime,
        index_value: float | None,
        alerts: list[Alert],
        partition: int | None = None,
    ) -> Outcome:
        weight = rule.factuality.get(event.factuality)
        if weight is None:
            return Outcome.of_factuality(event.factuality)
        if pair is None or (rule.two_sides and pair.b is None and not _rivals(event)):
            return Outcome.NO_PAIR
        if rule.max_event_age_days is not None and background(event, self.rules.max_event_age(rule)):
            return Outcome.BACKGROUND
        if self._superseded(rule, pair, event):
            return Outcome.SUPERSEDED
        key = f"{pair.key}|{rule.name}"
        episode = self.store.episodes.get(key)
        quiet = self.rules.quiet_period(rule)
        if episode is not None and when - episode.last_seen >= quiet:
            alerts.append(self._resolve(key, episode, rule))
            episode = None
        if episode is not None and event.event_id in episode.event_ids:
            # Already counted: the state was saved further than the seen id (a worker killed while its changelog
            # writes were in flight). Counting it again would publish a new revision for nothing; re-publishing the
            # current one gets out an alert whose message may have been lost.
            alerts.append(episodes.to_alert(episode))
            return Outcome.ALERTED
        if episode is None:
            watermark = self.watermark_of(partition)
            if watermark is not None and when + quiet <= watermark:
                return Outcome.LATE
            episode = episodes.open_episode(rule, pair, event, when)
            episode.partition = partition
        episodes.add_event(
            episode,
            rule,
            event,
            when=when,
            severity=severity,
            confidence=event.confidence * weight,
            max_listed=self.rules.max_listed,
        )
        if index_value is not None:
            episode.escalation_index = index_value
        self.store.episodes[key] = episode
        alerts.append(episodes.to_alert(episode))
        alerts.extend(self._replace_presupposed(rule, pair, event, when))
        return Outcome.ALERTED

    def _superseded(self, rule: SignalRule, pair: SidePair, event: EventRecord) -> bool:
        """The event's story already reported, for this pair, a signal that replaces this one (``supersedes``)."""
        for name in self.rules.superseded_by(rule.name):
            episode = self.store.episodes.get(f"{pair.key}|{name}")
            if episode is not None and event.story_id in episode.story_ids:
                return True
        return False

    def _replace_presupposed(self, rule: SignalRule, pair: SidePair, event: EventRecord, when: datetime) -> list[Alert]:
        """Resolve the episodes this signal presupposes that rest on this story alone ("talks under way" told by
        the story that says they failed): the story's news is the failure, not the talks."""
        out: list[Alert] = []
        for name in rule.supersedes:
            key = f"{pair.key}|{name}"
            episode = self.store.episodes.get(key)
            if episode is None or set(episode.story_ids) != {event.story_id}:
                continue
            episode.revision += 1
            episode.status = AlertStatus.RESOLVED
            out.append(episodes.to_alert(episode, resolved_at=max(when, episode.last_seen)))
            del self.store.episodes[key]
        return out

    def _resolve(self, key: str, episode: EpisodeState, rule: SignalRule) -> Alert:
        episode.revision += 1
        episode.status = AlertStatus.RESOLVED
        resolved_at = episode.last_seen + self.rules.quiet_period(rule)
        alert = episodes.to_alert(episode, resolved_at=resolved_at)
        del self.store.episodes[key]
        return alert

    def advance(self, now: datetime, partition: int | None = None) -> list[Alert]:
        """Resolve episodes quiet for their signal's quiet period as of event time ``now``; prune old event ids.

        Only the state owned by ``partition`` is visited (None: all of it): a worker sweeps the partition whose event
        it is processing, so every change goes to that partition's changelog and no other worker's state is touched.
        """
        watermark = self.watermark_of(partition)
        if watermark is None or now > watermark:
            self._watermarks[partition] = now
        resolved: list[Alert] = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            rule = self._rules_by_name.get(episode.signal)
            if rule is None or not owned(episode.partition, partition):
                continue
            if now - episode.last_seen >= self.rules.quiet_period(rule):
                resolved.append(self._resolve(key, episode, rule))
        resolved.extend(self.index.advance(now, partition))
        pruned_at = self._pruned_at.get(partition)
        if pruned_at is None or now - pruned_at >= timedelta(hours=1):
            self._pruned_at[partition] = now
            horizon = now - SEEN_RETENTION
            stale = [
                k
                for k, seen_at in self.store.seen.items()
                if seen_at < horizon and owned(seen_partition(k), partition)
            ]
            for key in stale:
                del self.store.seen[key]
        return resolved

    def sweep_if_due(self, before: datetime | None, partition: int | None = None) -> list[Alert]:
        """Resolutions of ``partition`` if its watermark has entered a new ``SWEEP_EVERY`` interval since ``before``
        (its watermark before the event just evaluated; None: the partition's first event).

        Whether a sweep runs, and at what time, is a function of the partition's events alone, so a replay after a
        crash, or on another worker after a rebalance, sweeps at the same points and resolves with the same
        content."""
        now = self.watermark_of(partition)
        if now is None or (before is not None and _interval(now) <= _interval(before)):
            return []
        return self.advance(now, partition)

    def _current_alerts_of(self, event_id: str) -> list[Alert]:
        result = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            if event_id in episode.event_ids:
                result.append(episodes.to_alert(episode))
        return result

    def open_alerts(self, partitions: set[int] | None = None) -> list[Alert]:
        """The current state of every open alert owned by ``partitions`` (None: all), ordered by pair and signal.

        A worker passes its active assignment: the standby copies it holds of other workers' tables are theirs."""
        result = []
        for key in sorted(self.store.episodes.keys()):
            episode = self.store.episodes[key]
            if owned_by(episode.partition, partitions):
                result.append(episodes.to_alert(episode))
        result.extend(self.index.open_alerts(partitions))
        return result


def _rivals(event: EventRecord) -> bool:
    """A reciprocal event between two parties of one side ("rival militias exchanged gunfire"): two sides in fact,
    which the pair cannot tell apart by name."""
    sides = event.sides
    return event.reciprocal and sides.source is not None and sides.target is not None
