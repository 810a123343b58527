"""The chaos test runs against the same real stack as the integration tier (same skip-locally/fail-in-CI rule)."""

from tests.support.stack import kafka_bootstrap

__all__ = ["kafka_bootstrap"]
