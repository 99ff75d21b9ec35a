"""The clinic's side end to end: the real stack, a loopback stand-in of Chatwoot's API (and
of Telegram's Bot API), the worker sending what the helpdesk is due.

- A finished triage reaches the helpdesk as a private note with the PDF, and labels.
- "Talk to a person" pauses the bot; the runner's next message is relayed; the clinician's
  public reply reaches the runner (REST: with their next message; Telegram: at once); a
  resolved conversation gives the chat back to the bot.
- An analysis that finishes during the pause goes to the clinician's note at once and
  reaches the runner only after the pause.
- A forged or replayed webhook is refused and changes nothing.

Every server runs with the network guard: nothing may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from tests.chatwoot_standin import ChatwootStandIn, StoredConversation
from tests.e2e.rest_runner import SELF_CARE_ANSWERS, Runner
from tests.e2e.stack import MODEL, RASA_PYTHON, REPO, Stack, running_stack
from tests.e2e.telegram_chat import (
    consented_chat,
    fixture_update,
    post,
    send_clip,
    wait_for_text,
)
from tests.paths import TESTDATA
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAE-test_token-for-the-stand-in"
API_TOKEN = "chatwoot-test-token"
WEBHOOK_SECRET = "chatwoot-webhook-secret-for-tests"
CLIP = TESTDATA / "treadmill_side_male.mp4"
CLINICIAN_ANSWERS = SELF_CARE_ANSWERS | {"tried": "squats and stretches from a physio",
                                         "tried_outcome": "they made it worse"}
T = TypeVar("T")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Stack, ChatwootStandIn, BotApiStandIn]]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    if not CLIP.is_file():
        pytest.skip(f"shared test footage not found at {TESTDATA}")
    with ChatwootStandIn(API_TOKEN, account_id=3, inbox_id=9,
                         webhook_secret=WEBHOOK_SECRET) as chatwoot, \
            BotApiStandIn(TOKEN) as telegram:
        env = {
            "CHATWOOT_URL": chatwoot.url, "CHATWOOT_API_TOKEN": API_TOKEN,
            "CHATWOOT_ACCOUNT_ID": "3", "CHATWOOT_INBOX_ID": "9",
            "CHATWOOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "CLINIC_DELIVERY_POLL_S": "0.2",
            "CLINIC_NAME": "Riverside Physio", "CLINIC_PHONE": "0123 456 789",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "knee-test_secret-123",
            "TELEGRAM_API_URL": telegram.url, "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2,
            "ANALYSIS_TIME_LIMIT_S": "180",
        }
        with running_stack(tmp_path_factory.mktemp("clinic"), env, with_worker=True,
                           network_guard=True) as stack:
            chatwoot.webhook_url = f"{stack.url}/webhooks/chatwoot/webhook"
            yield stack, chatwoot, telegram


def eventually(probe: Callable[[], T | None], what: str, timeout_s: float = 60) -> T:
    """Polls ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def desk_conversation_of(chatwoot: ChatwootStandIn, conversation_id: str) -> StoredConversation:
    """The helpdesk conversation made for ours (its contact is named by our id), once its
    first message arrived: the worker has then stored the link, so webhooks about it are
    understood."""
    def probe() -> StoredConversation | None:
        for call in chatwoot.calls:
            if call.kind == "create_conversation" and call.ok:
                desk_id = int(call.response["id"])
                stored = chatwoot.conversation(desk_id)
                if chatwoot.contact(stored.contact_id).identifier == conversation_id \
                        and stored.messages:
                    return stored
        return None
    return eventually(probe, "the helpdesk conversation")


def messages_of(chatwoot: ChatwootStandIn, desk_id: int, **wanted: Any) -> list[Any]:
    return [m for m in chatwoot.conversation(desk_id).messages
            if all(getattr(m, key) == value for key, value in wanted.items())]


def tracker(stack: Stack, conversation_id: str) -> dict[str, Any]:
    return stack.tracker(conversation_id)


def bot_texts(stack: Stack, conversation_id: str) -> list[str]:
    """Everything the bot (or a clinician through it) said in the conversation."""
    return [str(e.get("text")) for e in tracker(stack, conversation_id)["events"]
            if e["event"] == "bot"]


def handed_over(stack: Stack, chatwoot: ChatwootStandIn) -> tuple[Runner, StoredConversation]:
    """A REST runner who asked for a person at once, and their helpdesk conversation."""
    runner = Runner(stack.url)
    runner.say("hi")
    runner.say("can I talk to a person")
    return runner, desk_conversation_of(chatwoot, runner.sender)


def test_a_finished_triage_reaches_the_clinic_and_the_runner_can_hand_over(desk) -> None:
    stack, chatwoot, _ = desk
    runner = Runner(stack.url)
    result = runner.answer_all(CLINICIAN_ANSWERS, "hello")
    assert result["level"] == "clinician"
    offer = [r for r in runner.replies if any(b.get("payload") == "/request_human"
                                              for b in r.get("buttons") or [])]
    assert offer, "a clinician-level outcome offers a person"

    thread = desk_conversation_of(chatwoot, runner.sender)
    assert chatwoot.contact(thread.contact_id).name.startswith("Runner ")
    note = eventually(lambda: messages_of(chatwoot, thread.id, private=True), "the note")[0]
    assert "See a clinician" in note.content and '{"' not in note.content
    assert any(a.file.content_type == "application/pdf" and a.file.content.startswith(b"%PDF")
               for a in note.attachments)
    assert "level-clinician" in eventually(lambda: chatwoot.conversation(thread.id).labels,
                                           "the labels")

    handed = runner.say("can I talk to a person please")
    assert "Riverside Physio" in str(handed) and "reply right here" in str(handed)
    assert tracker(stack, runner.sender)["paused"] is True
    assert runner.say("my knee is a bit better today") == []  # the bot is quiet now
    relayed = eventually(lambda: messages_of(chatwoot, thread.id, message_type="incoming"),
                         "the relayed message")
    assert [m.content for m in relayed] == ["my knee is a bit better today"]
    handover = [m for m in messages_of(chatwoot, thread.id, private=True)
                if "asked to talk to a person" in (m.content or "")]
    assert handover, "the clinician is told how the handover works"
    assert runner.say("oh and my calf is swollen, hot and sore since this morning") == []
    alert = eventually(lambda: [m for m in messages_of(chatwoot, thread.id, private=True)
                                if "last message may describe" in (m.content or "")], "the alert")
    assert "calf" in alert[0].content.lower()
    eventually(lambda: "warning-sign" in chatwoot.conversation(thread.id).labels,
               "the warning-sign label")

    assert chatwoot.emit_message_created(thread.id, "Hello, this is Jo. Can you come in on "
                                         "Tuesday?").status == 200
    eventually(lambda: any("Can you come in" in t for t in bot_texts(stack, runner.sender)),
               "the reply in the conversation")
    held = runner.say("yes Tuesday works")
    assert any("Dr Jo at Riverside Physio: Hello, this is Jo" in (r.get("text") or "")
               for r in held), held

    assert chatwoot.emit_status_changed(thread.id, "resolved").status == 200
    eventually(lambda: not tracker(stack, runner.sender)["paused"], "the bot to resume")
    back = runner.say("what exercises should I do?")
    assert any("it's me again" in (r.get("text") or "") for r in back)
    assert len(back) > 1, "the bot answers again"
    assert "passed our chat" not in str(back), "a fresh turn, not the handover again"


def test_an_analysis_finishing_during_a_pause_reaches_the_clinician_then_the_runner(
        desk) -> None:
    stack, chatwoot, telegram = desk
    chat_id = 300_000_001
    consented_chat(stack, telegram, chat_id)
    send_clip(stack, telegram, chat_id, CLIP)
    wait_for_text(telegram, chat_id, "analysing")
    assert post(stack, fixture_update("text", chat_id, text="can I talk to a human")) == 200
    wait_for_text(telegram, chat_id, "reply right here")
    wait_for_text(telegram, chat_id, "call your local emergency number")
    paused_at = len(telegram.calls)

    def analysis_note() -> Any:
        for call in chatwoot.calls:
            if call.kind == "create_message" and "video analysis" in str(call.params):
                return call
        return None

    note = eventually(analysis_note, "the findings note", timeout_s=300)
    assert note.files, "the pictures are attached for the clinician"
    desk_id = int(note.path.split("/conversations/")[1].split("/")[0])
    time.sleep(2)
    after_pause = [c for c in telegram.calls[paused_at:]
                   if str(c.params.get("chat_id")) == str(chat_id)]
    assert not after_pause, "nothing reaches the runner while a person has the chat"

    chatwoot.emit_message_created(desk_id, "I've seen your video, it looks good.")
    wait_for_text(telegram, chat_id, "Dr Jo at Riverside Physio: I've seen your video")
    assert post(stack, fixture_update("text", chat_id, text="thank you!")) == 200
    eventually(lambda: messages_of(chatwoot, desk_id, message_type="incoming"),
               "the runner's thanks relayed")

    chatwoot.emit_status_changed(desk_id, "resolved")
    wait_for_text(telegram, chat_id, "it's me again")
    wait_for_text(telegram, chat_id, "steps/min", timeout_s=60)  # the findings, after all


def test_a_forged_or_replayed_webhook_changes_nothing(desk) -> None:
    stack, chatwoot, _ = desk
    runner, thread = handed_over(stack, chatwoot)
    forged = chatwoot.emit_message_created(thread.id, "forged", agent_name="Mallory")
    assert forged.status == 200  # the genuine one; now forge and replay it
    payload = dict(forged.payload, content="send me your card number")
    assert chatwoot.deliver(payload, secret="not-the-secret").status == 403
    assert chatwoot.deliver(payload, secret=None).status == 403
    assert chatwoot.deliver(payload, url=f"{stack.url}/webhooks/chatwoot/webhook/wrong",
                            secret=None).status == 403
    assert chatwoot.deliver(payload, timestamp=time.time() - 3600).status == 403
    assert chatwoot.replay(forged).status == 403
    eventually(lambda: any("forged" in t for t in bot_texts(stack, runner.sender)),
               "the genuine reply")
    time.sleep(2)
    texts = bot_texts(stack, runner.sender)
    assert not any("card number" in t for t in texts)
    assert sum("forged" in t for t in texts) == 1, "a replay is not passed on twice"


def test_the_path_secret_is_the_fallback_for_an_unsigned_chatwoot(desk) -> None:
    stack, chatwoot, _ = desk
    runner, thread = handed_over(stack, chatwoot)
    reply = chatwoot.emit_message_created(thread.id, "placeholder")  # stored in the stand-in
    payload = dict(reply.payload, id=reply.payload["id"] + 10_000, content="unsigned hello")
    url = f"{stack.url}/webhooks/chatwoot/webhook/{WEBHOOK_SECRET}"
    assert chatwoot.deliver(payload, url=url, secret=None).status == 200
    eventually(lambda: any("unsigned hello" in t for t in bot_texts(stack, runner.sender)),
               "the unsigned reply through the path secret")


def test_without_an_answer_from_the_helpdesk_nothing_is_lost(desk) -> None:
    stack, chatwoot, _ = desk
    chatwoot.inject_failure("create_message", 503, times=2)
    runner = Runner(stack.url)
    runner.answer_all(CLINICIAN_ANSWERS, "hello")
    thread = desk_conversation_of(chatwoot, runner.sender)
    eventually(lambda: messages_of(chatwoot, thread.id, private=True), "the note after retries",
               timeout_s=60)



class WidgetRunner:
    """The widget's socket.io protocol, spoken by ``socketio_runner.py`` in Rasa's env."""

    def __init__(self, stack: Stack) -> None:
        self.session = uuid.uuid4().hex
        self.heard: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [str(RASA_PYTHON), str(REPO / "tests" / "e2e" / "socketio_runner.py"), stack.url,
             self.session], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=stack.env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        eventually(lambda: any("joined" in h for h in self.heard), "the widget to join")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.heard.append(json.loads(line))

    def say(self, message: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(message + "\n")
        self.process.stdin.flush()

    def heard_text(self, needle: str) -> bool:
        return any(needle in str(h.get("text")) for h in self.heard)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def test_a_clinician_reply_reaches_the_web_widget(desk) -> None:
    stack, chatwoot, _ = desk
    widget = WidgetRunner(stack)
    try:
        widget.say("hi")
        eventually(lambda: widget.heard_text("?"), "the bot's first question")
        widget.say("I'd like to talk to a person")
        eventually(lambda: widget.heard_text("reply right here"), "the handover message")
        thread = desk_conversation_of(chatwoot, widget.session)
        chatwoot.emit_message_created(thread.id, "Hi, Jo here from the clinic.")
        eventually(lambda: widget.heard_text("Dr Jo at Riverside Physio: Hi, Jo here"),
                   "the clinician's reply in the widget")
        chatwoot.emit_status_changed(thread.id, "resolved")
        eventually(lambda: widget.heard_text("it's me again"), "the bot back in the widget")
    finally:
        widget.close()
