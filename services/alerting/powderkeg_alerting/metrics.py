"""Alerting metrics: the shared pipeline metrics plus alerting's own, each name declared once.

Label sets are bounded: ``signal`` comes from the rule file, ``severity``/``status`` from enums, ``outcome`` from
the engine's fixed catalogue, ``sink`` from configuration, ``pair`` only for the top-N pairs of sides by index.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from powderkeg_runtime.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    END_TO_END_SECONDS,
    LAST_PROCESSED,
    MESSAGES_CONSUMED,
    MESSAGES_PRODUCED,
    PROCESSING_ATTEMPTS,
    PROCESSING_FAILURES,
    PROCESSING_SECONDS,
)

ALERTS = Counter(
    "powderkeg_alerts_total",
    "Alert changes produced, by signal, severity and status.",
    ["signal", "severity", "status"],
)
EVENTS_EVALUATED = Counter(
    "powderkeg_alerting_events_total",
    "Events evaluated, by outcome (alerted, no_signal, no_pair, duplicate, late, untimed, factuality_*).",
    ["outcome"],
)
PAIR_ESCALATION_INDEX = Gauge(
    "powderkeg_pair_escalation_index",
    "Escalation index (Goldstein-weighted conflict events per day, fast EWMA) of the top-N pairs of sides only.",
    ["pair"],
)
OPEN_ALERTS = Gauge("powderkeg_alerts_open", "Alerts currently open, by signal.", ["signal"])
ALERT_DELIVERY_ATTEMPTS = Counter(
    "powderkeg_alert_delivery_attempts_total", "HTTP delivery attempts (retries included), by sink.", ["sink"]
)
ALERT_DELIVERY_FAILURES = Counter(
    "powderkeg_alert_delivery_failures_total", "Deliveries given up after every retry failed, by sink.", ["sink"]
)
ALERT_DELIVERY_DROPPED = Counter(
    "powderkeg_alert_delivery_dropped_total",
    "Alert changes not queued for a sink because its queue was full (also counted as failures), by sink.",
    ["sink"],
)
ALERT_DELIVERY_RETRIES = Counter(
    "powderkeg_alert_delivery_retries_total", "Delivery attempts that failed and were retried, by sink.", ["sink"]
)

__all__ = [
    "ALERTS",
    "ALERT_DELIVERY_ATTEMPTS",
    "ALERT_DELIVERY_DROPPED",
    "ALERT_DELIVERY_FAILURES",
    "ALERT_DELIVERY_RETRIES",
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "END_TO_END_SECONDS",
    "EVENTS_EVALUATED",
    "LAST_PROCESSED",
    "MESSAGES_CONSUMED",
    "MESSAGES_PRODUCED",
    "OPEN_ALERTS",
    "PAIR_ESCALATION_INDEX",
    "PROCESSING_ATTEMPTS",
    "PROCESSING_FAILURES",
    "PROCESSING_SECONDS",
]
