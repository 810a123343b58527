"""Article identity: a content hash of the normalised text, and the article id derived from it or given by the input.

Ids are deterministic so that re-ingesting the same text yields the same Kafka key, which makes downstream consumers
idempotent (at-least-once delivery plus deterministic ids gives effectively-once results).
"""

from __future__ import annotations

import hashlib
import re

from powderkeg_ingest.core.errors import IngestError

ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
"""The contract's ``Id`` pattern and length (powderkeg_contracts.models.Id), checked here to give a clear error."""

GENERATED_PREFIX = "a-"
HASH_CHARS = 24


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text; equal texts, equal hashes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(given: str | None, digest: str) -> str:
    """The input's id when it gave one, else ``a-`` plus the first 24 hex characters of the content hash.

    96 bits of hash make an accidental collision between two different texts negligible at any realistic volume.

    Raises:
        IngestError: ``invalid_id`` when the given id does not match the contract's Id pattern.
    """
    if given is None:
        return GENERATED_PREFIX + digest[:HASH_CHARS]
    if not ID_PATTERN.fullmatch(given):
        shown = given if len(given) <= 60 else given[:57] + "..."
        raise IngestError(
            "invalid_id",
            f"id {shown!r} must be 1-128 characters from A-Z a-z 0-9 . _ : - (the contract's Id pattern)",
        )
    return given
