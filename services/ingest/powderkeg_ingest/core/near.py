"""Near-duplicate detection: syndicated copies with another headline, a byline, trimmed or lightly edited paragraphs.

Each text becomes a set of word shingles (``shingle_words`` consecutive normalised words); a MinHash signature
estimates the Jaccard similarity of two sets, and MinHash LSH finds candidates without comparing against every
stored article. A candidate is a near-duplicate when its estimated *overlap* is at least ``min_overlap``: the share of
the smaller text's shingles that the other text also has. Overlap, not Jaccard, because a copy trimmed to half its
paragraphs has Jaccard 0.5 with its original but overlap 1.0. The index is a sliding window, bounded in count and in
time, so memory is bounded and old stories stop matching.

The index itself is pure and in memory; ``journal`` (if given) is told of every entry added or evicted, which is how
the shell persists the window across restarts (``restore`` rebuilds it from the saved entries).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)
SEED = 1
"""MinHash permutation seed: fixed, so signatures saved by one run compare with those of the next."""
SCHEME = "affine32"
"""datasketch 2.x permutation scheme, pinned: signatures of different schemes cannot be compared."""
_DTYPE = "<u4"


class NearConfig(BaseModel):
    """Near-duplicate parameters (chosen with ``services/ingest/scripts/eval_near_dupes.py``; see docs/ingest.md)."""

    model_config = ConfigDict(frozen=True)

    num_perm: int = Field(default=128, ge=16, description="MinHash permutations: more is more precise and slower.")
    shingle_words: int = Field(default=4, ge=1, description="Words per shingle.")
    lsh_threshold: float = Field(default=0.1, gt=0, lt=1, description="Jaccard at which LSH makes a pair a candidate.")
    min_overlap: float = Field(default=0.4, gt=0, le=1, description="Overlap of the smaller text needed to match.")
    min_shingles: int = Field(default=8, ge=1, description="Texts with fewer shingles are never matched.")
    window_count: int = Field(default=50_000, ge=1, description="Newest articles kept matchable.")
    window_seconds: float = Field(default=72 * 3600, gt=0, description="How long an article stays matchable.")


class NearEntry(BaseModel):
    """One indexed article: what the journal saves and ``restore`` reads back."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    original: str = Field(description="The story's first article id (itself when it is the original).")
    at: datetime
    size: int = Field(ge=0, description="Number of distinct shingles.")
    signature: bytes = Field(description="MinHash hash values, little-endian uint32.")


class NearJournal(Protocol):
    def record(self, entry: NearEntry) -> None: ...

    def forget(self, article_id: str) -> None: ...


def shingles(text: str, k: int) -> set[str]:
    """Distinct k-word shingles of lower-cased words (punctuation and case differences do not matter)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def overlap(jaccard: float, size_a: int, size_b: int) -> float:
    """Estimated share of the smaller set found in the larger, from Jaccard and the set sizes.

    |A∩B| = J (|A| + |B|) / (1 + J), divided by min(|A|, |B|).
    """
    if min(size_a, size_b) == 0:
        return 0.0
    common = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, common / min(size_a, size_b))


class NearIndex:
    """A sliding window of MinHash signatures with LSH lookup (implements ``NearDuplicateIndex``)."""

    def __init__(self, config: NearConfig | None = None, *, journal: NearJournal | None = None) -> None:
        from datasketch import MinHashLSH  # imported on use: it loads scipy, which --help and file reading never need

        self.config = config or NearConfig()
        self.journal = journal
        self._lsh = MinHashLSH(threshold=self.config.lsh_threshold, num_perm=self.config.num_perm)
        self._entries: OrderedDict[str, tuple[NearEntry, MinHash]] = OrderedDict()
        self._rank: dict[str, int] = {}  # insertion order, the tie-break of best_match
        self._inserted = 0
        self._cache: tuple[str, MinHash, int] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def _signature(self, text: str) -> tuple[MinHash, int]:
        if self._cache is not None and self._cache[0] == text:
            return self._cache[1], self._cache[2]
        from datasketch import MinHash

        grams = shingles(text, self.config.shingle_words)
        mh = MinHash(num_perm=self.config.num_perm, seed=SEED, scheme=SCHEME)
        mh.update_batch([g.encode("utf-8") for g in grams])
        self._cache = (text, mh, len(grams))
        return mh, len(grams)

    def best_match(self, text: str, *, now: datetime) -> tuple[str, float] | None:
        """The indexed article this text overlaps most (at least ``min_overlap``) and the overlap, if any."""
        self._expire(now)
        mh, size = self._signature(text)
        if size < self.config.min_shingles or not self._entries:
            return None
        # LSH returns its candidates in set order, which changes with the process's string hash seed. Ties are
        # common (templated or one-sentence texts), so the choice must not depend on that order: the highest
        # overlap wins, then the entry indexed first (insertion order survives a restore, wall-clock times need
        # not). A restarted ingest that accepts the same article again from the same saved window then names the
        # same original, so its events keep their story id.
        best: tuple[float, int, str] | None = None
        for key in self._lsh.query(mh):
            entry, other = self._entries[key]
            if entry.size < self.config.min_shingles:
                continue
            score = overlap(mh.jaccard(other), size, entry.size)
            if score < self.config.min_overlap:
                continue
            rank = self._rank[key]
            if best is None or score > best[0] or (score == best[0] and rank < best[1]):
                best = (score, rank, entry.original)
        return (best[2], best[0]) if best is not None else None

    def find(self, text: str, *, now: datetime) -> str | None:
        match = self.best_match(text, now=now)
        return match[0] if match else None

    def add(self, article_id: str, text: str, *, now: datetime, original: str | None) -> None:
        mh, size = self._signature(text)
        entry = NearEntry(
            article_id=article_id,
            original=original or article_id,
            at=now,
            size=size,
            signature=mh.hashvalues.astype(_DTYPE).tobytes(),
        )
        self._insert(entry, mh)
        if self.journal is not None:
            self.journal.record(entry)
        self._expire(now)

    def restore(self, entries: list[NearEntry], *, now: datetime) -> None:
        """Rebuild the window from saved entries (oldest first), dropping those already outside it."""
        import numpy as np
        from datasketch import MinHash

        for entry in entries:
            values = np.frombuffer(entry.signature, dtype=_DTYPE).astype(np.uint32)
            if len(values) != self.config.num_perm:
                continue  # saved with another num_perm: cannot be compared, so not restored
            mh = MinHash(num_perm=self.config.num_perm, seed=SEED, hashvalues=values, scheme=SCHEME)
            self._insert(entry, mh)
        self._expire(now)

    def _insert(self, entry: NearEntry, mh: Any) -> None:
        if entry.article_id in self._entries:
            self._lsh.remove(entry.article_id)
            del self._entries[entry.article_id]
        self._lsh.insert(entry.article_id, mh)
        self._entries[entry.article_id] = (entry, mh)
        self._inserted += 1
        self._rank[entry.article_id] = self._inserted

    def _expire(self, now: datetime) -> None:
        cutoff = now - timedelta(seconds=self.config.window_seconds)
        while self._entries:
            key, (entry, _) = next(iter(self._entries.items()))
            if len(self._entries) <= self.config.window_count and entry.at >= cutoff:
                break
            self._lsh.remove(key)
            del self._entries[key]
            del self._rank[key]
            if self.journal is not None:
                self.journal.forget(key)
