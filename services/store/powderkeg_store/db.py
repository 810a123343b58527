"""Engines and migrations: one code path for PostgreSQL (production) and SQLite (embedded mode, tests).

``open_store(url)`` creates the engine and brings the schema to the newest Alembic revision shipped in
``powderkeg_store/migrations``, so a service, ``powderkeg run --serve`` and a test all start from the same schema.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (``postgresql+psycopg://...`` or ``sqlite:///path``) with the store's connection setup.

    SQLite gets WAL journaling (the API reads while the writer writes), a busy timeout instead of "database is
    locked" errors, and foreign keys on; the engine may be shared between the consumer and the API threads.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_setup(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    # Batches are plain executemany (psycopg pipelines them); SQLAlchemy's multi-VALUES rewriting of a 1,000-row
    # batch costs more in psycopg's query parsing than the database spends storing it.
    kwargs.setdefault("use_insertmanyvalues", False)
    return create_engine(url, **kwargs)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (the newest by default); a database already there is left alone."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return head


def open_store(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` whose schema is at the newest revision."""
    engine = make_engine(url, **kwargs)
    migrate(engine)
    log.info("store schema at %s (%s)", current_revision(engine), engine.url.render_as_string(hide_password=True))
    return engine
