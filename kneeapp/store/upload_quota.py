"""Bounded uploads: one upload link accepts ``UPLOAD_TOKEN_MAX_USES`` videos, and one
conversation ``CONVERSATION_MAX_UPLOADS`` videos within ``CONVERSATION_UPLOAD_WINDOW_S`` (web
link and messaging apps together). Table ``upload_uses``, one row per video.

A use is reserved before the video's bytes are read (a refused upload costs nothing) and
released when the video could not be stored, so a failed upload does not count. Two
uploads at once of one link or one conversation cannot both take the last place: each
reservation takes a numbered place (``token_use``, ``conversation_seq``) that a unique
constraint lets only one of them have; the other counts again.

Plain SQL that SQLAlchemy 1.4 (Rasa's environment) runs (:mod:`kneeapp.store.plain_sql`);
the table is created by the migrations. The token itself is never stored: only a hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kneeapp import settings
from kneeapp.store.plain_sql import db_now
from kneeapp.store.plain_sql import engine as _engine

#: How often a reservation counts again after another one took its place meanwhile.
_RACE_TRIES = 8


class QuotaExceeded(Exception):
    """The upload is over a bound; ``reason`` is ``token_used_up`` or ``conversation_limit``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """The bounds one reservation is checked against."""

    token_max_uses: int
    conversation_max: int
    window_s: float

    @classmethod
    def from_settings(cls, config: settings.Settings | None = None) -> Limits:
        """The bounds from the settings (docs/settings.md)."""
        config = config or settings.current()
        return cls(config.upload_token_max_uses, config.conversation_max_uploads,
                   config.conversation_upload_window_s)


def token_key(token: str) -> str:
    """What identifies an upload link in the table (SHA-256 of the token, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def free_token_use(taken: set[int], max_uses: int) -> int | None:
    """The lowest place of a link not taken yet, or None when all ``max_uses`` are."""
    return next((use for use in range(1, max_uses + 1) if use not in taken), None)


def reserve(conversation_id: str, token: str | None = None,
            limits: Limits | None = None) -> int:
    """Counts one video for ``conversation_id`` (and for the upload link ``token``).

    Args:
        conversation_id: The conversation the video is for.
        token: The upload link's token; None for a video sent in a messaging app.
        limits: The bounds; default from the settings.

    Returns:
        The reservation's id (for :func:`release`).

    Raises:
        QuotaExceeded: The link or the conversation has no upload left.
    """
    limits = limits or Limits.from_settings()
    key = token_key(token) if token is not None else None
    for _ in range(_RACE_TRIES):
        try:
            with _engine().begin() as connection:
                return _reserve_once(connection, conversation_id, key, limits)
        except IntegrityError:
            continue  # another upload took the same place meanwhile: count again
    raise QuotaExceeded("conversation_limit")


def _reserve_once(connection: Connection, conversation_id: str, key: str | None,
                  limits: Limits) -> int:
    now = db_now(connection)
    use = None
    if key is not None:
        taken = {int(row[0]) for row in connection.execute(
            text("SELECT token_use FROM upload_uses WHERE token_key = :k"), {"k": key})}
        use = free_token_use(taken, limits.token_max_uses)
        if use is None:
            raise QuotaExceeded("token_used_up")
    recent, last_seq = connection.execute(
        text("SELECT SUM(CASE WHEN created_at > :since THEN 1 ELSE 0 END), "
             "MAX(conversation_seq) FROM upload_uses WHERE conversation_id = :c"),
        {"c": conversation_id, "since": now - dt.timedelta(seconds=limits.window_s)},
    ).one()
    if int(recent or 0) >= limits.conversation_max:
        raise QuotaExceeded("conversation_limit")
    connection.execute(
        text("INSERT INTO upload_uses (conversation_id, conversation_seq, token_key, "
             "token_use, created_at) VALUES (:c, :seq, :k, :use, :t)"),
        {"c": conversation_id, "seq": int(last_seq or 0) + 1, "k": key, "use": use, "t": now},
    )
    return int(connection.execute(
        text("SELECT id FROM upload_uses WHERE conversation_id = :c AND conversation_seq = :seq"),
        {"c": conversation_id, "seq": int(last_seq or 0) + 1}).scalar_one())


def release(reservation: int) -> None:
    """Gives a reservation back (the video could not be received or stored)."""
    with _engine().begin() as connection:
        connection.execute(text("DELETE FROM upload_uses WHERE id = :id"), {"id": reservation})
