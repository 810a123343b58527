"""Settings shared by every service. Each service reads its settings once, at its entry point."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Kafka and metrics settings common to all services (environment prefix ``POWDERKEG_``)."""

    model_config = SettingsConfigDict(env_prefix="POWDERKEG_", frozen=True, extra="ignore", env_file=None)

    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated.")
    topic_partitions: int = Field(default=3, ge=1, description="Partitions for topics the services create.")
    metrics_host: str = Field(default="127.0.0.1", description="Address the /metrics and health server binds to.")
    log_level: str = Field(default="INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    shutdown_timeout_seconds: float = Field(
        default=30.0, gt=0, description="After SIGTERM, exit anyway if the graceful stop takes longer (broker gone)."
    )
    log_json: bool = Field(default=False, description="Log one JSON object per line instead of plain text.")
    faust_data_dir: Path = Field(
        default=Path(".powderkeg/faust"),
        description="Where the faust workers keep their local data, one folder per app id (not the working directory).",
    )
