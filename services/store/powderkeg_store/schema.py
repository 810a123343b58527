"""The store's tables, as SQLAlchemy Core metadata: the one definition the migrations, writes and queries use.

Every table runs on PostgreSQL and SQLite alike: portable types only, JSON as SQLAlchemy's ``JSON``, times as
timezone-aware ``DateTime``. Indexes serve the API's queries (docs/store.md lists which query uses which); the
migration in ``migrations/versions`` creates exactly these, and a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)



class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC time on every backend: SQLite keeps no offset, so values are stored as UTC and read
    back as UTC-aware; PostgreSQL's ``timestamptz`` does this itself."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps timezone-aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TZ = UTCDateTime()
SEQ = BigInteger().with_variant(Integer, "sqlite")
"""An auto-incrementing id: SQLite only auto-increments an INTEGER PRIMARY KEY."""


def _actor(prefix: str) -> list[Column[object]]:
    return [
        Column(f"{prefix}_name", String),
        Column(f"{prefix}_text", Text),
        Column(f"{prefix}_country", String),
        Column(f"{prefix}_code", String),
        Column(f"{prefix}_sector", String),
        Column(f"{prefix}_class", String),
    ]


def _side(prefix: str) -> list[Column[object]]:
    return [Column(f"{prefix}_key", String), Column(f"{prefix}_label", String), Column(f"{prefix}_country", String)]


events = Table(
    "events",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("article_id", String, nullable=False),
    Column("story_id", String, nullable=False),
    Column("time", TZ, nullable=False),
    Column("event_date", Date),
    Column("date_granularity", String),
    Column("published_at", TZ),
    Column("ingested_at", TZ),
    Column("event_type", String, nullable=False),
    Column("mode", String),
    Column("cameo_code", String, nullable=False),
    Column("cameo_root", String, nullable=False),
    Column("quad_class", String, nullable=False),
    Column("pentacode", SmallInteger, nullable=False),
    Column("goldstein", Float, nullable=False),
    *_actor("actor1"),
    *_actor("actor2"),
    *_side("side1"),
    *_side("side2"),
    Column("pair_key", String),
    Column("pair_label", String),
    Column("conflict_kind", String),
    Column("location", Text),
    Column("country", String),
    Column("admin1", String),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", String),
    Column("geonames_id", Integer),
    Column("location_reason", Text),
    Column("factuality", String, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("speaker", String),
    Column("reciprocal", Boolean, nullable=False),
    Column("main", Boolean, nullable=False),
    Column("background_reason", Text),
    Column("evidence", Text, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("source", String),
    Column("source_url", Text),
    Column("extractor_version", String, nullable=False),
    Column("conflict_mass", Float, nullable=False),
    Column("stored_at", TZ, nullable=False),
    Index(None, "time", "event_id"),
    Index(None, "pair_key", "time"),
    Index(None, "event_type", "time"),
    Index(None, "cameo_root", "time"),
    Index(None, "country", "time"),
)

event_facets = Table(
    "event_facets",
    metadata,
    Column("facet", String, nullable=False),
    Column("time", TZ, nullable=False),
    Column("event_id", String, nullable=False),
    PrimaryKeyConstraint("facet", "time", "event_id"),
    Index(None, "time"),
)
"""``c:<ISO3>`` for each country an event involves, ``s:<side key>`` for its sides: country and side queries read
this index in time order instead of OR-ing five columns of ``events``."""

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("signal", String, nullable=False),
    Column("title", String, nullable=False),
    Column("direction", String, nullable=False),
    Column("severity", String, nullable=False),
    Column("severity_rank", SmallInteger, nullable=False),
    Column("status", String, nullable=False),
    Column("pair_key", String, nullable=False),
    Column("pair_label", String, nullable=False),
    Column("conflict_kind", String, nullable=False),
    Column("side1_key", String, nullable=False),
    Column("side1_label", String, nullable=False),
    Column("side2_key", String),
    Column("side2_label", String),
    Column("country1", String),
    Column("country2", String),
    Column("summary", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("escalation_index", Float),
    Column("first_seen", TZ, nullable=False),
    Column("last_seen", TZ, nullable=False),
    Column("resolved_at", TZ),
    Column("n_events", Integer, nullable=False),
    Column("n_articles", Integer, nullable=False),
    Column("n_stories", Integer, nullable=False),
    Column("record", JSON, nullable=False),
    Column("change_seq", SEQ, nullable=False),
    Column("stored_at", TZ, nullable=False),
    Index(None, "last_seen", "alert_id"),
    Index(None, "severity_rank", "last_seen", "alert_id"),
    Index(None, "pair_key", "last_seen"),
)

alert_revisions = Table(
    "alert_revisions",
    metadata,
    Column("alert_id", String, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("severity", String, nullable=False),
    Column("summary", Text, nullable=False),
    Column("escalation_index", Float),
    Column("last_seen", TZ, nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("record", JSON, nullable=False),
    Column("stored_at", TZ, nullable=False),
    PrimaryKeyConstraint("alert_id", "revision"),
)
"""Every revision seen, for an alert's timeline; ``alerts`` holds the highest."""

alert_events = Table(
    "alert_events",
    metadata,
    Column("alert_id", String, nullable=False),
    Column("event_id", String, nullable=False),
    PrimaryKeyConstraint("alert_id", "event_id"),
    Index(None, "event_id"),
)

alert_changes = Table(
    "alert_changes",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("alert_id", String, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("changed_at", TZ, nullable=False),
    Index(None, "alert_id"),
)
"""One row per alert that was stored new or replaced by a higher revision: the live stream reads it by ``seq``."""

outcomes = Table(
    "outcomes",
    metadata,
    Column("article_id", String, primary_key=True),
    Column("status", String, nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("reason", Text),
    Column("processed_at", TZ, nullable=False),
    Column("extractor_version", String, nullable=False),
    Index(None, "processed_at"),
)

pairs = Table(
    "pairs",
    metadata,
    Column("pair_key", String, primary_key=True),
    Column("pair_label", String, nullable=False),
    Column("conflict_kind", String, nullable=False),
    Column("side1_key", String, nullable=False),
    Column("side1_label", String, nullable=False),
    Column("side2_key", String),
    Column("side2_label", String),
    Column("country1", String),
    Column("country2", String),
    Column("n_events", Integer, nullable=False),
    Column("first_time", TZ, nullable=False),
    Column("last_time", TZ, nullable=False),
    Index(None, "last_time"),
)
"""Every pair of sides with stored events: how many and since when (kept in step by writes and retention)."""

sides = Table(
    "sides",
    metadata,
    Column("side_key", String, primary_key=True),
    Column("label", String, nullable=False),
    Column("country", String),
    Column("actor_class", String),
    Column("n_events", Integer, nullable=False),
    Column("last_time", TZ, nullable=False),
    Index(None, "country"),
)

place_days = Table(
    "place_days",
    metadata,
    Column("day", Date, nullable=False),
    Column("place_key", String, nullable=False),
    Column("location", Text),
    Column("country", String),
    Column("admin1", String),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("geo_precision", String),
    Column("n_events", Integer, nullable=False),
    Column("n_conflict", Integer, nullable=False),
    Column("mass", Float, nullable=False),
    PrimaryKeyConstraint("day", "place_key"),
)
"""Events per place per day, for the map: a map of the last days sums a few thousand rows, not every event."""

rejects = Table(
    "rejects",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("topic", String, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("reason", String, nullable=False),
    Column("message", Text, nullable=False),
    Column("key", LargeBinary),
    Column("value", LargeBinary),
    Column("rejected_at", TZ, nullable=False),
    Index(None, "topic", "partition", "offset", unique=True),
)
"""Messages the store could not decode, with the reason and the original bytes (the store's dead letters)."""
