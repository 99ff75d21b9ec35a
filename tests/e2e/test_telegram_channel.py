"""The Telegram channel end to end: the real stack, a loopback stand-in of the Bot API.

A runner consents by button, sends a real clip as a Telegram video, and the findings text
and pictures reach the stand-in for that chat (pushed by the worker's
``trigger_intent?output_channel=latest``); a forged update is refused with nothing sent; a
redelivered update is answered once; an oversize video is never fetched. Every server runs
with the network guard (tests/netguard_site): nothing may leave 127.0.0.1.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.rest_runner import SELF_CARE_ANSWERS
from tests.e2e.stack import ACTIONS_PYTHON, MODEL, REPO, Stack, running_stack
from tests.e2e.telegram_chat import (
    SECRET,
    answered_chat,
    consented_chat,
    fixture_update,
    keyboard,
    post,
    press,
    send_clip,
    sent_to,
    wait_for_text,
)
from tests.paths import TESTDATA
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAE-test_token-for-the-stand-in"
CLIP = TESTDATA / "treadmill_side_male.mp4"


@pytest.fixture(scope="module")
def telegram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, BotApiStandIn]]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    if not CLIP.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    with BotApiStandIn(TOKEN) as api:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_URL": api.url,
            "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2,
            "ANALYSIS_TIME_LIMIT_S": "180",
        }
        with running_stack(tmp_path_factory.mktemp("telegram"), env, with_worker=True,
                           network_guard=True) as stack:
            yield stack, api


def test_a_forged_update_is_refused_and_nothing_is_sent(telegram) -> None:
    stack, api = telegram
    chat_id = 200_000_001
    assert post(stack, fixture_update("text", chat_id), secret="wrong") == 403
    assert post(stack, fixture_update("text", chat_id), secret=None) == 403
    time.sleep(2)
    assert not [c for c in api.calls if str(c.params.get("chat_id")) == str(chat_id)]


def test_a_redelivered_update_is_answered_once(telegram) -> None:
    stack, api = telegram
    chat_id = 200_000_002
    update = fixture_update("start", chat_id)
    assert post(stack, update) == 200
    assert post(stack, update) == 200
    api.wait_for(lambda c: str(c.params.get("chat_id")) == str(chat_id), timeout_s=60)
    time.sleep(3)
    texts = [p["text"] for p in sent_to(api, chat_id)]
    assert texts and len(texts) == len(set(texts)), texts


def test_consent_by_button_then_a_video_in_the_chat_gets_findings_and_pictures(
        telegram) -> None:
    stack, api = telegram
    chat_id = 200_000_003
    consented_chat(stack, api, chat_id)
    send_clip(stack, api, chat_id, CLIP)
    wait_for_text(api, chat_id, "analysing")
    assert api.downloads, "the clip was fetched from the stand-in"
    picture = api.wait_for(lambda c: c.method in ("sendPhoto", "sendMediaGroup") and str(
        c.params.get("chat_id")) == str(chat_id), timeout_s=300)
    assert picture.files, "the picture travels as a file, not a link"
    wait_for_text(api, chat_id, "Here is what I measured", timeout_s=30)
    wait_for_text(api, chat_id, "steps/min", timeout_s=30)


def test_an_oversize_video_is_never_fetched(telegram) -> None:
    stack, api = telegram
    chat_id = 200_000_004
    consented_chat(stack, api, chat_id)
    fetched = len(api.calls_to("getFile"))
    assert post(stack, fixture_update("oversize_video", chat_id)) == 200
    wait_for_text(api, chat_id, "MB")
    assert len(api.calls_to("getFile")) == fetched
    assert not any("oversize" in d for d in api.downloads)


def test_delete_my_data_unlinks_the_chat_and_a_new_conversation_starts(telegram) -> None:
    stack, api = telegram
    chat_id = 200_000_007
    consented_chat(stack, api, chat_id)
    database = stack.log_dir / "app.db"
    first = linked_conversation(database, chat_id)
    assert first and str(chat_id) not in first
    assert post(stack, fixture_update("text", chat_id, text="please delete my data")) == 200
    question = api.wait_for(lambda c: c.method == "sendMessage" and str(
        c.params.get("chat_id")) == str(chat_id) and "erase" in str(c.params.get("text"))
        and keyboard(c.params), timeout_s=60).params
    press(stack, chat_id, next(b for b in keyboard(question) if b["text"].startswith("Yes")))
    wait_for_text(api, chat_id, "erased from the server")
    deadline = time.monotonic() + 30
    while linked_conversation(database, chat_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert linked_conversation(database, chat_id) is None, "the chat link is erased too"
    assert post(stack, fixture_update("start", chat_id)) == 200
    api.wait_for(lambda _: linked_conversation(database, chat_id) not in (None, first),
                 timeout_s=30)


def linked_conversation(database: Path, chat_id: int) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT conversation_id FROM channel_chats WHERE chat_key = ?",
                                 (str(chat_id),)).fetchone()
    return str(row[0]) if row else None


def test_a_group_chat_is_refused_politely(telegram) -> None:
    stack, api = telegram
    chat_id = -100_200_000_005
    update = fixture_update("group_text", chat_id)
    assert post(stack, update) == 200
    wait_for_text(api, chat_id, "private chat")


def test_the_webhook_path_answers_at_once(telegram) -> None:
    stack, _ = telegram
    started = time.monotonic()
    assert post(stack, fixture_update("text", 200_000_006)) == 200
    assert time.monotonic() - started < 2.0


def _remind_yes(stack: Stack, api: BotApiStandIn, chat_id: int) -> None:
    """A whole assessment in the chat, then "Yes, remind me" under the reminder offer."""
    offer = answered_chat(stack, api, chat_id, SELF_CARE_ANSWERS, until="Shall I remind you")
    press(stack, chat_id, next(b for b in keyboard(offer) if b["text"].startswith("Yes")))
    wait_for_text(api, chat_id, "I'll message you here on")


def _reminders_of(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        return [(str(r[0]), str(r[1])) for r in connection.execute(
            "SELECT channel, status FROM checkin_reminders ORDER BY created_at")]


def _all_due_now(database: Path) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE checkin_reminders SET due_at = '2000-01-01 00:00:00'")


def _worker_round(stack: Stack) -> None:
    """One housekeeping round of a fresh worker process (burst mode), as after a restart."""
    subprocess.run([str(ACTIONS_PYTHON), "-m", "kneeapp.jobs.worker", "--burst"], cwd=REPO,
                   env=stack.env, check=True, timeout=120, capture_output=True)


def test_a_reminder_agreed_in_the_chat_is_sent_once_and_stop_reminders_cancels(
        telegram) -> None:
    """Issue 15: the runner agrees to a check-in reminder after the outcome; when it is due
    (time injected) the worker sends it once to that chat; "stop reminders" in another chat
    cancels its reminder without stopping the conversation, and a third runner's erasure
    takes theirs with everything else."""
    stack, api = telegram
    database = stack.log_dir / "app.db"
    reminded, stopped, erased = 200_000_021, 200_000_022, 200_000_023
    for chat_id in (reminded, stopped, erased):
        _remind_yes(stack, api, chat_id)
    assert _reminders_of(database) == [("telegram", "pending")] * 3
    assert post(stack, fixture_update("text", stopped, text="stop reminders please")) == 200
    wait_for_text(api, stopped, "no more reminders")
    assert not [p for p in sent_to(api, stopped) if "stop the questions" in str(p.get("text"))]
    assert post(stack, fixture_update("text", erased, text="please delete my data")) == 200
    question = wait_for_text(api, erased, "erase")
    press(stack, erased, next(b for b in keyboard(question) if b["text"].startswith("Yes")))
    wait_for_text(api, erased, "erased from the server")
    deadline = time.monotonic() + 30
    while len(_reminders_of(database)) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    _all_due_now(database)
    for _ in range(2):
        _worker_round(stack)
    wait_for_text(api, reminded, "How is it going?")
    time.sleep(2)
    texts = [str(p.get("text")) for p in sent_to(api, reminded)]
    assert sum("How is it going?" in t for t in texts) == 1, "sent once"
    for chat_id in (stopped, erased):
        assert not [p for p in sent_to(api, chat_id) if "How is it going?" in str(p.get("text"))]
    assert _reminders_of(database) == [("telegram", "sent")], "the cancelled one is gone"
