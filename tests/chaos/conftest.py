"""The chaos test uses the integration tests' broker fixture (same stack, same skip-locally/fail-in-CI rule)."""

from tests.integration.conftest import kafka_bootstrap

__all__ = ["kafka_bootstrap"]
