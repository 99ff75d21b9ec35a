"""Messaging-app chats of conversations (Telegram, WhatsApp).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``channel_chats``: one row per conversation that talks through a chat app."""
    op.create_table(
        "channel_chats",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("chat_key", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "chat_key", name="uq_channel_chats_chat"),
    )


def downgrade() -> None:
    """Drop ``channel_chats``."""
    op.drop_table("channel_chats")
