"""Alerting service settings (environment prefix ``POWDERKEG_``), read once at the entry point.

Webhooks are configured as JSON in ``POWDERKEG_ALERTING_WEBHOOKS``, e.g.
``[{"name": "ops", "url": "http://127.0.0.1:9199/hook", "secret": "s3cret"}]``; secrets are ``SecretStr`` so they
never appear in logs or settings dumps.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from powderkeg_runtime.settings import ServiceSettings


class WebhookConfig(BaseModel):
    """One webhook receiver: alerts are POSTed as JSON, signed with HMAC-SHA256 of timestamp and body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_-]{1,32}$", description="Metric label for this sink (bounded, chosen here).")
    url: str = Field(pattern=r"^https?://")
    secret: SecretStr = Field(description="Shared HMAC key; the receiver recomputes the signature with it.")


class AlertingSettings(ServiceSettings):
    alerting_app_id: str = Field(default="powderkeg-alerting", description="faust app id = consumer group.")
    alerting_metrics_port: int = Field(default=9103, description="Port of /metrics, /healthz and /readyz.")
    alerting_rules_path: Path | None = Field(default=None, description="Rule file; the packaged rules.yaml if unset.")
    alerting_alertmanager_url: str = Field(
        default="http://127.0.0.1:9093", description="Alertmanager base URL; empty disables the Alertmanager sink."
    )
    alerting_webhooks: list[WebhookConfig] = Field(default_factory=list, description="Signed webhook receivers.")
    alerting_delivery_attempts: int = Field(default=5, ge=1, le=10, description="Tries per delivery before giving up.")
    alerting_delivery_backoff_seconds: float = Field(default=0.5, gt=0, description="First retry delay; doubles.")
    alerting_delivery_max_backoff_seconds: float = Field(default=8.0, gt=0, description="Cap on one retry delay.")
    alerting_delivery_timeout_seconds: float = Field(default=5.0, gt=0, description="HTTP timeout per try.")
    alerting_resend_interval_seconds: float = Field(
        default=60.0, gt=0, description="Open alerts are re-sent to Alertmanager this often (it expires silent ones)."
    )
    alerting_top_pairs: int = Field(
        default=20, ge=1, le=200, description="Pairs exported on powderkeg_pair_escalation_index (highest index)."
    )
    alerting_fast_half_life_hours: float = Field(default=6.0, gt=0, description="Escalation index: fast half-life.")
    alerting_slow_half_life_hours: float = Field(default=168.0, gt=0, description="Escalation index: baseline.")
