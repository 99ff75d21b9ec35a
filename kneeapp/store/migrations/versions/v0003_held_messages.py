"""Replies held for a messaging app until the runner writes again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``held_messages``."""
    op.create_table(
        "held_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_held_messages_conversation_id", "held_messages", ["conversation_id"])


def downgrade() -> None:
    """Drop ``held_messages``."""
    op.drop_index("ix_held_messages_conversation_id", "held_messages")
    op.drop_table("held_messages")
