"""Rasa's SQL tracker store, configured from the app's one ``DATABASE_URL``.

Rasa 3.6's ``SQLTrackerStore`` takes dialect, host, port, database, user and password
separately; the rest of the product uses one URL (SQLite file by default, PostgreSQL in
production). Trackers live in the same database as the app's tables (table ``events``),
which is what lets ``actions/store/erase.py`` erase a conversation completely.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """``DATABASE_URL``, or the embedded SQLite default shared with the action server."""
    default = f"sqlite:///{REPO / 'var' / 'app.db'}"
    return os.environ.get("DATABASE_URL") or default


def connection_kwargs(url: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments for a SQLAlchemy URL."""
    parsed = make_url(url)
    dialect = parsed.drivername.split("+")[0]
    if dialect == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return {
        "dialect": dialect,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose connection comes from ``DATABASE_URL``."""

    def __init__(self, domain: Domain | None = None, url: str | None = None, **kwargs: Any) -> None:
        for key in ("dialect", "host", "port", "db", "username", "password", "query"):
            kwargs.pop(key, None)
        super().__init__(domain, **connection_kwargs(url or database_url()), **kwargs)
