"""Repository API for consents, assessments and videos: plain functions, plain data.

Analysis jobs have their own module, :mod:`kneeapp.jobs.queue`, which owns every SQL
statement on job rows.

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

from kneeapp.store import media
from kneeapp.store.db import session_scope
from kneeapp.store.models import Assessment, Consent, Video, utcnow


class StoreError(Exception):
    """Base class of the repository's errors."""


class NotFound(StoreError):
    """No such row (or it belongs to another conversation)."""


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
    summary: dict[str, Any] | None = None


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


def _assessment_view(row: Assessment) -> AssessmentView:
    return AssessmentView(row.id, row.conversation_id, dict(row.answers), row.level,
                          list(row.reasons), list(row.plan), row.created_at,
                          dict(row.summary) if row.summary is not None else None)


def _video_view(row: Video) -> VideoView:
    return VideoView(row.id, row.conversation_id, row.sha256, row.size_bytes, row.duration_s,
                     row.container, row.status, row.created_at, row.deleted_at)


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
    summary: Mapping[str, Any] | None = None,
) -> int:
    """Store a finished triage.

    Args:
        conversation_id: Rasa's sender id.
        answers: JSON-serialisable answers (e.g. ``build_summary(...)["triage"]["answers"]``).
        level: ``self_care`` | ``clinician`` | ``urgent`` | ``emergency``.
        reasons: JSON-serialisable reasons (ids, levels, texts).
        plan: Exercise ids given.
        summary: The whole clinic summary (docs/clinic_summary.md), for the PDF and the
            clinic's helpdesk.

    Returns:
        The assessment row's id.
    """
    with session_scope() as session:
        row = Assessment(conversation_id=conversation_id, answers=dict(answers), level=level,
                         reasons=list(reasons), plan=list(plan),
                         summary=dict(summary) if summary is not None else None,
                         created_at=utcnow())
        session.add(row)
        session.flush()
        return row.id


def assessment(assessment_id: int) -> AssessmentView | None:
    """One stored assessment, or None (erased since)."""
    with session_scope() as session:
        row = session.get(Assessment, assessment_id)
        return _assessment_view(row) if row is not None else None


def latest_assessment(conversation_id: str) -> AssessmentView | None:
    """The conversation's newest stored assessment, or None."""
    with session_scope() as session:
        row = session.scalars(
            select(Assessment).where(Assessment.conversation_id == conversation_id)
            .order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(1)
        ).first()
        return _assessment_view(row) if row is not None else None


def assessments_of(conversation_id: str) -> list[AssessmentView]:
    """Every stored assessment of the conversation (first assessment and check-ins), oldest
    first; an empty list when there is none (or it was erased)."""
    with session_scope() as session:
        rows = session.scalars(
            select(Assessment).where(Assessment.conversation_id == conversation_id)
            .order_by(Assessment.created_at.asc(), Assessment.id.asc())
        ).all()
        return [_assessment_view(row) for row in rows]


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
        duration_s: From :func:`kneeapp.jobs.probe_limited`, if known.

    Returns:
        The video row.

    Raises:
        kneeapp.store.media.InvalidId: ``video_id`` is not 32 hex characters.
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
