"""The app's two channel tables, created by hand for Rasa-environment tests (the Alembic
migrations that create them run in the actions environment: kneeapp/store/migrations)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

TABLES = (
    "CREATE TABLE channel_chats (conversation_id VARCHAR(255) PRIMARY KEY, "
    "channel VARCHAR(32) NOT NULL, chat_key VARCHAR(128) NOT NULL, "
    "created_at DATETIME NOT NULL, UNIQUE (channel, chat_key))",
    "CREATE TABLE held_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "conversation_id VARCHAR(255) NOT NULL, channel VARCHAR(32) NOT NULL, "
    "message JSON NOT NULL, created_at DATETIME NOT NULL)",
)


def create_channel_tables(url: str) -> None:
    """``channel_chats`` and ``held_messages`` in the (empty) database at ``url``."""
    with create_engine(url).begin() as connection:
        for statement in TABLES:
            connection.execute(text(statement))
