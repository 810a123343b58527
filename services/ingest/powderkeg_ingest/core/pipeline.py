"""The ingest core: one raw input in, one decision out (published, duplicate or rejected).

Pure: no Kafka, no environment, no clock (``now`` is passed in), no I/O. The service shell and the embedded mode
(``powderkeg run``) both call :meth:`IngestCore.accept` and only differ in where the resulting Article goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from powderkeg_contracts import Article, Origin
from powderkeg_ingest.core.dedupe import MemorySeenStore, SeenStore
from powderkeg_ingest.core.errors import IngestError, Reason
from powderkeg_ingest.core.ids import article_id, content_hash
from powderkeg_ingest.core.normalize import detect_language, normalize_text, parse_published, split_dateline

DEFAULT_MAX_TEXT_BYTES = 1_000_000


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

    max_text_bytes: int = Field(default=DEFAULT_MAX_TEXT_BYTES, ge=1, description="Larger texts are rejected.")
    detect_language: bool = True


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
        head = split_dateline(normalize_text(raw.text))
        text = head.text.strip()
        if not text:
            raise IngestError("empty_text", "the text is empty after normalisation (only whitespace, tags or controls)")
        digest = content_hash(text)
        the_id = article_id(raw.id.strip() if raw.id is not None else None, digest)
        earlier = self.seen.get(digest)
        notes: list[str] = []
        if earlier is not None:
            variant = f"{digest}:{the_id}"
            if raw.id is None or the_id == earlier or self.seen.get(variant) is not None:
                return IngestResult(kind="exact_duplicate", duplicate_of=earlier, message="same normalised text")
            # The same text under another explicit id (another outlet's copy, a client's own id): publish it as a
            # duplicate of the first, so the id its sender knows resolves downstream while the story counts once.
            notes.append(f"identical text already published as {earlier}")
        published = parse_published(raw.published_at)
        if published.note:
            notes.append(f"published_at: {published.note}")
        language = detect_language(text) if self.config.detect_language else None
        if language is not None and language.reason:
            notes.append(f"language: {language.reason}")
        try:
            article = Article(
                article_id=the_id,
                text=text,
                title=_clean_optional(raw.title, single_line=True),
                url=_clean_optional(raw.url, single_line=True),
                source=_clean_optional(raw.source, single_line=True) or head.source,
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
        if article.duplicate_of is not None:
            return IngestResult(
                kind="near_duplicate", article=article, duplicate_of=article.duplicate_of, notes=tuple(notes)
            )
        return IngestResult(kind="published", article=article, notes=tuple(notes))
