"""The limited child process, and jobs whose child misbehaves."""

from __future__ import annotations

import threading
import time

import pytest

from kneeapp.jobs import backends, failure_texts, queue
from kneeapp.jobs import run as run_module
from kneeapp.jobs.limits import Limits, run_child
from kneeapp.store import media, repo
from tests.store.fixtures import register_upload

MODULE = "tests.jobs.misbehave"


def test_child_that_allocates_too_much_is_out_of_memory():
    outcome = run_child(MODULE, {"mode": "memory"}, Limits(512, 30, 30))
    assert outcome.kind == "memory"


def test_child_that_loops_forever_hits_the_cpu_limit():
    started = time.monotonic()
    outcome = run_child(MODULE, {"mode": "loop"}, Limits(512, 1, 30))
    assert outcome.kind == "timeout"
    assert time.monotonic() - started < 15


def test_child_that_sleeps_forever_hits_the_wall_clock_limit():
    outcome = run_child(MODULE, {"mode": "sleep"}, Limits(512, 30, 1.5))
    assert outcome.kind == "timeout"
    assert 1.5 <= outcome.elapsed_s < 8


def test_child_that_crashes():
    outcome = run_child(MODULE, {"mode": "abort"}, Limits(512, 30, 30))
    assert outcome.kind == "crashed" and outcome.returncode is not None
    assert outcome.returncode < 0


def test_child_can_be_aborted_by_the_caller():
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    outcome = run_child(MODULE, {"mode": "sleep"}, Limits(512, 30, 30), stop.is_set)
    assert outcome.kind == "aborted" and outcome.elapsed_s < 8


def test_child_ok(tmp_path):
    outcome = run_child(MODULE, {"mode": "ok", "out": str(tmp_path)}, Limits(512, 30, 30))
    assert outcome.kind == "ok"
    assert outcome.answer["report_path"].endswith("report.json")


@pytest.mark.parametrize(("mode", "code", "message", "env_extra"), [
    ("memory", "crashed", failure_texts.MEMORY, {}),
    ("loop", "timeout", failure_texts.TIMEOUT, {"ANALYSIS_TIME_LIMIT_S": "2"}),
    ("sleep", "timeout", failure_texts.TIMEOUT, {"ANALYSIS_TIME_LIMIT_S": "1.5"}),
    ("abort", "crashed", failure_texts.CRASHED, {}),
])
def test_misbehaving_analysis_becomes_a_failed_job(mode, code, message, env_extra, env, db_url,
                                                   tmp_path, monkeypatch, rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", MODULE)
    monkeypatch.setenv("MISBEHAVE", mode)
    monkeypatch.setenv("ANALYSIS_MEMORY_MB", "512")
    for key, value in env_extra.items():
        monkeypatch.setenv(key, value)
    video_id = register_upload(tmp_path / "media", "conv-limits", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-limits")

    assert run_module.run_analysis_job(job_id) == "failed"

    job = queue.get_job(job_id)
    assert job is not None
    assert (job.status, job.error_code, job.error_message) == ("failed", code, message)
    assert job.report is None and job.finished_at is not None
    assert not media.result_dir(job_id).exists() and not media.tmp_result_dir(job_id).exists()
    assert media.upload_path(video_id) is None  # VIDEO_RETENTION_S=0
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]
    assert rasa_stub.wait(1)
    assert rasa_stub.requests[0]["body"]["entities"] == {"job_id": job_id}


def test_real_analysis_under_a_tiny_memory_limit_fails_as_crashed(sqlite_env, tmp_path,
                                                                   monkeypatch, short_clip):
    monkeypatch.setenv("ANALYSIS_MEMORY_MB", "200")
    video_id = register_upload(tmp_path / "media", "conv-tiny", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-tiny")
    assert run_module.run_analysis_job(job_id) == "failed"
    job = queue.get_job(job_id)
    assert job is not None and job.error_code == "crashed"
