"""The escalation index of each pair of sides: time-decayed, Goldstein-weighted conflict intensity, with a trend
against its baseline.

Each conflictual event (Goldstein g < 0) adds a mass ``m = (-g / 10) * confidence * w_factuality`` to its pair,
counted once per (story, CAMEO code) so that syndication is not escalation. Two exponentially decayed sums are
kept in event time, a fast one (half-life ``h_f``, default 6 h) and a slow one (``h_s``, default 7 days):
``S(t) = S(t0) * 2 ** (-(t - t0) / h) + m``. A decayed sum of a steady rate ``r`` per day settles at
``r * h / ln 2``, so ``rate = S * ln 2 / h`` turns either sum into "conflict mass per day" over its horizon.

- index = fast rate (weighted conflict events per day over the last hours);
- baseline = max(slow rate, ``baseline_floor``) (a pair's own normal, floored so a quiet pair's first event is not an
  infinite rise);
- surge when index >= ``surge_min_rate`` and index / baseline >= ``surge_ratio`` and at least ``surge_min_stories``
  distinct stories fed the pair in the last two fast half-lives (one busy article is not a surge); it resolves
  (hysteresis) when index / baseline < ``clear_ratio`` or index < ``surge_min_rate`` / 2.

Cooperative events add nothing (de-escalation has its own signals). Time is event time, so replay is exact.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from powderkeg_alerting.core import episodes
from powderkeg_alerting.core.state import EpisodeState, PairIndexState, owned, owned_by
from powderkeg_contracts import Alert, AlertStatus, Direction, EventRecord, Factuality, Severity, SidePair

SURGE_SIGNAL = "escalation_surge"
SURGE_TITLE = "Escalation surge"
MAX_COUNTED = 500
"""(story, CAMEO code) keys remembered per pair, for counting each once."""
MAX_APPLIED = 200
"""Latest event ids applied to a pair, so that re-applying one after a crash changes nothing."""
MAX_LISTED = 200
"""Ids kept on a surge alert (the latest)."""
RENOTIFY_RISE = 1.25
"""An open surge is updated (and re-announced) only when its index has grown by this factor, or its severity rose."""


class IndexParams(BaseModel):
    """Index parameters; the defaults are argued in docs/alerting.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fast_half_life_hours: float = Field(default=6.0, gt=0)
    slow_half_life_hours: float = Field(default=168.0, gt=0)
    baseline_floor: float = Field(default=0.5, gt=0, description="Conflict mass per day a quiet pair is held to.")
    surge_min_rate: float = Field(default=4.0, gt=0, description="Index needed before any surge (mass per day).")
    surge_ratio: float = Field(default=3.0, gt=1)
    critical_ratio: float = Field(default=6.0, gt=1)
    clear_ratio: float = Field(default=1.5, gt=0)
    surge_min_stories: int = Field(
        default=2, ge=1, description="Distinct stories needed in the fast window: one article is not a surge."
    )
    factuality_weight: dict[Factuality, float] = Field(
        default_factory=lambda: {
            Factuality.ASSERTED: 1.0,
            Factuality.CLAIMED: 0.5,
            Factuality.HYPOTHETICAL: 0.25,
            Factuality.NEGATED: 0.0,
        }
    )


def _decay(value: float, elapsed: timedelta, half_life_hours: float) -> float:
    hours = elapsed.total_seconds() / 3600.0
    return float(value * 2.0 ** (-hours / half_life_hours))


class EscalationIndex:
    """Per-pair index state in ``store`` (a mapping, a faust table in the service); raises ``escalation_surge``."""

    def __init__(self, params: IndexParams, store: MutableMapping[str, PairIndexState]) -> None:
        self.params = params
        self.store = store

    def _rates(self, state: PairIndexState, now: datetime) -> tuple[float, float]:
        elapsed = max(timedelta(0), now - state.updated_at)
        p = self.params
        fast = _decay(state.fast, elapsed, p.fast_half_life_hours) * math.log(2) * 24 / p.fast_half_life_hours
        slow = _decay(state.slow, elapsed, p.slow_half_life_hours) * math.log(2) * 24 / p.slow_half_life_hours
        return fast, slow

    def value(self, pair_key: str, now: datetime) -> tuple[float, float]:
        """(index, baseline) of ``pair_key`` at event time ``now``; (0, floor) for an unknown pair."""
        state = self.store.get(pair_key)
        if state is None:
            return 0.0, self.params.baseline_floor
        return self.value_of(state, now)

    def mass(self, event: EventRecord) -> float:
        if event.goldstein >= 0:
            return 0.0
        return (-event.goldstein / 10.0) * event.confidence * self.params.factuality_weight.get(event.factuality, 0.0)

    def observe(
        self, pair: SidePair, event: EventRecord, when: datetime, partition: int | None = None
    ) -> tuple[list[Alert], float]:
        """Add ``event`` to its pair; return the surge alerts it raised or updated and the pair's index."""
        p = self.params
        pair_key = pair.key
        state = self.store.get(pair_key) or PairIndexState(pair=pair, updated_at=when, partition=partition)
        if event.event_id in state.applied:
            # Already in the state (saved further than the seen id before a crash): applying it again would count
            # it twice in the surge's figures without a new revision.
            return [], round(self.value_of(state, when)[0], 4)
        state.applied.append(event.event_id)
        del state.applied[:-MAX_APPLIED]
        mass = self.mass(event)
        counted_key = f"{event.story_id}|{event.cameo_code}"
        if mass > 0 and counted_key not in state.counted:
            if when >= state.updated_at:
                elapsed = when - state.updated_at
                state.fast = _decay(state.fast, elapsed, p.fast_half_life_hours) + mass
                state.slow = _decay(state.slow, elapsed, p.slow_half_life_hours) + mass
                state.updated_at = when
            else:
                late = state.updated_at - when
                state.fast += _decay(mass, late, p.fast_half_life_hours)
                state.slow += _decay(mass, late, p.slow_half_life_hours)
            state.counted.append(counted_key)
            del state.counted[:-MAX_COUNTED]
            state.recent_stories[event.story_id] = max(when, state.recent_stories.get(event.story_id, when))
        horizon = when - timedelta(hours=2 * p.fast_half_life_hours)
        state.recent_stories = {k: v for k, v in state.recent_stories.items() if v >= horizon}
        index, baseline = self.value_of(state, when)
        alerts = self._check_surge(pair, state, event, when, index, baseline)
        self.store[pair_key] = state
        return alerts, round(index, 4)

    def value_of(self, state: PairIndexState, now: datetime) -> tuple[float, float]:
        fast, slow = self._rates(state, now)
        return fast, max(slow, self.params.baseline_floor)

    def _check_surge(
        self, pair: SidePair, state: PairIndexState, event: EventRecord, when: datetime, index: float, baseline: float
    ) -> list[Alert]:
        p = self.params
        ratio = index / baseline
        surging = (
            index >= p.surge_min_rate and ratio >= p.surge_ratio and len(state.recent_stories) >= p.surge_min_stories
        )
        episode = state.surge_alert
        if episode is None and not surging:
            return []
        if episode is None:
            episode = EpisodeState(
                alert_id=episodes.alert_id(pair, SURGE_SIGNAL, when, event.event_id),
                signal=SURGE_SIGNAL,
                title=SURGE_TITLE,
                direction=Direction.ESCALATION,
                severity=Severity.WARNING,
                status=AlertStatus.RAISED,
                revision=0,
                pair=pair,
                headline="",
                first_seen=when,
                last_seen=when,
            )
        elif not surging:
            return []
        severity = Severity.CRITICAL if ratio >= p.critical_ratio else episode.severity
        episode.last_seen = max(episode.last_seen, when)
        episode.article_count += 1
        for items, value in (
            (episode.event_ids, event.event_id),
            (episode.article_ids, event.article_id),
            (episode.story_ids, event.story_id),
        ):
            if value not in items:
                items.append(value)
                del items[:-MAX_LISTED]
        episodes.record_url(episode, event.url)
        episodes.record_story(episode, event.story_id, event.confidence, MAX_LISTED)
        if self.mass(event) > 0:
            episodes.record_evidence(episode, event.evidence.sentence, self.mass(event))
        episode.asserted = True
        state.surge_alert = episode
        last = episode.escalation_index
        if episode.revision and severity is episode.severity and last and index < last * RENOTIFY_RISE:
            return []  # counted, but not re-announced: a surge changes the alert only when it grows markedly
        episode.headline = f"index {index:.2f}/day vs baseline {baseline:.2f}/day (x{ratio:.1f})"
        episode.revision += 1
        episode.status = AlertStatus.RAISED if episode.revision == 1 else AlertStatus.UPDATED
        episode.severity = severity
        episode.escalation_index = round(index, 4)
        return [episodes.to_alert(episode)]

    def advance(self, now: datetime, partition: int | None = None) -> list[Alert]:
        """Resolve surges that have cooled by event time ``now``; forget pairs whose mass has decayed away.

        Only pairs owned by ``partition`` are visited (None: every pair)."""
        resolved: list[Alert] = []
        p = self.params
        for key in sorted(self.store.keys()):
            state = self.store[key]
            if not owned(state.partition, partition):
                continue
            index, baseline = self.value_of(state, now)
            episode = state.surge_alert
            if episode is not None and (index / baseline < p.clear_ratio or index < p.surge_min_rate / 2):
                episode.revision += 1
                episode.status = AlertStatus.RESOLVED
                episode.escalation_index = round(index, 4)
                resolved.append(episodes.to_alert(episode, resolved_at=now))
                state.surge_alert = None
                self.store[key] = state
            elif episode is None and _decay(state.slow, now - state.updated_at, p.slow_half_life_hours) < 1e-3:
                del self.store[key]
        return resolved

    def open_alerts(self, partitions: set[int] | None = None) -> list[Alert]:
        return [
            episodes.to_alert(state.surge_alert)
            for _, state in sorted(self.store.items())
            if state.surge_alert is not None and owned_by(state.partition, partitions)
        ]

    def top(self, now: datetime, limit: int) -> list[tuple[str, float]]:
        """The ``limit`` pairs with the highest index at ``now``, highest first (bounds the exported label set)."""
        values = [(key, self.value_of(state, now)[0]) for key, state in self.store.items()]
        values.sort(key=lambda kv: (-kv[1], kv[0]))
        return [(key, round(value, 4)) for key, value in values[:limit]]
