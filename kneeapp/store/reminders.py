"""Check-in reminders the runner agreed to (table ``checkin_reminders``, docs/reminders.md).

A conversation has at most one reminder: scheduling again replaces it, "stop reminders"
cancels it (:func:`cancel`), erasing the conversation deletes it (``kneeapp/store/erase.py``).
Telegram and WhatsApp reminders are sent by the worker (:mod:`kneeapp.jobs.checkins`), which
claims due ones with :func:`claim_due`: one ``UPDATE`` whose ``WHERE`` re-checks that no one
else holds the row, so two workers never get the same reminder (SQLite serialises writers;
PostgreSQL re-checks the ``WHERE`` on a row another transaction just changed). A claim is a
lease: a worker that dies while sending leaves the reminder to be tried again after
:data:`LEASE_S` (a reminder may then, rarely, arrive twice; none is lost). Reminders of every
other channel (the web chat) wait for the runner's next visit (:func:`take_web_reminder`).

Times are UTC; every function that compares with the clock takes ``now`` (tests pass their
own). Plain SQL (:mod:`kneeapp.store.plain_sql`), so Rasa's environment (SQLAlchemy 1.4) can
note a WhatsApp number for a pending reminder (:func:`note_recipient`); the table is created
by the migrations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kneeapp import settings
from kneeapp.store.plain_sql import engine

#: Channels whose reminders the worker sends; any other channel's wait for the next visit.
TELEGRAM, WHATSAPP = "telegram", "whatsapp"
PUSH_CHANNELS = (TELEGRAM, WHATSAPP)
#: Tries before a reminder is given up; waits double from FIRST_WAIT_S up to MAX_WAIT_S
#: (about 17 hours in all).
MAX_ATTEMPTS = 8
FIRST_WAIT_S, MAX_WAIT_S = 60.0, 6 * 3600.0
#: How long a claimed reminder is left to its worker before another may try it.
LEASE_S = 600.0
_RACE_TRIES = 5
_COLUMNS = ("r.id, r.conversation_id, r.channel, r.due_at, r.status, r.attempts, "
            "r.created_at, r.sent_at, r.last_error, r.recipient")


@dataclasses.dataclass(frozen=True)
class Reminder:
    """One row of ``checkin_reminders``.

    ``recipient`` (a WhatsApp number) and ``chat_key`` (the Telegram chat, from
    ``channel_chats``; filled by :func:`claim_due` only) name the runner: they are left out
    of ``repr`` so that a logged reminder shows neither.
    """

    id: str
    conversation_id: str
    channel: str
    due_at: dt.datetime
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    last_error: str | None = None
    recipient: str | None = dataclasses.field(default=None, repr=False)
    chat_key: str | None = dataclasses.field(default=None, repr=False)

    @property
    def pushed(self) -> bool:
        """True when the worker sends it (Telegram, WhatsApp); False: shown at a visit."""
        return self.channel in PUSH_CHANNELS


def as_utc(value: Any) -> dt.datetime:
    """A stored or given time as an aware UTC datetime (naive values are UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _db_time(connection: Connection, value: dt.datetime) -> dt.datetime:
    """``value`` as the app's tables store it: naive UTC on SQLite, aware elsewhere."""
    value = as_utc(value)
    return value.replace(tzinfo=None) if connection.dialect.name == "sqlite" else value


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def checkin_due_at(now: dt.datetime | None = None, days: int | None = None) -> dt.datetime:
    """When a reminder set ``now`` is due: ``days`` later (default ``CHECKIN_REMINDER_DAYS``)."""
    days = settings.current().checkin_reminder_days if days is None else days
    return as_utc(now or _utcnow()) + dt.timedelta(days=days)


def _reminder(row: Any, chat_key: Any = None) -> Reminder:
    return Reminder(str(row[0]), str(row[1]), str(row[2]), as_utc(row[3]), str(row[4]),
                    int(row[5]), as_utc(row[6]), as_utc(row[7]) if row[7] else None,
                    row[8], row[9], str(chat_key) if chat_key is not None else None)


def schedule_checkin(conversation_id: str, channel: str, due_at: dt.datetime) -> str:
    """Stores the conversation's reminder, replacing any it had.

    Args:
        conversation_id: Rasa's sender id.
        channel: The channel the runner talks through (Rasa's input channel name:
            ``telegram``, ``whatsapp``, ``socketio``, ``rest``, ...).
        due_at: When to remind (UTC; naive values are taken as UTC), e.g.
            :func:`checkin_due_at`.

    Returns:
        The reminder's id (32 hex characters).

    Raises:
        ValueError: An empty conversation id or channel.
    """
    if not conversation_id or not channel:
        raise ValueError("a reminder needs a conversation id and a channel")
    reminder_id = secrets.token_hex(16)
    for _ in range(_RACE_TRIES - 1):
        try:
            with engine().begin() as connection:
                _replace(connection, reminder_id, conversation_id, channel, due_at)
            return reminder_id
        except IntegrityError:  # scheduled at the same moment elsewhere: replace that one
            continue
    with engine().begin() as connection:  # the last try lets the error out
        _replace(connection, reminder_id, conversation_id, channel, due_at)
    return reminder_id


def _replace(connection: Connection, reminder_id: str, conversation_id: str, channel: str,
             due_at: dt.datetime) -> None:
    connection.execute(text("DELETE FROM checkin_reminders WHERE conversation_id = :c"),
                       {"c": conversation_id})
    connection.execute(
        text("INSERT INTO checkin_reminders (id, conversation_id, channel, due_at, status, "
             "attempts, created_at) VALUES (:id, :c, :ch, :due, 'pending', 0, :t)"),
        {"id": reminder_id, "c": conversation_id, "ch": channel[:32],
         "due": _db_time(connection, due_at), "t": _db_time(connection, _utcnow())})


def cancel(conversation_id: str) -> int:
    """Cancels the conversation's pending reminder ("stop reminders").

    Returns:
        How many were cancelled (0 or 1).
    """
    with engine().begin() as connection:
        result = connection.execute(
            text("DELETE FROM checkin_reminders WHERE conversation_id = :c "
                 "AND status = 'pending'"), {"c": conversation_id})
        return int(result.rowcount or 0)


def pending_for(conversation_id: str) -> Reminder | None:
    """The conversation's reminder still to come, or None (none, sent, given up)."""
    with engine().begin() as connection:
        row = connection.execute(
            text(f"SELECT {_COLUMNS} FROM checkin_reminders r WHERE r.conversation_id = :c "
                 "AND r.status = 'pending'"), {"c": conversation_id}).first()
    return _reminder(row) if row else None


def claim_due(now: dt.datetime, worker_id: str, limit: int = 20) -> list[Reminder]:
    """Takes up to ``limit`` due Telegram and WhatsApp reminders for this worker.

    Each returned reminder is held for :data:`LEASE_S`: no other claimer gets it meanwhile.
    Send it, then call :func:`mark_sent` or :func:`retry_later`.

    Args:
        now: The current time (UTC).
        worker_id: Who claims (kept in ``claimed_by`` with a random suffix).
        limit: Most reminders taken at once.

    Returns:
        The claimed reminders, oldest due first, with ``chat_key`` filled in.
    """
    claim = f"{worker_id[:110]}:{secrets.token_hex(8)}"
    free = "status = 'pending' AND (lease_until IS NULL OR lease_until <= :now)"
    with engine().begin() as connection:
        params = {"now": _db_time(connection, now), "claim": claim, "limit": int(limit),
                  "lease": _db_time(connection, now + dt.timedelta(seconds=LEASE_S)),
                  "push": list(PUSH_CHANNELS)}
        connection.execute(
            text("UPDATE checkin_reminders SET claimed_by = :claim, lease_until = :lease, "
                 "attempts = attempts + 1 WHERE id IN (SELECT id FROM checkin_reminders "
                 f"WHERE {free} AND due_at <= :now AND channel IN :push ORDER BY due_at "
                 f"LIMIT :limit) AND {free}").bindparams(bindparam("push", expanding=True)),
            params)
        rows = connection.execute(
            text(f"SELECT {_COLUMNS}, cc.chat_key FROM checkin_reminders r LEFT JOIN "
                 "channel_chats cc ON cc.conversation_id = r.conversation_id AND "
                 "cc.channel = r.channel WHERE r.claimed_by = :claim ORDER BY r.due_at"),
            {"claim": claim}).all()
    return [_reminder(row, row[10]) for row in rows]


def mark_sent(reminder_id: str, now: dt.datetime | None = None) -> bool:
    """The reminder arrived: it is never sent again, and its WhatsApp number is forgotten.

    Returns:
        False when it is gone meanwhile (cancelled, erased, replaced).
    """
    with engine().begin() as connection:
        result = connection.execute(
            text("UPDATE checkin_reminders SET status = 'sent', sent_at = :t, recipient = NULL,"
                 " claimed_by = NULL, lease_until = NULL, last_error = NULL "
                 "WHERE id = :id AND status = 'pending'"),
            {"t": _db_time(connection, now or _utcnow()), "id": reminder_id})
        return bool(result.rowcount)


def retry_later(reminder: Reminder, error: str, now: dt.datetime | None = None,
                retryable: bool = True) -> bool:
    """Schedules the next try after a failed send, or gives the reminder up.

    Args:
        reminder: The reminder as claimed (its ``attempts`` count this try).
        error: A short error name for the table (never message text, a number or a token).
        now: The current time (UTC).
        retryable: False for an answer a retry cannot change (no chat, no template, 4xx).

    Returns:
        True when it will be tried again; False when it was given up (or is gone).
    """
    give_up = not retryable or reminder.attempts >= MAX_ATTEMPTS
    wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** max(0, reminder.attempts - 1))
    change = ("status = 'failed', recipient = NULL, lease_until = NULL" if give_up
              else "lease_until = :later")
    with engine().begin() as connection:
        later = _db_time(connection, (now or _utcnow()) + dt.timedelta(seconds=wait))
        connection.execute(
            text(f"UPDATE checkin_reminders SET {change}, last_error = :e, claimed_by = NULL "
                 "WHERE id = :id AND status = 'pending'"),
            {"e": error[:64], "later": later, "id": reminder.id})
    return not give_up


def take_web_reminder(conversation_id: str, now: dt.datetime) -> bool:
    """At the runner's visit: True once when their reminder (of a channel the worker does
    not send to, such as the web chat) is due, which marks it shown.

    Args:
        conversation_id: Rasa's sender id.
        now: The current time (UTC).

    Returns:
        True the first time it is asked after the reminder fell due; False otherwise.
    """
    with engine().begin() as connection:
        result = connection.execute(
            text("UPDATE checkin_reminders SET status = 'sent', sent_at = :now WHERE "
                 "conversation_id = :c AND status = 'pending' AND due_at <= :now AND "
                 "channel NOT IN :push").bindparams(bindparam("push", expanding=True)),
            {"now": _db_time(connection, now), "c": conversation_id,
             "push": list(PUSH_CHANNELS)})
        return bool(result.rowcount)


def note_recipient(conversation_id: str, recipient: str) -> bool:
    """Keeps the runner's WhatsApp number on their pending WhatsApp reminder (the channel
    itself stores only a hash of it); called by the WhatsApp channel when the runner writes.

    Returns:
        True when a pending WhatsApp reminder took it.
    """
    with engine().begin() as connection:
        result = connection.execute(
            text("UPDATE checkin_reminders SET recipient = :n WHERE conversation_id = :c AND "
                 "channel = :ch AND status = 'pending'"),
            {"n": recipient[:64], "c": conversation_id, "ch": WHATSAPP})
        return bool(result.rowcount)
