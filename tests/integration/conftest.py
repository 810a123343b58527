"""The integration tier runs against the real stack; its fixtures live in tests/support/stack.py."""

from tests.support.stack import (
    alertmanager_url,
    database_factory,
    kafka_bootstrap,
    postgres_url,
    prometheus_url,
    topic_factory,
    unique_group,
)

__all__ = [
    "alertmanager_url",
    "database_factory",
    "kafka_bootstrap",
    "postgres_url",
    "prometheus_url",
    "topic_factory",
    "unique_group",
]
