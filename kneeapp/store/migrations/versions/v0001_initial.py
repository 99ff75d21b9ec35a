"""App tables: consents, assessments, videos, analysis_jobs, analysis_results.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the app's tables."""
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        _ts("given_at", nullable=False),
    )
    op.create_index("ix_consents_conversation_id", "consents", ["conversation_id"])

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_index("ix_assessments_conversation_id", "assessments", ["conversation_id"])

    op.create_table(
        "videos",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("container", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at", nullable=False),
        _ts("deleted_at"),
        sa.CheckConstraint("status IN ('stored', 'deleted')", name="ck_videos_status"),
    )
    op.create_index("ix_videos_conversation_id", "videos", ["conversation_id"])

    op.create_table(
        "analysis_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("video_id", sa.String(32),
                  sa.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(128), nullable=True),
        _ts("heartbeat_at"),
        _ts("created_at", nullable=False),
        _ts("started_at"),
        _ts("finished_at"),
        sa.Column("activity", sa.String(32), nullable=True),
        sa.Column("view", sa.String(16), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name="ck_analysis_jobs_status"),
    )
    op.create_index("ix_analysis_jobs_video_id", "analysis_jobs", ["video_id"])
    op.create_index("ix_analysis_jobs_conversation_id", "analysis_jobs", ["conversation_id"])
    op.create_index("ix_analysis_jobs_status_created", "analysis_jobs", ["status", "created_at"])

    op.create_table(
        "analysis_results",
        sa.Column("job_id", sa.String(32),
                  sa.ForeignKey("analysis_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("result_dir", sa.Text(), nullable=False),
        _ts("created_at", nullable=False),
    )


def downgrade() -> None:
    """Drop the app's tables."""
    op.drop_table("analysis_results")
    op.drop_index("ix_analysis_jobs_status_created", table_name="analysis_jobs")
    op.drop_index("ix_analysis_jobs_conversation_id", table_name="analysis_jobs")
    op.drop_index("ix_analysis_jobs_video_id", table_name="analysis_jobs")
    op.drop_table("analysis_jobs")
    op.drop_index("ix_videos_conversation_id", table_name="videos")
    op.drop_table("videos")
    op.drop_index("ix_assessments_conversation_id", table_name="assessments")
    op.drop_table("assessments")
    op.drop_index("ix_consents_conversation_id", table_name="consents")
    op.drop_table("consents")
