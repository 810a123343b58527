"""Ingest settings: read once, at the entry point, from ``POWDERKEG_*`` environment variables.

Each variable is the field name upper-cased with the ``POWDERKEG_`` prefix, e.g. ``POWDERKEG_INGEST_METRICS_PORT``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from powderkeg_contracts import limits
from powderkeg_ingest.core.netpolicy import PrivateAllowance
from powderkeg_runtime.settings import OptionalSecret, ServiceSettings


class IngestSettings(ServiceSettings):
    """Settings of the ingest service (on top of the Kafka and metrics settings every service shares)."""

    ingest_metrics_port: int = Field(default=9101, ge=0, le=65535, description="/metrics, /healthz, /readyz port.")
    ingest_state_dir: Path = Field(
        default=Path(".powderkeg/ingest"),
        description="Where the de-duplication memory and feed state live (a small SQLite file), kept across restarts.",
    )
    ingest_max_text_bytes: int = Field(
        default=limits.TEXT_MAX_BYTES,
        ge=1,
        le=limits.TEXT_MAX_BYTES,
        description="Articles with larger texts (UTF-8 bytes) are rejected; at most the contract's limit.",
    )
    ingest_max_file_bytes: int = Field(
        default=limits.STDIN_MAX_BYTES,
        ge=1,
        description="Plain-text and .json files, and standard input, larger than this are rejected unread.",
    )
    ingest_http_host: str = Field(default="127.0.0.1", description="Address the HTTP push API binds to.")
    ingest_http_port: int = Field(default=8080, ge=0, le=65535, description="Port of the HTTP push API.")
    ingest_http_token: OptionalSecret = Field(
        default=None, description="Bearer token the push API requires; without one the API refuses every push."
    )
    ingest_http_max_body_bytes: int = Field(
        default=limits.HTTP_BODY_MAX_BYTES,
        ge=1,
        le=limits.HTTP_BODY_MAX_BYTES,
        description="Larger push bodies get 413.",
    )
    ingest_http_body_timeout_s: float = Field(
        default=30.0, gt=0, description="Total time a client has to send a push body; slower ones get 408."
    )
    ingest_publish_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Time the broker has to acknowledge a unit of work (a push, a feed poll, 500 lines of a file); "
        "also the producer's delivery timeout. Past it the unit is refused (503) and nothing of it is recorded.",
    )
    ingest_publish_retry_after_s: float = Field(
        default=5.0, gt=0, description="After a failed publish, pushes are refused (503, Retry-After) this long."
    )
    ingest_published_max_future_hours: float = Field(
        default=24.0, ge=0, description="Publication times further ahead of ingest time are dropped, with a reason."
    )
    ingest_published_min_year: int = Field(
        default=1900, ge=1, le=9999, description="Publication times before this year are dropped, with a reason."
    )
    ingest_near_enabled: bool = Field(default=True, description="Detect near-duplicates (syndicated copies).")
    ingest_near_min_overlap: float = Field(
        default=0.4, gt=0.0, le=1.0, description="Share of the smaller text's 4-word shingles the other must have."
    )
    ingest_near_window_count: int = Field(default=50_000, ge=1, description="Articles kept for near-dup matching.")
    ingest_near_window_hours: float = Field(default=72.0, gt=0, description="Hours an article stays matchable.")
    ingest_feed_interval_s: float = Field(default=300.0, gt=0, description="Seconds between polls of one feed.")
    ingest_fetch_timeout_s: float = Field(default=10.0, gt=0, description="Total time allowed for one fetch.")
    ingest_fetch_max_bytes: int = Field(default=5_000_000, ge=1, description="Feed or page bodies larger are refused.")
    ingest_fetch_max_redirects: int = Field(default=3, ge=0, description="Redirects followed per fetch.")
    ingest_feed_poll_timeout_s: float = Field(
        default=120.0, gt=0, description="Total time for one feed poll with its linked pages; the rest waits."
    )
    ingest_allow_private: str = Field(
        default="",
        description="Private addresses feeds may reach: comma-separated addresses, CIDR networks or host names "
        "(e.g. 127.0.0.1/32,10.0.0.5). Cloud metadata addresses are never reachable.",
    )

    @field_validator("ingest_allow_private")
    @classmethod
    def _allowance(cls, value: str) -> str:
        PrivateAllowance.parse(value)
        return value

    @property
    def private_allowance(self) -> PrivateAllowance:
        return PrivateAllowance.parse(self.ingest_allow_private)
