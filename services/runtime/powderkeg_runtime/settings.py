"""Settings shared by every service. Each service reads its settings once, at its entry point."""

from __future__ import annotations

import os
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


REPO_ROOT = Path(__file__).resolve().parents[3]
"""The repository root of a source checkout (editable install), against which a relative data path is taken."""


class DevDataSettings(BaseSettings):
    """Where the development data lives: evaluation sets, the full VOA set. Read by the developer tools (``make
    eval-dev``, ``powderkeg bench``) and the tests, never by the services."""

    model_config = SettingsConfigDict(env_prefix="POWDERKEG_", frozen=True, extra="ignore", env_file=None)

    dev_data: Path = Field(
        default=Path("../shared/data"),
        description="Development data folder (evaluation sets, the 89 VOA articles); relative to the repository root.",
    )

    def path(self, *parts: str) -> Path:
        """A path inside the development data folder (``..`` of a relative setting taken off, not resolved)."""
        base = self.dev_data if self.dev_data.is_absolute() else Path(os.path.normpath(REPO_ROOT / self.dev_data))
        return base.joinpath(*parts)
