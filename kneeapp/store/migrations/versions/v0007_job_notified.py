"""When Rasa accepted a job's "analysis ready" notice, so that one lost with its worker is
sent again (docs/video_flow.md, "How a job runs").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``analysis_jobs.notified_at``; jobs finished before count as notified."""
    with op.batch_alter_table("analysis_jobs") as batch:
        batch.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE analysis_jobs SET notified_at = finished_at "
               "WHERE status IN ('done', 'failed')")


def downgrade() -> None:
    """Drop ``analysis_jobs.notified_at``."""
    with op.batch_alter_table("analysis_jobs") as batch:
        batch.drop_column("notified_at")
