"""Message contracts: the pydantic models that travel on Powderkeg's Kafka topics.

Every model is frozen, forbids unknown fields and carries a ``schema_version``, its own major version. A consumer
that meets another ``schema_version`` than it knows rejects the message (it is dead-lettered with the reason)
instead of guessing. A new major version of a model ships on a new topic (``...v2``). Wherever a field may be empty,
a sibling ``reason`` says why, so that an empty field is never silent.

Versions: ``Article`` and ``ArticleOutcome`` are 1; ``EventRecord``, ``Alert`` and ``DeadLetter`` are 2 (sides
of a conflict, actor classes, coordinates, the sentence classifier's reading; alerts about pairs of sides; dead
letters that carry the original's size and hash and may be truncated). docs/ARCHITECTURE.md states the migration.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from powderkeg_contracts import limits
from powderkeg_contracts.sides import ActorClass, ConflictKind, CountryCode, EventSides, SidePair

SCHEMA_VERSION: Literal[1] = 1
"""The major version of the models that are still at 1 (``Article``, ``ArticleOutcome``)."""

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class _Versioned(_Model):
    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Contract major version; consumers reject versions they do not know."
    )


class _Versioned2(_Model):
    schema_version: Literal[2] = Field(
        default=2, description="Contract major version; consumers reject versions they do not know."
    )


class PloverType(str, Enum):
    """The 16 PLOVER event types."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    CONCEDE = "CONCEDE"
    COOPERATE = "COOPERATE"
    AID = "AID"
    RETREAT = "RETREAT"
    REQUEST = "REQUEST"
    ACCUSE = "ACCUSE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    SANCTION = "SANCTION"
    PROTEST = "PROTEST"
    MOBILIZE = "MOBILIZE"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"


class QuadClass(str, Enum):
    """CAMEO quad class. SANCTION is read as verbal conflict (the PLOVER manual's quad table); see docs."""

    VERBAL_COOPERATION = "verbal_cooperation"
    MATERIAL_COOPERATION = "material_cooperation"
    VERBAL_CONFLICT = "verbal_conflict"
    MATERIAL_CONFLICT = "material_conflict"


class Factuality(str, Enum):
    """Whether the text says the event happened."""

    ASSERTED = "asserted"
    NEGATED = "negated"
    HYPOTHETICAL = "hypothetical"
    CLAIMED = "claimed"


class Sector(str, Enum):
    """Actor sector, after the CAMEO/PLOVER agent codes."""

    GOVERNMENT = "government"
    MILITARY = "military"
    POLICE = "police"
    REBELS = "rebels"
    INSURGENTS = "insurgents"
    OPPOSITION = "opposition"
    CIVILIANS = "civilians"
    MEDIA = "media"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    JUDICIARY = "judiciary"
    LEGISLATURE = "legislature"
    BUSINESS = "business"
    NGO = "ngo"
    RELIGIOUS = "religious"
    CRIMINAL = "criminal"
    OTHER = "other"


class Granularity(str, Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Origin(str, Enum):
    """How an article reached ingest."""

    FILE = "file"
    JSONL = "jsonl"
    STDIN = "stdin"
    FEED = "feed"
    HTTP = "http"


class Article(_Versioned):
    """A normalised news article, as ingest publishes it to ``powderkeg.articles.v1``.

    String fields are bounded (``powderkeg_contracts.limits``) so that every valid article fits on the broker.
    """

    article_id: Id = Field(description="Content-derived id (hash of the normalised text) unless the input gave one.")
    text: str = Field(
        min_length=1,
        max_length=limits.TEXT_MAX_CHARS,
        description="Normalised body text (dateline and source tag removed).",
    )
    title: str | None = Field(default=None, max_length=limits.TITLE_MAX_CHARS)
    url: str | None = Field(
        default=None, max_length=limits.URL_MAX_CHARS, description="A valid http(s) URL, or None (ingest checks it)."
    )
    source: str | None = Field(
        default=None,
        max_length=limits.SOURCE_MAX_CHARS,
        description="Outlet or feed name, or the source tag of the text.",
    )
    published_at: datetime | None = Field(default=None, description="Publication time, timezone-aware (UTC).")
    published_at_reason: str | None = Field(
        default=None, max_length=limits.REASON_MAX_CHARS, description="Why published_at is empty."
    )
    ingested_at: datetime
    language: str | None = Field(
        default=None,
        max_length=limits.LANGUAGE_MAX_CHARS,
        description="ISO 639-1 language code detected from the text.",
    )
    origin: Origin
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the normalised text.")
    duplicate_of: Id | None = Field(
        default=None, description="article_id of the original when this article is a near-duplicate of it."
    )
    dateline: str | None = Field(
        default=None,
        max_length=limits.DATELINE_MAX_CHARS,
        description="Dateline place or source tag stripped from the text.",
    )

    @field_validator("published_at", "ingested_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("datetime must be timezone-aware")
        return value

    @property
    def story_id(self) -> str:
        """The id that groups an article with its syndicated copies."""
        return self.duplicate_of or self.article_id


class Actor(_Model):
    """A source or recipient of an event. ``reason`` says why any of the other fields is empty."""

    text: str | None = Field(default=None, description="The span of the sentence that names the actor.")
    name: str | None = Field(default=None, description="Canonical name (e.g. 'Pakistan', 'Tehrik-i-Taliban').")
    country: CountryCode | None = None
    sector: Sector | None = None
    code: str | None = Field(default=None, description="CAMEO-style actor code, e.g. 'PAKGOV', 'AFGREB', 'IGOUNO'.")
    actor_class: ActorClass | None = Field(
        default=None, description="Who the actor is in a conflict (ACLED-style actor type); None when unknown."
    )
    reason: str | None = Field(default=None, description="Why a field is empty (unresolved actor, none in text ...).")


class GeoPrecision(str, Enum):
    """How exactly the coordinates place the event, after ACLED's geo-precision: a town or city, an admin-1
    region (province, state), or only the country (its centroid)."""

    CITY = "city"
    ADMIN1 = "admin1"
    COUNTRY = "country"


class Location(_Model):
    place: str | None = None
    country: CountryCode | None = None
    admin1: str | None = Field(default=None, description="First-level administrative division (province, state).")
    latitude: float | None = Field(default=None, ge=-90.0, le=90.0)
    longitude: float | None = Field(default=None, ge=-180.0, le=180.0)
    precision: GeoPrecision | None = Field(default=None, description="What the coordinates stand for.")
    geonames_id: int | None = Field(default=None, ge=0, description="GeoNames id of the place the coordinates are of.")
    reason: str | None = Field(default=None, description="Why place, country or coordinates are empty.")


class EventDate(_Model):
    date: dt.date | None = None
    granularity: Granularity | None = None
    text: str | None = Field(default=None, description="The date expression the date was resolved from.")
    reason: str | None = Field(default=None, description="Why the date is empty or how it was defaulted.")


class Evidence(_Model):
    sentence: str
    start: int = Field(ge=0, description="Character offset of the sentence in the article text.")
    end: int = Field(ge=0)
    trigger: str = Field(description="The words that triggered the event (verb or noun phrase).")
    trigger_start: int = Field(ge=0, description="Character offset of the trigger in the article text.")
    trigger_end: int = Field(ge=0)


class SentenceClass(_Model):
    """The sentence classifier's reading of the evidence sentence: is it a political event, and of what kind."""

    model: str = Field(min_length=1, max_length=120, description="Classifier name and version.")
    political: float = Field(ge=0.0, le=1.0, description="Probability that the sentence reports a political event.")
    pentacode: int | None = Field(default=None, ge=0, le=4, description="Most probable pentacode of its main event.")
    event_type: PloverType | None = Field(default=None, description="Most probable PLOVER type of its main event.")
    probability: float = Field(ge=0.0, le=1.0, description="Probability of ``pentacode``.")


class EventRecord(_Versioned2):
    """One event: who did what to whom, where and when, and whether the text says it happened."""

    event_id: Id = Field(description="Deterministic: the same article text always yields the same ids.")
    article_id: Id
    story_id: Id = Field(description="article_id of the original story (near-duplicates share it).")
    event_type: PloverType
    mode: str | None = Field(default=None, description="PLOVER mode, e.g. 'aerial', 'restrict', 'meet'.")
    cameo_code: str = Field(pattern=r"^[0-2][0-9]{1,3}$", description="CAMEO code: root always, deeper if known.")
    quad_class: QuadClass
    pentacode: int = Field(ge=0, le=4, description="0 statement ... 4 material conflict, from the CAMEO root.")
    goldstein: float = Field(ge=-10.0, le=10.0)
    actor: Actor
    recipient: Actor
    location: Location
    event_date: EventDate
    factuality: Factuality
    speaker: Actor | None = Field(default=None, description="Who says so, for reported speech and claims.")
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)
    sides: EventSides = Field(
        default_factory=EventSides, description="The conflict sides of actor and recipient; the event's Kafka key."
    )
    reciprocal: bool = Field(
        default=False, description="Both parties act (clashes, fighting between X and Y): actor and recipient alike."
    )
    main: bool = Field(default=True, description="The sentence's main event, not an embedded or secondary one.")
    background_reason: str | None = Field(
        default=None, description="Why the event is background or history rather than current news; None if current."
    )
    classification: SentenceClass | None = Field(
        default=None, description="The sentence classifier's reading of the evidence sentence; None without one."
    )
    published_at: datetime | None = Field(default=None, description="The article's publication time.")
    url: str | None = Field(default=None, description="The article's URL, for alert links.")
    source: str | None = Field(default=None, description="The article's outlet.")
    ingested_at: datetime | None = Field(
        default=None, description="When ingest accepted the article; for end-to-end latency, not for event time."
    )
    extractor_version: str


class ArticleStatus(str, Enum):
    EVENTS = "events"
    NO_EVENTS = "no_events"
    SKIPPED = "skipped"


class ArticleOutcome(_Versioned):
    """What became of one article: its events, an explicit "no events", or why it was skipped."""

    article_id: Id
    status: ArticleStatus
    event_ids: tuple[Id, ...] = ()
    reason: str | None = Field(default=None, description="Why no events or why skipped (e.g. 'language:fr').")
    processed_at: datetime
    extractor_version: str


class Direction(str, Enum):
    ESCALATION = "escalation"
    DEESCALATION = "de-escalation"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertStatus(str, Enum):
    RAISED = "raised"
    UPDATED = "updated"
    RESOLVED = "resolved"


class Alert(_Versioned2):
    """An escalation (or de-escalation) alert: one per pair of sides and signal episode, updated as evidence arrives."""

    alert_id: Id = Field(description="Deterministic: pair of sides, signal and the episode's first event.")
    signal: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Signal name from the rule file.")
    title: str = Field(min_length=1, max_length=200, description="The signal's title, e.g. 'Armed clashes'.")
    direction: Direction
    severity: Severity
    status: AlertStatus
    revision: int = Field(ge=1, description="1 when raised, +1 on every update or resolution.")
    sides: SidePair
    kind: ConflictKind = Field(description="Interstate, intrastate or one-sided (the pair's kind).")
    countries: tuple[CountryCode, ...] = Field(description="The sides' distinct countries, sorted.")
    locations: tuple[str, ...] = Field(default=(), description="Places named by its events, most frequent first.")
    summary: str
    confidence: float = Field(ge=0.0, le=1.0)
    claimed_by: tuple[str, ...] = Field(default=(), description="Who claims it, when only claimed.")
    event_ids: tuple[Id, ...]
    article_ids: tuple[Id, ...]
    story_ids: tuple[Id, ...] = Field(default=(), description="Distinct stories (near-duplicates collapse).")
    urls: tuple[str, ...] = ()
    evidence: tuple[str, ...] = Field(default=(), description="Evidence sentences, most relevant first.")
    escalation_index: float | None = Field(default=None, description="The pair's index when the alert changed.")
    first_seen: datetime = Field(description="Event time of the first event behind the alert.")
    last_seen: datetime = Field(description="Event time of the latest event behind the alert.")
    resolved_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Alert:
        if self.kind is not self.sides.kind or self.countries != self.sides.countries:
            raise ValueError("kind and countries must be those of sides (sides.kind, sides.countries)")
        return self


class DeadLetter(_Versioned2):
    """Why a message could not be processed, with the original bytes so that it can be replayed after a fix.

    A letter must itself fit on the broker: an original too large for that is cut (``truncated``), and its size and
    SHA-256 identify it; a truncated letter can be listed but not replayed.
    """

    original_topic: str | None = Field(description="None when the input never reached Kafka (file line, HTTP body).")
    original_partition: int | None = None
    original_offset: int | None = None
    original_key: str | None = Field(default=None, description="Key, base64.")
    original_value: str = Field(description="Value, base64 (the exact bytes received, or their first part).")
    original_size: int = Field(ge=0, description="Size of the original value in bytes.")
    original_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the original value.")
    truncated: bool = Field(default=False, description="original_value holds only the first part of the value.")
    stage: Literal["ingest", "extractor", "alerting"]
    error_class: str
    error_message: str
    failed_at: datetime
    origin: str | None = Field(default=None, description="File path and line, or HTTP client, when not from Kafka.")


def schema_version_of(model: type[BaseModel]) -> int:
    """The major version a contract model carries (the default of its ``schema_version`` field)."""
    default = model.model_fields["schema_version"].default
    if not isinstance(default, int):
        raise TypeError(f"{model.__name__} has no integer schema_version")
    return default


MODELS: dict[str, type[_Versioned] | type[_Versioned2]] = {
    "article": Article,
    "event_record": EventRecord,
    "article_outcome": ArticleOutcome,
    "alert": Alert,
    "dead_letter": DeadLetter,
}
