"""Which conversation a messaging app's chat belongs to (table ``channel_chats``), and the
replies held for it until the runner writes again (table ``held_messages``).

A chat (Telegram, WhatsApp) gets a random conversation id the first time it writes; the
app's own chat id is kept only in this table, to send the replies, and is erased with the
conversation (``kneeapp/store/erase.py``). Logs never show a chat id.

The table is created by the app's migrations (``kneeapp/store/migrations``); this module
only reads and writes rows, with plain SQL that SQLAlchemy 1.4 (Rasa's environment) runs
(:mod:`kneeapp.store.plain_sql`).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError

from kneeapp.store.plain_sql import db_now as _now
from kneeapp.store.plain_sql import dispose
from kneeapp.store.plain_sql import engine as _engine

__all__ = ["chat_for", "conversation_for", "dispose", "hold", "take_held"]


def _stored_conversation(connection: Any, channel: str, chat_key: str) -> str | None:
    row = connection.execute(
        text("SELECT conversation_id FROM channel_chats WHERE channel = :c AND chat_key = :k"),
        {"c": channel, "k": chat_key},
    ).first()
    return str(row[0]) if row else None


def conversation_for(channel: str, chat_key: str) -> str:
    """The conversation id of this chat, created (random) on its first message."""
    with _engine().begin() as connection:
        known = _stored_conversation(connection, channel, chat_key)
        if known:
            return known
    conversation_id = f"{channel[:2]}-{secrets.token_hex(16)}"
    try:
        with _engine().begin() as connection:
            connection.execute(
                text("INSERT INTO channel_chats (conversation_id, channel, chat_key, created_at)"
                     " VALUES (:id, :c, :k, :t)"),
                {"id": conversation_id, "c": channel, "k": chat_key, "t": _now(connection)},
            )
    except IntegrityError:  # another process linked the chat meanwhile
        with _engine().begin() as connection:
            known = _stored_conversation(connection, channel, chat_key)
        if known is None:
            raise
        return known
    return conversation_id


def chat_for(channel: str, conversation_id: str) -> str | None:
    """The chat a conversation talks through, or None (never linked, or erased)."""
    with _engine().begin() as connection:
        row = connection.execute(
            text("SELECT chat_key FROM channel_chats WHERE channel = :c AND conversation_id = :id"),
            {"c": channel, "id": conversation_id},
        ).first()
    return str(row[0]) if row else None


def hold(channel: str, conversation_id: str, message: dict[str, Any]) -> None:
    """Keeps a reply the app would not deliver now (sent by :func:`take_held` later)."""
    with _engine().begin() as connection:
        connection.execute(
            text("INSERT INTO held_messages (conversation_id, channel, message, created_at)"
                 " VALUES (:id, :c, :m, :t)"),
            {"id": conversation_id, "c": channel, "m": json.dumps(message), "t": _now(connection)},
        )


def take_held(channel: str, conversation_id: str) -> list[dict[str, Any]]:
    """The replies held for a conversation, oldest first; they are removed as they are read."""
    with _engine().begin() as connection:
        rows = connection.execute(
            text("SELECT id, message FROM held_messages WHERE channel = :c AND "
                 "conversation_id = :id ORDER BY id"), {"c": channel, "id": conversation_id},
        ).all()
        if rows:
            connection.execute(text("DELETE FROM held_messages WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": [row[0] for row in rows]})
    return [row[1] if isinstance(row[1], dict) else json.loads(row[1]) for row in rows]
