"""A job's outcome is presented once per conversation, however often the worker says it is
ready (a lost run re-notified, a notice retried after Rasa answered too late)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from actions.tracker_reading import analysis_told
from actions.video import ActionPresentFindings
from kneeapp.jobs import backends, queue
from kneeapp.store.db import init_db
from tests.actions.conftest import RunAction, make_tracker
from tests.store.fixtures import register_upload

CONVERSATION = "test-" + "0" * 8


def _told(job_id: str, status: str) -> dict[str, Any]:
    return {"event": "bot", "text": None,
            "data": {"custom": {"analysis": {"status": status, "job_id": job_id,
                                             "eta_s": None}}}}


def test_analysis_told_needs_the_same_job_and_a_final_status() -> None:
    assert analysis_told([_told("j1", "done")], "j1")
    assert analysis_told([{"event": "user", "text": "hi"}, _told("j1", "failed")], "j1")
    assert not analysis_told([_told("j1", "done")], "j2")
    assert not analysis_told([_told("j1", "queued")], "j1"), "the 'analysing' notice"
    assert not analysis_told([{"event": "bot", "text": "hello", "data": {}},
                              {"event": "bot", "text": "x"}], "j1")


def _notice(job_id: str, events: list[dict[str, Any]]) -> Tracker:
    tracker = make_tracker(intent="EXTERNAL_analysis_ready",
                           entities=[{"entity": "job_id", "value": job_id}])
    tracker.sender_id = CONVERSATION
    tracker.events = [*tracker.events, *events]
    return tracker


def test_a_repeated_notice_for_a_failed_job_says_nothing_more(
        tmp_path: Path, run_action: RunAction) -> None:
    init_db()
    video_id = register_upload(tmp_path / "media", CONVERSATION, b"clip")
    job_id = backends.enqueue_analysis(video_id, CONVERSATION)
    assert queue.claim_next("w1") == job_id
    assert queue.finish_failed(job_id, "w1", "worker_lost", "It could not be finished.")

    first, _ = run_action(ActionPresentFindings(), _notice(job_id, []))
    assert any("could not be finished" in (m.get("text") or "") for m in first)
    told = [{"event": "bot", "text": m.get("text"), "data": {"custom": m.get("custom")}}
            for m in first]
    again, _ = run_action(ActionPresentFindings(), _notice(job_id, told))
    assert again == []
