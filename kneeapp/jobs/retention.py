"""Deleting raw uploads once they are no longer needed (``VIDEO_RETENTION_S``).

A registered video is deleted when none of its jobs is queued or running and it is older
than the retention (0 = right after its analysis). Uploads never registered (the action
refused them, or never ran) are deleted after ``ORPHAN_UPLOAD_S``; so is a registered
video that never got a job.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import exists, select

from kneeapp import settings
from kneeapp.jobs import queue
from kneeapp.store import media
from kneeapp.store.db import session_scope
from kneeapp.store.models import AnalysisJob, Video, utcnow

log = logging.getLogger(__name__)


def release_video(video_id: str) -> bool:
    """Called after a job of ``video_id`` finished: delete it now if the retention is 0.

    Returns:
        True when the raw upload was deleted.
    """
    if settings.current().video_retention_s > 0 or queue.active_jobs_of_video(video_id):
        return False
    queue.mark_video_deleted(video_id)
    return True


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete uploads past their retention, and orphaned uploads.

    Args:
        now: The current time (tests).

    Returns:
        How many videos (registered or not) were deleted.
    """
    now = now or utcnow()
    # Uploads released after a conclusive analysis are already gone (release_video); what is
    # left waits at least the clarification window (analysis could not tell what it shows).
    config = settings.current()
    keep_s = max(config.video_retention_s, config.video_clarify_s)
    retention_cut = now - dt.timedelta(seconds=keep_s)
    orphan_cut = now - dt.timedelta(seconds=config.orphan_upload_s)
    active = exists().where(AnalysisJob.video_id == Video.id,
                            AnalysisJob.status.in_(("queued", "running")))
    any_job = exists().where(AnalysisJob.video_id == Video.id)
    with session_scope() as session:
        expired = session.scalars(
            select(Video.id).where(Video.status == "stored", ~active,
                                   ((Video.created_at <= retention_cut) & any_job)
                                   | (Video.created_at <= orphan_cut))).all()
        known = set(session.scalars(select(Video.id)).all())
    for video_id in expired:
        queue.mark_video_deleted(video_id)
    removed = len(expired)
    folder = media.uploads_dir()
    if folder.is_dir():
        for sidecar in folder.glob("*.json"):
            video_id = sidecar.stem
            if not media.ID_RE.fullmatch(video_id) or video_id in known:
                continue
            try:
                age = now.timestamp() - sidecar.stat().st_mtime
            except FileNotFoundError:
                continue
            if age >= settings.current().orphan_upload_s:
                media.delete_upload(video_id)
                removed += 1
    if removed:
        log.info("retention: %d raw upload(s) deleted", removed)
    return removed
