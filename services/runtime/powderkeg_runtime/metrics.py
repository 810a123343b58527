"""The pipeline metrics every consuming or producing service exports, declared once.

Services import these and add their own in their ``metrics.py``. Declaring the shared names here (rather than in
each service) keeps one definition per name, so the embedded mode and the tests can load every service's metrics
into one process. Labels are bounded: topics and partitions come from the contracts, reasons from fixed catalogues.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_CONSUMED = Counter("powderkeg_messages_consumed_total", "Messages consumed from Kafka, by topic.", ["topic"])
MESSAGES_PRODUCED = Counter("powderkeg_messages_produced_total", "Messages produced to Kafka, by topic.", ["topic"])
PROCESSING_ATTEMPTS = Counter(
    "powderkeg_processing_attempts_total", "Messages whose processing was attempted, by stage.", ["stage"]
)
PROCESSING_FAILURES = Counter(
    "powderkeg_processing_failures_total", "Messages whose processing failed, by stage and reason.", ["stage", "reason"]
)
PROCESSING_SECONDS = Histogram(
    "powderkeg_processing_seconds",
    "Time to process one message, by stage.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DEAD_LETTERS = Counter(
    "powderkeg_dead_letters_total", "Messages dead-lettered, by dead-letter topic and reason.", ["topic", "reason"]
)
CONSUMER_LAG = Gauge(
    "powderkeg_consumer_lag", "Messages not yet processed by this service's consumer group.", ["topic", "partition"]
)
LAST_PROCESSED = Gauge(
    "powderkeg_last_processed_timestamp_seconds", "Unix time of the last message processed, by stage.", ["stage"]
)
END_TO_END_SECONDS = Histogram(
    "powderkeg_end_to_end_seconds",
    "Time from an article's ingestion to the moment this stage finished with it, by stage.",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
MESSAGES_SKIPPED = Counter(
    "powderkeg_messages_skipped_total",
    "Consumed messages skipped, recorded by reference only: neither processed nor dead-lettered with their bytes, "
    "by stage and reason.",
    ["stage", "reason"],
)
