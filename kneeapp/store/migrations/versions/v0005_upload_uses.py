"""Every video a conversation sent, to bound uploads per upload link and per conversation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``upload_uses``."""
    op.create_table(
        "upload_uses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("conversation_seq", sa.Integer(), nullable=False),
        sa.Column("token_key", sa.String(64), nullable=True),
        sa.Column("token_use", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "conversation_seq",
                            name="uq_upload_uses_conversation_seq"),
        sa.UniqueConstraint("token_key", "token_use", name="uq_upload_uses_token_use"),
    )


def downgrade() -> None:
    """Drop ``upload_uses``."""
    op.drop_table("upload_uses")
