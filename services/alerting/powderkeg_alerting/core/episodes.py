"""Opening, growing and closing one alert episode, and turning it into the ``Alert`` contract.

Grouping policy: one episode per pair of sides and signal. Forty outlets reporting one collapse of talks are forty
articles (and as many distinct stories as there are originals) behind one alert, not forty alerts. Every new article
updates the alert (``revision`` + 1) so that consumers always see current counts; severity only rises.

Sizes: an alert and the episode state behind it must fit in one Kafka message however many events an episode
accumulates and whatever an event (from any producer) carries. Every list is capped, every text taken from an event
is cut (labels to ``LABEL_MAX_CHARS``, evidence to ``EVIDENCE_MAX_CHARS``), and a link over the URL limit is left
out (a cut link points elsewhere); ``tests/unit/alerting/test_alert_size.py`` checks the worst case.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from powderkeg_alerting.core.rules import SEVERITY_ORDER, SignalRule
from powderkeg_alerting.core.state import EpisodeState, EvidenceItem
from powderkeg_contracts import Actor, Alert, AlertStatus, EventRecord, EventSides, Severity, Side, SidePair, limits

MAX_EVIDENCE = 5
MAX_URLS = 20
MAX_ACTORS = 10
MAX_CLAIMANTS = 10
MAX_LOCATIONS = 20
LABEL_MAX_CHARS = 200
"""An actor, speaker or place name as an alert lists it (a side's label has the same limit in the contract)."""
EVIDENCE_MAX_CHARS = 1_000
"""An evidence sentence as an alert quotes it; a run-on "sentence" can be the whole text of an article."""
CONFIDENCE_CAP = 0.99
"""Corroboration never makes an alert certain."""


def alert_id(pair: SidePair, signal: str, first_seen: datetime, first_event_id: str) -> str:
    """Deterministic: the same pair, signal and episode start always give the same id (replays, restarts).

    Readable prefix (signal and countries), then a digest over the full pair key: side keys can be long.
    """
    digest = hashlib.sha256(f"{pair.key}|{signal}|{first_seen.isoformat()}|{first_event_id}".encode()).hexdigest()
    return f"{signal}.{'-'.join(pair.countries) or 'INT'}.{digest[:16]}"


def short(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def actor_label(actor: Actor) -> str | None:
    """A short human name for an actor: its canonical name, else the text span, else its code."""
    label = actor.name or actor.text or actor.code
    return short(label) if label else None


def _append(items: list[str], value: str | None, cap: int) -> None:
    """Append a new value, keeping the latest ``cap`` (recent links matter more than the first ones)."""
    if value and value not in items:
        items.append(value)
        del items[:-cap]


def _bump(severity: Severity) -> Severity:
    rank = min(SEVERITY_ORDER[severity] + 1, max(SEVERITY_ORDER.values()))
    return next(s for s, r in SEVERITY_ORDER.items() if r == rank)


def headline(event: EventRecord, sides: EventSides) -> str:
    """ "Pakistan -> Tehrik-i-Taliban Pakistan (in AFG)": who did it to whom, the direction the pair hides."""
    from_context = sides.rule == "article context"

    def side(actor: Actor, placed: Side | None, missing: str) -> str:
        label = actor_label(actor)
        if label:
            return label
        if placed is not None:
            return f"{placed.label} (from the article)" if from_context else placed.label
        return missing

    source = side(event.actor, sides.source, "unknown actor")
    target = side(event.recipient, sides.target, "no named target")
    placed = sides.target.country if sides.target is not None else None
    if placed and event.recipient.country and placed != event.recipient.country:
        target = f"{target} (in {placed})"
    return f"{source} -> {target}"


def open_episode(rule: SignalRule, pair: SidePair, event: EventRecord, when: datetime) -> EpisodeState:
    """A fresh episode for the first event of a pair-and-signal episode (not yet counting the event)."""
    return EpisodeState(
        alert_id=alert_id(pair, rule.name, when, event.event_id),
        signal=rule.name,
        title=rule.title,
        direction=rule.direction,
        severity=rule.severity,
        status=AlertStatus.RAISED,
        revision=0,
        pair=pair,
        headline=headline(event, event.sides),
        first_seen=when,
        last_seen=when,
    )


def add_event(
    episode: EpisodeState,
    rule: SignalRule,
    event: EventRecord,
    *,
    when: datetime,
    severity: Severity,
    confidence: float,
    max_listed: int,
) -> None:
    """Count ``event`` in ``episode``: ids, links, evidence, confidence, claimants, severity and revision."""
    episode.revision += 1
    episode.status = AlertStatus.RAISED if episode.revision == 1 else AlertStatus.UPDATED
    episode.last_seen = max(episode.last_seen, when)
    episode.first_seen = min(episode.first_seen, when)
    episode.article_count += 0 if event.article_id in episode.article_ids else 1
    _append(episode.event_ids, event.event_id, max_listed)
    _append(episode.article_ids, event.article_id, max_listed)
    _append(episode.story_ids, event.story_id, max_listed)
    record_url(episode, event.url)
    record_actors(episode, event)
    record_location(episode, event.location.place)
    record_story(episode, event.story_id, confidence, max_listed)
    if event.factuality.value == "claimed":
        said_by = event.speaker.name or event.speaker.text if event.speaker else None
        speaker = short(said_by) if said_by else None
        _append(episode.claimed_by, speaker or actor_label(event.actor) or "unattributed", MAX_CLAIMANTS)
    else:
        episode.asserted = True
    record_evidence(episode, event.evidence.sentence, confidence)
    new_severity = severity if SEVERITY_ORDER[severity] > SEVERITY_ORDER[episode.severity] else episode.severity
    if rule.escalate_after_stories and len(episode.story_confidence) >= rule.escalate_after_stories:
        new_severity = max(new_severity, _bump(rule.severity), key=SEVERITY_ORDER.__getitem__)
    episode.severity = new_severity


def record_actors(episode: EpisodeState, event: EventRecord) -> None:
    """List the event's actor and recipient under the side of the pair they stand for ("source:Pakistan").

    A side placed by article context names no actor of its own: it is not listed."""
    sides = event.sides
    if sides.rule == "article context":
        return
    for side, actor, role in ((sides.source, event.actor, "source"), (sides.target, event.recipient, "target")):
        label = actor_label(actor)
        if side is None or label is None:
            continue
        if side.key == episode.pair.a.key:
            _append(episode.a_actors, f"{role}:{label}", MAX_ACTORS)
        elif episode.pair.b is not None and side.key == episode.pair.b.key:
            _append(episode.b_actors, f"{role}:{label}", MAX_ACTORS)


def record_url(episode: EpisodeState, url: str | None) -> None:
    """Keep the latest ``MAX_URLS`` distinct links; one over the URL limit is left out, not cut."""
    if url is not None and len(url) <= limits.URL_MAX_CHARS:
        _append(episode.urls, url, MAX_URLS)


def record_location(episode: EpisodeState, place: str | None) -> None:
    """Count the places the episode's events name (at most ``MAX_LOCATIONS`` distinct)."""
    place = short(place) if place else None
    if place and (place in episode.locations or len(episode.locations) < MAX_LOCATIONS):
        episode.locations[place] = episode.locations.get(place, 0) + 1


def record_evidence(episode: EpisodeState, sentence: str, score: float) -> None:
    """Keep the ``MAX_EVIDENCE`` distinct sentences with the highest scores, best first."""
    sentence = short(sentence, EVIDENCE_MAX_CHARS)
    if any(item.sentence == sentence for item in episode.evidence):
        return
    episode.evidence.append(EvidenceItem(score=score, sentence=sentence))
    episode.evidence.sort(key=lambda item: -item.score)
    del episode.evidence[MAX_EVIDENCE:]


def record_story(episode: EpisodeState, story_id: str, confidence: float, cap: int) -> None:
    """Keep the best confidence per story, for at most ``cap`` stories (the weakest go first: they move the
    noisy-or least, and it is capped at 0.99 long before)."""
    best = episode.story_confidence.get(story_id, 0.0)
    episode.story_confidence[story_id] = max(best, confidence)
    if len(episode.story_confidence) > cap:
        weakest = min(episode.story_confidence, key=lambda key: (episode.story_confidence[key], key))
        del episode.story_confidence[weakest]


def confidence(episode: EpisodeState) -> float:
    """Noisy-or over distinct stories: independent reports corroborate, copies of one story do not."""
    doubt = 1.0
    for value in episode.story_confidence.values():
        doubt *= 1.0 - value
    return round(min(CONFIDENCE_CAP, 1.0 - doubt), 4)


def to_alert(episode: EpisodeState, *, resolved_at: datetime | None = None) -> Alert:
    """The ``Alert`` message for the episode's current state."""
    stories = len(episode.story_confidence)
    pair = episode.pair
    where = pair.label if pair.b is not None else f"{pair.label}, counterpart unknown"
    summary = (
        f"{episode.title} ({where}): {episode.headline}; "
        f"{episode.article_count} article{'s' if episode.article_count != 1 else ''}, "
        f"{stories} distinct stor{'ies' if stories != 1 else 'y'}"
    )
    if episode.claimed_by and not episode.asserted:
        summary += f"; claimed by {', '.join(episode.claimed_by)}"
    return Alert(
        alert_id=episode.alert_id,
        signal=episode.signal,
        title=episode.title,
        direction=episode.direction,
        severity=episode.severity,
        status=episode.status,
        revision=episode.revision,
        sides=pair.model_copy(update={"a_actors": tuple(episode.a_actors), "b_actors": tuple(episode.b_actors)}),
        kind=pair.kind,
        countries=pair.countries,
        locations=tuple(sorted(episode.locations, key=lambda place: (-episode.locations[place], place))),
        summary=summary,
        confidence=confidence(episode),
        claimed_by=() if episode.asserted else tuple(episode.claimed_by),
        event_ids=tuple(episode.event_ids),
        article_ids=tuple(episode.article_ids),
        story_ids=tuple(episode.story_ids),
        urls=tuple(episode.urls),
        evidence=tuple(item.sentence for item in episode.evidence),
        escalation_index=episode.escalation_index,
        first_seen=episode.first_seen,
        last_seen=episode.last_seen,
        resolved_at=resolved_at,
    )
