"""The job function: ``run_analysis_job(job_id)``, the same for every backend.

1. Take ownership of the job (claimed by the local worker, or queued → running for RQ).
2. Run ``analysis_core.analyze`` in a limited child process (:mod:`kneeapp.jobs.limits`)
   writing into ``MEDIA_DIR/results/.<job_id>.partial``, sending heartbeats meanwhile.
3. Move the result to ``MEDIA_DIR/results/<job_id>/`` and store the report (``done``; also
   for unusable footage, whose report says ``quality.usable = false`` with a retake tip),
   or mark the job ``failed`` with a code and a sentence for the runner.
4. Delete the raw upload according to ``VIDEO_RETENTION_S``.
5. Tell Rasa (``EXTERNAL_analysis_ready``), whatever the outcome, and record that Rasa
   accepted it (``notified_at``): the housekeeping round sends a notice lost with its
   worker again (:func:`kneeapp.jobs.worker.maintain`); the action presents a job once.

A job that disappears while it runs (conversation erased) or is taken over after a lost
heartbeat is dropped quietly: its partial output is deleted and nobody is notified.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from typing import Any

from kneeapp import settings
from kneeapp.clinic import deliveries
from kneeapp.jobs import failure_texts, queue, retention
from kneeapp.jobs.limits import ChildOutcome, Limits, run_child
from kneeapp.jobs.notify import tell_rasa
from kneeapp.store import media

log = logging.getLogger(__name__)

#: Module run in the child process (tests point it at a misbehaving stand-in).
CHILD_MODULE = "kneeapp.jobs.child"
#: Share of the wall-clock limit given to analysis_core as its own soft limit, so a long
#: clip still ends with a (partial) report before the hard stop.
SOFT_LIMIT_SHARE = 0.8


class _Heartbeat(threading.Thread):
    """Updates ``heartbeat_at`` every ``WORKER_HEARTBEAT_S``; sets ``lost`` if the job was
    taken away from this worker."""

    def __init__(self, job_id: str, worker_id: str, lost: threading.Event) -> None:
        super().__init__(name=f"heartbeat-{job_id[:8]}", daemon=True)
        self.job_id, self.worker_id, self.lost = job_id, worker_id, lost
        self.done = threading.Event()

    def run(self) -> None:
        interval = settings.current().worker_heartbeat_s
        while not self.done.wait(interval):
            try:
                if not queue.heartbeat(self.job_id, self.worker_id):
                    self.lost.set()
                    return
            except Exception as exc:  # a database hiccup must not end the job
                log.warning("job %s: heartbeat failed (%s)", self.job_id, type(exc).__name__)


def limits_from_env() -> Limits:
    """The analysis child's limits from ``ANALYSIS_TIME_LIMIT_S`` and ``ANALYSIS_MEMORY_MB``.

    CPU time may use two cores for the whole wall-clock budget, plus 10 s for start-up.
    """
    config = settings.current()
    wall = config.analysis_time_limit_s
    return Limits(memory_mb=config.analysis_memory_mb, cpu_s=int(wall * 2) + 10,
                  wall_s=wall)


def _failure(outcome: ChildOutcome) -> tuple[str, str]:
    if outcome.kind == "error":
        code = str(outcome.answer.get("code") or "unreadable")
        return code, str(outcome.answer.get("message") or failure_texts.UNREADABLE)
    if outcome.kind == "timeout":
        return "timeout", failure_texts.TIMEOUT
    if outcome.kind == "memory":
        return "crashed", failure_texts.MEMORY
    return "crashed", failure_texts.CRASHED


def run_analysis_job(job_id: str, worker_id: str | None = None,
                     stop: threading.Event | None = None) -> str | None:
    """Run one analysis job to its end (see the module docstring).

    Args:
        job_id: The job (``analysis_jobs.id``).
        worker_id: The worker that claimed it; None (RQ) claims it here.
        stop: Set by a worker shutting down: the child is stopped and the job re-queued.

    Returns:
        The job's status afterwards (``done``, ``failed``, ``queued`` after a shutdown), or
        None when this worker did not (or no longer) own the job.
    """
    worker_id = worker_id or queue.make_worker_id("rq")
    if not queue.start_job(job_id, worker_id):
        log.info("job %s: not ours to run", job_id)
        return None
    context = queue.job_context(job_id)
    if context is None:
        log.info("job %s: job or video gone", job_id)
        return None
    video = media.upload_path(context.video_id, context.container)
    if video is None:
        return _finish_failed(job_id, worker_id, context, "unreadable", failure_texts.VIDEO_MISSING)

    partial = media.tmp_result_dir(job_id)
    final = media.result_dir(job_id)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True, exist_ok=True)
    limits = limits_from_env()
    payload = {"op": "analyze", "video": str(video), "out": str(partial),
               "activity": context.activity, "view": context.view,
               "time_limit_s": max(1.0, limits.wall_s * SOFT_LIMIT_SHARE)}
    lost = threading.Event()

    def should_abort() -> bool:
        return lost.is_set() or (stop is not None and stop.is_set())

    beat = _Heartbeat(job_id, worker_id, lost)
    beat.start()
    log.info("job %s: analysis started (attempt %d)", job_id, context.attempts)
    try:
        outcome = run_child(CHILD_MODULE, payload, limits, should_abort)
    finally:
        beat.done.set()
        beat.join(timeout=5)
    log.info("job %s: child ended: %s after %.1f s", job_id, outcome.kind, outcome.elapsed_s)

    if outcome.kind == "aborted" or lost.is_set():
        shutil.rmtree(partial, ignore_errors=True)
        stopping = stop is not None and stop.is_set() and not lost.is_set()
        if stopping and queue.requeue(job_id, worker_id, count_attempt=False):
            log.info("job %s: re-queued for shutdown", job_id)
            return "queued"
        return None

    if outcome.kind == "ok":
        try:
            report = json.loads((partial / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            outcome = ChildOutcome("crashed", {}, outcome.returncode, outcome.elapsed_s)
        else:
            shutil.rmtree(final, ignore_errors=True)
            partial.rename(final)
            if not queue.finish_done(job_id, worker_id, report, str(final)):
                log.info("job %s: no longer ours; result discarded", job_id)
                media.delete_result(job_id)
                return None
            log.info("job %s: done", job_id)
            _tell_clinic(job_id, context.conversation_id)
            _after(job_id, context, keep_upload=_inconclusive(report))
            return "done"
    shutil.rmtree(partial, ignore_errors=True)
    code, message = _failure(outcome)
    return _finish_failed(job_id, worker_id, context, code, message)


def _finish_failed(job_id: str, worker_id: str, context: queue.JobContext, code: str,
                   message: str) -> str | None:
    if not queue.finish_failed(job_id, worker_id, code, message):
        return None
    log.info("job %s: failed (%s)", job_id, code)
    _after(job_id, context)
    return "failed"


def _tell_clinic(job_id: str, conversation_id: str) -> None:
    """Queues the findings for the clinic's helpdesk (when the clinic has one); they reach
    the clinician even while the bot is paused for a handover."""
    if not settings.current().chatwoot_enabled:
        return
    try:
        deliveries.queue(conversation_id, deliveries.ANALYSIS, {"job_id": job_id})
    except Exception as exc:  # the runner still gets the findings; the clinic misses a note
        log.error("job %s: findings not queued for the clinic (%s)", job_id, type(exc).__name__)


def _inconclusive(report: dict[str, Any]) -> bool:
    """The analysis could not tell what the clip shows: the runner will be asked."""
    return "unknown" in (report.get("activity"), report.get("view"))


def _after(job_id: str, context: queue.JobContext, keep_upload: bool = False) -> None:
    """Releases the upload (unless the runner is about to say what it shows) and notifies."""
    if not keep_upload:
        try:
            retention.release_video(context.video_id)
        except Exception as exc:  # retention is retried by the worker's periodic purge
            log.warning("job %s: upload not deleted yet (%s)", job_id, type(exc).__name__)
    tell_rasa(context.conversation_id, job_id)
