"""Store settings (environment prefix ``POWDERKEG_``), read once at the entry point."""

from __future__ import annotations

from pydantic import Field

from powderkeg_runtime.settings import OptionalSecret, ServiceSettings


class StoreSettings(ServiceSettings):
    """Settings of the store service: database, consumer, retention, the query API and console."""

    store_database_url: str = Field(
        default="postgresql+psycopg://powderkeg@127.0.0.1:5434/powderkeg",
        description="SQLAlchemy URL of the store: PostgreSQL in production, sqlite:///path for a single machine.",
    )
    store_group_id: str = Field(default="powderkeg-store", description="Kafka consumer group of the store.")
    store_metrics_port: int = Field(default=9104, ge=0, le=65535, description="Port of /metrics, /healthz, /readyz.")
    store_batch_max: int = Field(
        default=1000, ge=1, le=100_000, description="Messages written per database transaction at most."
    )
    store_poll_timeout_ms: int = Field(default=500, ge=10, description="How long one Kafka poll waits for messages.")
    store_retention_days: float = Field(
        default=90.0, gt=0, description="Events, alerts and outcomes older than this are deleted (event time)."
    )
    store_retention_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often the retention job runs."
    )
    store_http_host: str = Field(default="127.0.0.1", description="Address the query API and console bind to.")
    store_http_port: int = Field(default=8090, ge=0, le=65535, description="Port of the query API and console.")
    store_api_token: OptionalSecret = Field(
        default=None, description="Bearer token the query API requires; without one the API refuses every request."
    )
