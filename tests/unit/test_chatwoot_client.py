"""The Chatwoot API client (kneeapp/clinic/chatwoot.py) against the loopback stand-in."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import requests

from kneeapp import settings
from kneeapp.clinic.chatwoot import (
    MAX_ATTACHMENTS,
    MAX_CONTENT_CHARS,
    Attachment,
    ChatwootClient,
    ChatwootError,
    Contact,
    client_from_settings,
    sanitize_label,
    split_content,
)
from tests.chatwoot_standin import ChatwootStandIn

TOKEN = "standin-chatwoot-token-do-not-log"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\xff" * 3000


@pytest.fixture
def chatwoot() -> Iterator[ChatwootStandIn]:
    with ChatwootStandIn(TOKEN, account_id=1, inbox_id=7) as standin:
        yield standin


@pytest.fixture
def client(chatwoot: ChatwootStandIn) -> ChatwootClient:
    return ChatwootClient(chatwoot.url, TOKEN, account_id=1, inbox_id=7, timeout_s=5)


@pytest.fixture
def conversation_id(client: ChatwootClient) -> int:
    return client.create_conversation(client.create_contact("knee-conv-1", "Runner 1"))


# ---------------------------------------------------------------------------- contacts


def test_a_contact_is_created_in_our_inbox(client: ChatwootClient,
                                           chatwoot: ChatwootStandIn) -> None:
    contact = client.create_contact("knee-conv-1", "Runner 1")
    stored = chatwoot.contact(contact.id)
    assert (stored.identifier, stored.name, stored.source_ids) == (
        "knee-conv-1", "Runner 1", {7: contact.source_id})
    call = chatwoot.calls_to("create_contact")[0]
    assert call.params == {"inbox_id": 7, "name": "Runner 1", "identifier": "knee-conv-1"}


def test_creating_a_contact_again_finds_the_first_one(client: ChatwootClient,
                                                      chatwoot: ChatwootStandIn) -> None:
    first = client.create_contact("knee-conv-1", "Runner 1")
    assert client.create_contact("knee-conv-1", "Runner 1") == first
    assert [call.kind for call in chatwoot.calls] == [
        "create_contact", "create_contact", "search_contacts"]


def test_a_contact_without_our_inbox_gets_a_contact_inbox(client: ChatwootClient,
                                                          chatwoot: ChatwootStandIn) -> None:
    created = requests.post(f"{chatwoot.url}/api/v1/accounts/1/contacts", timeout=5,
                            headers={"api_access_token": TOKEN},
                            json={"name": "Runner 2", "identifier": "knee-conv-2"})
    contact_id = created.json()["payload"]["contact"]["id"]
    contact = client.create_contact("knee-conv-2", "Runner 2")
    assert contact.id == contact_id and chatwoot.contact(contact_id).source_ids == {
        7: contact.source_id}
    assert chatwoot.calls[-1].kind == "create_contact_inbox"


# ---------------------------------------------------------------------------- conversations


def test_a_conversation_is_opened_for_the_contact(client: ChatwootClient,
                                                  chatwoot: ChatwootStandIn) -> None:
    contact = client.create_contact("knee-conv-1", "Runner 1")
    conversation_id = client.create_conversation(contact, {"rasa_conversation": "abc"})
    stored = chatwoot.conversation(conversation_id)
    assert (stored.contact_id, stored.source_id, stored.status, stored.custom_attributes) == (
        contact.id, contact.source_id, "open", {"rasa_conversation": "abc"})
    assert chatwoot.calls_to("create_conversation")[0].params == {
        "source_id": contact.source_id, "inbox_id": 7, "contact_id": contact.id,
        "status": "open", "custom_attributes": {"rasa_conversation": "abc"}}


def test_an_unknown_source_is_refused(client: ChatwootClient) -> None:
    with pytest.raises(ChatwootError) as refused:
        client.create_conversation(Contact(id=999, source_id="nobody"))
    assert refused.value.status == 404 and not refused.value.retryable


@pytest.mark.parametrize("status", ["open", "resolved", "pending", "snoozed"])
def test_the_status_is_set(client: ChatwootClient, chatwoot: ChatwootStandIn,
                           conversation_id: int, status: str) -> None:
    client.set_status(conversation_id, status)
    assert chatwoot.conversation(conversation_id).status == status
    assert chatwoot.calls_to("toggle_status")[-1].params == {"status": status}


def test_an_unknown_status_is_refused_before_any_call(client: ChatwootClient,
                                                      chatwoot: ChatwootStandIn,
                                                      conversation_id: int) -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        client.set_status(conversation_id, "closed")
    assert chatwoot.calls_to("toggle_status") == []


# ---------------------------------------------------------------------------- labels


def test_labels_are_sanitised_and_added_to_the_existing_ones(
        client: ChatwootClient, chatwoot: ChatwootStandIn, conversation_id: int) -> None:
    assert client.add_labels(conversation_id, ["Level: Clinician", "red_flag night-pain"]) == [
        "level-clinician", "red_flag-night-pain"]
    assert client.add_labels(conversation_id, ["Red flag: Fever", "level-clinician", "!!"]) == [
        "level-clinician", "red_flag-night-pain", "red-flag-fever"]
    assert chatwoot.conversation(conversation_id).labels == [
        "level-clinician", "red_flag-night-pain", "red-flag-fever"]


def test_labels_already_there_are_not_posted_again(
        client: ChatwootClient, chatwoot: ChatwootStandIn, conversation_id: int) -> None:
    client.add_labels(conversation_id, ["level-urgent"])
    assert client.add_labels(conversation_id, ["Level urgent", ""]) == ["level-urgent"]
    assert [call.kind for call in chatwoot.calls[-2:]] == ["add_labels", "list_labels"]


@pytest.mark.parametrize("text, label", [
    ("Red flag: Night pain", "red-flag-night-pain"),
    ("level-self_care", "level-self_care"),
    ("  Genou   médial ", "genou-medial"),
    ("---", ""),
    ("_hidden-", "hidden"),
    ("x", ""),
    ("a" * 300, "a" * 255),
])
def test_a_label_keeps_letters_digits_dashes_and_underscores(text: str, label: str) -> None:
    assert sanitize_label(text) == label


# ---------------------------------------------------------------------------- messages


def test_a_private_note_is_sent_as_json(client: ChatwootClient, chatwoot: ChatwootStandIn,
                                        conversation_id: int) -> None:
    message_id = client.post_message(conversation_id, "Summary: level clinician", private=True)
    call = chatwoot.calls_to("create_message")[0]
    assert call.params == {"content": "Summary: level clinician", "message_type": "outgoing",
                           "private": True}
    stored = chatwoot.conversation(conversation_id).messages[0]
    assert (stored.id, stored.private, stored.message_type) == (message_id, True, "outgoing")


def test_a_relayed_runner_message_is_incoming(client: ChatwootClient, chatwoot: ChatwootStandIn,
                                              conversation_id: int) -> None:
    client.post_message(conversation_id, "It still hurts", private=False, incoming=True)
    stored = chatwoot.conversation(conversation_id).messages[0]
    assert (stored.message_type, stored.private, stored.sender["type"]) == (
        "incoming", False, "contact")


def test_attachments_arrive_intact_as_multipart(client: ChatwootClient,
                                                chatwoot: ChatwootStandIn,
                                                conversation_id: int) -> None:
    files = [Attachment("knee-angle.png", "image/png", PNG),
             Attachment("stride.jpg", "image/jpeg", JPEG)]
    client.post_message(conversation_id, "Video findings", private=True, attachments=files)
    call = chatwoot.calls_to("create_message")[0]
    assert call.params == {"content": "Video findings", "message_type": "outgoing",
                           "private": "true"}
    sent = [(name, part.filename, part.content_type, part.content) for name, part in call.files]
    assert sent == [
        ("attachments[]", "knee-angle.png", "image/png", PNG),
        ("attachments[]", "stride.jpg", "image/jpeg", JPEG)]
    stored = chatwoot.conversation(conversation_id).messages[0]
    assert stored.private and [a.file.content for a in stored.attachments] == [PNG, JPEG]


@pytest.mark.parametrize("content, attachments, message", [
    ("   ", (), "needs text or an attachment"),
    ("x" * (MAX_CONTENT_CHARS + 1), (), "post_long_message"),
    ("x", [Attachment("a.png", "image/png", b"1")] * (MAX_ATTACHMENTS + 1), "at most 15"),
])
def test_a_message_chatwoot_would_not_store_is_refused_before_any_call(
        client: ChatwootClient, chatwoot: ChatwootStandIn, conversation_id: int, content: str,
        attachments: list[Attachment], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        client.post_message(conversation_id, content, private=True, attachments=attachments)
    assert chatwoot.calls_to("create_message") == []


def test_a_long_note_is_split_into_marked_parts_with_the_files_last(
        client: ChatwootClient, chatwoot: ChatwootStandIn, conversation_id: int) -> None:
    paragraphs = [f"Paragraph {number}: " + " ".join(["knee"] * 2000) for number in range(40)]
    text = "\n\n".join(paragraphs)
    files = [Attachment(f"p{number}.png", "image/png", PNG) for number in range(17)]
    ids = client.post_long_message(conversation_id, text, private=True, attachments=files)
    stored = chatwoot.conversation(conversation_id).messages
    assert [message.id for message in stored] == ids and len(ids) == 4
    texts = [message.content or "" for message in stored]
    assert all(len(part) <= MAX_CONTENT_CHARS for part in texts)
    assert [part[:6] for part in texts[:3]] == ["[1/3] ", "[2/3] ", "[3/3] "] and texts[3] == ""
    assert "\n\n".join(part[6:] for part in texts[:3]) == text
    assert [len(message.attachments) for message in stored] == [0, 0, 15, 2]


def test_a_short_text_is_not_split() -> None:
    assert split_content("short", 50) == ["short"]
    parts = split_content("alpha beta gamma delta " * 4, 40)
    assert all(len(part) <= 40 for part in parts) and len(parts) > 1


# ---------------------------------------------------------------------------- errors


def test_a_wrong_token_is_an_error_that_names_no_secret(
        chatwoot: ChatwootStandIn, conversation_id: int,
        caplog: pytest.LogCaptureFixture) -> None:
    wrong = ChatwootClient(chatwoot.url, "wrong-token-do-not-log", 1, 7)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ChatwootError) as refused:
        wrong.post_message(conversation_id, "Private summary text", private=True)
    assert (refused.value.status, refused.value.retryable) == (401, False)
    shown = " ".join([str(refused.value), repr(refused.value), repr(wrong), caplog.text])
    for secret in ("wrong-token-do-not-log", "Private summary text", TOKEN):
        assert secret not in shown


@pytest.mark.parametrize("status, retryable", [(429, True), (500, True), (503, True),
                                               (422, False), (404, False), (403, False)])
def test_errors_say_whether_a_retry_can_help(client: ChatwootClient, chatwoot: ChatwootStandIn,
                                             conversation_id: int, status: int,
                                             retryable: bool) -> None:
    chatwoot.inject_failure("create_message", status)
    with pytest.raises(ChatwootError) as refused:
        client.post_message(conversation_id, "Private summary text", private=True)
    assert (refused.value.status, refused.value.retryable) == (status, retryable)
    assert "Private summary text" not in str(refused.value)


def test_no_answer_is_a_retryable_error(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ChatwootClient(f"http://127.0.0.1:{port}", TOKEN, 1, 7, timeout_s=2)
    with pytest.raises(ChatwootError) as failed:
        client.set_status(42, "open")
    assert (failed.value.status, failed.value.retryable) == (None, True)
    assert TOKEN not in caplog.text and failed.value.__cause__ is None


def test_a_redirect_is_not_followed_so_the_token_stays_home(client: ChatwootClient,
                                                            conversation_id: int) -> None:
    with ChatwootStandIn(TOKEN) as elsewhere, ChatwootStandIn(TOKEN) as home:
        moved = ChatwootClient(home.url, TOKEN, 1, 7)
        home.inject_failure("toggle_status", 301, headers={
            "Location": f"{elsewhere.url}/api/v1/accounts/1/conversations/42/toggle_status"})
        with pytest.raises(ChatwootError) as refused:
            moved.set_status(42, "open")
        assert refused.value.status == 301 and elsewhere.calls == []


def test_a_wrong_account_or_conversation_is_not_found(chatwoot: ChatwootStandIn,
                                                      client: ChatwootClient) -> None:
    other_account = ChatwootClient(chatwoot.url, TOKEN, account_id=2, inbox_id=7)
    with pytest.raises(ChatwootError) as refused:
        other_account.create_contact("knee-conv-1", "Runner 1")
    assert refused.value.status == 404
    with pytest.raises(ChatwootError) as missing:
        client.add_labels(4242, ["level-urgent"])
    assert missing.value.status == 404


def test_a_wrong_inbox_is_not_found(chatwoot: ChatwootStandIn) -> None:
    with pytest.raises(ChatwootError) as refused:
        ChatwootClient(chatwoot.url, TOKEN, 1, inbox_id=8).create_contact("knee-conv-1", "R")
    assert refused.value.status == 404


def test_the_client_knows_its_own_user(client: ChatwootClient) -> None:
    assert client.own_user_id() == 3


# ---------------------------------------------------------------------------- settings


CONFIGURED = {"CHATWOOT_URL": "https://desk.clinic.example", "CHATWOOT_API_TOKEN": TOKEN,
              "CHATWOOT_ACCOUNT_ID": "3", "CHATWOOT_INBOX_ID": "9"}


@pytest.mark.parametrize("missing", sorted(CONFIGURED))
def test_without_a_full_configuration_there_is_no_client(missing: str) -> None:
    assert client_from_settings(settings.current({})) is None
    partial = {name: value for name, value in CONFIGURED.items() if name != missing}
    assert client_from_settings(settings.current(partial)) is None


def test_a_configured_clinic_gets_a_client() -> None:
    client = client_from_settings(settings.current(CONFIGURED))
    assert isinstance(client, ChatwootClient)
    assert (client.account_id, client.inbox_id) == (3, 9) and TOKEN not in repr(client)
