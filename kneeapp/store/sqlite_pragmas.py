"""How every SQLite connection of the app is set up — the action server's, the worker's and
Rasa's tracker store's (standard library only: the Rasa environment imports it too).

WAL lets readers go on while one process writes; ``synchronous=NORMAL`` keeps the database
consistent after a crash in WAL mode and only risks the last commits on power loss (a full
fsync per turn blocked Rasa's event loop); writers wait up to 30 s for the lock.
"""

from __future__ import annotations

from typing import Any

BUSY_TIMEOUT_S = 30.0


def tune_sqlite_connection(dbapi_connection: Any, _record: Any = None) -> None:
    """SQLAlchemy ``connect`` listener: the pragmas above, and foreign keys enforced."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
