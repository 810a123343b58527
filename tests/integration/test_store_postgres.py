"""The store against the real PostgreSQL and the real broker that the stack started.

The scenarios of tests/support/store_scenarios.py run here on PostgreSQL; the consumer tests push real messages through
Kafka: a replay stores nothing twice, a later revision replaces an earlier one (and an old one arriving late does
not), and offsets are committed only once the database transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from kafka import TopicPartition
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from powderkeg_runtime.codec import encode
from powderkeg_runtime.kafka_admin import GroupOffsets
from powderkeg_store import schema
from powderkeg_store.consumer import StoreConsumer
from powderkeg_store.db import current_revision, head_revision, open_store
from tests.support import store_scenarios as scenarios
from tests.support.kafka import produce
from tests.support.store_factory import alert, event

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(database_factory: Callable[[], str]) -> Iterator[Engine]:
    engine = open_store(database_factory())
    yield engine
    engine.dispose()


def test_migrations_build_exactly_the_schema_on_postgres(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
def test_scenario_on_postgres(engine: Engine, scenario: Callable[[Engine], None]) -> None:
    scenario(engine)


def _consume(consumer: StoreConsumer, expected: int, *, rounds: int = 60) -> int:
    """Step the consumer until ``expected`` messages were handled (bounded by ``rounds`` polls)."""
    handled = 0
    for _ in range(rounds):
        handled += consumer.step()
        if handled >= expected:
            break
    return handled


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def topics(topic_factory: Callable[..., str]) -> tuple[str, str, str]:
    return topic_factory("events", partitions=2), topic_factory("alerts"), topic_factory("outcomes")


def _consumer(engine: Engine, bootstrap: str, group: str, names: tuple[str, str, str]) -> StoreConsumer:
    return StoreConsumer(engine, bootstrap=bootstrap, group_id=group, topic_names=names, batch_max=50,
                         poll_timeout_ms=500)


def test_replaying_the_same_events_twice_stores_them_once(
    engine: Engine, kafka_bootstrap: str, topics: tuple[str, str, str], unique_group: str
) -> None:
    events = [event(i, minutes=i) for i in range(40)]
    messages = [(e.sides.key, encode(e)) for e in events]
    produce(kafka_bootstrap, topics[0], messages + messages)  # a redelivery on the topic itself
    first = _consumer(engine, kafka_bootstrap, unique_group, topics)
    try:
        assert _consume(first, 80) == 80
    finally:
        first.close()
    assert _count(engine, schema.events) == 40
    facets = _count(engine, schema.event_facets)
    replay = _consumer(engine, kafka_bootstrap, unique_group + "-replay", topics)  # a new group: a full replay
    try:
        assert _consume(replay, 80) == 80
    finally:
        replay.close()
    assert _count(engine, schema.events) == 40 and _count(engine, schema.event_facets) == facets
    with engine.connect() as conn:
        assert conn.execute(select(schema.pairs.c.n_events)).scalar_one() == 40


def test_a_later_revision_replaces_the_earlier_one(
    engine: Engine, kafka_bootstrap: str, topics: tuple[str, str, str], unique_group: str
) -> None:
    revisions = [alert(1), alert(2, events=("ev-000001", "ev-000002")), alert(3, events=("ev-000001",)), alert(2)]
    produce(kafka_bootstrap, topics[1], [(a.alert_id, encode(a)) for a in revisions])
    consumer = _consumer(engine, kafka_bootstrap, unique_group, topics)
    try:
        assert _consume(consumer, 4) == 4
    finally:
        consumer.close()
    with engine.connect() as conn:
        stored = conn.execute(select(schema.alerts.c.revision, schema.alerts.c.summary)).one()
        kept = conn.execute(select(schema.alert_revisions.c.revision).order_by("revision")).scalars().all()
    assert tuple(stored) == (3, "revision 3") and kept == [1, 2, 3]


def test_a_message_that_cannot_be_decoded_is_kept_with_the_reason(
    engine: Engine, kafka_bootstrap: str, topics: tuple[str, str, str], unique_group: str
) -> None:
    produce(kafka_bootstrap, topics[0], [("k", b"{not json"), ("k", encode(event(1)))])
    consumer = _consumer(engine, kafka_bootstrap, unique_group, topics)
    try:
        assert _consume(consumer, 2) == 2
    finally:
        consumer.close()
    with engine.connect() as conn:
        reject = conn.execute(select(schema.rejects.c.reason, schema.rejects.c.value)).one()
    assert tuple(reject) == ("invalid_json", b"{not json") and _count(engine, schema.events) == 1


def test_offsets_are_committed_only_after_the_database_commit(
    engine: Engine, kafka_bootstrap: str, topics: tuple[str, str, str], unique_group: str
) -> None:
    produce(kafka_bootstrap, topics[1], [(a.alert_id, encode(a)) for a in (alert(1), alert(2))])
    with engine.begin() as conn:  # the database refuses every alert write until the trigger is dropped
        conn.execute(text("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; "
                          "END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON alert_revisions FOR EACH ROW EXECUTE "
                          "FUNCTION refuse()"))
    consumer = _consumer(engine, kafka_bootstrap, unique_group, topics)
    offsets = GroupOffsets(kafka_bootstrap, unique_group)
    partition = [(topics[1], 0)]
    try:
        with pytest.raises(SQLAlchemyError, match="disk full"):
            for _ in range(60):  # until the poll returns the alerts and the write fails
                consumer.step()
        assert offsets(partition)[(topics[1], 0)][0] is None
        assert _count(engine, schema.alerts) == 0
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse ON alert_revisions"))
        assert _consume(consumer, 2) == 2  # the same messages again: the consumer sought back to them
        assert offsets(partition)[(topics[1], 0)] == (2, 2)
        assert consumer.consumer.committed(TopicPartition(topics[1], 0)) == 2
    finally:
        offsets.close()
        consumer.close()
    with engine.connect() as conn:
        assert conn.execute(select(schema.alerts.c.revision)).scalar_one() == 2
