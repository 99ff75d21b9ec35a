"""The worker's sender of helpdesk deliveries, against the loopback Chatwoot stand-in."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from actions.guidance import build_plan
from actions.summary import build_summary
from actions.triage import assess
from kneeapp.clinic import deliveries
from kneeapp.clinic.chatwoot import ChatwootClient
from kneeapp.jobs import desk
from kneeapp.store import plain_sql, repo
from kneeapp.store.db import init_db
from kneeapp.store.erase import erase_conversation
from tests.answer_sets import SELF_CARE
from tests.chatwoot_standin import ChatwootStandIn
from tests.store.fixtures import put_upload

TOKEN = "desk-test-token"
CONVERSATION = "c0ffee" * 5


@pytest.fixture
def chatwoot(env) -> Iterator[tuple[ChatwootStandIn, ChatwootClient]]:
    plain_sql.dispose()
    init_db()
    with ChatwootStandIn(TOKEN, account_id=4, inbox_id=8) as standin:
        yield standin, ChatwootClient(standin.url, TOKEN, 4, 8, timeout_s=5)
    plain_sql.dispose()


def assessed(answers: dict) -> int:
    result = assess(answers)
    summary = build_summary(answers, result, build_plan(answers, result))
    triage = summary["triage"]
    return repo.save_assessment(CONVERSATION, triage["answers"], triage["level"],
                                triage["reasons"], triage["plan"], summary=summary)


def only_thread(standin: ChatwootStandIn):
    [call] = [c for c in standin.calls if c.kind == "create_conversation" and c.ok]
    return standin.conversation(int(call.response["id"]))


def test_an_assessment_becomes_a_note_with_the_pdf_and_labels(chatwoot) -> None:
    standin, client = chatwoot
    answers = {**SELF_CARE, "red_flags": ["locking"]}
    deliveries.queue(CONVERSATION, deliveries.ASSESSMENT, {"assessment_id": assessed(answers)})
    assert desk.send_due(client) == 1
    thread = only_thread(standin)
    contact = standin.contact(thread.contact_id)
    assert contact.identifier == CONVERSATION and contact.name == f"Runner {CONVERSATION[-8:]}"
    [note] = thread.messages
    assert note.private and "Urgent" in (note.content or "")
    [pdf] = [a for a in note.attachments if a.file.content_type == "application/pdf"]
    assert pdf.file.content.startswith(b"%PDF")
    assert set(thread.labels) >= {"level-urgent", "red-flag-locking"}
    assert deliveries.thread_of(CONVERSATION).desk_conversation_id == thread.id


def test_a_handover_and_the_relayed_messages_arrive_in_order(chatwoot, tmp_path) -> None:
    standin, client = chatwoot
    mine = put_upload(tmp_path / "media", CONVERSATION, b"\x00\x00\x00\x18ftypmp42 video")
    theirs = put_upload(tmp_path / "media", "someone-else", b"\x00\x00\x00\x18ftypmp42 other")
    deliveries.queue(CONVERSATION, deliveries.HANDOVER, {
        "assessment_id": None, "answers": {"side": "left"},
        "transcript": [{"from": "runner", "text": "my *left* knee"}]})
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"text": "are you there?"})
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"video_id": mine["video_id"]})
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"video_id": theirs["video_id"]})
    for _ in range(4):  # one row per conversation per round: order is kept
        desk.send_due(client)
    thread = only_thread(standin)
    handover, text, video, refused = thread.messages
    assert handover.private and "asked to talk to a person" in handover.content
    assert "Left" in handover.content and r"my \*left\* knee" in handover.content
    assert (text.message_type, text.private, text.content) == ("incoming", False,
                                                              "are you there?")
    assert [a.file.content for a in video.attachments] == [b"\x00\x00\x00\x18ftypmp42 video"]
    assert refused.attachments == [] and "could not be attached" in refused.content
    assert thread.status == "open" and "handover" in thread.labels


def test_an_outage_is_retried_and_a_refusal_is_given_up(chatwoot) -> None:
    standin, client = chatwoot
    standin.inject_failure("create_contact", 503)
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"text": "hello"})
    assert desk.send_due(client) == 0
    assert deliveries.pending_count(CONVERSATION) == 1
    with plain_sql.engine().begin() as connection:
        connection.execute(text("UPDATE clinic_deliveries SET due_at = created_at"))
    assert desk.send_due(client) == 1
    standin.inject_failure("create_message", 422)
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"text": "refused"})
    assert desk.send_due(client) == 0
    assert deliveries.pending_count(CONVERSATION) == 0  # given up, not retried forever


def test_an_erasure_is_announced_once_the_link_is_gone(chatwoot) -> None:
    standin, client = chatwoot
    deliveries.queue(CONVERSATION, deliveries.RELAY, {"text": "hello"})
    desk.send_due(client)
    desk_id = only_thread(standin).id
    erase_conversation(CONVERSATION)
    assert desk.send_due(client) == 1
    last = standin.conversation(desk_id).messages[-1]
    assert last.private and "erased their data" in last.content
    assert deliveries.thread_of(CONVERSATION) is None


def test_nothing_runs_without_a_helpdesk(env) -> None:
    stop = threading.Event()
    thread = desk.start(stop)
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_warning_sign_during_the_handover_alerts_the_clinician(chatwoot) -> None:
    standin, client = chatwoot
    deliveries.queue(CONVERSATION, deliveries.RELAY,
                     {"text": "my calf is swollen and hot", "red_flags": ["locking"]})
    assert desk.send_due(client) == 1
    thread = only_thread(standin)
    relayed, alert = thread.messages
    assert relayed.message_type == "incoming" and not relayed.private
    assert alert.private and "Warning sign" in alert.content and "lock" in alert.content.lower()
    assert {"warning-sign", "red-flag-locking"} <= set(thread.labels)
