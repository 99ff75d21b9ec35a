"""The worker as a real process: SIGKILL mid-job, a second loss, clean SIGTERM shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kneeapp.jobs import backends, queue
from kneeapp.store import repo
from tests.store.fixtures import register_upload, subprocess_env


class Workers:
    """Starts worker processes for one test and stops them all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "kneeapp.jobs.worker", *args],
                                env=subprocess_env({}), stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "".join(p.read_text() for p in sorted(self.log_dir.glob("worker*.log")))

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    """Worker processes started with the test's (monkeypatched) environment."""
    group = Workers(tmp_path)
    try:
        yield group
    finally:
        group.stop_all()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def analysis_children(media_dir: str) -> list[int]:
    """Pids of live analysis children started with this test's MEDIA_DIR."""
    found = []
    marker = f"MEDIA_DIR={media_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"kneeapp.jobs.child" in cmdline and marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def running_with_heartbeat(job_id: str, attempts: int) -> Callable[[], bool]:
    def check() -> bool:
        job = queue.get_job(job_id)
        return job is not None and job.status == "running" and job.attempts == attempts

    return check


def kill_mid_job(workers: Workers, job_id: str, attempts: int, media_dir: str) -> None:
    proc = workers.start()
    wait_until(running_with_heartbeat(job_id, attempts), 30, f"attempt {attempts} to run")
    wait_until(lambda: bool(analysis_children(media_dir)), 15, "the analysis child")
    time.sleep(0.5)  # mid-analysis
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    wait_until(lambda: not analysis_children(media_dir), 10, "the orphaned child to die")


def test_killed_worker_job_is_requeued_and_completed_by_a_new_worker(
        sqlite_env, workers, tmp_path, short_clip, rasa_stub):
    env = sqlite_env
    video_id = register_upload(tmp_path / "media", "conv-worker-kill", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-worker-kill")

    kill_mid_job(workers, job_id, 1, env["MEDIA_DIR"])
    assert queue.get_job(job_id).status == "running"  # type: ignore[union-attr]

    workers.start()  # recovers the stale job (WORKER_STALE_S=2), then runs it
    wait_until(lambda: queue.get_job(job_id).finished, 90, "the job to finish")  # type: ignore[union-attr]
    job = queue.get_job(job_id)
    assert job is not None and job.status == "done" and job.attempts == 2
    assert job.report is not None and job.report["schema_version"] == "1.0"
    assert rasa_stub.wait(1)
    assert rasa_stub.requests[0]["body"]["entities"] == {"job_id": job_id}
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]
    logs = workers.logs()
    assert "re-queued" in logs and "conv-worker-kill" not in logs


def test_second_loss_fails_the_job_and_tells_the_runner(env, db_url, workers, tmp_path,
                                                        short_clip, rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-worker-lost", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-worker-lost")

    kill_mid_job(workers, job_id, 1, env["MEDIA_DIR"])
    kill_mid_job(workers, job_id, 2, env["MEDIA_DIR"])  # its start-up or loop re-queues it

    workers.start()
    wait_until(lambda: queue.get_job(job_id).finished, 30, "the job to fail")  # type: ignore[union-attr]
    job = queue.get_job(job_id)
    assert job is not None and job.status == "failed" and job.error_code == "worker_lost"
    assert job.error_message and job.report is None
    assert rasa_stub.wait(1)
    assert rasa_stub.requests[0]["path"].startswith(
        "/conversations/conv-worker-lost/trigger_intent?output_channel=latest")
    assert rasa_stub.requests[0]["body"]["entities"] == {"job_id": job_id}
    assert "conv-worker-lost" not in workers.logs()
    assert not any((tmp_path / "media").rglob(f"*{job_id}*"))  # no partial output left
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]


def test_sigterm_stops_the_child_and_requeues_the_job(sqlite_env, workers, tmp_path,
                                                      short_clip, rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-worker-term", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-worker-term")
    proc = workers.start()
    wait_until(running_with_heartbeat(job_id, 1), 30, "the job to run")
    wait_until(lambda: bool(analysis_children(sqlite_env["MEDIA_DIR"])), 15, "the child")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert not analysis_children(sqlite_env["MEDIA_DIR"])
    job = queue.get_job(job_id)
    assert job is not None and (job.status, job.attempts) == ("queued", 0)
    assert rasa_stub.requests == []
    assert os.path.exists(tmp_path / "media" / "uploads" / f"{video_id}.mp4")


def test_maintenance_process_recovers_lost_jobs_and_stops_on_sigterm(env, db_url, workers,
                                                                     tmp_path, rasa_stub):
    from kneeapp.jobs import queue
    from tests.jobs.test_queue import with_past_heartbeat

    video_id = register_upload(tmp_path / "media", "conv-maint", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-maint")
    assert queue.claim_next("dead1") == job_id
    with_past_heartbeat(job_id)
    assert queue.recover_stale().requeued == [job_id]
    assert queue.claim_next("dead2") == job_id
    with_past_heartbeat(job_id)  # attempts == 2, heartbeat stale: lost for good
    proc = workers.start("--maintain")
    wait_until(lambda: queue.get_job(job_id).finished, 20, "the lost job to fail")  # type: ignore[union-attr]
    assert queue.get_job(job_id).error_code == "worker_lost"  # type: ignore[union-attr]
    assert rasa_stub.wait(1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
