"""A stream of hostile Kafka messages sent while the chaos run kills services: oversized, garbage, deep-nested, a
lone surrogate, future-dated. Each says what must become of it: a dead letter with a reason, or (for a valid but
future-dated article) an outcome.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from powderkeg_contracts import DeadLetter, limits, topics
from powderkeg_runtime.codec import encode
from powderkeg_runtime.dlq import original_bytes
from tests.support.articles import article
from tests.support.bad_input import KAFKA_VALUES
from tests.support.kafka import produce


@dataclass(frozen=True)
class HostileMessage:
    topic: str
    key: str
    value: bytes
    reason: str | None
    """The dead letter's reason; None for a valid message that must be processed (an article gets an outcome)."""


def hostile_messages(prefix: str) -> list[HostileMessage]:
    """Every kind once on the articles topic and the garbage kinds on the events topic, keys under ``prefix``."""
    garbage = b"\x9f" * (limits.DEAD_LETTER_VALUE_MAX_BYTES * 3)  # its letter must be cut to fit
    future = article(f"{prefix}hostile-future-dated").model_copy(
        update={"published_at": datetime(2099, 1, 1, tzinfo=UTC)}
    )
    kinds = {
        name: (KAFKA_VALUES[name][1] or b"", KAFKA_VALUES[name][2])
        for name in ("deeply_nested_json", "integer_over_4300_digits", "binary_junk", "lone_surrogate_escape")
    }
    messages = [HostileMessage(topics.ARTICLES, f"{prefix}hostile-{n}", raw, why) for n, (raw, why) in kinds.items()]
    messages.append(HostileMessage(topics.ARTICLES, f"{prefix}hostile-oversized-garbage", garbage, "invalid_utf8"))
    messages.append(HostileMessage(topics.ARTICLES, future.article_id, encode(future), None))
    _, surrogate, why = KAFKA_VALUES["event_lone_surrogate_in_evidence"]
    messages.append(HostileMessage(topics.EVENTS, f"{prefix}hostile-event-surrogate", surrogate or b"", why))
    messages.append(HostileMessage(topics.EVENTS, f"{prefix}hostile-event-garbage", garbage, "invalid_utf8"))
    messages.append(
        HostileMessage(topics.EVENTS, f"{prefix}hostile-event-nested", kinds["deeply_nested_json"][0], "invalid_json")
    )
    return messages


@dataclass
class HostileFeeder:
    """Sends one hostile message every ``every_s`` seconds of the feed; a send the broker did not take (it is being
    restarted) is tried again at the next step, so each message is on its topic at least once."""

    bootstrap: str
    pending: list[HostileMessage]
    every_s: float = 5.0
    sent: list[HostileMessage] = field(default_factory=list)
    failed_sends: int = 0
    _next_at: float = 2.0

    @property
    def done(self) -> bool:
        return not self.pending

    def step(self, now: float, feed_start: float) -> None:
        if not self.pending or now - feed_start < self._next_at:
            return
        message = self.pending[0]
        try:
            produce(self.bootstrap, message.topic, [(message.key, message.value)])
        except Exception:  # the broker is down: kafka-python raises KafkaTimeoutError or a connection error
            self.failed_sends += 1
            self._next_at = now - feed_start + 1.0
            return
        self.sent.append(self.pending.pop(0))
        self._next_at = now - feed_start + self.every_s


def letter_ident(letter: DeadLetter) -> str:
    """The id a dead letter is about: its original key, else the ``id`` of its (complete, JSON) original."""
    if letter.original_key is not None:
        return base64.b64decode(letter.original_key).decode(errors="replace")
    if letter.truncated:
        return ""
    _, value = original_bytes(letter)
    try:
        parsed = json.loads(value or b"{}")
    except (ValueError, RecursionError):
        return ""
    return str(parsed.get("id", "")) if isinstance(parsed, dict) else ""


def hostile_problems(
    messages: Iterable[HostileMessage], letters: Mapping[str, list[DeadLetter]], outcome_ids: set[str]
) -> list[str]:
    """What became of each hostile message that should not have: a missing letter or outcome, a wrong reason."""
    problems = []
    for message in messages:
        found = letters.get(message.key, [])
        if message.reason is None:
            if message.key not in outcome_ids:
                problems.append(f"{message.key}: no outcome")
        elif not found:
            problems.append(f"{message.key}: no dead letter")
        elif not all(f"{message.reason}: " in letter.error_message for letter in found):
            problems.append(f"{message.key}: reason is not {message.reason}: {found[0].error_message[:120]}")
        elif any(letter.original_size != len(message.value) for letter in found):
            problems.append(f"{message.key}: the letter's size is not the original's")
    return problems
