"""The store's Prometheus metrics, each name declared once. Shared pipeline metrics come from
``powderkeg_runtime.metrics``.

Labels are bounded: ``topic`` from the contracts' topic names, ``outcome`` from the fixed catalogue below,
``reason`` from the decoder's error kinds, ``endpoint`` from the API's route names, ``table`` from the schema.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from powderkeg_runtime.metrics import CONSUMER_LAG, LAST_PROCESSED, MESSAGES_CONSUMED, PROCESSING_SECONDS

STAGE = "store"

WRITES = Counter(
    "powderkeg_store_writes_total",
    "Messages written, by kind and outcome (new, duplicate, replaced, stale).",
    ["kind", "outcome"],
)
REJECTED = Counter("powderkeg_store_rejected_total", "Messages the store could not decode, by reason.", ["reason"])
BATCH_SECONDS = Histogram(
    "powderkeg_store_batch_seconds",
    "Time to write one batch and commit its transaction.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
BATCH_SIZE = Histogram(
    "powderkeg_store_batch_messages", "Messages per written batch.", buckets=(1, 10, 50, 100, 250, 500, 1000, 5000)
)
DB_ERRORS = Counter("powderkeg_store_db_errors_total", "Batches whose transaction failed (retried).")
RETENTION_DELETED = Counter(
    "powderkeg_store_retention_deleted_total", "Rows deleted by retention, by table.", ["table"]
)
RETENTION_LAST_RUN = Gauge("powderkeg_store_retention_last_run_timestamp_seconds", "Unix time retention last ran.")
API_REQUESTS = Counter(
    "powderkeg_store_api_requests_total", "Query API requests, by endpoint and HTTP status.", ["endpoint", "status"]
)
API_SECONDS = Histogram(
    "powderkeg_store_api_seconds",
    "Query API latency, by endpoint.",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
STREAM_CLIENTS = Gauge("powderkeg_store_stream_clients", "Clients connected to the live alert stream.")

__all__ = [
    "API_REQUESTS",
    "API_SECONDS",
    "BATCH_SECONDS",
    "BATCH_SIZE",
    "CONSUMER_LAG",
    "DB_ERRORS",
    "LAST_PROCESSED",
    "MESSAGES_CONSUMED",
    "PROCESSING_SECONDS",
    "REJECTED",
    "RETENTION_DELETED",
    "RETENTION_LAST_RUN",
    "STAGE",
    "STREAM_CLIENTS",
    "WRITES",
]
