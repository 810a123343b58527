"""Feed polling in the service: which feeds are due, their items through the ingestor, state and freshness kept.

Feed state is saved in the same SQLite transaction as the de-duplication memory and committed by the ingestor's
checkpoint, i.e. only after the broker acknowledged the feed's articles: a crash re-polls, it never loses items.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from powderkeg_ingest import metrics
from powderkeg_ingest.core.feeds import FeedState
from powderkeg_ingest.ingestor import Ingestor
from powderkeg_ingest.sources.feeds import FeedPoller
from powderkeg_ingest.sources.fetch import SafeFetcher

log = logging.getLogger(__name__)


class FeedStore(Protocol):
    def feed_state(self, url: str) -> FeedState: ...

    def save_feed(self, state: FeedState) -> None: ...


class MemoryFeedStore:
    """Feed state for ``--dry-run`` (nothing persisted)."""

    def __init__(self) -> None:
        self._states: dict[str, FeedState] = {}

    def feed_state(self, url: str) -> FeedState:
        return self._states.get(url, FeedState(url=url))

    def save_feed(self, state: FeedState) -> None:
        self._states[state.url] = state


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FeedRunner:
    """Polls the configured feeds when due and hands their items to the ingestor."""

    def __init__(
        self,
        urls: list[str],
        ingestor: Ingestor,
        fetcher: SafeFetcher,
        store: FeedStore,
        *,
        interval_s: float,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.urls = list(dict.fromkeys(urls))
        self.ingestor = ingestor
        self.store = store
        self.interval_s = interval_s
        self.clock = clock
        self.started_at = clock()
        self.poller = FeedPoller(fetcher, on_refused=self._refused)

    @staticmethod
    def _refused(reason: str, feed: str) -> None:
        metrics.FETCH_REFUSED.labels(reason=reason).inc()

    def poll_due(self, *, force: bool = False) -> int:
        """Poll every feed that is due (all of them with ``force``); returns the number of items handled."""
        handled = 0
        for url in self.urls:
            now = self.clock()
            with self.ingestor.lock:
                state = self.store.feed_state(url)
            if not force and state.next_poll_at is not None and state.next_poll_at > now:
                continue
            items, new_state = self.poller.poll(state, now=now, interval_s=self.interval_s)
            result = "error" if new_state.failures > state.failures else ("new" if items else "unchanged")
            metrics.FEED_POLLS.labels(feed=url, result=result).inc()
            with self.ingestor.lock:
                for item in items:
                    self.ingestor.handle(item)
                self.store.save_feed(new_state)
            handled += len(items)
            log.info("feed %s: %s, %d new item(s)", url, result, len(items))
        self.ingestor.checkpoint()
        self.update_freshness()
        return handled

    def update_freshness(self) -> None:
        """Seconds since each feed last gave a new item (since start-up when it never has)."""
        now = self.clock()
        for url in self.urls:
            with self.ingestor.lock:
                state = self.store.feed_state(url)
            since = state.last_new_item_at or self.started_at
            metrics.FEED_FRESHNESS.labels(feed=url).set(max(0.0, (now - since).total_seconds()))
