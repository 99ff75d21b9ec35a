"""run_analysis_job with the real analysis (short derived clips)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time

from kneeapp.jobs import backends, queue, retention
from kneeapp.jobs import run as run_module
from kneeapp.jobs.run import run_analysis_job
from kneeapp.store import media, repo
from kneeapp.store.erase import erase_conversation
from kneeapp.store.models import utcnow
from tests.store.fixtures import register_upload


def test_full_job_run_on_a_real_clip(sqlite_env, monkeypatch, tmp_path, short_clip,
                                     rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-run", short_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-run", activity="running")

    assert run_analysis_job(job_id) == "done"

    job = queue.get_job(job_id)
    assert job is not None and job.status == "done" and job.error_code is None
    assert job.attempts == 1 and job.started_at and job.finished_at
    assert job.report is not None and job.report["schema_version"] == "1.0"
    assert job.report["activity"] == "running" and job.report["activity_source"] == "override"
    assert isinstance(job.report["quality"]["usable"], bool)
    result_dir = media.result_dir(job_id)
    assert job.result_dir == str(result_dir)
    on_disk = json.loads((result_dir / "report.json").read_text())
    assert on_disk == job.report
    for image in job.report["images"]:
        assert (result_dir / image["path"]).is_file()
    assert not media.tmp_result_dir(job_id).exists()
    # raw upload and sidecar deleted right away (VIDEO_RETENTION_S=0)
    assert not list((tmp_path / "media" / "uploads").iterdir())
    video = repo.get_video(video_id)
    assert video is not None and video.status == "deleted" and video.deleted_at is not None
    # Rasa was told
    assert rasa_stub.wait(1)
    request = rasa_stub.requests[0]
    assert request["path"] == "/conversations/conv-run/trigger_intent?output_channel=latest"
    assert request["body"] == {"name": "EXTERNAL_analysis_ready",
                               "entities": {"job_id": job_id}}


def test_unusable_footage_is_a_done_job_with_a_retake_tip(sqlite_env, monkeypatch,
                                                          tmp_path, blank_clip, rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-blank", blank_clip)
    job_id = backends.enqueue_analysis(video_id, "conv-blank")
    assert run_analysis_job(job_id) == "done"
    job = queue.get_job(job_id)
    assert job is not None and job.report is not None
    assert job.report["quality"]["usable"] is False
    assert job.report["quality"]["retake_tip"]
    assert rasa_stub.wait(1)


def test_unreadable_upload_is_a_failed_job(env, db_url, tmp_path, rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-bad", b"not a video at all" * 100)
    job_id = backends.enqueue_analysis(video_id, "conv-bad")
    assert run_analysis_job(job_id) == "failed"
    job = queue.get_job(job_id)
    assert job is not None and job.error_code == "unreadable"
    assert job.error_message and "Traceback" not in job.error_message
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]
    assert rasa_stub.wait(1)


def test_missing_upload_is_a_failed_job(env, db_url, tmp_path, rasa_stub):
    video_id = register_upload(tmp_path / "media", "conv-gone", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-gone")
    media.delete_upload(video_id)
    assert run_analysis_job(job_id) == "failed"
    assert queue.get_job(job_id).error_code == "unreadable"  # type: ignore[union-attr]


def test_a_job_runs_only_once(env, db_url, tmp_path, monkeypatch, rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", "tests.jobs.misbehave")
    video_id = register_upload(tmp_path / "media", "conv-once", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-once")
    assert run_analysis_job(job_id) == "done"
    assert run_analysis_job(job_id) is None
    assert queue.get_job(job_id).attempts == 1  # type: ignore[union-attr]
    assert len(rasa_stub.requests) == 1


def test_retention_keeps_the_upload_until_it_expires(env, db_url, tmp_path, monkeypatch,
                                                     rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", "tests.jobs.misbehave")
    monkeypatch.setenv("VIDEO_RETENTION_S", "3600")
    video_id = register_upload(tmp_path / "media", "conv-keep", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-keep")
    assert run_analysis_job(job_id) == "done"
    assert media.upload_path(video_id) is not None
    assert retention.purge_expired() == 0
    assert retention.purge_expired(now=utcnow() + dt.timedelta(hours=2)) == 1
    assert media.upload_path(video_id) is None and media.read_sidecar(video_id) is None
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]


def test_upload_is_kept_while_the_runner_is_asked_what_it_shows(env, db_url, tmp_path,
                                                                monkeypatch, rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", "tests.jobs.misbehave")
    monkeypatch.setenv("MISBEHAVE_ACTIVITY", "unknown")
    video_id = register_upload(tmp_path / "media", "conv-what", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-what")
    assert run_analysis_job(job_id) == "done"
    assert media.upload_path(video_id) is not None  # kept for a second analysis
    assert retention.purge_expired() == 0
    second = backends.enqueue_analysis(video_id, "conv-what", activity="running", view="back")
    monkeypatch.setenv("MISBEHAVE_ACTIVITY", "running")
    assert run_analysis_job(second) == "done"
    assert media.upload_path(video_id) is None  # conclusive now: released at once


def test_an_unclarified_upload_goes_after_the_window(env, db_url, tmp_path, monkeypatch,
                                                     rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", "tests.jobs.misbehave")
    monkeypatch.setenv("MISBEHAVE_ACTIVITY", "unknown")
    video_id = register_upload(tmp_path / "media", "conv-late", b"x")
    assert run_analysis_job(backends.enqueue_analysis(video_id, "conv-late")) == "done"
    assert retention.purge_expired(now=utcnow() + dt.timedelta(minutes=20)) == 1
    assert media.upload_path(video_id) is None


def test_orphan_uploads_are_purged(env, db_url, tmp_path):
    from tests.store.fixtures import put_upload

    side = put_upload(tmp_path / "media", "conv-orphan", b"x")
    assert retention.purge_expired() == 0
    old = time.time() - 7200
    os.utime(media.sidecar_path(side["video_id"]), (old, old))
    assert retention.purge_expired() == 1
    assert not list((tmp_path / "media" / "uploads").iterdir())


def test_erase_while_the_job_runs_leaves_nothing(env, db_url, tmp_path, monkeypatch,
                                                 rasa_stub):
    monkeypatch.setattr(run_module, "CHILD_MODULE", "tests.jobs.misbehave")
    monkeypatch.setenv("MISBEHAVE", "sleep")
    monkeypatch.setenv("WORKER_HEARTBEAT_S", "0.2")
    video_id = register_upload(tmp_path / "media", "conv-erase", b"x")
    job_id = backends.enqueue_analysis(video_id, "conv-erase")
    worker = queue.make_worker_id()
    assert queue.claim_next(worker) == job_id
    result: list[str | None] = []
    thread = threading.Thread(target=lambda: result.append(run_analysis_job(job_id, worker)))
    thread.start()
    time.sleep(0.8)
    erase_conversation("conv-erase")
    thread.join(timeout=20)
    assert result == [None]
    assert queue.get_job(job_id) is None
    assert not any((tmp_path / "media").rglob("*" + job_id + "*"))
    assert not any((tmp_path / "media").rglob("*" + video_id + "*"))
    assert rasa_stub.requests == []
