"""Alembic environment for the app's tables (run by Alembic, never imported by the app).

The URL comes from ``config.attributes["database_url"]`` (set by ``kneeapp.store.db``) or
``DATABASE_URL``; a connection passed in ``config.attributes["connection"]`` is reused.
Only the app's tables are compared by autogenerate: Rasa's ``events`` table is ignored.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from kneeapp import settings
from kneeapp.store.models import Base

config = context.config
target_metadata = Base.metadata
APP_TABLES = set(Base.metadata.tables)


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                    compare_to: Any) -> bool:
    if type_ == "table":
        return name in APP_TABLES
    return True


def _url() -> str:
    return str(config.attributes.get("database_url") or settings.current().database_url)


def run_offline() -> None:
    """Emit SQL without a database (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on a live connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_object=_include_object, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          include_object=_include_object, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
