"""Repository API used by the actions: plain functions taking and returning plain data.

Every function opens its own short transaction (``DATABASE_URL``) and returns frozen
dataclasses, never ORM objects, so callers need no SQLAlchemy. The schema is migrated on
first use in a process. See docs/video_flow.md, "Python API".
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from actions.store import media
from actions.store.db import session_scope
from actions.store.models import (
    AnalysisJob,
    AnalysisResult,
    Assessment,
    Consent,
    Video,
    utcnow,
)

ACTIVITIES = ("running", "squat", "single_leg_squat", "walking")
VIEWS = ("front", "back", "side")


class StoreError(Exception):
    """Base class of the repository's errors."""


class NotFound(StoreError):
    """No such row (or it belongs to another conversation)."""


class QueueUnavailable(StoreError):
    """The job was stored but the queue backend refused it; the job is marked failed.

    ``job_id`` names the failed job; the message is safe to log (no health text).
    """

    def __init__(self, message: str, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


def new_id() -> str:
    """A random 32-character hex id (videos, jobs)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class AssessmentView:
    """A stored assessment."""

    id: int
    conversation_id: str
    answers: dict[str, Any]
    level: str
    reasons: list[Any]
    plan: list[Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class VideoView:
    """A registered video."""

    video_id: str
    conversation_id: str
    sha256: str
    size_bytes: int
    duration_s: float | None
    container: str
    status: str
    created_at: dt.datetime
    deleted_at: dt.datetime | None


@dataclass(frozen=True)
class JobView:
    """An analysis job as the actions see it.

    ``report`` and ``result_dir`` are set once the job is ``done``; ``error_code`` and
    ``error_message`` (one sentence for the runner) once it ``failed``.
    """

    job_id: str
    video_id: str
    conversation_id: str
    status: str
    error_code: str | None
    error_message: str | None
    attempts: int
    activity: str | None
    view: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    report: dict[str, Any] | None
    result_dir: str | None

    @property
    def finished(self) -> bool:
        """True when the job is ``done`` or ``failed``."""
        return self.status in ("done", "failed")


def _assessment_view(row: Assessment) -> AssessmentView:
    return AssessmentView(row.id, row.conversation_id, dict(row.answers), row.level,
                          list(row.reasons), list(row.plan), row.created_at)


def _video_view(row: Video) -> VideoView:
    return VideoView(row.id, row.conversation_id, row.sha256, row.size_bytes, row.duration_s,
                     row.container, row.status, row.created_at, row.deleted_at)


def _job_view(row: AnalysisJob, result: AnalysisResult | None) -> JobView:
    return JobView(
        job_id=row.id, video_id=row.video_id, conversation_id=row.conversation_id,
        status=row.status, error_code=row.error_code, error_message=row.error_message,
        attempts=row.attempts, activity=row.activity, view=row.view,
        created_at=row.created_at, started_at=row.started_at, finished_at=row.finished_at,
        report=dict(result.report) if result is not None else None,
        result_dir=result.result_dir if result is not None else None,
    )


def record_consent(conversation_id: str, version: str) -> int:
    """Store that the runner consented to privacy notice ``version`` (now).

    Args:
        conversation_id: Rasa's sender id.
        version: Version of the notice the runner agreed to.

    Returns:
        The consent row's id.
    """
    with session_scope() as session:
        row = Consent(conversation_id=conversation_id, version=version, given_at=utcnow())
        session.add(row)
        session.flush()
        return row.id


def has_consent(conversation_id: str, version: str | None = None) -> bool:
    """Whether the conversation has a stored consent (to ``version``, if given)."""
    with session_scope() as session:
        query = select(func.count()).select_from(Consent).where(
            Consent.conversation_id == conversation_id)
        if version is not None:
            query = query.where(Consent.version == version)
        return bool(session.scalar(query))


def save_assessment(
    conversation_id: str,
    answers: Mapping[str, Any],
    level: str,
    reasons: Sequence[Any],
    plan: Sequence[Any],
) -> int:
    """Store a finished triage.

    Args:
        conversation_id: Rasa's sender id.
        answers: JSON-serialisable answers (e.g. ``build_summary(...)["triage"]["answers"]``).
        level: ``self_care`` | ``clinician`` | ``urgent`` | ``emergency``.
        reasons: JSON-serialisable reasons (ids, levels, texts).
        plan: Exercise ids given.

    Returns:
        The assessment row's id.
    """
    with session_scope() as session:
        row = Assessment(conversation_id=conversation_id, answers=dict(answers), level=level,
                         reasons=list(reasons), plan=list(plan), created_at=utcnow())
        session.add(row)
        session.flush()
        return row.id


def latest_assessment(conversation_id: str) -> AssessmentView | None:
    """The conversation's newest stored assessment, or None."""
    with session_scope() as session:
        row = session.scalars(
            select(Assessment).where(Assessment.conversation_id == conversation_id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(1)
        ).first()
        return _assessment_view(row) if row is not None else None


def register_video(
    video_id: str,
    conversation_id: str,
    sha256: str,
    size_bytes: int,
    container: str,
    duration_s: float | None = None,
) -> VideoView:
    """Register an upload that is in the media store (idempotent for the same conversation).

    Args:
        video_id: The connector's id (32 hex characters).
        conversation_id: The conversation it was uploaded to.
        sha256: Hex SHA-256 of the file (from the sidecar).
        size_bytes: File size.
        container: ``mp4`` | ``mov`` | ``webm``.
        duration_s: From :func:`actions.jobs.probe_limited`, if known.

    Returns:
        The video row.

    Raises:
        actions.store.media.InvalidId: ``video_id`` is not 32 hex characters.
        ValueError: Unknown container.
        NotFound: The id is already registered to another conversation.
    """
    media.check_id(video_id)
    if container not in media.CONTAINERS:
        raise ValueError(f"container must be one of {media.CONTAINERS}")
    with session_scope() as session:
        row = session.get(Video, video_id)
        if row is not None:
            if row.conversation_id != conversation_id:
                raise NotFound("video belongs to another conversation")
            return _video_view(row)
        row = Video(id=video_id, conversation_id=conversation_id, sha256=sha256,
                    size_bytes=int(size_bytes), duration_s=duration_s, container=container,
                    status="stored", created_at=utcnow())
        session.add(row)
        session.flush()
        return _video_view(row)


def get_video(video_id: str) -> VideoView | None:
    """The video row, or None (also for a malformed id)."""
    if not media.ID_RE.fullmatch(str(video_id)):
        return None
    with session_scope() as session:
        row = session.get(Video, video_id)
        return _video_view(row) if row is not None else None


def enqueue_analysis(
    video_id: str,
    conversation_id: str,
    activity: str | None = None,
    view: str | None = None,
) -> str:
    """Create a queued analysis job for a registered video and hand it to the backend.

    Args:
        video_id: A video registered to ``conversation_id``.
        conversation_id: Rasa's sender id; the worker notifies this conversation.
        activity: Override of the detected activity (``running``, ``squat``,
            ``single_leg_squat``, ``walking``).
        view: Override of the detected view (``front``, ``back``, ``side``).

    Returns:
        The new job's id.

    Raises:
        NotFound: No such video in this conversation, or its file was already deleted.
        ValueError: Unknown activity or view.
        QueueUnavailable: The RQ backend could not be reached (the job is marked failed).
    """
    if activity is not None and activity not in ACTIVITIES:
        raise ValueError(f"activity must be one of {ACTIVITIES}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}")
    job_id = new_id()
    with session_scope() as session:
        video = session.get(Video, video_id) if media.ID_RE.fullmatch(str(video_id)) else None
        if video is None or video.conversation_id != conversation_id:
            raise NotFound("no such video in this conversation")
        if video.status != "stored":
            raise NotFound("the video file was already deleted")
        session.add(AnalysisJob(id=job_id, video_id=video_id, conversation_id=conversation_id,
                                status="queued", attempts=0, created_at=utcnow(),
                                activity=activity, view=view))
    from actions.jobs.backends import submit

    submit(job_id)
    return job_id


def get_job(job_id: str) -> JobView | None:
    """The job with its report once done, or None (also for a malformed id)."""
    if not media.ID_RE.fullmatch(str(job_id)):
        return None
    with session_scope() as session:
        row = session.get(AnalysisJob, job_id)
        if row is None:
            return None
        return _job_view(row, session.get(AnalysisResult, job_id))


def jobs_for(conversation_id: str) -> list[JobView]:
    """Every job of the conversation, oldest first."""
    with session_scope() as session:
        rows = session.execute(
            select(AnalysisJob, AnalysisResult)
            .outerjoin(AnalysisResult, AnalysisResult.job_id == AnalysisJob.id)
            .where(AnalysisJob.conversation_id == conversation_id)
            .order_by(AnalysisJob.created_at, AnalysisJob.id)
        ).all()
        return [_job_view(job, result) for job, result in rows]


def jobs_ahead(job_id: str) -> int:
    """How many queued or running jobs were created before ``job_id`` (0 when unknown)."""
    with session_scope() as session:
        row = session.get(AnalysisJob, job_id) if media.ID_RE.fullmatch(str(job_id)) else None
        if row is None:
            return 0
        return int(session.scalar(
            select(func.count()).select_from(AnalysisJob).where(
                AnalysisJob.status.in_(("queued", "running")),
                AnalysisJob.created_at < row.created_at,
            )) or 0)
