"""Ingest settings: read once, at the entry point, from ``POWDERKEG_*`` environment variables.

Each variable is the field name upper-cased with the ``POWDERKEG_`` prefix, e.g. ``POWDERKEG_INGEST_METRICS_PORT``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from powderkeg_runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Settings of the ingest service (on top of the Kafka and metrics settings every service shares)."""

    ingest_metrics_port: int = Field(default=9101, ge=0, le=65535, description="/metrics, /healthz, /readyz port.")
    ingest_state_dir: Path = Field(
        default=Path(".powderkeg/ingest"),
        description="Where the de-duplication memory and feed state live (a small SQLite file), kept across restarts.",
    )
    ingest_max_text_bytes: int = Field(default=1_000_000, ge=1, description="Articles with larger texts are rejected.")
    ingest_max_file_bytes: int = Field(
        default=50_000_000, ge=1, description="Plain-text and .json files larger than this are rejected unread."
    )
    ingest_http_host: str = Field(default="127.0.0.1", description="Address the HTTP push API binds to.")
    ingest_http_port: int = Field(default=8080, ge=0, le=65535, description="Port of the HTTP push API.")
    ingest_http_token: SecretStr | None = Field(
        default=None, description="Bearer token the push API requires; without one the API refuses every push."
    )
    ingest_http_max_body_bytes: int = Field(default=5_000_000, ge=1, description="Larger push bodies get 413.")
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
    allow_private_networks: bool = Field(
        default=False,
        description="Allow fetches to loopback, private and link-local addresses (tests and local feeds only).",
    )
