"""How every SQLite connection of the app is set up — the action server's, the worker's and
Rasa's tracker store's (standard library only: the Rasa environment imports it too).

WAL lets readers go on while one process writes; ``synchronous=NORMAL`` keeps the database
consistent after a crash in WAL mode and only risks the last commits on power loss (a full
fsync per turn blocked Rasa's event loop); writers wait up to 30 s for the lock.

Erasure leaves nothing readable (issue 14): ``secure_delete`` overwrites deleted content
with zeros, :func:`checkpoint` (run after an erasure) copies the WAL into the database and
truncates it, and the database file with its ``-wal`` and ``-shm`` files is readable by its
owner only (0600, like the uploads).
"""

from __future__ import annotations

import os
from typing import Any

BUSY_TIMEOUT_S = 30.0
#: The database's files are the owner's only.
FILE_MODE = 0o600


def tune_sqlite_connection(dbapi_connection: Any, _record: Any = None) -> None:
    """SQLAlchemy ``connect`` listener: the pragmas above, and foreign keys enforced."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[2]]
    finally:
        cursor.close()
    for database in files:
        make_private(database)


def make_private(database: str) -> None:
    """The database file and its ``-wal``/``-shm`` files to :data:`FILE_MODE` (SQLite
    creates the latter with the database's mode; files of another owner are left alone)."""
    for path in (database, f"{database}-wal", f"{database}-shm"):
        try:
            if os.stat(path).st_mode & 0o777 != FILE_MODE:
                os.chmod(path, FILE_MODE)
        except OSError:
            continue


def checkpoint(dbapi_connection: Any) -> None:
    """Writes the WAL into the database and truncates it, so that rows just deleted (and
    overwritten by ``secure_delete``) are no longer readable in ``-wal`` either."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cursor.close()
