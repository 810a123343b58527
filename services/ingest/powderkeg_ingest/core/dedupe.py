"""Exact de-duplication by content hash.

The core decides; where the memory of seen hashes lives is the shell's business. :class:`SeenStore` is the seam: the
in-memory store here serves the embedded mode and tests, and ``powderkeg_ingest.state.SqliteState`` keeps the same
memory across restarts for the service.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol


class SeenStore(Protocol):
    """Where content hashes of published articles are remembered, mapped to the id they were published under."""

    def get(self, digest: str) -> str | None:
        """The article id first published with this content hash, if any."""
        ...

    def add(self, digest: str, article_id: str) -> None:
        """Remember that ``digest`` was published as ``article_id``."""
        ...


class MemorySeenStore:
    """A bounded in-memory :class:`SeenStore`: the oldest hashes are forgotten past ``capacity``."""

    def __init__(self, capacity: int = 1_000_000) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        return self._seen.get(digest)

    def add(self, digest: str, article_id: str) -> None:
        self._seen[digest] = article_id
        self._seen.move_to_end(digest)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)
