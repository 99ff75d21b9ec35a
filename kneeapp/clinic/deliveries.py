"""What is still to be sent to the clinic's helpdesk, and which helpdesk conversation
mirrors which of ours (tables ``clinic_deliveries`` and ``clinic_threads``).

Both environments queue deliveries (the action server a finished assessment or a request
for a person, Rasa a runner's message during a handover, the worker a finished analysis);
only the worker sends them (:mod:`kneeapp.clinic.desk`). Rows of one conversation are sent in
the order they were queued: a row that failed holds back the later ones until it is sent or
given up. Plain SQL (:mod:`kneeapp.store.plain_sql`), so that Rasa's SQLAlchemy 1.4 runs it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text

from kneeapp.store.plain_sql import db_now, engine

#: What a delivery carries (the worker's sender knows each). ``erased`` is queued by
#: ``kneeapp/store/erase.py`` (which Rasa's environment cannot import) under the same name.
ASSESSMENT, ANALYSIS, HANDOVER = "assessment", "analysis", "handover"
RELAY, ERASED = "relay", "erased"
KINDS = (ASSESSMENT, ANALYSIS, HANDOVER, RELAY, ERASED)
#: Tries before a delivery is given up (waits double from FIRST_WAIT_S up to MAX_WAIT_S:
#: about six hours in all).
MAX_ATTEMPTS = 15
FIRST_WAIT_S, MAX_WAIT_S = 2.0, 1800.0
#: How long a claimed delivery is left to its sender before another may try it.
LEASE_S = 120.0


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One row of ``clinic_deliveries``."""

    id: int
    conversation_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclasses.dataclass(frozen=True)
class Thread:
    """The helpdesk contact and conversation that mirror one of our conversations."""

    conversation_id: str
    contact_id: int
    source_id: str
    desk_conversation_id: int


def _json(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else json.loads(value)


def queue(conversation_id: str, kind: str, payload: Mapping[str, Any]) -> int:
    """Queues one delivery; returns its id.

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown delivery kind {kind!r}")
    insert = ("INSERT INTO clinic_deliveries (conversation_id, kind, payload, status, attempts,"
              " due_at, created_at) VALUES (:c, :k, :p, 'pending', 0, :t, :t)")
    with engine().begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        result = connection.execute(
            text(insert + (" RETURNING id" if postgres else "")),
            {"c": conversation_id, "k": kind, "p": json.dumps(dict(payload)),
             "t": db_now(connection)})
        return int(result.scalar_one() if postgres else result.lastrowid)


def due(limit: int = 20) -> list[Delivery]:
    """Pending deliveries that may be sent now, oldest first, at most one conversation's
    rows after any of its rows that is still waiting (order is kept)."""
    with engine().begin() as connection:
        rows = connection.execute(
            text("SELECT id, conversation_id, kind, payload, attempts, due_at FROM "
                 "clinic_deliveries WHERE status = 'pending' ORDER BY id")).all()
        now = db_now(connection)
    ready: list[Delivery] = []
    waiting: set[str] = set()
    for row in rows:
        conversation = str(row[1])
        if conversation in waiting:
            continue
        if _as_utc(row[5]) > _as_utc(now):
            if conversation:
                waiting.add(conversation)
            continue
        ready.append(Delivery(int(row[0]), conversation, str(row[2]), _json(row[3]), int(row[4])))
        if conversation:
            waiting.add(conversation)  # the next row waits until this one is sent
        if len(ready) >= limit:
            break
    return ready


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def claim(delivery: Delivery) -> bool:
    """Takes ``delivery`` for this sender for :data:`LEASE_S` (False: another took it)."""
    with engine().begin() as connection:
        lease = db_now(connection) + dt.timedelta(seconds=LEASE_S)
        result = connection.execute(
            text("UPDATE clinic_deliveries SET attempts = attempts + 1, due_at = :lease "
                 "WHERE id = :id AND attempts = :seen AND status = 'pending'"),
            {"lease": lease, "id": delivery.id, "seen": delivery.attempts})
        return bool(result.rowcount)


def mark_sent(delivery: Delivery) -> None:
    """The helpdesk has it."""
    with engine().begin() as connection:
        connection.execute(
            text("UPDATE clinic_deliveries SET status = 'sent', sent_at = :t, last_error = NULL"
                 " WHERE id = :id"), {"t": db_now(connection), "id": delivery.id})


def retry_later(delivery: Delivery, error: str, retryable: bool = True) -> bool:
    """Schedules the next try after a failure; False when the delivery is given up.

    Args:
        delivery: The delivery as claimed (``attempts`` before the claim).
        error: A short error name for the table (never message text or a token).
        retryable: False for an answer that will not change on a retry (a 4xx).
    """
    attempts = delivery.attempts + 1
    give_up = not retryable or attempts >= MAX_ATTEMPTS
    wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (attempts - 1))
    with engine().begin() as connection:
        connection.execute(
            text("UPDATE clinic_deliveries SET status = :s, last_error = :e, due_at = :due "
                 "WHERE id = :id"),
            {"s": "failed" if give_up else "pending", "e": error[:64], "id": delivery.id,
             "due": db_now(connection) + dt.timedelta(seconds=wait)})
    return not give_up


def thread_of(conversation_id: str) -> Thread | None:
    """The helpdesk conversation mirroring ours, or None (none yet, or erased)."""
    with engine().begin() as connection:
        row = connection.execute(
            text("SELECT conversation_id, contact_id, source_id, desk_conversation_id FROM "
                 "clinic_threads WHERE conversation_id = :c"), {"c": conversation_id}).first()
    return Thread(str(row[0]), int(row[1]), str(row[2]), int(row[3])) if row else None


def conversation_of_desk(desk_conversation_id: int) -> str | None:
    """Our conversation mirrored by a helpdesk conversation, or None."""
    with engine().begin() as connection:
        row = connection.execute(
            text("SELECT conversation_id FROM clinic_threads WHERE desk_conversation_id = :d"),
            {"d": desk_conversation_id}).first()
    return str(row[0]) if row else None


def save_thread(thread: Thread) -> None:
    """Remembers the helpdesk conversation made for one of ours."""
    with engine().begin() as connection:
        connection.execute(
            text("INSERT INTO clinic_threads (conversation_id, contact_id, source_id, "
                 "desk_conversation_id, created_at) VALUES (:c, :ct, :s, :d, :t)"),
            {"c": thread.conversation_id, "ct": thread.contact_id, "s": thread.source_id,
             "d": thread.desk_conversation_id, "t": db_now(connection)})


def pending_count(conversation_id: str) -> int:
    """Deliveries of a conversation not yet sent (tests and the status page)."""
    with engine().begin() as connection:
        row = connection.execute(
            text("SELECT count(*) FROM clinic_deliveries WHERE conversation_id = :c AND "
                 "status = 'pending'"), {"c": conversation_id}).first()
    return int(row[0]) if row else 0
