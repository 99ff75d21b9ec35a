"""The WhatsApp channel's parts against the Graph API stand-in: signatures, deliveries,
choices the API accepts, the 24-hour window and held replies, the summary as a PDF document,
the settings it refuses.

The whole flow through real servers is in tests/e2e/test_whatsapp_channel.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connectors import chat_links
from connectors.message_fitting import PayloadKeys
from connectors.whatsapp_channel import GraphApi, WhatsAppInput
from connectors.whatsapp_messages import (
    MAX_REPLY_ID,
    ChoiceLabels,
    chat_key,
    choice_messages,
    numbered_choice,
    read_delivery,
    valid_signature,
)
from rasa.core.channels.channel import UserMessage
from sqlalchemy import text

from kneeapp import settings
from kneeapp.store import reminders
from tests.rasa_env.channel_tables import create_channel_tables
from tests.rasa_env.summary_documents import clinic_summary, pdf_pictures, pdf_text, write_png
from tests.whatsapp_standin import GraphApiStandIn, load_fixture

pytestmark = pytest.mark.rasa_env

TOKEN = "EAAunit-token"
PHONE_ID = "100000000000001"
NUMBER = "15550001111"
LABELS = ChoiceLabels("Please choose:", "Choose", "Reply with the number.")
SIGNATURES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
                         / "signatures.json").read_text(encoding="utf-8"))


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphApiStandIn]:
    """A Graph API stand-in, and a private database with the channel tables."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    create_channel_tables(url)
    with GraphApiStandIn(TOKEN, PHONE_ID) as standin:
        for name, value in {"DATABASE_URL": url, "MEDIA_DIR": str(tmp_path / "media"),
                            "WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": "s3cret",
                            "WHATSAPP_VERIFY_TOKEN": "verify", "WHATSAPP_PHONE_NUMBER_ID":
                            PHONE_ID, "WHATSAPP_API_URL": standin.url}.items():
            monkeypatch.setenv(name, value)
        yield standin
    chat_links.dispose()


@pytest.mark.parametrize("case", SIGNATURES["meta"]["cases"], ids=lambda c: c["name"])
def test_signature_vectors(case: dict[str, Any]) -> None:
    secret = SIGNATURES["meta"]["app_secret"]
    header = case.get("signature")
    assert valid_signature(secret, case["body"].encode(), header) is case["valid"]


def test_a_delivery_with_several_messages_and_receipts_is_read_in_order() -> None:
    found = read_delivery(load_fixture("several")["payload"])
    assert [m.kind for m in found] == ["text", "video", "choice"]
    assert len({m.message_id for m in found}) == 3
    assert read_delivery(load_fixture("status")["payload"]) == []
    assert read_delivery(load_fixture("image")["payload"])[0].what == "photo"
    assert read_delivery(load_fixture("audio")["payload"])[0].what == "voice"
    assert read_delivery(load_fixture("document_video")["payload"])[0].kind == "video"


def test_a_number_is_stored_only_as_a_keyed_hash() -> None:
    key = chat_key("s3cret", NUMBER)
    assert NUMBER not in key and key == chat_key("s3cret", NUMBER)
    assert key != chat_key("another secret", NUMBER)


@pytest.mark.parametrize("count, title, kind", [
    (2, "Left {n}", "button"), (3, "Option {n}", "button"),
    (2, "A rather long answer title number {n}", "list"), (7, "Option {n}", "list"),
    (10, "A rather long answer title number {n}", "list"), (12, "Option {n}", "text")])
def test_choices_go_out_in_a_form_the_api_accepts(api: GraphApiStandIn, count: int, title: str,
                                                  kind: str) -> None:
    choices = [(title.format(n=n), f'/inform{{"n": {n}}}' + "x" * 300)
               for n in range(1, count + 1)]
    messages, numbered = choice_messages(NUMBER, "Which one fits best?", choices,
                                         PayloadKeys(MAX_REPLY_ID), LABELS)
    graph = GraphApi(settings.current())

    async def send_all() -> None:
        for message in messages:
            await graph.send(message)

    asyncio.run(send_all())
    assert all(call.ok for call in api.calls), [c.response for c in api.calls if not c.ok]
    last = messages[-1]
    assert (last["interactive"]["type"] if last["type"] == "interactive" else "text") == kind
    assert bool(numbered) == (kind == "text")
    if numbered:
        assert numbered_choice("12", numbered) == choices[11][1]
        assert numbered_choice("13", numbered) is None
        assert numbered_choice("12 km", numbered) is None


def _channel(api: GraphApiStandIn) -> tuple[WhatsAppInput, list[UserMessage]]:
    channel = WhatsAppInput(settings.current())
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    channel.on_new_message = on_new_message  # type: ignore[attr-defined]
    return channel, received


def _write(channel: WhatsAppInput, received: list[UserMessage], body: str) -> None:
    payload = load_fixture("text")["payload"]
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = body
    (incoming,) = read_delivery(payload)

    async def handle() -> None:
        await channel._handle(incoming, channel.on_new_message)  # type: ignore[attr-defined]

    asyncio.run(handle())


def test_a_reply_for_an_unknown_number_is_held_and_sent_when_the_runner_writes(
        api: GraphApiStandIn) -> None:
    channel, received = _channel(api)
    conversation = chat_links.conversation_for("whatsapp", chat_key("s3cret", NUMBER))
    assert channel.output is not None
    asyncio.run(channel.output.send_response(conversation, {"text": "Your findings are ready"}))
    assert api.messages_to(NUMBER) == []  # a restarted process does not know the number
    _write(channel, received, "hello again")
    assert [m["text"]["body"] for m in api.messages_to(NUMBER)] == ["Your findings are ready"]
    assert received[0].sender_id == conversation and received[0].text == "hello again"
    assert chat_links.take_held("whatsapp", conversation) == []


def test_outside_the_24_hour_window_a_template_is_sent_once_and_replies_wait(
        api: GraphApiStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_TEMPLATE_RESULTS", "knee_results_ready")
    channel, received = _channel(api)
    _write(channel, received, "hi")
    conversation = received[0].sender_id
    channel.runners.wrote(conversation, NUMBER, now=1.0)  # the runner wrote long ago
    assert channel.output is not None
    for reply in ("first finding", "second finding"):
        asyncio.run(channel.output.send_response(conversation, {"text": reply}))
    sent = api.messages_to(NUMBER)
    assert [m["type"] for m in sent] == ["template"]
    assert sent[0]["template"]["name"] == "knee_results_ready"
    assert len(chat_links.take_held("whatsapp", conversation)) == 2


def test_the_number_is_noted_only_on_a_check_in_reminder_set_in_the_conversation(
        api: GraphApiStandIn) -> None:
    channel, received = _channel(api)
    _write(channel, received, "hi")  # no reminder: nothing is noted
    conversation = received[0].sender_id
    assert _reminder_numbers() == []

    async def agree_to_a_reminder(message: UserMessage) -> None:  # what the action does
        received.append(message)
        reminders.schedule_checkin(message.sender_id, "whatsapp", reminders.checkin_due_at())

    channel.on_new_message = agree_to_a_reminder  # type: ignore[attr-defined]
    _write(channel, received, "yes, remind me")
    assert _reminder_numbers() == [NUMBER]
    assert reminders.pending_for(conversation) is not None


def _reminder_numbers() -> list[str]:
    with chat_links._engine().begin() as connection:
        return [row[0] for row in connection.execute(
            text("SELECT recipient FROM checkin_reminders"))]


def test_the_clinic_summary_goes_as_a_pdf_document_with_its_caption(
        api: GraphApiStandIn, tmp_path: Path) -> None:
    job = "c" * 32
    write_png(tmp_path / "media" / "results" / job / "keyframe_2_knee_fppa_deg_left.png")
    channel, received = _channel(api)
    _write(channel, received, "hi")
    assert channel.output is not None
    asyncio.run(channel.output.send_response(received[0].sender_id,
                                             {"custom": clinic_summary(job, "clinician")}))
    assert all(call.ok for call in api.calls), [c.response for c in api.calls if not c.ok]
    (sent,) = [m for m in api.messages_to(NUMBER) if m["type"] == "document"]
    assert sent["document"]["filename"] == "knee-summary.pdf"
    assert sent["document"]["caption"] == channel.texts.summary_caption
    document = api.uploads[sent["document"]["id"]]
    assert document.startswith(b"%PDF-") and pdf_pictures(document) == 1
    assert "Advice given: See a clinician" in pdf_text(document)


def test_the_channel_refuses_to_start_without_what_meta_requires(
        api: GraphApiStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WHATSAPP_APP_SECRET")
    with pytest.raises(settings.SettingsError, match="WHATSAPP_APP_SECRET is required"):
        WhatsAppInput(settings.current())
    monkeypatch.delenv("WHATSAPP_ACCESS_TOKEN")
    channel = WhatsAppInput(settings.current())
    assert not channel.active and channel.get_output_channel() is None
