"""Extractor service settings (environment prefix ``POWDERKEG_``), read once at the entry point."""

from __future__ import annotations

from pydantic import Field

from powderkeg_runtime.settings import ServiceSettings


class ExtractorSettings(ServiceSettings):
    extractor_app_id: str = Field(default="powderkeg-extractor", description="faust app id = consumer group.")
    extractor_metrics_port: int = Field(default=9102, description="Port of /metrics, /healthz and /readyz.")
    extractor_max_chars: int = Field(
        default=200_000, ge=1, description="Longer article texts are dead-lettered (reason too_large), not parsed."
    )
    extractor_languages: tuple[str, ...] = Field(
        default=("en",), description="Languages extracted; others get a 'skipped' outcome and are counted."
    )
