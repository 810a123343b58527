"""Content hashes, article ids and exact de-duplication."""

from __future__ import annotations

import hashlib

import pytest

from powderkeg_ingest.core.dedupe import MemorySeenStore
from powderkeg_ingest.core.errors import IngestError
from powderkeg_ingest.core.ids import article_id, content_hash


def test_content_hash_is_sha256_of_utf8_text() -> None:
    assert content_hash("Kabul’s") == hashlib.sha256("Kabul’s".encode()).hexdigest()


def test_generated_id_is_prefix_plus_24_hex() -> None:
    digest = content_hash("text")
    assert article_id(None, digest) == "a-" + digest[:24]


def test_given_id_is_kept() -> None:
    assert article_id("voa:8011115", content_hash("x")) == "voa:8011115"


@pytest.mark.parametrize("bad", ["", "has space", "slash/id", "x" * 129, "ümlaut"])
def test_invalid_given_ids_are_rejected_clearly(bad: str) -> None:
    with pytest.raises(IngestError) as caught:
        article_id(bad, content_hash("x"))
    assert caught.value.reason == "invalid_id"
    assert "Id pattern" in str(caught.value)


def test_memory_store_is_bounded_and_forgets_the_oldest() -> None:
    store = MemorySeenStore(capacity=2)
    store.add("h1", "a1")
    store.add("h2", "a2")
    store.add("h3", "a3")
    assert store.get("h1") is None
    assert (store.get("h2"), store.get("h3"), len(store)) == ("a2", "a3", 2)
