"""A runner sends a video in the chat: real Rasa, action server, worker and analysis.

Upload through the real endpoint with the token the bot hands out, then wait for the
findings the worker pushes into the same conversation (read back from Rasa's tracker).
Footage: ../shared/testdata (licences beside the clips).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.stack import MODEL, Stack, running_stack, say, start_worker
from tests.e2e.test_rest_conversations import (
    CHECKIN_ANSWERS,
    SELF_CARE_ANSWERS,
    Runner,
    _days_later,
)
from tests.footage import VARIANTS, derive, ffmpeg_available
from tests.paths import TESTDATA
from tests.store.fixtures import create_pg_database, write_clip

pytestmark = pytest.mark.e2e

TREADMILL = TESTDATA / "treadmill_side_male.mp4"
FINDINGS_INTRO = "Here is what I measured"


def _stack(tmp: Path, extra: dict[str, str] | None = None) -> Any:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    if not TREADMILL.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    env = {
        "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2,
        "WORKER_STALE_S": "8",
        "WORKER_HEARTBEAT_S": "1",
        "ANALYSIS_TIME_LIMIT_S": "180",
    } | (extra or {})
    return running_stack(tmp, env, with_worker=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with _stack(tmp_path_factory.mktemp("video")) as s:
        yield s


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    if not TREADMILL.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "notes.mp4").write_text("these are my training notes, not a video\n" * 50)
    (folder / "truncated.mp4").write_bytes(TREADMILL.read_bytes()[:200_000])
    write_clip(TREADMILL, folder / "nobody.mp4", max_frames=60, blank=True, size=(360, 640))
    write_clip(TREADMILL, folder / "huge.mp4", max_frames=3, size=(4000, 4000))
    return {p.stem: p for p in folder.iterdir()}


def upload_token(url: str, sender: str) -> str:
    replies = say(url, sender, "how should I film my run?")
    offers = [r["custom"]["upload"] for r in replies if "upload" in (r.get("custom") or {})]
    assert offers, f"no upload offer in {replies}"
    return str(offers[0]["token"])


def upload(url: str, token: str, clip: Path) -> tuple[int, dict[str, Any]]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="video"; filename="{clip.name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + clip.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{url}/webhooks/video/upload",
        data=body,
        method="POST",
        headers={
            "X-Upload-Token": token,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def bot_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    tracker = stack.tracker(sender)
    return [e for e in tracker["events"] if e["event"] == "bot"]


def wait_for_bot(
    stack: Stack, sender: str, needle: str, timeout_s: float = 240
) -> list[dict[str, Any]]:
    """Bot events up to the first one whose text or payload contains ``needle``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = bot_events(stack, sender)
        for index, event in enumerate(events):
            if needle in json.dumps(event.get("data", {})) + (event.get("text") or ""):
                return events[: index + 1] + events[index + 1 :]
        time.sleep(1)
    raise AssertionError(f"no bot message containing {needle!r} within {timeout_s} s")


def consented(url: str) -> str:
    """A new conversation whose runner has agreed to the notice; returns its sender id."""
    runner = Runner(url)
    runner.say("hi")
    runner.say("yes")
    return runner.sender


def summaries(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e["data"]["custom"]["triage"]
        for e in events
        if "triage" in ((e.get("data") or {}).get("custom") or {})
    ]


def test_real_clip_findings_arrive_in_the_same_conversation(stack: Stack) -> None:
    runner = Runner(stack.url)
    runner.answer_all(SELF_CARE_ANSWERS, "hi")
    status, reply = upload(stack.url, upload_token(stack.url, runner.sender), TREADMILL)
    assert status == 200, reply
    assert "analysing" in json.dumps(reply["messages"]).lower()
    events = wait_for_bot(stack, runner.sender, FINDINGS_INTRO)
    events = wait_for_bot(stack, runner.sender, '"video"')
    with_video = [s for s in summaries(events) if "video" in s]
    assert with_video, "the clinic summary gains the video block"
    video = with_video[-1]["video"]
    assert video["activity"] == "running" and video["view"] == "side"
    assert video["measures"]["cadence_spm"]["value"] == pytest.approx(168.9, abs=3)
    cadence = next(row for row in video["measures_in_words"] if row["measure"] == "cadence_spm")
    assert cadence["value"].endswith("steps/min") and cadence["typical"]
    assert video["images"], "annotated pictures are linked"
    with urllib.request.urlopen(stack.url + video["images"][0], timeout=30) as picture:
        assert picture.status == 200 and picture.headers["Content-Type"] == "image/png"
    assert with_video[-1]["level"] == "self_care", "a video never lowers, here nothing raises"
    told = json.dumps(events)
    assert "Everything I measured, from" in told and "(usual: 165 steps/min or more)" in told
    replies = " ".join(r.get("text", "") for r in say(stack.url, runner.sender,
                                                      "what was my cadence?"))
    assert re.search(r"your step rate \(cadence\) was 1[67]\d(\.\d)? steps/min", replies)
    check_summary_pdf(stack, events, cadence["value"])


def test_a_second_clip_is_compared_with_the_first(stack: Stack, tmp_path: Path) -> None:
    """Before/after (issue 15): the same run sent again as a messaging app delivers it (480p,
    low bitrate) is compared with the first clip: no change beyond the method's noise, and
    the two clips' key frames side by side."""
    if not ffmpeg_available():
        pytest.skip("ffmpeg is needed to make the 480p copy (make test installs it)")
    whatsapp = next(v for v in VARIANTS if v.name == "whatsapp_480p")
    copy = derive(TREADMILL, whatsapp, tmp_path, duration_s=12.0)
    runner = Runner(stack.url)
    runner.answer_all(SELF_CARE_ANSWERS, "hi")
    for clip, needle in ((TREADMILL, FINDINGS_INTRO), (copy, "Compared with your earlier clip")):
        status, reply = upload(stack.url, upload_token(stack.url, runner.sender), clip)
        assert status == 200, reply
        events = wait_for_bot(stack, runner.sender, needle)
    compared = next(e for e in events if "Compared with your earlier clip" in (e.get("text") or ""))
    assert "Nothing changed by more than the method can be off by" in compared["text"]
    details = " ".join(e.get("text") or "" for e in events[events.index(compared):])
    assert re.search(r"Step rate \(cadence\): 1[67]\d(\.\d)? steps/min before, "
                     r"1[67]\d(\.\d)? steps/min now", details), details
    events = wait_for_bot(stack, runner.sender, "Before (left) and now (right)")
    picture = next(e for e in events if "Before (left)" in (e.get("text") or ""))
    url = picture["data"]["image"]
    assert url.endswith("/compare_before_after.png")
    with urllib.request.urlopen(stack.url + url, timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "image/png"


def test_assessment_clip_check_in_two_weeks_later_and_a_second_clip(stack: Stack,
                                                                      tmp_path: Path) -> None:
    """Issue 15 end to end: an assessment and a first clip; two weeks later (time injected)
    a check-in that progresses the plan; then a second clip compared with the first, and the
    plan after it still the progressed one at the check-in's level."""
    if not ffmpeg_available():
        pytest.skip("ffmpeg is needed to make the 480p copy (make test installs it)")
    copy = derive(TREADMILL, next(v for v in VARIANTS if v.name == "whatsapp_480p"), tmp_path,
                  duration_s=12.0)
    runner = Runner(stack.url)
    runner.answer_all(SELF_CARE_ANSWERS, "hi")
    assert upload(stack.url, upload_token(stack.url, runner.sender), TREADMILL)[0] == 200
    wait_for_bot(stack, runner.sender, '"video"')  # the re-planned summary with the video
    _days_later(stack, runner.sender, 15)
    runner.asked.clear()
    checked_in = runner.answer_all(CHECKIN_ANSWERS, "hi, I'm back")
    assert runner.asked[0] == "checkin_trend"
    assert checked_in["level"] == "self_care"
    assert checked_in["answers"]["tried_outcome"] == "helped"
    assert "a step up" in " ".join(r.get("text") or "" for r in runner.replies)
    assert upload(stack.url, upload_token(stack.url, runner.sender), copy)[0] == 200
    events = wait_for_bot(stack, runner.sender, "Before (left) and now (right)")
    told = " ".join(e.get("text") or "" for e in events)
    assert "Compared with your earlier clip" in told
    last = _summary_after(stack, runner.sender, "Before (left) and now (right)")
    assert last["level"] == "self_care" and "video" in last
    assert last["answers"]["tried_outcome"] == "helped", "the check-in still counts"


def _summary_after(stack: Stack, sender: str, needle: str, timeout_s: float = 60) -> dict:
    """The first clinic summary the bot sent after its message containing ``needle``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = bot_events(stack, sender)
        marks = [i for i, e in enumerate(events) if needle in (e.get("text") or "")]
        later = summaries(events[marks[0]:]) if marks else []
        if later:
            return later[0]
        time.sleep(1)
    raise AssertionError(f"no clinic summary after {needle!r} within {timeout_s} s")


def check_summary_pdf(stack: Stack, events: list[dict[str, Any]], cadence: str) -> None:
    """The widget's download: the latest assessment as the clinician PDF, with the video's
    measures and key pictures, fetched with the token the summary message carries."""
    links = [e["data"]["custom"]["pdf"] for e in events
             if "pdf" in ((e.get("data") or {}).get("custom") or {})]
    assert links, "the summary message carries its PDF link"
    request = urllib.request.Request(stack.url + links[-1]["url"],
                                     headers={"X-Upload-Token": links[-1]["token"]})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Cache-Control"] == "private, no-store"
        document = answer.read()
    reader = PdfReader(io.BytesIO(document))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    assert "Advice given: Self-care" in text and "Video check" in text
    assert f"Step rate (cadence) {cadence} 165 steps/min or more" in text
    assert sum(len(page.images) for page in reader.pages) >= 1, "the key pictures"
    assert 1 <= len(reader.pages) <= 2


@pytest.mark.parametrize(
    ("clip", "expected_status", "expected_text"),
    [
        ("empty", 400, "empty"),
        ("notes", 415, "video"),
        ("truncated", 200, "couldn't use that file"),
        ("huge", 200, "couldn't use that file"),
    ],
)
def test_bad_files_get_a_friendly_message(
    stack: Stack, clips: dict[str, Path], clip: str, expected_status: int, expected_text: str
) -> None:
    sender = uuid.uuid4().hex
    status, reply = upload(stack.url, upload_token(stack.url, sender), clips[clip])
    assert status == expected_status
    shown = (reply.get("message") or "") + json.dumps(reply.get("messages", []))
    assert expected_text in shown.lower() or expected_text in shown
    assert "Traceback" not in shown


def test_footage_without_a_person_gets_a_retake_tip(stack: Stack, clips: dict[str, Path]) -> None:
    sender = consented(stack.url)
    status, _ = upload(stack.url, upload_token(stack.url, sender), clips["nobody"])
    assert status == 200
    events = wait_for_bot(stack, sender, "Tip for the next try")
    assert any("can't measure it reliably" in (e.get("text") or "") for e in events)


def test_another_conversations_token_or_video_is_refused(stack: Stack) -> None:
    owner, other = uuid.uuid4().hex, uuid.uuid4().hex
    token = upload_token(stack.url, owner)
    status, reply = upload(stack.url, token[:-4] + "AAAA", TREADMILL)
    assert status == 401 and reply["error"] == "token_invalid"
    status, reply = upload(stack.url, token, TREADMILL)
    assert status == 200
    stolen = say(stack.url, other, f'/share_video{{"video_id": "{reply["video_id"]}"}}')
    assert "can't find that video" in json.dumps(stolen)


def test_an_upload_link_takes_a_bounded_number_of_videos(
    stack: Stack, clips: dict[str, Path]
) -> None:
    """The probe of issue 14 sent 16 videos with one link: now the fourth is refused
    (UPLOAD_TOKEN_MAX_USES, default 3) before it is read, and a fresh link works."""
    sender = uuid.uuid4().hex  # no consent yet: the clips wait, nothing is analysed
    token = upload_token(stack.url, sender)
    assert [upload(stack.url, token, clips["nobody"])[0] for _ in range(3)] == [200] * 3
    status, reply = upload(stack.url, token, clips["nobody"])
    assert status == 429 and reply["error"] == "token_used_up"
    assert "new link" in reply["message"]
    assert upload(stack.url, upload_token(stack.url, sender), clips["nobody"])[0] == 200


def test_worker_killed_mid_job_is_recovered(stack: Stack) -> None:
    sender = consented(stack.url)
    status, _ = upload(stack.url, upload_token(stack.url, sender), TREADMILL)
    assert status == 200
    worker = next(p for p in stack.processes if p.args[-1] == "kneeapp.jobs.worker")
    time.sleep(3)  # the job is running now
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    stack.processes.remove(worker)
    start_worker(stack)  # a new worker finds the stale job (WORKER_STALE_S=8) and re-runs it
    wait_for_bot(stack, sender, FINDINGS_INTRO)


def test_erasure_leaves_nothing_behind(stack: Stack) -> None:
    runner = Runner(stack.url)
    runner.answer_all(SELF_CARE_ANSWERS, "hi")
    status, reply = upload(stack.url, upload_token(stack.url, runner.sender), TREADMILL)
    assert status == 200
    wait_for_bot(stack, runner.sender, FINDINGS_INTRO)
    assert "erase everything" in str(runner.say("please delete my data"))
    runner.say("yes")
    database = Path(stack.env["DATABASE_URL"].removeprefix("sqlite:///"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _rows_of(database, runner.sender):
        time.sleep(1)
    assert _rows_of(database, runner.sender) == {}
    media = Path(stack.env["MEDIA_DIR"])
    assert not [p for p in media.rglob("*") if reply["video_id"] in p.name]
    assert not any(
        runner.sender in p.read_text(errors="ignore") for p in media.rglob("*.json") if p.is_file()
    )


def _rows_of(database: Path, conversation_id: str) -> dict[str, int]:
    """Rows that still mention the conversation, per table."""
    with sqlite3.connect(database) as connection:
        counts = {
            "events": "SELECT count(*) FROM events WHERE sender_id = ?",
            "consents": "SELECT count(*) FROM consents WHERE conversation_id = ?",
            "assessments": "SELECT count(*) FROM assessments WHERE conversation_id = ?",
            "videos": "SELECT count(*) FROM videos WHERE conversation_id = ?",
            "analysis_jobs": "SELECT count(*) FROM analysis_jobs WHERE conversation_id = ?",
            "analysis_results": "SELECT count(*) FROM analysis_results WHERE job_id IN "
            "(SELECT id FROM analysis_jobs WHERE conversation_id = ?)",
        }
        found = {
            t: connection.execute(q, (conversation_id,)).fetchone()[0] for t, q in counts.items()
        }
    return {table: n for table, n in found.items() if n}


def test_the_same_flow_on_postgresql(tmp_path: Path, clips: dict[str, Path]) -> None:
    url, drop = create_pg_database("knee_e2e")
    try:
        with _stack(tmp_path, {"DATABASE_URL": url}) as pg_stack:
            runner = Runner(pg_stack.url)
            runner.answer_all(SELF_CARE_ANSWERS, "hi")
            short = write_clip(TREADMILL, tmp_path / "short.mp4", max_frames=150)
            status, _ = upload(pg_stack.url, upload_token(pg_stack.url, runner.sender), short)
            assert status == 200
            wait_for_bot(pg_stack, runner.sender, FINDINGS_INTRO)
            import psycopg2

            with (
                psycopg2.connect(url.replace("+psycopg2", "")) as connection,
                connection.cursor() as cur,
            ):
                cur.execute("SELECT count(*) FROM events WHERE sender_id = %s", (runner.sender,))
                assert cur.fetchone()[0] > 10, "Rasa's trackers are stored in PostgreSQL"
                cur.execute(
                    "SELECT status FROM analysis_jobs WHERE conversation_id = %s", (runner.sender,)
                )
                assert [row[0] for row in cur.fetchall()] == ["done"]
    finally:
        drop()


def test_a_video_sent_before_consent_waits_for_it(stack: Stack, clips: dict[str, Path]) -> None:
    runner = Runner(stack.url)
    assert runner.say("hi") and runner.asked == ["consent"]
    status, reply = upload(stack.url, upload_token(stack.url, runner.sender), clips["nobody"])
    assert status == 200
    assert "as soon as you've agreed" in json.dumps(reply["messages"])
    time.sleep(2)
    assert not any(
        "Tip for the next try" in (e.get("text") or "")
        for e in bot_events(stack, runner.sender)
    ), "nothing analysed yet"
    agreed = runner.say("yes")
    assert "analysing your video" in json.dumps(agreed).lower()
    wait_for_bot(stack, runner.sender, "Tip for the next try")


def test_a_video_sent_before_a_declined_consent_is_deleted(
    stack: Stack, clips: dict[str, Path]
) -> None:
    runner = Runner(stack.url)
    runner.say("hi")
    status, reply = upload(stack.url, upload_token(stack.url, runner.sender), clips["nobody"])
    assert status == 200
    runner.say("no thanks")
    media = Path(stack.env["MEDIA_DIR"])
    assert not [p for p in media.rglob("*") if reply["video_id"] in p.name]
