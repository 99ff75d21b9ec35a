"""Engines, sessions and schema migrations.

One engine per database URL and process (a forked process gets its own). SQLite runs in
WAL mode with a busy timeout and foreign keys on; its parent folder is created if missing.
The schema is brought to Alembic's ``head`` once per process and URL, the first time a
session is opened (or explicitly with :func:`init_db`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kneeapp import settings
from kneeapp.store.sqlite_pragmas import BUSY_TIMEOUT_S, tune_sqlite_connection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
_PG_MIGRATION_LOCK = 4_217_311  # arbitrary constant for pg_advisory_xact_lock

_lock = threading.RLock()
_engines: dict[str, tuple[int, Engine]] = {}
_migrated: set[tuple[int, str]] = set()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", tune_sqlite_connection)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``DATABASE_URL``), created once per process.

    Args:
        url: A SQLAlchemy URL; ``None`` reads ``DATABASE_URL``.

    Returns:
        The cached engine.
    """
    url = url or settings.current().database_url
    pid = os.getpid()
    with _lock:
        cached = _engines.get(url)
        if cached is not None and cached[0] == pid:
            return cached[1]
        if cached is not None:  # inherited through fork: leave the parent's connections alone
            cached[1].dispose(close=False)
        engine = _create_engine(url)
        _engines[url] = (pid, engine)
        return engine


def dispose_engines() -> None:
    """Close every cached engine of this process (tests, shutdown)."""
    with _lock:
        pid = os.getpid()
        for owner, engine in _engines.values():
            engine.dispose(close=owner == pid)
        _engines.clear()
        _migrated.clear()


def alembic_config(url: str | None = None) -> Any:
    """An Alembic ``Config`` for this package's migrations (``alembic.ini`` beside it).

    Args:
        url: Database URL; ``None`` reads ``DATABASE_URL`` (env.py does the same).

    Returns:
        ``alembic.config.Config``.
    """
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url or settings.current().database_url
    return config


def init_db(url: str | None = None) -> None:
    """Create or upgrade the schema to the newest migration (``alembic upgrade head``).

    Safe to call from several processes at once: PostgreSQL takes an advisory lock; on
    SQLite a losing racer retries.

    Args:
        url: Database URL; ``None`` reads ``DATABASE_URL``.
    """
    from alembic import command

    url = url or settings.current().database_url
    engine = get_engine(url)
    for attempt in range(5):
        try:
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                    )
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            break
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    with _lock:
        _migrated.add((os.getpid(), url))


def ensure_db(url: str | None = None) -> Engine:
    """The engine for ``url``, with the schema migrated once per process.

    Args:
        url: Database URL; ``None`` reads ``DATABASE_URL``.

    Returns:
        The engine.
    """
    url = url or settings.current().database_url
    if (os.getpid(), url) not in _migrated:
        init_db(url)
    return get_engine(url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    Args:
        url: Database URL; ``None`` reads ``DATABASE_URL``.

    Yields:
        The session (objects stay usable after commit: ``expire_on_commit=False``).
    """
    engine = ensure_db(url)
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
