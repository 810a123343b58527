"""The escalation index of a pair of sides as a time series, recomputed from the stored events.

Alerting keeps the index as live state per pair (docs/alerting.md, "Escalation index of a pair of sides"); the store
rebuilds the same quantity over any window from what it stored, so that an analyst can chart it back in time:

- each conflictual event (Goldstein g < 0) has a mass ``m = (-g / 10) * confidence * w(factuality)`` with the
  alerting defaults ``w`` = 1 asserted, 0.5 claimed, 0.25 hypothetical, 0 negated; it is kept in the event's row;
- a (story, CAMEO code) counts once per pair, at its first time, so that syndicated copies are not escalation;
- ``S(t) = sum m_i * 2 ** (-(t - t_i) / h)`` over the events before ``t``, and ``rate = S * ln 2 / h`` is conflict
  mass per day over the horizon ``h``: the index is the rate for the fast half-life (6 h), the baseline the rate for
  the slow one (7 days), floored at 0.5/day.

Alerting's state remembers a bounded number of (story, code) keys per pair and starts from its deployment, so the
two can differ slightly on very busy pairs or just after a start; alerts also carry the value alerting saw, which
the API returns beside the series.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from powderkeg_contracts import Factuality

FACTUALITY_WEIGHT: dict[str, float] = {
    Factuality.ASSERTED.value: 1.0,
    Factuality.CLAIMED.value: 0.5,
    Factuality.HYPOTHETICAL.value: 0.25,
    Factuality.NEGATED.value: 0.0,
}
FAST_HALF_LIFE_HOURS = 6.0
SLOW_HALF_LIFE_HOURS = 168.0
BASELINE_FLOOR = 0.5
WARMUP = timedelta(hours=FAST_HALF_LIFE_HOURS * 8)
"""How far before a window the events are read: after 8 half-lives an event weighs less than 0.4 %."""


def conflict_mass(goldstein: float, confidence: float, factuality: Factuality | str) -> float:
    """An event's contribution to its pair's index (0 for cooperative and negated events)."""
    if goldstein >= 0:
        return 0.0
    key = factuality.value if isinstance(factuality, Factuality) else factuality
    return round(-goldstein / 10.0 * confidence * FACTUALITY_WEIGHT.get(key, 0.0), 6)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One event as the series needs it."""

    time: datetime
    story_id: str
    cameo_code: str
    mass: float


@dataclass(frozen=True, slots=True)
class Point:
    time: datetime
    index: float
    baseline: float
    events: int
    """Conflictual (story, code) contributions in the step that ends at ``time``."""


def series(
    contributions: Iterable[Contribution],
    *,
    start: datetime,
    end: datetime,
    step: timedelta,
    fast_hours: float = FAST_HALF_LIFE_HOURS,
    slow_hours: float = SLOW_HALF_LIFE_HOURS,
) -> list[Point]:
    """Index and baseline at ``start``, ``start + step`` ... up to ``end``, from contributions in any order."""
    if step <= timedelta(0) or end < start:
        raise ValueError("step must be positive and end not before start")
    first: dict[tuple[str, str], Contribution] = {}
    for c in contributions:
        if c.mass <= 0:
            continue
        key = (c.story_id, c.cameo_code)
        if key not in first or c.time < first[key].time:
            first[key] = c
    ordered = sorted(first.values(), key=lambda c: c.time)
    points: list[Point] = []
    fast = slow = 0.0
    at: datetime | None = None
    i = 0
    t = start
    while t <= end:
        count = 0
        while i < len(ordered) and ordered[i].time <= t:
            c = ordered[i]
            if at is not None:
                fast, slow = _decayed(fast, slow, c.time - at, fast_hours, slow_hours)
            fast, slow, at = fast + c.mass, slow + c.mass, c.time
            count += 1 if c.time > t - step else 0
            i += 1
        f, s = _decayed(fast, slow, t - at, fast_hours, slow_hours) if at is not None else (0.0, 0.0)
        index = f * math.log(2) / (fast_hours / 24.0)
        baseline = max(s * math.log(2) / (slow_hours / 24.0), BASELINE_FLOOR)
        points.append(Point(time=t, index=round(index, 4), baseline=round(baseline, 4), events=count))
        t += step
    return points


def _decayed(fast: float, slow: float, elapsed: timedelta, fast_hours: float, slow_hours: float) -> tuple[float, float]:
    hours = max(elapsed.total_seconds(), 0.0) / 3600.0
    return fast * 2.0 ** (-hours / fast_hours), slow * 2.0 ** (-hours / slow_hours)
