"""Queue backends: where a queued job is handed after its row is written.

``local`` (default): nothing to do; ``python -m kneeapp.jobs.worker`` polls the database.
``rq``: the same job function is enqueued on RQ (``REDIS_URL``, queue ``RQ_QUEUE``); the
database row stays the source of truth for the job's status.
"""

from __future__ import annotations

import logging
from typing import Any

from kneeapp import settings
from kneeapp.jobs import failure_texts, queue

log = logging.getLogger(__name__)

JOB_FUNCTION = "kneeapp.jobs.run.run_analysis_job"
#: Extra seconds RQ gives a job beyond the analysis limit before killing its work horse.
RQ_TIMEOUT_MARGIN_S = 120


class QueueUnavailable(Exception):
    """The job was stored but the queue backend refused it; the job is marked failed.

    ``job_id`` names the failed job; the message is safe to log (no health text).
    """

    def __init__(self, message: str, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


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
    job_id = queue.insert_job(video_id, conversation_id, activity, view)
    submit(job_id)
    return job_id


def rq_queue(name: str | None = None) -> Any:
    """The RQ queue (``RQ_QUEUE`` on ``REDIS_URL``)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(settings.current().redis_url, socket_connect_timeout=5)
    return Queue(name or settings.current().rq_queue, connection=connection)


def submit(job_id: str) -> None:
    """Hand a queued job to the configured backend.

    Args:
        job_id: A job whose row is ``queued``.

    Raises:
        QueueUnavailable: RQ could not be reached; the job was marked failed (``crashed``).
    """
    if settings.current().queue_backend == "local":
        return
    try:
        rq_queue().enqueue(
            JOB_FUNCTION, job_id,
            job_timeout=int(settings.current().analysis_time_limit_s) + RQ_TIMEOUT_MARGIN_S,
            result_ttl=3600, failure_ttl=7 * 86400,
            description=f"analysis job {job_id}",
        )
    except Exception as exc:
        log.error("job %s: RQ enqueue failed (%s)", job_id, type(exc).__name__)
        queue.finish_failed(job_id, None, "crashed", failure_texts.QUEUE_DOWN)
        raise QueueUnavailable("the analysis queue is not reachable", job_id) from exc


def resubmit_orphans(queued_job_ids: list[str]) -> list[str]:
    """Hand ``queued`` jobs that RQ no longer holds to RQ again (RQ backend only).

    A job stays ``queued`` in the database, with nothing in RQ that will ever run it, when
    its worker died after RQ handed it over and before the job function claimed the row
    (about 0.3 s at the start of each job), or when Redis lost its data. RQ holds a job
    while it waits in the queue or while its started-registry entry has not expired (90 s
    after the RQ worker's last heartbeat). A job submitted twice is harmless: the job
    function's guarded claim lets one run and the other return at once.

    Args:
        queued_job_ids: Jobs whose row is ``queued`` (and was for a while: just-created
            jobs are being submitted right now).

    Returns:
        The jobs submitted again.
    """
    if settings.current().queue_backend != "rq" or not queued_job_ids:
        return []
    rq = rq_queue()
    held = [job for job in rq.get_jobs() if job is not None]
    registry = rq.started_job_registry
    started = set(registry.get_job_ids(cleanup=False)) - set(registry.get_expired_job_ids())
    held += [job for job in rq.job_class.fetch_many(sorted(started), connection=rq.connection)
             if job is not None]
    ours = {str(job.args[0]) for job in held if job.func_name == JOB_FUNCTION and job.args}
    orphans = [job_id for job_id in queued_job_ids if job_id not in ours]
    for job_id in orphans:
        log.warning("job %s: queued but not held by RQ; submitted again", job_id)
        submit(job_id)
    return orphans
