"""RSS/Atom feeds: polled on a schedule with conditional requests and backoff; items become raw articles.

Per feed the poller remembers (and the shell persists) the ETag and Last-Modified validators, the ids of items already
seen, when the feed last gave a new item, and how many polls in a row failed. A poll that fails waits
``interval * 2**failures`` (capped at :data:`MAX_BACKOFF_S`) before the next attempt, so a broken feed is not hammered.

Feed XML goes through defusedxml first (no DTDs, no entity expansion, no external references) and only then to
feedparser, on the bytes fetched by :class:`~powderkeg_ingest.sources.fetch.SafeFetcher`. Items that carry only a
link (or a short teaser) are fetched, under the same guards, and their main text extracted with trafilatura.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from powderkeg_contracts import Origin
from powderkeg_ingest.core.feeds import MAX_SEEN_IDS, FeedState, backoff_seconds
from powderkeg_ingest.core.pipeline import RawArticle
from powderkeg_ingest.sources.fetch import FetchFailed, FetchRefused, SafeFetcher
from powderkeg_ingest.sources.files import InputError, InputRecord, Item

log = logging.getLogger(__name__)

MIN_ITEM_TEXT_CHARS = 400
"""Items with less text than this (teasers) are completed by fetching their link, when they have one."""
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class UnsafeFeed(Exception):
    """The feed XML declares entities or a DTD that defusedxml refuses."""


def check_xml(body: bytes) -> None:
    """Refuse XML that declares entities (billion laughs, external entities) before feedparser sees it."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if _ENTITY_DECL.search(body):
        raise UnsafeFeed("the document declares XML entities")
    try:
        SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeFeed(f"defusedxml refused it: {type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        # Not well-formed: feedparser's lenient parser may still read it (many real feeds are sloppy);
        # nothing in it can expand, since entity declarations were refused above.
        log.debug("feed is not well-formed XML (%s); leaving it to feedparser's lenient parser", exc)


def _html_to_text(html: str) -> str:
    import html as html_lib

    text = _TAGS.sub(" ", re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n", html))
    return html_lib.unescape(text)


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    values = [c.get("value", "") for c in contents if c.get("value")]
    if values:
        return _html_to_text(max(values, key=len))
    return _html_to_text(entry.get("summary", "") or "")


def _entry_id(entry: Any) -> str:
    key = entry.get("id") or entry.get("link") or (entry.get("title", "") + entry.get("published", ""))
    return hashlib.sha256(str(key).encode()).hexdigest()[:32]


def extract_page_text(html: bytes, url: str) -> str | None:
    """The main text of an article page (boilerplate removed), or None when trafilatura finds none."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)


class FeedPoller:
    """Polls one feed and yields items for the ingestor; the returned state is what to remember."""

    def __init__(self, fetcher: SafeFetcher, *, on_refused: Any = None) -> None:
        self.fetcher = fetcher
        self._on_refused = on_refused or (lambda reason, url: None)

    def poll(self, state: FeedState, *, now: datetime, interval_s: float) -> tuple[list[Item], FeedState]:
        """Fetch the feed once (conditionally) and return its new items and the feed's next state."""
        import feedparser

        try:
            fetched = self.fetcher.fetch(state.url, etag=state.etag, last_modified=state.last_modified)
            if fetched.not_modified:
                return [], self._next(state, now, interval_s, failures=0)
            check_xml(fetched.body)
        except FetchRefused as exc:
            self._on_refused(exc.reason, state.url)
            log.warning("feed %s refused (%s): %s", state.url, exc.reason, exc)
            return [], self._next(state, now, interval_s, failures=state.failures + 1)
        except (FetchFailed, UnsafeFeed) as exc:
            if isinstance(exc, UnsafeFeed):
                self._on_refused("unsafe_xml", state.url)
            log.warning("feed %s failed: %s", state.url, exc)
            return [], self._next(state, now, interval_s, failures=state.failures + 1)
        parsed = feedparser.parse(fetched.body, response_headers={"content-location": fetched.url})
        feed_title = (parsed.feed.get("title") or "").strip() or None
        seen = list(state.seen)
        known = set(seen)
        items: list[Item] = []
        for entry in parsed.entries:
            key = _entry_id(entry)
            if key in known:
                continue
            items.append(self._item(entry, feed_url=state.url, feed_title=feed_title))
            seen.append(key)
            known.add(key)
        new_state = state.model_copy(
            update={
                "etag": fetched.etag,
                "last_modified": fetched.last_modified,
                "seen": tuple(seen[-MAX_SEEN_IDS:]),
                "last_new_item_at": now if items else state.last_new_item_at,
            }
        )
        return items, self._next(new_state, now, interval_s, failures=0)

    @staticmethod
    def _next(state: FeedState, now: datetime, interval_s: float, *, failures: int) -> FeedState:
        wait = backoff_seconds(interval_s, failures)
        return state.model_copy(update={"failures": failures, "next_poll_at": now + timedelta(seconds=wait)})

    def _item(self, entry: Any, *, feed_url: str, feed_title: str | None) -> Item:
        link = entry.get("link")
        ref = f"{feed_url}#{(entry.get('id') or link or '?')[:200]}"
        text = _entry_text(entry).strip()
        if len(text) < MIN_ITEM_TEXT_CHARS and link:
            try:
                page = self.fetcher.fetch(link)
                extracted = extract_page_text(page.body, page.url)
                if extracted and len(extracted) > len(text):
                    text = extracted
            except FetchRefused as exc:
                self._on_refused(exc.reason, feed_url)
                log.warning("item link %s refused (%s)", link, exc.reason)
                if not text:
                    return InputError(
                        ref=ref, reason="fetch_refused", message=str(exc), data=link.encode(), origin=Origin.FEED
                    )
            except FetchFailed as exc:
                log.warning("item link %s failed: %s", link, exc)
                if not text:
                    return InputError(
                        ref=ref, reason="fetch_failed", message=str(exc), data=link.encode(), origin=Origin.FEED
                    )
        raw = RawArticle(
            text=text,
            title=entry.get("title"),
            url=link,
            source=feed_title,
            published_at=entry.get("published") or entry.get("updated"),
            origin=Origin.FEED,
        )
        return InputRecord(ref=ref, raw=raw, data=raw.model_dump_json().encode())
