"""Durable ingest state in one SQLite file: content hashes already published (exact de-duplication), the
near-duplicate window's MinHash signatures, and per-feed polling state.

Why SQLite rather than rebuilding from the articles topic at start-up: the hash memory is needed before the first
article is accepted, a rebuild would read the whole retained topic on every start, and a file under the state
directory is simple to inspect and to delete. Writes join a transaction that :meth:`SqliteState.commit` closes only
after the producer has flushed, so a crash between accepting and publishing forgets the articles it had not
published: they are accepted again on the next run (at-least-once), never skipped.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from powderkeg_ingest.core.feeds import FeedState
from powderkeg_ingest.core.near import NearEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (digest TEXT PRIMARY KEY, article_id TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seen_seq ON seen (seq);
CREATE TABLE IF NOT EXISTS near (
    article_id TEXT PRIMARY KEY, original TEXT NOT NULL, at TEXT NOT NULL, size INTEGER NOT NULL,
    signature BLOB NOT NULL, seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, state TEXT NOT NULL);
"""


class SqliteState:
    """A :class:`powderkeg_ingest.core.dedupe.SeenStore` backed by SQLite, bounded to the newest ``capacity`` hashes.

    The connection is shared by the service's threads; callers serialise access (the ingestor holds one lock).
    """

    def __init__(self, path: Path, *, capacity: int = 5_000_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._capacity = capacity
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self.db.commit()
        self._seq = self._max_seq()

    def _max_seq(self) -> int:
        row = self.db.execute(
            "SELECT MAX(COALESCE((SELECT MAX(seq) FROM seen), 0), COALESCE((SELECT MAX(seq) FROM near), 0))"
        ).fetchone()
        return int(row[0])

    def get(self, digest: str) -> str | None:
        row = self.db.execute("SELECT article_id FROM seen WHERE digest = ?", (digest,)).fetchone()
        return str(row[0]) if row else None

    def add(self, digest: str, article_id: str) -> None:
        self._seq += 1
        self.db.execute(
            "INSERT OR REPLACE INTO seen (digest, article_id, seq) VALUES (?, ?, ?)", (digest, article_id, self._seq)
        )

    def record(self, entry: NearEntry) -> None:
        """Save a near-duplicate window entry (``NearJournal``)."""
        self._seq += 1
        self.db.execute(
            "INSERT OR REPLACE INTO near (article_id, original, at, size, signature, seq) VALUES (?, ?, ?, ?, ?, ?)",
            (entry.article_id, entry.original, entry.at.isoformat(), entry.size, entry.signature, self._seq),
        )

    def forget(self, article_id: str) -> None:
        """Drop an entry that left the near-duplicate window (``NearJournal``)."""
        self.db.execute("DELETE FROM near WHERE article_id = ?", (article_id,))

    def near_entries(self) -> list[NearEntry]:
        """The saved window, oldest first, for ``NearIndex.restore``."""
        rows = self.db.execute("SELECT article_id, original, at, size, signature FROM near ORDER BY seq").fetchall()
        return [
            NearEntry(article_id=r[0], original=r[1], at=datetime.fromisoformat(r[2]), size=r[3], signature=r[4])
            for r in rows
        ]

    def feed_state(self, url: str) -> FeedState:
        """The remembered state of a feed, or a fresh one."""
        row = self.db.execute("SELECT state FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState.model_validate_json(row[0]) if row else FeedState(url=url)

    def save_feed(self, state: FeedState) -> None:
        self.db.execute("INSERT OR REPLACE INTO feeds (url, state) VALUES (?, ?)", (state.url, state.model_dump_json()))

    def commit(self) -> None:
        """Make everything added so far durable, dropping the oldest hashes beyond capacity."""
        self.db.execute("DELETE FROM seen WHERE seq <= ?", (self._seq - self._capacity,))
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()
        self._seq = self._max_seq()

    def close(self) -> None:
        self.db.close()

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])
