"""The ingest core: one raw input in, one decision out (published, duplicate or rejected).

Pure: no Kafka, no environment, no clock (``now`` is passed in), no I/O. The service shell and the embedded mode
(``powderkeg run``) both call :meth:`IngestCore.accept` and only differ in where the resulting Article goes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from powderkeg_contracts import Article, Origin, limits
from powderkeg_ingest.core.dedupe import MemorySeenStore, SeenStore
from powderkeg_ingest.core.errors import IngestError, Reason
from powderkeg_ingest.core.ids import article_id, content_hash
from powderkeg_ingest.core.normalize import (
    Dateline,
    PublishedAt,
    detect_language,
    normalize_text,
    parse_published,
    split_dateline,
)
from powderkeg_ingest.core.urls import check_url

DEFAULT_MAX_TEXT_BYTES = limits.TEXT_MAX_BYTES


class RawArticle(BaseModel):
    """An article as an input gave it, before normalisation. Unknown keys (author, keywords, section ...) are ignored.

    ``published`` is accepted as another name for ``published_at`` (the VOA corpus uses it); numeric ids are accepted
    and read as text.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | datetime | None = Field(
        default=None, validation_alias=AliasChoices("published_at", "published")
    )
    id: str | None = None
    origin: Origin = Origin.FILE

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


class NearDuplicateIndex(Protocol):
    """Finds an earlier article whose text is nearly the same (syndicated copies, light edits)."""

    def find(self, text: str, *, now: datetime) -> str | None:
        """The id of the original story this text nearly duplicates, if any."""
        ...

    def add(self, article_id: str, text: str, *, now: datetime, original: str | None) -> None:
        """Index a published article; ``original`` is the story it duplicates, so chains resolve to the first one."""
        ...


class CoreConfig(BaseModel):
    """Limits and switches of the core (the shell fills it from its settings)."""

    model_config = ConfigDict(frozen=True)

    max_text_bytes: int = Field(
        default=DEFAULT_MAX_TEXT_BYTES, ge=1, le=limits.TEXT_MAX_BYTES, description="Larger texts are rejected."
    )
    detect_language: bool = True
    published_max_future_s: float = Field(
        default=86_400.0,
        ge=0,
        description="A publication time further than this after ingest time is dropped, with the reason.",
    )
    published_min_year: int = Field(
        default=1900, ge=1, le=9999, description="A publication time before this year is dropped, with the reason."
    )


Kind = Literal["published", "exact_duplicate", "near_duplicate", "rejected"]


class IngestResult(BaseModel):
    """What became of one input. ``article`` is set for published and near-duplicate results (both go to Kafka).

    ``exact_duplicate``: the same normalised text was published before, and the input gave no id or the same id;
    nothing is published. The same text under a *different* explicit id is a ``near_duplicate`` (published, with
    ``duplicate_of`` the first id), so that every id a sender gave resolves downstream.
    """

    model_config = ConfigDict(frozen=True)

    kind: Kind
    article: Article | None = None
    duplicate_of: str | None = None
    reason: Reason | None = None
    message: str | None = None
    notes: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str], ...] = Field(
        default=(), description="(field, reason code) of input fields left out of the article, for the metrics."
    )

    @property
    def publishes(self) -> bool:
        return self.article is not None


def _clean_optional(value: str | None, *, single_line: bool = False) -> str | None:
    if value is None:
        return None
    cleaned = normalize_text(value)
    if single_line:
        cleaned = " ".join(cleaned.split())
    return cleaned or None


class IngestCore:
    """Normalises, identifies and de-duplicates articles.

    Args:
        config: limits and switches.
        seen: memory of published content hashes (exact duplicates); in-memory unless the shell passes a durable one.
        near: near-duplicate index, or ``None`` to skip near-duplicate detection.
    """

    def __init__(
        self,
        config: CoreConfig | None = None,
        *,
        seen: SeenStore | None = None,
        near: NearDuplicateIndex | None = None,
    ) -> None:
        self.config = config or CoreConfig()
        self.seen: SeenStore = seen if seen is not None else MemorySeenStore()
        self.near = near

    def accept(self, raw: RawArticle, *, now: datetime) -> IngestResult:
        """Turn one raw input into a decision. Never raises for bad input: rejections are results with a reason."""
        try:
            return self._accept(raw, now=now)
        except IngestError as exc:
            return IngestResult(kind="rejected", reason=exc.reason, message=exc.detail)

    def _accept(self, raw: RawArticle, *, now: datetime) -> IngestResult:
        size = len(raw.text.encode("utf-8", "surrogatepass"))
        if size > self.config.max_text_bytes:
            raise IngestError("too_large", f"text is {size} bytes; the limit is {self.config.max_text_bytes}")
        head = _dateline(normalize_text(raw.text))
        text = head.text.strip()
        if not text:
            raise IngestError("empty_text", "the text is empty after normalisation (only whitespace, tags or controls)")
        digest = content_hash(text)
        the_id = article_id(raw.id.strip() if raw.id is not None else None, digest)
        earlier = self.seen.get(digest)
        notes: list[str] = []
        dropped: list[tuple[str, str]] = []
        if earlier is not None:
            variant = f"{digest}:{the_id}"
            if raw.id is None or the_id == earlier or self.seen.get(variant) is not None:
                return IngestResult(kind="exact_duplicate", duplicate_of=earlier, message="same normalised text")
            # The same text under another explicit id (another outlet's copy, a client's own id): publish it as a
            # duplicate of the first, so the id its sender knows resolves downstream while the story counts once.
            notes.append(f"identical text already published as {earlier}")
        published, published_code = self._published(raw.published_at, now)
        if published.note:
            notes.append(f"published_at: {published.note}")
        if published_code is not None:
            dropped.append(("published_at", published_code))
        url = None
        if raw.url is not None and raw.url.strip():
            checked = check_url(raw.url.strip())
            url = checked.url
            if checked.problem is not None:
                dropped.append(("url", checked.problem))
                notes.append(f"url: not kept as a link ({checked.detail}): {raw.url.strip()[:200]!r}")
        language = detect_language(text) if self.config.detect_language else None
        if language is not None and language.reason:
            notes.append(f"language: {language.reason}")
        title = _bounded("title", _clean_optional(raw.title, single_line=True), limits.TITLE_MAX_CHARS)
        source = _bounded("source", _clean_optional(raw.source, single_line=True), limits.SOURCE_MAX_CHARS)
        try:
            article = Article(
                article_id=the_id,
                text=text,
                title=title,
                url=url,
                source=source or head.source,
                published_at=published.value,
                published_at_reason=published.reason,
                ingested_at=now,
                language=language.code if language is not None else None,
                origin=raw.origin,
                content_hash=digest,
                dateline=head.dateline,
            )
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            raise IngestError("invalid_field", problems) from None
        encoded = len(article.model_dump_json().encode("utf-8"))
        if encoded > limits.ARTICLE_MAX_BYTES:
            limit = limits.ARTICLE_MAX_BYTES
            raise IngestError("too_large", f"the article is {encoded} bytes as JSON; the limit is {limit}")
        original = earlier
        if original is None and self.near is not None:
            original = self.near.find(text, now=now)
        if original is not None and original != the_id:
            article = article.model_copy(update={"duplicate_of": original})
        if earlier is None:
            self.seen.add(digest, the_id)
        else:
            self.seen.add(f"{digest}:{the_id}", the_id)
        if self.near is not None and earlier is None:
            self.near.add(the_id, text, now=now, original=article.duplicate_of)
        kind: Kind = "near_duplicate" if article.duplicate_of is not None else "published"
        return IngestResult(
            kind=kind, article=article, duplicate_of=article.duplicate_of, notes=tuple(notes), dropped=tuple(dropped)
        )

    def _published(self, value: str | datetime | None, now: datetime) -> tuple[PublishedAt, str | None]:
        """The publication time within bounds, or None with the reason; the second value is the drop's code.

        Event time drives alert windows and watermarks downstream, so one article dated 2099 (or 0001) must not
        reach them: a time more than ``published_max_future_s`` after ``now``, or before ``published_min_year``,
        is left out and the reason says what it was.
        """
        parsed = parse_published(value)
        if parsed.value is None:
            code = None if value is None or (isinstance(value, str) and not value.strip()) else "unparseable"
            return parsed, code
        limit = now + timedelta(seconds=self.config.published_max_future_s)
        shown = parsed.value.isoformat()
        if parsed.value > limit:
            reason = f"dropped: {shown} is more than {self.config.published_max_future_s:.0f} s after ingest time"
            return PublishedAt(None, reason, parsed.note), "future"
        if parsed.value.year < self.config.published_min_year:
            reason = f"dropped: {shown} is before the year {self.config.published_min_year}"
            return PublishedAt(None, reason, parsed.note), "before_floor"
        return parsed, None


def _bounded(field: str, value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise IngestError("too_large", f"{field} is {len(value)} characters; the limit is {limit}")
    return value


def _dateline(text: str) -> Dateline:
    """The dateline split, unless what it took for a dateline is too long to be one."""
    head = split_dateline(text)
    if head.dateline is not None and len(head.dateline) > limits.DATELINE_MAX_CHARS:
        return Dateline(text=text, dateline=None, source=None)
    return head
