"""Alert delivery: Alertmanager (v2 API) and HMAC-signed webhooks, with bounded retries and exponential backoff.

Kafka's ``powderkeg.alerts.v2`` is the durable record of every alert; sinks are best-effort notifications on top of
it. A delivery that still fails after its retries is counted (``powderkeg_alert_delivery_failures_total{sink}``) and
logged; Alertmanager additionally gets every open alert re-sent periodically, which heals lost deliveries.
"""

from powderkeg_alerting.sinks.alertmanager import AlertmanagerSink, to_alertmanager
from powderkeg_alerting.sinks.base import Delivery, RetryPolicy, Sink, deliver
from powderkeg_alerting.sinks.webhook import WebhookSink, sign, verify_signature

__all__ = [
    "AlertmanagerSink",
    "Delivery",
    "RetryPolicy",
    "Sink",
    "WebhookSink",
    "deliver",
    "sign",
    "to_alertmanager",
    "verify_signature",
]
