"""RSS/Atom feeds: polled on a schedule with conditional requests and backoff; items become raw articles.

Per feed the poller remembers (and the shell persists) the ETag and Last-Modified validators, the ids of items already
seen, when the feed last gave a new item, and how many polls in a row failed. A poll that fails waits
``interval * 2**failures`` (capped at :data:`MAX_BACKOFF_S`) before the next attempt, so a broken feed is not hammered.

Feed XML goes through defusedxml first (no DTDs, no entity expansion, no external references) and only then to
feedparser, on the bytes fetched by :class:`~powderkeg_ingest.sources.fetch.SafeFetcher`. Items that carry only a
link (or a short teaser) are fetched, under the same guards, and their main text extracted with trafilatura.

Nothing is dropped silently: a body that is not a feed at all (an HTML error page, JSON) is a failed poll
(``not_a_feed``), not "unchanged"; an item whose id was seen but whose content changed (a correction under the same
GUID) is handed on again and counted as ``updated``; and when a poll runs out of time (``poll_timeout_s``) or the
service stops, the items it had no time for are left unseen, so the next poll takes them (``deferred``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from powderkeg_contracts import Origin
from powderkeg_ingest.core.feeds import MAX_SEEN_IDS, FeedState, backoff_seconds
from powderkeg_ingest.core.pipeline import RawArticle
from powderkeg_ingest.core.urls import check_url
from powderkeg_ingest.sources.fetch import FetchFailed, FetchRefused, SafeFetcher
from powderkeg_ingest.sources.files import InputError, InputRecord, Item

log = logging.getLogger(__name__)

MIN_ITEM_TEXT_CHARS = 400
"""Items with less text than this (teasers) are completed by fetching their link, when they have one."""
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
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


def _valid_charref(match: re.Match[bytes]) -> bytes:
    hex_digits, digits = match.groups()
    digits_text = hex_digits or digits
    value = int(digits_text, 16 if hex_digits else 10) if len(digits_text) <= 8 else -1
    if value <= 0 or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group()


def defuse_charrefs(body: bytes) -> bytes:
    """Character references that name no character (a lone surrogate, 0, past U+10FFFF) become U+FFFD.

    feedparser's lenient parser encodes each reference to UTF-8 and raises on ``&#xD800;``, which would cost the
    whole feed, every poll.
    """
    return _CHARREF.sub(_valid_charref, body)


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
    return hashlib.sha256(str(key).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _entry_digest(entry: Any) -> str:
    """What makes an item's content: a change here under a known id is a correction."""
    parts = [str(entry.get(k) or "") for k in ("title", "link", "summary")]
    parts.extend(str(c.get("value", "")) for c in entry.get("content") or [])
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def extract_page_text(html: bytes, url: str) -> str | None:
    """The main text of an article page (boilerplate removed), or None when trafilatura finds none."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)


class FeedPoller:
    """Polls one feed and yields items for the ingestor; the returned state is what to remember."""

    def __init__(self, fetcher: SafeFetcher, *, on_refused: Any = None, poll_timeout_s: float = 120.0) -> None:
        self.fetcher = fetcher
        self._on_refused = on_refused or (lambda reason, url: None)
        self.poll_timeout_s = poll_timeout_s
        self.updated = 0
        self.deferred = 0
        """Of the last poll: items handed on again because their content changed; items left for the next poll."""

    def poll(self, state: FeedState, *, now: datetime, interval_s: float) -> tuple[list[Item], FeedState]:
        """Fetch the feed once (conditionally) and return its new items and the feed's next state."""
        import feedparser

        self.updated = self.deferred = 0
        deadline = time.monotonic() + self.poll_timeout_s
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
        parsed = feedparser.parse(defuse_charrefs(fetched.body), response_headers={"content-location": fetched.url})
        if not parsed.entries and not parsed.version:
            self._on_refused("not_a_feed", state.url)
            why = getattr(parsed.get("bozo_exception"), "args", ["no RSS or Atom root element"])[:1]
            log.warning("feed %s is not a feed (%s); counted as a failed poll", state.url, why)
            return [], self._next(state, now, interval_s, failures=state.failures + 1)
        feed_title = (parsed.feed.get("title") or "").strip() or None
        seen = list(state.seen)
        known = set(seen)
        versions = dict(state.versions)
        items: list[Item] = []
        for entry in parsed.entries:
            key, digest = _entry_id(entry), _entry_digest(entry)
            if key in known and versions.get(key, digest) == digest:
                versions.setdefault(key, digest)
                continue
            if time.monotonic() > deadline or self.fetcher.cancelled:
                self.deferred += 1  # not marked seen: the next poll takes it
                continue
            if key in known:
                self.updated += 1
                log.info("feed %s: item %s changed under the same id; handed on again", state.url, key)
            items.append(self._safe_item(entry, feed_url=state.url, feed_title=feed_title))
            if key not in known:
                seen.append(key)
                known.add(key)
            versions[key] = digest
        kept = seen[-MAX_SEEN_IDS:]
        new_state = state.model_copy(
            update={
                "etag": fetched.etag if not self.deferred else None,
                "last_modified": fetched.last_modified if not self.deferred else None,
                "seen": tuple(kept),
                "versions": {k: versions[k] for k in kept if k in versions},
                "last_new_item_at": now if items else state.last_new_item_at,
            }
        )
        return items, self._next(new_state, now, interval_s, failures=0)

    def _safe_item(self, entry: Any, *, feed_url: str, feed_title: str | None) -> Item:
        """One item; an unexpected failure costs this item (dead-lettered with the reason), never the feed."""
        try:
            return self._item(entry, feed_url=feed_url, feed_title=feed_title)
        except Exception as exc:
            log.exception("feed %s: an item could not be read", feed_url)
            return InputError(
                ref=f"{feed_url}#{str(entry.get('id') or '?')[:200]}",
                reason="internal_error",
                message=f"{type(exc).__name__}: {str(exc)[:300]}",
                data=repr(dict(entry))[:100_000].encode("utf-8", "replace"),
                origin=Origin.FEED,
            )

    @staticmethod
    def _next(state: FeedState, now: datetime, interval_s: float, *, failures: int) -> FeedState:
        wait = backoff_seconds(interval_s, failures)
        return state.model_copy(update={"failures": failures, "next_poll_at": now + timedelta(seconds=wait)})

    def _item(self, entry: Any, *, feed_url: str, feed_title: str | None) -> Item:
        link = entry.get("link")
        ref = f"{feed_url}#{(entry.get('id') or link or '?')[:200]}"
        text = _entry_text(entry).strip()
        fetchable = bool(link) and check_url(str(link).strip()).url is not None
        if link and not fetchable:
            self._on_refused("bad_url", feed_url)
            log.warning("item link %r... is not a valid http(s) URL; not fetched", str(link)[:100])
        if len(text) < MIN_ITEM_TEXT_CHARS and fetchable:
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
                        ref=ref, reason="fetch_refused", message=str(exc)[:500], data=link.encode(), origin=Origin.FEED
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
        if not text and link and not fetchable:
            message = "the item has no text and its link is not a valid http(s) URL"
            return InputError(ref=ref, reason="fetch_refused", message=message, data=str(link)[:10_000].encode(
                "utf-8", "replace"), origin=Origin.FEED)
        # ensure_ascii: a lone surrogate from a character reference (&#xD800;) must not make the item unencodable.
        return InputRecord(ref=ref, raw=raw, data=json.dumps(raw.model_dump(mode="json")).encode())
