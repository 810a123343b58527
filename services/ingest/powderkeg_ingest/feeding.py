"""Feed polling in the service: which feeds are due, their items through the ingestor, state and freshness kept.

Each feed's poll is one unit of work: its items and its new state (validators, seen ids) are submitted together,
and the state is committed only after the broker acknowledged the items. A poll whose items were not acknowledged
leaves the feed's state as it was, so the next poll fetches the same items again; a crash re-polls too. A poll that
fails in any other way (a bug, a hostile feed) is logged with its traceback, counted as an error and backed off:
it never ends the service or keeps the other feeds from their turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from powderkeg_ingest import metrics
from powderkeg_ingest.core.feeds import FeedState, backoff_seconds
from powderkeg_ingest.ingestor import Ingestor
from powderkeg_ingest.publish import PublishError
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
        poll_timeout_s: float = 120.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.urls = list(dict.fromkeys(urls))
        self.ingestor = ingestor
        self.store = store
        self.interval_s = interval_s
        self.clock = clock
        self.started_at = clock()
        self.poller = FeedPoller(fetcher, on_refused=self._refused, poll_timeout_s=poll_timeout_s)
        self._retry_at: dict[str, datetime] = {}

    @staticmethod
    def _refused(reason: str, feed: str) -> None:
        metrics.FETCH_REFUSED.labels(reason=reason).inc()

    def poll_due(self, *, force: bool = False) -> int:
        """Poll every feed that is due (all of them with ``force``); returns the number of items handled."""
        handled = 0
        for url in self.urls:
            if self.poller.fetcher.cancelled:
                break
            try:
                handled += self._poll(url, force=force)
            except PublishError as exc:
                log.warning("feed %s: items not acknowledged (%s); the next poll fetches them again", url, exc)
            except Exception:
                metrics.FEED_POLLS.labels(feed=url, result="error").inc()
                log.exception("feed %s: the poll failed; retrying after a backoff", url)
                self._retry_at[url] = self.clock() + timedelta(seconds=backoff_seconds(self.interval_s, 1))
        self.update_freshness()
        return handled

    def _poll(self, url: str, *, force: bool) -> int:
        now = self.clock()
        with self.ingestor.lock:
            state = self.store.feed_state(url)
        due = state.next_poll_at is None or state.next_poll_at <= now
        retry_at = self._retry_at.get(url)
        if not force and (not due or (retry_at is not None and retry_at > now)):
            return 0
        if self.ingestor.health.retry_after() is not None:
            return 0  # publishing is failing: fetch when its items can be acknowledged
        items, new_state = self.poller.poll(state, now=now, interval_s=self.interval_s)
        updated, deferred = self.poller.updated, self.poller.deferred
        result = "error" if new_state.failures > state.failures else ("new" if items else "unchanged")
        self.ingestor.submit(items, before_commit=lambda: self.store.save_feed(new_state))
        self._retry_at.pop(url, None)
        metrics.FEED_POLLS.labels(feed=url, result=result).inc()
        metrics.FEED_ITEMS.labels(result="new").inc(len(items) - updated)
        metrics.FEED_ITEMS.labels(result="updated").inc(updated)
        metrics.FEED_ITEMS.labels(result="deferred").inc(deferred)
        log.info("feed %s: %s, %d item(s) (%d updated, %d deferred)", url, result, len(items), updated, deferred)
        return len(items)

    def update_freshness(self) -> None:
        """Seconds since each feed last gave a new item (since start-up when it never has)."""
        now = self.clock()
        for url in self.urls:
            with self.ingestor.lock:
                state = self.store.feed_state(url)
            since = state.last_new_item_at or self.started_at
            metrics.FEED_FRESHNESS.labels(feed=url).set(max(0.0, (now - since).total_seconds()))
