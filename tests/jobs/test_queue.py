"""Claiming, heartbeats and recovery in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time

from kneeapp.jobs import backends, failure_texts, queue
from kneeapp.jobs.worker import maintain
from kneeapp.store import repo
from kneeapp.store.models import utcnow
from tests.store.fixtures import register_upload, subprocess_env


def _jobs(tmp_path, n: int, conversation: str = "conv-q") -> list[str]:
    video_id = register_upload(tmp_path / "media", conversation, b"x")
    return [backends.enqueue_analysis(video_id, conversation) for _ in range(n)]


def test_claim_takes_the_oldest_queued_job_once(env, db_url, tmp_path):
    first, second = _jobs(tmp_path, 2)
    assert queue.claim_next("w1") == first
    assert queue.claim_next("w2") == second
    assert queue.claim_next("w3") is None
    job = queue.get_job(first)
    assert job is not None and (job.status, job.attempts) == ("running", 1)
    assert job.started_at is not None


def test_concurrent_claims_in_threads_never_share_a_job(env, db_url, tmp_path):
    jobs = set(_jobs(tmp_path, 12))
    claimed: list[str] = []
    lock = threading.Lock()

    def grab(name: str) -> None:
        while (job := queue.claim_next(name)) is not None:
            with lock:
                claimed.append(job)

    threads = [threading.Thread(target=grab, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(jobs)


CLAIM_SCRIPT = """
import json, os, sys, time
from kneeapp.jobs import queue
from kneeapp.store.db import ensure_db
ensure_db()
open(sys.argv[2] + "." + sys.argv[1], "w").close()
while not os.path.exists(sys.argv[2]):  # start together
    time.sleep(0.01)
got = []
while (job := queue.claim_next(sys.argv[1])) is not None:
    got.append(job)
print(json.dumps(got))
"""


def test_concurrent_claims_from_processes_never_share_a_job(env, db_url, tmp_path):
    jobs = set(_jobs(tmp_path, 20))
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", CLAIM_SCRIPT, f"p{i}", str(go)],
                              env=subprocess_env(env), stdout=subprocess.PIPE)
             for i in range(3)]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("go.p*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    go.touch()
    per_process = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    claimed = [job for got in per_process for job in got]
    assert sorted(claimed) == sorted(jobs)


def test_heartbeat_and_finish_belong_to_the_claiming_worker(env, db_url, tmp_path):
    (job_id,) = _jobs(tmp_path, 1)
    assert queue.claim_next("w1") == job_id
    assert queue.heartbeat(job_id, "w1")
    assert not queue.heartbeat(job_id, "w2")
    assert not queue.finish_done(job_id, "w2", {}, "/x")
    assert not queue.finish_failed(job_id, "w2", "crashed", "m")
    assert queue.finish_failed(job_id, "w1", "crashed", "m")
    assert not queue.heartbeat(job_id, "w1")  # finished jobs get no heartbeat
    assert queue.get_job(job_id).status == "failed"  # type: ignore[union-attr]


def test_stale_job_is_requeued_once_then_failed(env, db_url, tmp_path, rasa_stub):
    (job_id,) = _jobs(tmp_path, 1, "conv-stale")
    assert queue.claim_next("w1") == job_id
    later = utcnow() + dt.timedelta(seconds=10)
    assert queue.recover_stale(now=utcnow()).requeued == []  # fresh heartbeat: left alone

    recovery = queue.recover_stale(now=later, stale_after_s=5)
    assert recovery.requeued == [job_id] and recovery.failed == []
    job = queue.get_job(job_id)
    assert job is not None and (job.status, job.attempts) == ("queued", 1)

    assert queue.claim_next("w2") == job_id
    assert queue.get_job(job_id).attempts == 2  # type: ignore[union-attr]
    assert not queue.heartbeat(job_id, "w1")  # the first worker lost it
    recovery = queue.recover_stale(now=utcnow() + dt.timedelta(seconds=10), stale_after_s=5)
    assert recovery.failed == [(job_id, "conv-stale")]
    job = queue.get_job(job_id)
    assert job is not None and job.status == "failed" and job.error_code == "worker_lost"
    assert job.error_message == failure_texts.WORKER_LOST


def test_maintenance_notifies_rasa_of_a_lost_job(env, db_url, tmp_path, rasa_stub,
                                                 monkeypatch):
    monkeypatch.setenv("WORKER_STALE_S", "0.2")
    (job_id,) = _jobs(tmp_path, 1, "conv-lost")
    for worker in ("w1", "w2"):
        assert queue.claim_next(worker) == job_id
        with_past_heartbeat(job_id)
        maintain()
    assert queue.get_job(job_id).error_code == "worker_lost"  # type: ignore[union-attr]
    assert rasa_stub.wait(1)
    assert rasa_stub.requests[0]["path"].startswith("/conversations/conv-lost/trigger_intent")
    assert queue.get_job(job_id).video_id  # type: ignore[union-attr]
    video = repo.get_video(queue.get_job(job_id).video_id)  # type: ignore[union-attr]
    assert video is not None and video.status == "deleted"


def with_past_heartbeat(job_id: str) -> None:
    from sqlalchemy import update

    from kneeapp.store.db import session_scope
    from kneeapp.store.models import AnalysisJob

    with session_scope() as session:
        session.execute(update(AnalysisJob).where(AnalysisJob.id == job_id)
                        .values(heartbeat_at=utcnow() - dt.timedelta(minutes=5)))


def test_requeue_for_shutdown_gives_the_attempt_back(env, db_url, tmp_path):
    (job_id,) = _jobs(tmp_path, 1)
    assert queue.claim_next("w1") == job_id
    assert not queue.requeue(job_id, "w2")
    assert queue.requeue(job_id, "w1")
    job = queue.get_job(job_id)
    assert job is not None and (job.status, job.attempts) == ("queued", 0)


def _backlog(tmp_path, counts: dict[str, int]) -> dict[str, list[str]]:
    """Queues ``counts[conversation]`` jobs per conversation, in that order."""
    return {conversation: _jobs(tmp_path, n, conversation) for conversation, n in counts.items()}


def test_one_runners_backlog_does_not_starve_another(env, db_url, tmp_path):
    jobs = _backlog(tmp_path, {"conv-busy": 5, "conv-late": 1})
    late = jobs["conv-late"][0]
    predicted = queue.jobs_ahead(late)
    order = []
    while (job := queue.claim_next("w1")) is not None:  # one worker, one job at a time
        order.append(job)
        assert queue.finish_failed(job, "w1", "crashed", "test")
    assert order.index(late) <= 1  # claimed no later than second
    assert predicted == order.index(late)  # and the runner was told so
    assert sorted(order) == sorted(jobs["conv-busy"] + [late])


def test_conversations_take_turns_with_jobs_running(env, db_url, tmp_path):
    jobs = _backlog(tmp_path, {"conv-a": 3, "conv-b": 2, "conv-c": 1})
    claimed = [queue.claim_next(f"w{i}") for i in range(3)]  # three workers, nothing finished
    assert [queue.get_job(j).conversation_id for j in claimed] == ["conv-a", "conv-b", "conv-c"]
    assert claimed == [jobs["conv-a"][0], jobs["conv-b"][0], jobs["conv-c"][0]]


def test_the_wait_counts_the_turns_not_the_whole_backlog():
    queued = [("a", i) for i in range(1, 9)] + [("b", 9), ("b", 10), ("c", 11)]
    # "a" is being served (its first job runs): b's and c's first jobs go before a's next
    assert queue.claims_before(queued, ["a"], 9) == 0
    assert queue.claims_before(queued, ["a"], 11) == 1
    # b's second job: c's, then a's next, then b's (served before a's next) - b's own first
    assert queue.claims_before(queued, ["a"], 10) == 3
    # a's last job waits for everything
    assert queue.claims_before(queued, ["a"], 8) == len(queued) - 1


def test_on_rq_the_wait_is_first_in_first_out(env, db_url, tmp_path, monkeypatch):
    jobs = _backlog(tmp_path, {"conv-busy": 5, "conv-late": 1})
    monkeypatch.setenv("QUEUE_BACKEND", "rq")
    assert queue.jobs_ahead(jobs["conv-late"][0]) == 5


def test_default_settings_requeue_a_lost_job_within_a_minute():
    """A worker killed mid-analysis: its job is re-queued (and an idle worker starts it at
    once) at most 1.5 × WORKER_STALE_S after the kill; with the defaults that is 30 s, so the
    runner's clip is running again well within 60 s, and a heartbeat may miss 3 beats (a
    database hiccup) before its job counts as lost."""
    from kneeapp import settings

    defaults = settings.current({})
    assert queue.requeue_within_s(defaults.worker_stale_s) <= 30
    assert defaults.worker_stale_s >= 4 * defaults.worker_heartbeat_s
    assert queue.requeue_within_s(8) == 12


def test_a_notice_lost_with_its_worker_is_sent_once_by_the_next_round(
        env, db_url, tmp_path, rasa_stub, monkeypatch):
    """The worker died after marking the job done and before Rasa accepted the notice: the
    housekeeping round sends it (once the finishing worker had WORKER_STALE_S to do it), and
    a notice Rasa accepted is never sent again."""
    monkeypatch.setenv("WORKER_STALE_S", "0.2")
    lost, told = _jobs(tmp_path, 2, "conv-notice")
    for job_id in (lost, told):
        assert queue.claim_next("w1") == job_id
        assert queue.finish_done(job_id, "w1", {"schema_version": "1.0"}, "/nowhere")
    queue.mark_notified(told)
    assert queue.unnotified(after_s=60) == [], "the finishing worker may still be notifying"
    assert queue.unnotified(now=utcnow() + dt.timedelta(hours=2)) == [], "old news"
    time.sleep(0.3)
    maintain()
    assert rasa_stub.wait(1)
    assert [r["body"]["entities"] for r in rasa_stub.requests] == [{"job_id": lost}]
    assert queue.unnotified() == []
    maintain()
    assert len(rasa_stub.requests) == 1
