"""SQLAlchemy 2 ORM models of the app's own tables.

Times are stored in UTC and always come back timezone-aware (:class:`UTCDateTime`), on
SQLite as on PostgreSQL. Ids of videos and jobs are random 32-character hex strings.
Rasa's tracker table ``events`` lives in the same database but is created by Rasa, not
here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JOB_STATUSES = ("queued", "running", "done", "failed")
#: ``error_code`` values of failed jobs (docs/video_flow.md, "Jobs").
ERROR_CODES = ("unreadable", "rejected", "timeout", "crashed", "worker_lost")
#: ``videos.status``: the raw file is on disk (``stored``) or was removed (``deleted``).
VIDEO_STATUSES = ("stored", "deleted")
#: ``checkin_reminders.status``: waiting, delivered (or shown on the web), given up.
REMINDER_STATUSES = ("pending", "sent", "failed")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and returned timezone-aware (naive values are taken as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        value = value.astimezone(dt.timezone.utc)
        # SQLite has no time zones: store naive UTC so that string comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of the app's tables."""


class Consent(Base):
    """A runner's consent to a version of the privacy notice."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assessment(Base):
    """A finished triage: the answers, the level with its reasons, and the plan given."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    plan: Mapped[list[Any]] = mapped_column(JSON)
    #: The whole clinic summary (docs/clinic_summary.md); None for rows stored before it.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Video(Base):
    """An uploaded video (the file itself lives in the media store)."""

    __tablename__ = "videos"
    __table_args__ = (
        CheckConstraint("status IN ('stored', 'deleted')", name="ck_videos_status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    container: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="stored")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AnalysisJob(Base):
    """One analysis of one video; the source of truth for the job's state."""

    __tablename__ = "analysis_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_analysis_jobs_status"
        ),
        Index("ix_analysis_jobs_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    video_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When Rasa accepted the "analysis ready" notice (None: not yet, or it was lost).
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    activity: Mapped[str | None] = mapped_column(String(32), nullable=True)
    view: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ChannelChat(Base):
    """Which messaging-app chat a conversation talks through (Telegram, WhatsApp).

    The conversation id is random; the app's own chat id is kept only here, to send the
    replies, and is erased with the conversation.
    """

    __tablename__ = "channel_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_key", name="uq_channel_chats_chat"),)

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    chat_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeldMessage(Base):
    """A reply a messaging app would not deliver yet (WhatsApp's 24-hour window, or the
    runner's number not known since a restart), sent when the runner writes again."""

    __tablename__ = "held_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UploadUse(Base):
    """One video a conversation sent (web link or messaging app), counted against
    ``UPLOAD_TOKEN_MAX_USES`` and ``CONVERSATION_MAX_UPLOADS`` (kneeapp/store/upload_quota.py).

    ``token_key`` is a hash of the upload link's token, never the token; the two unique
    constraints make concurrent uploads of one link or one conversation take turns.
    """

    __tablename__ = "upload_uses"
    __table_args__ = (
        UniqueConstraint("conversation_id", "conversation_seq",
                         name="uq_upload_uses_conversation_seq"),
        UniqueConstraint("token_key", "token_use", name="uq_upload_uses_token_use"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255))
    conversation_seq: Mapped[int] = mapped_column(Integer)
    token_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    token_use: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnalysisResult(Base):
    """The report of a finished job and where its pictures are."""

    __tablename__ = "analysis_results"

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("analysis_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_dir: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClinicThread(Base):
    """The clinic's helpdesk (Chatwoot) conversation that mirrors one of ours.

    The contact is named after our random conversation id, never the runner's phone or name.
    """

    __tablename__ = "clinic_threads"

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    contact_id: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str] = mapped_column(String(255))
    desk_conversation_id: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClinicDelivery(Base):
    """Something to send to the clinic's helpdesk (a summary, a relayed message, a video
    analysis), sent in order per conversation by the worker and retried until it arrives."""

    __tablename__ = "clinic_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')",
                        name="ck_clinic_deliveries_status"),
        Index("ix_clinic_deliveries_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CheckinReminder(Base):
    """A check-in reminder the runner agreed to (kneeapp/store/reminders.py): at most one
    per conversation, sent once by the worker (Telegram, WhatsApp) or shown at the runner's
    next visit (web).

    ``claimed_by`` and ``lease_until`` let one worker at a time try it; after a failure
    ``lease_until`` is also when it may be tried again. ``recipient`` is a WhatsApp number,
    kept only on a pending reminder (the channel itself stores no number) and erased with it.
    """

    __tablename__ = "checkin_reminders"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')",
                        name="ck_checkin_reminders_status"),
        Index("ix_checkin_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recipient: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
