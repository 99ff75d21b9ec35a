"""The analysis worker: ``python -m kneeapp.jobs.worker [--backend local|rq] [--burst]``.

Local backend: ``WORKER_CONCURRENCY`` threads (default 1) claim queued jobs from the
database and run :func:`kneeapp.jobs.run.run_analysis_job`. At start-up and every
``WORKER_STALE_S / 2`` seconds the worker recovers jobs whose heartbeat went stale (re-queued
once, then failed with ``worker_lost`` and Rasa notified), deletes expired uploads and sends
due check-in reminders.
SIGTERM / SIGINT: running children are stopped, their jobs re-queued, the worker exits 0.

RQ backend: recovers stale jobs once (re-enqueued on RQ), starts the same housekeeping
loop in a companion process (``--maintain``; not in burst mode), then runs an RQ worker on
``RQ_QUEUE``; RQ's own warm shutdown applies.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import shutil
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

from kneeapp import log_privacy, settings
from kneeapp.jobs import backends, checkins, desk, queue, retention
from kneeapp.jobs.notify import tell_rasa
from kneeapp.jobs.run import run_analysis_job
from kneeapp.store import media
from kneeapp.store.db import init_db

log = logging.getLogger(__name__)


def maintain() -> queue.Recovery:
    """One round of housekeeping: recover stale jobs, notify lost ones, hand RQ the queued
    jobs it no longer holds (RQ backend), send the notices a dead worker did not send (one
    try each per round), purge uploads, send due check-in reminders
    (:mod:`kneeapp.jobs.checkins`)."""
    recovery = queue.recover_stale()
    for job_id in recovery.requeued:
        try:
            backends.submit(job_id)
        except Exception as exc:
            log.error("job %s: could not be re-submitted (%s)", job_id, type(exc).__name__)
    for job_id, conversation_id in recovery.failed:
        shutil.rmtree(media.tmp_result_dir(job_id), ignore_errors=True)  # the lost run's output
        try:
            video = queue.job_context(job_id)
            if video is not None:
                retention.release_video(video.video_id)
        except Exception as exc:
            log.warning("job %s: upload not deleted yet (%s)", job_id, type(exc).__name__)
        tell_rasa(conversation_id, job_id)
    try:
        backends.resubmit_orphans(queue.queued_since(settings.current().worker_stale_s))
    except Exception as exc:
        log.warning("queued jobs not checked against RQ (%s)", type(exc).__name__)
    try:
        for job_id, conversation_id in queue.unnotified():
            log.warning("job %s: finished but Rasa was not told; notifying", job_id)
            tell_rasa(conversation_id, job_id, attempts=1)
    except Exception as exc:
        log.warning("lost notices not sent (%s)", type(exc).__name__)
    try:
        retention.purge_expired()
    except Exception as exc:
        log.warning("retention purge failed (%s)", type(exc).__name__)
    try:
        checkins.send_due()
    except Exception as exc:  # the database is down: the next round tries again
        log.warning("check-in reminders paused (%s)", type(exc).__name__)
    return recovery


class LocalWorker:
    """Claims and runs jobs from the database queue until stopped.

    Args:
        concurrency: Jobs run at once (threads, each with its own child process).
        burst: Exit once no job is queued or running here (tests, one-off runs).
    """

    def __init__(self, concurrency: int = 1, burst: bool = False) -> None:
        self.concurrency = max(1, concurrency)
        self.burst = burst
        self.stop = threading.Event()
        self._idle = [False] * self.concurrency

    def _loop(self, index: int) -> None:
        worker_id = queue.make_worker_id(f"local{index}")
        while not self.stop.is_set():
            try:
                job_id = queue.claim_next(worker_id)
            except Exception as exc:
                log.error("claim failed (%s); retrying", type(exc).__name__)
                self.stop.wait(settings.current().worker_poll_s)
                continue
            if job_id is None:
                self._idle[index] = True
                if self.burst and all(self._idle):
                    return
                self.stop.wait(settings.current().worker_poll_s)
                continue
            self._idle[index] = False
            try:
                run_analysis_job(job_id, worker_id, self.stop)
            except Exception as exc:  # keep the worker alive; the job's heartbeat will lapse
                log.exception("job %s: unexpected error (%s)", job_id, type(exc).__name__)

    def run(self) -> int:
        """Run until SIGTERM/SIGINT (or, in burst mode, until the queue is empty).

        Returns:
            The exit code (0).
        """
        init_db()
        maintain()
        if not self.burst:
            desk.start(self.stop)
        threads = [threading.Thread(target=self._loop, args=(i,), name=f"job-{i}", daemon=True)
                   for i in range(self.concurrency)]
        for thread in threads:
            thread.start()
        period = max(0.5, settings.current().worker_stale_s / 2)
        next_maintenance = time.monotonic() + period
        while any(t.is_alive() for t in threads):
            if self.stop.wait(0.2):
                break
            if time.monotonic() >= next_maintenance:
                try:
                    maintain()
                except Exception as exc:
                    log.error("maintenance failed (%s)", type(exc).__name__)
                next_maintenance = time.monotonic() + period
        self.stop.set()
        for thread in threads:
            thread.join()
        log.info("worker stopped")
        return 0

    def handle_signal(self, signum: int, _frame: FrameType | None) -> None:
        """SIGTERM/SIGINT: stop children, re-queue their jobs, exit."""
        log.info("signal %d: stopping", signum)
        self.stop.set()


def maintain_forever(stop: threading.Event) -> int:
    """Housekeeping only (``--maintain``): every ``WORKER_STALE_S / 2`` until ``stop``; the
    clinic's helpdesk deliveries alongside."""
    init_db()
    desk.start(stop)
    period = max(0.5, settings.current().worker_stale_s / 2)
    while True:
        try:
            maintain()
        except Exception as exc:
            log.error("maintenance failed (%s)", type(exc).__name__)
        if stop.wait(period):
            return 0


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def run_rq(burst: bool = False) -> int:
    """Recover stale jobs, keep doing so in a companion process, run an RQ worker."""
    from rq import Worker

    init_db()
    maintain()
    companion = None
    if not burst:
        companion = subprocess.Popen(  # the same program, housekeeping only
            [sys.executable, "-m", "kneeapp.jobs.worker", "--maintain"],
            preexec_fn=_die_with_parent)
    try:
        rq_q = backends.rq_queue()
        worker = Worker([rq_q], connection=rq_q.connection)
        worker.work(burst=burst, with_scheduler=False)
    finally:
        if companion is not None:
            companion.terminate()
            companion.wait(timeout=30)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m kneeapp.jobs.worker",
                                     description="Run video analysis jobs.")
    parser.add_argument("--backend", choices=["local", "rq"], default=None,
                        help="default: QUEUE_BACKEND (local)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="jobs at once, local backend (default: WORKER_CONCURRENCY or 1)")
    parser.add_argument("--burst", action="store_true",
                        help="exit when the queue is empty")
    parser.add_argument("--maintain", action="store_true",
                        help="only recover lost jobs and delete expired uploads, periodically")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    log_privacy.install()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.maintain:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        return maintain_forever(stop)
    backend = args.backend or settings.current().queue_backend
    if backend == "rq":
        return run_rq(burst=args.burst)
    concurrency = args.concurrency or settings.current().worker_concurrency
    worker = LocalWorker(concurrency, burst=args.burst)
    signal.signal(signal.SIGTERM, worker.handle_signal)
    signal.signal(signal.SIGINT, worker.handle_signal)
    return worker.run()


if __name__ == "__main__":
    sys.exit(main())
