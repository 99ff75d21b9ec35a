"""The app's channel, clinic-helpdesk and assessment tables, created by hand for Rasa-environment
tests
(the Alembic migrations that create them run in the actions environment:
kneeapp/store/migrations)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

TABLES = (
    "CREATE TABLE channel_chats (conversation_id VARCHAR(255) PRIMARY KEY, "
    "channel VARCHAR(32) NOT NULL, chat_key VARCHAR(128) NOT NULL, "
    "created_at DATETIME NOT NULL, UNIQUE (channel, chat_key))",
    "CREATE TABLE held_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "conversation_id VARCHAR(255) NOT NULL, channel VARCHAR(32) NOT NULL, "
    "message JSON NOT NULL, created_at DATETIME NOT NULL)",
    "CREATE TABLE clinic_threads (conversation_id VARCHAR(255) PRIMARY KEY, "
    "contact_id INTEGER NOT NULL, source_id VARCHAR(255) NOT NULL, "
    "desk_conversation_id INTEGER NOT NULL UNIQUE, created_at DATETIME NOT NULL)",
    "CREATE TABLE clinic_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "conversation_id VARCHAR(255) NOT NULL, kind VARCHAR(32) NOT NULL, payload JSON NOT NULL, "
    "status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, "
    "last_error VARCHAR(64), due_at DATETIME NOT NULL, created_at DATETIME NOT NULL, "
    "sent_at DATETIME)",
    "CREATE TABLE assessments (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id "
    "VARCHAR(255) NOT NULL, answers JSON NOT NULL, level VARCHAR(32) NOT NULL, reasons JSON "
    "NOT NULL, plan JSON NOT NULL, summary JSON, created_at DATETIME NOT NULL)",
    "CREATE TABLE upload_uses (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id "
    "VARCHAR(255) NOT NULL, conversation_seq INTEGER NOT NULL, token_key VARCHAR(64), "
    "token_use INTEGER, created_at DATETIME NOT NULL, UNIQUE (conversation_id, "
    "conversation_seq), UNIQUE (token_key, token_use))",
    "CREATE TABLE checkin_reminders (id VARCHAR(32) PRIMARY KEY, conversation_id VARCHAR(255) "
    "NOT NULL UNIQUE, channel VARCHAR(32) NOT NULL, due_at DATETIME NOT NULL, status "
    "VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL, claimed_by VARCHAR(128), lease_until "
    "DATETIME, last_error VARCHAR(64), recipient VARCHAR(64), created_at DATETIME NOT NULL, "
    "sent_at DATETIME)",
)


def create_channel_tables(url: str) -> None:
    """``channel_chats``, ``held_messages``, ``clinic_threads``, ``clinic_deliveries``,
    ``assessments``, ``upload_uses`` and ``checkin_reminders`` in the (empty) database at
    ``url``."""
    with create_engine(url).begin() as connection:
        for statement in TABLES:
            connection.execute(text(statement))
