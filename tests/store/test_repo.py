"""The repository API on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from kneeapp.jobs import backends, queue
from kneeapp.store import media, repo
from tests.store.fixtures import put_upload, register_upload


def test_consent_and_assessment(env, db_url):
    assert not repo.has_consent("conv-a")
    repo.record_consent("conv-a", "privacy-v1")
    assert repo.has_consent("conv-a")
    assert repo.has_consent("conv-a", "privacy-v1")
    assert not repo.has_consent("conv-a", "privacy-v2")
    assert not repo.has_consent("conv-b")

    assert repo.latest_assessment("conv-a") is None
    repo.save_assessment("conv-a", {"side": "left"}, "self_care", [], ["clamshell"])
    second = repo.save_assessment("conv-a", {"side": "right", "pain_score": 4}, "clinician",
                                  [{"id": "load_spike", "level": "self_care", "text": "t"}],
                                  ["clamshell", "glute_bridge"])
    latest = repo.latest_assessment("conv-a")
    assert latest is not None and latest.id == second
    assert latest.answers == {"side": "right", "pain_score": 4}
    assert latest.level == "clinician"
    assert latest.reasons[0]["id"] == "load_spike"
    assert latest.plan == ["clamshell", "glute_bridge"]
    assert latest.created_at.tzinfo is not None


def _move_back(assessment_id: int, days: int) -> None:
    """Moves one stored assessment ``days`` into the past (time injected, not waited)."""
    from sqlalchemy import update

    from kneeapp.store.db import session_scope
    from kneeapp.store.models import Assessment

    with session_scope() as session:
        row = session.get(Assessment, assessment_id)
        assert row is not None
        session.execute(update(Assessment).where(Assessment.id == assessment_id).values(
            created_at=row.created_at - dt.timedelta(days=days)))


def test_assessments_of_a_conversation_oldest_first(env, db_url):
    assert repo.assessments_of("conv-a") == []
    check_in = repo.save_assessment("conv-a", {"checkin_trend": "better"}, "self_care", [], [],
                                    summary={"triage": {"level": "self_care"}})
    first = repo.save_assessment("conv-a", {"pain_score": 6}, "clinician", [], ["clamshell"])
    _move_back(first, 21)  # saved second, made three weeks earlier: the date decides
    repo.save_assessment("conv-b", {"pain_score": 2}, "self_care", [], [])
    found = repo.assessments_of("conv-a")
    assert [view.id for view in found] == [first, check_in]
    assert found[0].created_at < found[1].created_at
    assert all(view.created_at.tzinfo is not None for view in found)
    assert (found[0].level, found[0].answers, found[0].plan) == (
        "clinician", {"pain_score": 6}, ["clamshell"])
    assert found[1].summary == {"triage": {"level": "self_care"}} and found[0].summary is None
    assert [view.conversation_id for view in repo.assessments_of("conv-b")] == ["conv-b"]


def test_register_and_get_video(env, db_url, tmp_path):
    side = put_upload(tmp_path / "media", "conv-a", b"not really a video")
    view = repo.register_video(side["video_id"], "conv-a", side["sha256"], side["size_bytes"],
                               "mp4", duration_s=3.0)
    assert view.status == "stored" and view.deleted_at is None
    assert repo.register_video(side["video_id"], "conv-a", side["sha256"], side["size_bytes"],
                               "mp4") == view  # idempotent
    with pytest.raises(repo.NotFound):
        repo.register_video(side["video_id"], "conv-b", side["sha256"], 1, "mp4")
    got = repo.get_video(side["video_id"])
    assert got == view and got.duration_s == 3.0 and got.size_bytes == side["size_bytes"]
    assert repo.get_video("0" * 32) is None
    assert repo.get_video("../../etc/passwd") is None
    with pytest.raises(media.InvalidId):
        repo.register_video("../x", "conv-a", "0", 1, "mp4")
    with pytest.raises(ValueError):
        repo.register_video("d" * 32, "conv-a", "0", 1, "avi")


def test_enqueue_get_and_list_jobs(env, db_url, tmp_path):
    video_id = register_upload(tmp_path / "media", "conv-a", b"x")
    first = backends.enqueue_analysis(video_id, "conv-a")
    second = backends.enqueue_analysis(video_id, "conv-a", activity="squat", view="front")
    assert media.ID_RE.fullmatch(first) and first != second
    job = queue.get_job(first)
    assert job is not None
    assert (job.status, job.video_id, job.conversation_id, job.attempts) == (
        "queued", video_id, "conv-a", 0)
    assert job.report is None and job.result_dir is None and not job.finished
    assert queue.get_job(second).activity == "squat"  # type: ignore[union-attr]
    assert [j.job_id for j in queue.jobs_for("conv-a")] == [first, second]
    assert queue.jobs_for("conv-b") == []
    assert queue.jobs_ahead(first) == 0 and queue.jobs_ahead(second) == 1
    assert queue.get_job("f" * 32) is None and queue.get_job("nope") is None


def test_enqueue_refuses_foreign_or_missing_video(env, db_url, tmp_path):
    video_id = register_upload(tmp_path / "media", "conv-a", b"x")
    with pytest.raises(repo.NotFound):
        backends.enqueue_analysis(video_id, "conv-b")
    with pytest.raises(repo.NotFound):
        backends.enqueue_analysis("e" * 32, "conv-a")
    with pytest.raises(ValueError):
        backends.enqueue_analysis(video_id, "conv-a", activity="dancing")
    with pytest.raises(ValueError):
        backends.enqueue_analysis(video_id, "conv-a", view="top")
    from kneeapp.jobs.queue import mark_video_deleted

    mark_video_deleted(video_id)
    assert repo.get_video(video_id).status == "deleted"  # type: ignore[union-attr]
    with pytest.raises(repo.NotFound):
        backends.enqueue_analysis(video_id, "conv-a")


def test_media_ids_are_checked_before_paths_are_built(env, db_url):
    for bad in ("../" + "a" * 29, "A" * 32, "a" * 31, "", "a" * 32 + "/"):
        with pytest.raises(media.InvalidId):
            media.sidecar_path(bad)
    assert media.read_sidecar("a" * 32) is None
    assert media.upload_path("a" * 32) is None
