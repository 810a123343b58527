"""An alert and the episode state behind it fit in one Kafka message however many events an episode accumulates,
and whatever an event carries (ids, links, actor, speaker and place names, evidence sentences at their worst)."""

from __future__ import annotations

from datetime import timedelta

from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.rules import load_rules
from powderkeg_contracts import Actor, Factuality, Location, PloverType, Sector, limits
from powderkeg_runtime.codec import encode
from tests.support.events import CLASHES, T0, TTP, build_event

EVENTS = 2_000
MESSAGE_BUDGET = limits.PRODUCER_MAX_REQUEST_BYTES - limits.RECORD_OVERHEAD_BYTES


def _link(tail: str, *, over: bool) -> str:
    """A link of exactly the URL limit, or one character over it."""
    return "https://news.example/" + "u" * (limits.URL_MAX_CHARS - 21 - len(tail)) + tail + ("x" if over else "")


def _hostile_event(n: int) -> object:
    """Event ``n`` of one episode: every id at 128 characters, a 2,048-character link (every 7th one longer),
    100,000-character actor, speaker and place names, and one in a hundred with a 200,000-character
    evidence sentence."""
    tail = f"{n:06d}"
    long_id = ("a" * (128 - len(tail) - 1)) + "-" + tail
    sentence = CLASHES + (" rubble" * 28_000 + tail if n % 100 == 0 else f" {tail}")
    actor = Actor(text="P" * 100_000 + tail, country="PAK", sector=Sector.GOVERNMENT, code="PAKGOV")
    speaker = Actor(text="S" * 100_000 + tail, country="PAK", sector=Sector.GOVERNMENT)
    event = build_event(
        PloverType.ASSAULT,
        "190",
        sentence,
        "clashes",
        actor=actor,
        recipient=TTP,
        location=Location(place="Q" * 100_000 + tail, country="AFG"),
        factuality=Factuality.CLAIMED if n % 2 else Factuality.ASSERTED,
        speaker=speaker,
        goldstein=-10.0,
        article=long_id,
        published_at=T0 + timedelta(minutes=n),
        url="https://news.example/"
        + "u" * (limits.URL_MAX_CHARS - 21 - len(tail))
        + tail
        + ("x" if n % 7 == 0 else ""),
    )
    return event.model_copy(update={"event_id": "e" + long_id[1:], "story_id": "s" + long_id[1:]})


def test_an_episode_of_thousands_of_hostile_events_never_outgrows_a_message() -> None:
    rules = load_rules().model_copy(update={"max_listed": 1000})
    engine = AlertEngine(rules)
    largest_alert = largest_state = alerts = 0
    for n in range(EVENTS):
        for alert in engine.process(_hostile_event(n)):  # type: ignore[arg-type]
            alerts += 1
            largest_alert = max(largest_alert, len(encode(alert)))
    for episode in engine.store.episodes.values():
        largest_state = max(largest_state, len(episode.model_dump_json().encode()))
    print(f"\n{EVENTS} events, {alerts} alerts; largest alert {largest_alert:,} bytes, largest state {largest_state:,}")
    assert alerts >= EVENTS, "every event updated its episode's alert"
    assert largest_alert <= MESSAGE_BUDGET
    assert largest_state <= MESSAGE_BUDGET
    [episode] = [e for e in engine.store.episodes.values() if e.signal == "armed_clash"]
    assert len(episode.event_ids) == 1000 and episode.event_ids[-1].endswith(f"{EVENTS - 1:06d}")
    assert all(len(url) <= limits.URL_MAX_CHARS for url in episode.urls)
    assert all(len(sentence.sentence) <= 1_000 for sentence in episode.evidence)
