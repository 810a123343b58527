"""The store on SQLite (the embedded mode): migrations, idempotent writes and the queries, through the same code as
PostgreSQL (tests/integration/test_store_postgres.py runs the same scenarios there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from powderkeg_store.db import current_revision, head_revision, open_store
from powderkeg_store.schema import metadata
from tests.support import store_scenarios as scenarios


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield engine
    engine.dispose()


def test_the_migrations_build_exactly_the_schema(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrating_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'again.sqlite'}"
    open_store(url).dispose()
    engine = open_store(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
def test_scenario(engine: Engine, scenario: Callable[[Engine], None]) -> None:
    scenario(engine)
