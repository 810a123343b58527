"""Alembic environment: runs on the engine the store passes in (``config.attributes["engine"]``), or on
``sqlalchemy.url`` when Alembic is called from its command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from powderkeg_store.schema import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.begin() as connection:
    # render_as_batch: SQLite alters tables by copying them; Alembic's batch mode does that for us.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
