"""The RQ backend against the real Redis at 127.0.0.1:6379 (unique queue per test)."""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from kneeapp.jobs import backends, failure_texts, queue
from kneeapp.store import repo
from kneeapp.store.db import session_scope
from kneeapp.store.models import AnalysisJob, utcnow
from tests.store.fixtures import register_upload, subprocess_env

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def rq_env(sqlite_env, monkeypatch) -> Iterator[dict[str, str]]:
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"Redis at {REDIS_URL} unreachable ({type(exc).__name__})")
    name = f"knee-test-{secrets.token_hex(4)}"
    monkeypatch.setenv("QUEUE_BACKEND", "rq")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RQ_QUEUE", name)
    yield {**sqlite_env, "QUEUE_BACKEND": "rq", "REDIS_URL": REDIS_URL, "RQ_QUEUE": name}
    rq = backends.rq_queue(name)
    for registry in (rq.started_job_registry, rq.finished_job_registry,
                     rq.failed_job_registry):
        for rq_job_id in registry.get_job_ids():
            registry.remove(rq_job_id, delete_job=True)
    rq.delete(delete_jobs=True)


def test_rq_runs_the_same_job_function_and_recovers_lost_jobs(rq_env, tmp_path, short_clip,
                                                              rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-rq", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-rq")
    rq = backends.rq_queue()
    assert rq.count == 1
    (rq_job,) = rq.get_jobs()
    assert rq_job.func_name == "kneeapp.jobs.run.run_analysis_job" and rq_job.args == (job_id,)

    # a second job whose RQ worker died mid-run: running in the database, gone from Redis
    lost_id = backends.enqueue_analysis(video_id, "conv-rq")
    rq.remove(rq.get_jobs()[-1])
    with session_scope() as session:
        session.execute(update(AnalysisJob).where(AnalysisJob.id == lost_id).values(
            status="running", worker_id="rq:dead", attempts=1,
            heartbeat_at=utcnow() - dt.timedelta(minutes=5)))

    proc = subprocess.run([sys.executable, "-m", "kneeapp.jobs.worker", "--backend", "rq",
                           "--burst"], env=subprocess_env({}), capture_output=True, text=True,
                          timeout=150)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for jid, attempts in ((job_id, 1), (lost_id, 2)):
        job = queue.get_job(jid)
        assert job is not None and job.status == "done", (job, proc.stderr[-2000:])
        assert job.attempts == attempts and job.report is not None
    assert rasa_stub.wait(2)
    assert sorted(r["body"]["entities"]["job_id"] for r in rasa_stub.requests) == sorted(
        [job_id, lost_id])
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]
    assert "conv-rq" not in proc.stderr


def test_rq_unreachable_fails_the_job_with_a_friendly_message(sqlite_env, monkeypatch,
                                                              tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("QUEUE_BACKEND", "rq")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    video_id = register_upload(tmp_path / "media", "conv-rq-down", b"x")
    with pytest.raises(backends.QueueUnavailable) as info:
        backends.enqueue_analysis(video_id, "conv-rq-down")
    job = queue.get_job(info.value.job_id)
    assert job is not None and job.status == "failed"
    assert (job.error_code, job.error_message) == ("crashed", failure_texts.QUEUE_DOWN)


def test_a_queued_job_that_rq_no_longer_holds_is_submitted_again(rq_env, tmp_path,
                                                                 monkeypatch):
    """The worker died after RQ handed it the job and before the job function claimed the
    row (or Redis lost its data): the row stays queued; housekeeping hands it to RQ again,
    once, and leaves alone a job that RQ still holds or that was just created."""
    from kneeapp.jobs.worker import maintain

    monkeypatch.setenv("WORKER_STALE_S", "0.2")
    video_id = register_upload(tmp_path / "media", "conv-orphan", b"clip")
    held, lost = (backends.enqueue_analysis(video_id, "conv-orphan") for _ in range(2))
    rq = backends.rq_queue()
    rq.remove(next(job for job in rq.get_jobs() if job.args == (lost,)))
    assert queue.queued_since(60) == [], "just created: its submission may be under way"
    assert backends.resubmit_orphans(queue.queued_since(0)) == [lost]
    assert sorted(job.args[0] for job in rq.get_jobs()) == sorted([held, lost])
    assert backends.resubmit_orphans(queue.queued_since(0)) == []
    maintain()
    assert rq.count == 2
