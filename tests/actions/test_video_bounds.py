"""One runner's backlog stays short: a new clip, or a re-analysis, is refused in words while
the conversation has ``CONVERSATION_MAX_PENDING_JOBS`` analyses waiting or has started
``CONVERSATION_MAX_ANALYSES`` within the window (SQLite, real media store)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import text
from actions.video import ActionReanalyseVideo, accept_video
from kneeapp.jobs import backends, queue
from kneeapp.store import media
from kneeapp.store.db import init_db
from tests.actions.conftest import RunAction, make_tracker
from tests.store.fixtures import put_upload, register_upload

CONVERSATION = "test-" + "0" * 8


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    init_db()
    return tmp_path / "media"


def _accept(video_id: str) -> list[str]:
    dispatcher = CollectingDispatcher()
    asyncio.run(accept_video(dispatcher, CONVERSATION, video_id))
    return [message.get("text") for message in dispatcher.messages]


def test_a_new_clip_waits_while_the_runners_analyses_are_pending(media_dir: Path) -> None:
    earlier = register_upload(media_dir, CONVERSATION, b"earlier clip")
    queued = [backends.enqueue_analysis(earlier, CONVERSATION) for _ in range(2)]
    new = put_upload(media_dir, CONVERSATION, b"another clip")["video_id"]

    assert _accept(new) == [text("video", "busy")]

    assert [job.job_id for job in queue.jobs_for(CONVERSATION)] == queued  # none added
    assert media.read_sidecar(new) is None  # not analysed, so not kept


def test_a_conversation_starts_only_its_analyses_in_the_window(
    media_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVERSATION_MAX_ANALYSES", "3")
    earlier = register_upload(media_dir, CONVERSATION, b"earlier clip")
    for _ in range(3):
        job = backends.enqueue_analysis(earlier, CONVERSATION)
        assert queue.finish_failed(job, None, "crashed", "test")
    new = put_upload(media_dir, CONVERSATION, b"another clip")["video_id"]

    said = _accept(new)

    assert said == [text("video", "analysis_limit", max_analyses="3", window_hours="24")]
    assert "3 clips" in said[0] and len(queue.jobs_for(CONVERSATION)) == 3


def test_a_reanalysis_waits_too(media_dir: Path, run_action: RunAction) -> None:
    video = register_upload(media_dir, CONVERSATION, b"clip")
    first, _ = (backends.enqueue_analysis(video, CONVERSATION) for _ in range(2))
    tracker = make_tracker(slots={"video_job_id": first}, intent="describe_video",
                           entities=[{"entity": "activity", "value": "squat"},
                                     {"entity": "view", "value": "front"}])

    messages, slots = run_action(ActionReanalyseVideo(), tracker)

    assert [m.get("text") for m in messages] == [text("video", "busy")]
    assert slots == {} and len(queue.jobs_for(CONVERSATION)) == 2
