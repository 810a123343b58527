"""Deterministic ids: the same article text always yields the same event ids (idempotent consumers dedupe on them)."""

from __future__ import annotations

import hashlib


def event_id(
    article_id: str,
    text: str,
    sentence_start: int,
    sentence_end: int,
    trigger: str,
    event_type: str,
    actor: str,
    recipient: str,
) -> str:
    """Hash of the article id and text, the sentence offsets, the trigger, the type and the actor/recipient.

    The article id is part of it: a syndicated copy published under its own id reports the same event again, and
    alerting counts that mention (it groups copies by ``story_id``) instead of dropping it as a redelivery.
    """
    digest = hashlib.sha256()
    for part in (article_id, text, str(sentence_start), str(sentence_end), trigger, event_type, actor, recipient):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return "ev-" + digest.hexdigest()[:32]


def content_id(text: str) -> str:
    """Article id for plain-text input without one: a hash of the text."""
    return "txt-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
