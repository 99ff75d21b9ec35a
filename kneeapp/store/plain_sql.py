"""One pooled engine per database URL for code that writes plain SQL.

Rasa's environment has SQLAlchemy 1.4 and cannot load the app's SQLAlchemy 2 models, so the
code both environments share (the messaging apps' chat links, the clinic's helpdesk
deliveries) reads and writes the app's tables with ``text()`` statements that run on both
versions. The tables themselves are created by the migrations (``kneeapp/store/migrations``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from kneeapp import settings
from kneeapp.store.sqlite_pragmas import BUSY_TIMEOUT_S, tune_sqlite_connection

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine() -> Engine:
    """The engine of ``DATABASE_URL`` (created on first use, then shared)."""
    url = settings.current().database_url
    with _lock:
        found = _engines.get(url)
        if found is None:
            found = _create(url)
            _engines[url] = found
        return found


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        created = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(created, "connect", tune_sqlite_connection)
        return created
    return create_engine(url, pool_pre_ping=True, pool_size=3, max_overflow=3)


def db_now(connection: Any) -> dt.datetime:
    """UTC now as the app's tables store it: naive on SQLite, with its zone elsewhere."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now


def dispose() -> None:
    """Close every pooled connection (tests, and processes that fork)."""
    with _lock:
        for known in _engines.values():
            known.dispose()
        _engines.clear()
