"""The clinic's helpdesk: the whole summary of an assessment, the helpdesk conversation
mirroring ours, and what is still to be sent there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``assessments.summary``; create ``clinic_threads`` and ``clinic_deliveries``."""
    op.add_column("assessments", sa.Column("summary", sa.JSON(), nullable=True))
    op.create_table(
        "clinic_threads",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        sa.Column("desk_conversation_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "clinic_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')",
                           name="ck_clinic_deliveries_status"),
    )
    op.create_index("ix_clinic_deliveries_conversation_id", "clinic_deliveries",
                    ["conversation_id"])
    op.create_index("ix_clinic_deliveries_status_due", "clinic_deliveries", ["status", "due_at"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added."""
    op.drop_index("ix_clinic_deliveries_status_due", "clinic_deliveries")
    op.drop_index("ix_clinic_deliveries_conversation_id", "clinic_deliveries")
    op.drop_table("clinic_deliveries")
    op.drop_table("clinic_threads")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("summary")
