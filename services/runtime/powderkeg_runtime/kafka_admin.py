"""Topic administration with kafka-python (the services create their topics explicitly at start-up rather than rely
on broker auto-creation, so partition counts and the dead-letter topics are always what the contracts say)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


def ensure_topics(bootstrap: str, topics: Iterable[str], *, partitions: int = 3, timeout_s: float = 60.0) -> None:
    """Create ``topics`` if missing; wait (bounded by ``timeout_s``) for the broker to answer."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="powderkeg-admin")
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kafka at {bootstrap} not reachable within {timeout_s:.0f}s: {exc}") from exc
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        if missing:
            try:
                admin.create_topics(
                    [NewTopic(name=t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
                log.info("created topics %s", missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
