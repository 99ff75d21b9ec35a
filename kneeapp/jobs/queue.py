"""The job state machine in the database (``analysis_jobs`` is the source of truth).

``queued → running → done | failed``. Every transition is one guarded UPDATE, so two
workers can never both own a job: claiming needs ``status = 'queued'``; heartbeats and
finishing need ``status = 'running'`` and the claiming ``worker_id``. PostgreSQL picks the
next job with ``FOR UPDATE SKIP LOCKED``; SQLite with a select followed by the guarded UPDATE
(retried when another worker won).

Fair queueing: the next job is not simply the oldest one. Conversations take turns: the
claimed job is the oldest queued job of the conversation with the fewest jobs running, and
among those the one served longest ago (a conversation never served first). One runner who
queues many clips therefore delays another runner's clip by at most one analysis per
worker. :func:`jobs_ahead` counts the jobs that this order runs first (the "about N s").
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import aliased

from content_schema.vocabulary import ACTIVITIES, VIEWS
from kneeapp import settings
from kneeapp.jobs import failure_texts
from kneeapp.store import media
from kneeapp.store.db import ensure_db, session_scope
from kneeapp.store.models import AnalysisJob, AnalysisResult, Video, utcnow
from kneeapp.store.repo import NotFound, new_id

log = logging.getLogger(__name__)


#: A job whose worker was lost is re-queued while ``attempts`` is below this.
MAX_ATTEMPTS = 2
_SQLITE_CLAIM_TRIES = 10
#: A finished job whose notice was lost is notified again, and a queued job RQ lost is
#: submitted again, while it is younger than this.
NOTIFY_AGAIN_WITHIN_S = 3600.0


def make_worker_id(label: str = "w") -> str:
    """A worker id: host, pid and a random suffix (no user data)."""
    return f"{label}:{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class JobContext:
    """What the job function needs to know about its job."""

    job_id: str
    video_id: str
    conversation_id: str
    container: str
    activity: str | None
    view: str | None
    attempts: int


@dataclass
class Recovery:
    """Jobs found with a stale heartbeat: re-queued, or failed (``worker_lost``)."""

    requeued: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (job_id, conversation_id)


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


def _job_view(row: AnalysisJob, result: AnalysisResult | None) -> JobView:
    return JobView(
        job_id=row.id, video_id=row.video_id, conversation_id=row.conversation_id,
        status=row.status, error_code=row.error_code, error_message=row.error_message,
        attempts=row.attempts, activity=row.activity, view=row.view,
        created_at=row.created_at, started_at=row.started_at, finished_at=row.finished_at,
        report=dict(result.report) if result is not None else None,
        result_dir=result.result_dir if result is not None else None,
    )


def insert_job(
    video_id: str,
    conversation_id: str,
    activity: str | None = None,
    view: str | None = None,
) -> str:
    """Write a ``queued`` job row for a registered video (the backend is told separately).

    Raises:
        NotFound: No such video in this conversation, or its file was already deleted.
        ValueError: Unknown activity or view.
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
    """How many jobs run before ``job_id`` is claimed (0 when unknown or not queued).

    The jobs running now, then the queued ones in the order the queue hands them out: with
    fair claiming (``QUEUE_BACKEND=local``) conversations take turns; on RQ (first in, first
    out) the jobs created earlier. Counted as if one worker ran one job at a time.
    """
    with session_scope() as session:
        row = session.get(AnalysisJob, job_id) if media.ID_RE.fullmatch(str(job_id)) else None
        if row is None or row.status != "queued":
            return 0
        active = session.execute(
            select(AnalysisJob.conversation_id, AnalysisJob.status, AnalysisJob.created_at,
                   AnalysisJob.id)
            .where(AnalysisJob.status.in_(("queued", "running")))).all()
        served = session.execute(
            select(AnalysisJob.conversation_id, func.max(AnalysisJob.started_at))
            .where(AnalysisJob.conversation_id.in_({c for c, *_ in active}),
                   AnalysisJob.started_at.is_not(None))
            .group_by(AnalysisJob.conversation_id)).all()
    running = sum(1 for _, status, *_ in active if status == "running")
    queued = [(c, (t, i)) for c, status, t, i in active if status == "queued"]
    if settings.current().queue_backend != "local":
        return running + sum(1 for _, p in queued if p < (row.created_at, row.id))
    last_served = [c for c, _ in sorted(served, key=lambda pair: pair[1])]
    return running + claims_before(queued, last_served, (row.created_at, row.id))


def claims_before(queued: list[tuple[str, Any]], last_served: list[str], position: Any) -> int:
    """How many queued jobs the fair order claims before the one at ``position``, one at a
    time (each finished before the next claim, as with one worker).

    Args:
        queued: ``(conversation_id, position)`` of every queued job; positions order jobs by
            creation.
        last_served: Conversations ever served, the one served longest ago first.
        position: The job's own position (one of ``queued``).

    Returns:
        The number of claims before it.
    """
    rank = {conversation: index for index, conversation in enumerate(last_served)}
    waiting = sorted(queued, key=lambda job: job[1])
    for claims in range(len(waiting)):
        # never served first, then served longest ago, then the oldest job
        pick = min(waiting, key=lambda job: (job[0] in rank, rank.get(job[0], 0), job[1]))
        if pick[1] == position:
            return claims
        waiting.remove(pick)
        rank[pick[0]] = len(last_served) + claims
    return len(waiting)


def pending_jobs(conversation_id: str) -> int:
    """How many of the conversation's jobs are queued or running."""
    with session_scope() as session:
        return int(session.scalar(
            select(func.count()).select_from(AnalysisJob).where(
                AnalysisJob.conversation_id == conversation_id,
                AnalysisJob.status.in_(("queued", "running")))) or 0)


def jobs_since(conversation_id: str, seconds: float) -> int:
    """How many jobs the conversation created in the last ``seconds``."""
    since = utcnow() - dt.timedelta(seconds=seconds)
    with session_scope() as session:
        return int(session.scalar(
            select(func.count()).select_from(AnalysisJob).where(
                AnalysisJob.conversation_id == conversation_id,
                AnalysisJob.created_at > since)) or 0)


def _running_values(worker_id: str, now: dt.datetime) -> dict[str, Any]:
    return {"status": "running", "worker_id": worker_id, "attempts": AnalysisJob.attempts + 1,
            "started_at": now, "heartbeat_at": now, "error_code": None, "error_message": None}


def _fair_pick() -> Any:
    """The queued jobs in claiming order (see the module's "Fair queueing")."""
    other = aliased(AnalysisJob)
    running = (select(func.count()).select_from(other)
               .where(other.conversation_id == AnalysisJob.conversation_id,
                      other.status == "running")
               .correlate(AnalysisJob).scalar_subquery())
    last_served = (select(func.max(other.started_at))
                   .where(other.conversation_id == AnalysisJob.conversation_id)
                   .correlate(AnalysisJob).scalar_subquery())
    return (select(AnalysisJob.id).where(AnalysisJob.status == "queued")
            .order_by(running, case((last_served.is_(None), 0), else_=1), last_served,
                      AnalysisJob.created_at, AnalysisJob.id).limit(1))


def claim_next(worker_id: str) -> str | None:
    """Claim the next queued job for ``worker_id``, conversations taking turns.

    Args:
        worker_id: The claiming worker.

    Returns:
        The job id, or None when nothing is queued.
    """
    dialect = ensure_db().dialect.name
    now = utcnow()
    if dialect == "postgresql":
        with session_scope() as session:
            pick = _fair_pick().with_for_update(skip_locked=True).scalar_subquery()
            return session.execute(
                update(AnalysisJob).where(AnalysisJob.id == pick, AnalysisJob.status == "queued")
                .values(**_running_values(worker_id, now)).returning(AnalysisJob.id)
            ).scalar()
    for _ in range(_SQLITE_CLAIM_TRIES):
        with session_scope() as session:
            job_id = session.scalar(_fair_pick())
            if job_id is None:
                return None
            result = session.execute(
                update(AnalysisJob).where(AnalysisJob.id == job_id,
                                          AnalysisJob.status == "queued")
                .values(**_running_values(worker_id, now)))
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return job_id
    return None


def start_job(job_id: str, worker_id: str) -> bool:
    """Make sure ``worker_id`` owns ``job_id``: claim it if queued (RQ), or confirm.

    Args:
        job_id: The job.
        worker_id: The worker about to run it.

    Returns:
        True when the job is running for ``worker_id``.
    """
    with session_scope() as session:
        result = session.execute(
            update(AnalysisJob).where(AnalysisJob.id == job_id, AnalysisJob.status == "queued")
            .values(**_running_values(worker_id, utcnow())))
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return True
        row = session.get(AnalysisJob, job_id)
        return row is not None and row.status == "running" and row.worker_id == worker_id


def job_context(job_id: str) -> JobContext | None:
    """The job's video and overrides, or None when the job or its video is gone."""
    with session_scope() as session:
        row = session.execute(
            select(AnalysisJob, Video).join(Video, Video.id == AnalysisJob.video_id)
            .where(AnalysisJob.id == job_id)).first()
        if row is None:
            return None
        job, video = row
        return JobContext(job.id, video.id, job.conversation_id, video.container,
                          job.activity, job.view, job.attempts)


def heartbeat(job_id: str, worker_id: str) -> bool:
    """Record that ``worker_id`` still runs ``job_id``.

    Returns:
        False when the job is no longer this worker's (recovered, erased): stop working on it.
    """
    with session_scope() as session:
        result = session.execute(
            update(AnalysisJob).where(AnalysisJob.id == job_id, AnalysisJob.status == "running",
                                      AnalysisJob.worker_id == worker_id)
            .values(heartbeat_at=utcnow()))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def finish_done(job_id: str, worker_id: str, report: dict[str, Any], result_dir: str) -> bool:
    """Mark the job done and store its report, in one transaction.

    Returns:
        False when the job is no longer this worker's (nothing was written).
    """
    with session_scope() as session:
        result = session.execute(
            update(AnalysisJob).where(AnalysisJob.id == job_id, AnalysisJob.status == "running",
                                      AnalysisJob.worker_id == worker_id)
            .values(status="done", finished_at=utcnow(), heartbeat_at=None))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.merge(AnalysisResult(job_id=job_id, report=report, result_dir=result_dir,
                                     created_at=utcnow()))
        return True


def finish_failed(job_id: str, worker_id: str | None, code: str, message: str) -> bool:
    """Mark the job failed with ``code`` and a runner-facing ``message``.

    Args:
        job_id: The job.
        worker_id: The owning worker; None fails a job that is not running yet (queue down).
        code: One of :data:`kneeapp.store.models.ERROR_CODES`.
        message: One sentence for the runner.

    Returns:
        False when the job was not in the expected state.
    """
    with session_scope() as session:
        query = update(AnalysisJob).where(AnalysisJob.id == job_id)
        if worker_id is None:
            query = query.where(AnalysisJob.status.in_(("queued", "running")))
        else:
            query = query.where(AnalysisJob.status == "running",
                                AnalysisJob.worker_id == worker_id)
        result = session.execute(query.values(status="failed", error_code=code,
                                              error_message=message, finished_at=utcnow(),
                                              heartbeat_at=None))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def requeue(job_id: str, worker_id: str, count_attempt: bool = False) -> bool:
    """Put a running job back in the queue (worker shutting down).

    Args:
        job_id: The job.
        worker_id: The worker that owns it.
        count_attempt: False gives the attempt back (a shutdown is not the job's fault).

    Returns:
        False when the job was not this worker's.
    """
    values: dict[str, Any] = {"status": "queued", "worker_id": None, "heartbeat_at": None,
                              "started_at": None}
    if not count_attempt:
        values["attempts"] = AnalysisJob.attempts - 1
    with session_scope() as session:
        result = session.execute(
            update(AnalysisJob).where(AnalysisJob.id == job_id, AnalysisJob.status == "running",
                                      AnalysisJob.worker_id == worker_id).values(**values))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def requeue_within_s(stale_after_s: float) -> float:
    """The longest time from a worker's death to its job's recovery.

    The dead worker's last heartbeat is at most the moment it died; the job counts as lost
    ``stale_after_s`` later and the next housekeeping round (every ``stale_after_s / 2``, in
    a surviving worker's ``--maintain`` companion or local loop) re-queues or fails it.

    Args:
        stale_after_s: ``WORKER_STALE_S``.

    Returns:
        Seconds: ``1.5 × stale_after_s``.
    """
    return stale_after_s * 1.5


def recover_stale(now: dt.datetime | None = None, stale_after_s: float | None = None) -> Recovery:
    """Re-queue (attempts < 2) or fail (``worker_lost``) running jobs whose heartbeat is stale.

    The caller re-submits re-queued jobs to its backend and notifies Rasa of failed ones.

    Args:
        now: The current time (tests).
        stale_after_s: Heartbeat age that counts as lost; default ``WORKER_STALE_S``.

    Returns:
        What was recovered.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=stale_after_s if stale_after_s is not None
                                else settings.current().worker_stale_s)
    recovery = Recovery()
    with session_scope() as session:
        stale = session.execute(
            select(AnalysisJob.id, AnalysisJob.attempts, AnalysisJob.heartbeat_at,
                   AnalysisJob.conversation_id)
            .where(AnalysisJob.status == "running",
                   or_(AnalysisJob.heartbeat_at < cutoff,
                       and_(AnalysisJob.heartbeat_at.is_(None),
                            or_(AnalysisJob.started_at.is_(None),
                                AnalysisJob.started_at < cutoff))))).all()
    for job_id, attempts, beat, conversation_id in stale:
        requeue_it = attempts < MAX_ATTEMPTS
        values: dict[str, Any] = (
            {"status": "queued", "worker_id": None, "heartbeat_at": None, "started_at": None}
            if requeue_it else
            {"status": "failed", "error_code": "worker_lost",
             "error_message": failure_texts.WORKER_LOST, "finished_at": now, "heartbeat_at": None})
        guard = (AnalysisJob.heartbeat_at.is_(None) if beat is None
                 else AnalysisJob.heartbeat_at == beat)
        with session_scope() as session:
            result = session.execute(
                update(AnalysisJob).where(AnalysisJob.id == job_id,
                                          AnalysisJob.status == "running", guard)
                .values(**values))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                continue  # the worker came back, or someone else recovered it
        if requeue_it:
            log.warning("job %s: worker lost, re-queued (attempt %d)", job_id, attempts)
            recovery.requeued.append(job_id)
        else:
            log.warning("job %s: worker lost again, job failed", job_id)
            recovery.failed.append((job_id, conversation_id))
    return recovery


def queued_since(seconds: float, within_s: float = NOTIFY_AGAIN_WITHIN_S,
                 now: dt.datetime | None = None) -> list[str]:
    """Jobs ``queued`` and created at least ``seconds`` and less than ``within_s`` ago,
    oldest first."""
    now = now or utcnow()
    with session_scope() as session:
        return list(session.scalars(
            select(AnalysisJob.id).where(
                AnalysisJob.status == "queued",
                AnalysisJob.created_at <= now - dt.timedelta(seconds=seconds),
                AnalysisJob.created_at > now - dt.timedelta(seconds=within_s))
            .order_by(AnalysisJob.created_at)).all())


def mark_notified(job_id: str) -> None:
    """Record that Rasa accepted the job's "analysis ready" notice."""
    with session_scope() as session:
        session.execute(update(AnalysisJob).where(AnalysisJob.id == job_id)
                        .values(notified_at=utcnow()))


def unnotified(now: dt.datetime | None = None, after_s: float | None = None,
               within_s: float = NOTIFY_AGAIN_WITHIN_S) -> list[tuple[str, str]]:
    """Finished jobs whose notice Rasa never accepted: the worker died between finishing
    and notifying, or Rasa was down for all of ``NOTIFY_ATTEMPTS``.

    Args:
        now: The current time (tests).
        after_s: Only jobs finished at least this long ago (the finishing worker may still
            be notifying); default ``WORKER_STALE_S``.
        within_s: Only jobs finished at most this long ago (older news is not pushed).

    Returns:
        ``(job_id, conversation_id)`` pairs, oldest first.
    """
    now = now or utcnow()
    after = dt.timedelta(seconds=after_s if after_s is not None
                         else settings.current().worker_stale_s)
    with session_scope() as session:
        return [(job_id, conversation_id) for job_id, conversation_id in session.execute(
            select(AnalysisJob.id, AnalysisJob.conversation_id)
            .where(AnalysisJob.status.in_(("done", "failed")),
                   AnalysisJob.notified_at.is_(None),
                   AnalysisJob.finished_at <= now - after,
                   AnalysisJob.finished_at > now - dt.timedelta(seconds=within_s))
            .order_by(AnalysisJob.finished_at)).all()]


def active_jobs_of_video(video_id: str) -> int:
    """How many queued or running jobs use ``video_id``."""
    with session_scope() as session:
        return len(session.scalars(
            select(AnalysisJob.id).where(AnalysisJob.video_id == video_id,
                                         AnalysisJob.status.in_(("queued", "running")))).all())


def mark_video_deleted(video_id: str) -> None:
    """Delete the raw upload and sidecar and set ``videos.status='deleted'``, ``deleted_at``."""
    media.delete_upload(video_id)
    with session_scope() as session:
        session.execute(update(Video).where(Video.id == video_id, Video.status == "stored")
                        .values(status="deleted", deleted_at=utcnow()))
