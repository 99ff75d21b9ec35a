"""Chatwoot webhook payloads (tests/fixtures/chatwoot) → the assistant's events
(kneeapp/clinic/webhook_events.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from kneeapp.clinic.webhook_events import (
    ClinicianReply,
    ConversationReopened,
    ConversationResolved,
    parse_event,
)
from tests.chatwoot_standin import FIXTURES, load_fixture

REPLY_TEXT = ("Hello, this is Dr Jo from the clinic. Could you tell me whether the pain is "
              "worse going downhill?")


def payload(name: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(load_fixture(name)["payload"]), **changes}


def test_a_clinicians_public_reply_reaches_the_runner() -> None:
    assert parse_event(payload("message_created_agent_reply"), inbox_id=7) == ClinicianReply(
        chatwoot_conversation_id=42, message_id=103, text=REPLY_TEXT, agent_name="Dr Jo Example")


def test_a_reply_with_only_a_picture_lists_its_link() -> None:
    event = parse_event(payload("message_created_agent_attachment"))
    assert event == ClinicianReply(42, 104, "", "Dr Jo Example", (
        "https://chat.clinic.example/rails/active_storage/blobs/redirect/standin61/"
        "knee-exercise.png",))


@pytest.mark.parametrize("name", [
    "message_created_private_note",
    "message_created_incoming_relay",
    "message_created_agent_bot",
    "message_created_template",
])
def test_notes_relays_bots_and_chatwoots_own_messages_are_ignored(name: str) -> None:
    assert parse_event(payload(name)) is None


@pytest.mark.parametrize("changes", [
    {"message_type": "activity"},
    {"message_type": 2},
    {"message_type": "incoming"},
    {"private": True},
    {"private": None},
    {"private": "false"},
    {"content": "   ", "attachments": []},
    {"content": None},
    {"sender": None},
    {"sender": {"id": 5, "name": "Dr Jo", "type": "User"}},
    {"event": "message_updated"},
])
def test_anything_but_a_human_agents_public_message_is_ignored(changes: dict[str, Any]) -> None:
    assert parse_event(payload("message_created_agent_reply", **changes)) is None


def test_a_payload_without_private_is_never_taken_for_a_public_reply() -> None:
    reply = payload("message_created_agent_reply")
    del reply["private"]
    assert parse_event(reply) is None


def test_the_realtime_spelling_of_message_type_is_read_too() -> None:
    event = parse_event(payload("message_created_agent_reply", message_type=1))
    assert isinstance(event, ClinicianReply) and event.message_id == 103


def test_the_available_name_is_preferred() -> None:
    reply = payload("message_created_agent_reply")
    reply["sender"]["available_name"] = "Dr Jo"
    event = parse_event(reply)
    assert isinstance(event, ClinicianReply) and event.agent_name == "Dr Jo"


def test_the_assistants_own_user_is_not_a_clinician() -> None:
    assert parse_event(payload("message_created_agent_reply"), ignore_sender_ids={5}) is None
    assert parse_event(payload("message_created_agent_reply"), ignore_sender_ids={3}) is not None


def test_other_inboxes_are_ignored() -> None:
    assert parse_event(payload("message_created_agent_reply"), inbox_id=8) is None
    assert parse_event(payload("conversation_status_changed_resolved"), inbox_id=8) is None
    assert parse_event(payload("conversation_status_changed_resolved"), inbox_id=7) is not None


def test_the_older_conversation_display_id_is_read() -> None:
    reply = payload("message_created_agent_reply")
    reply["conversation"] = {"display_id": "42", "inbox_id": 7}
    event = parse_event(reply)
    assert isinstance(event, ClinicianReply) and event.chatwoot_conversation_id == 42


def test_resolving_hands_the_conversation_back() -> None:
    assert parse_event(payload("conversation_status_changed_resolved"), inbox_id=7) == (
        ConversationResolved(42))


def test_reopening_says_what_it_was() -> None:
    assert parse_event(payload("conversation_status_changed_open")) == ConversationReopened(
        42, "resolved")
    assert parse_event(payload("conversation_status_changed_open", changed_attributes=None)) == (
        ConversationReopened(42, None))


@pytest.mark.parametrize("status", ["pending", "snoozed", None, 3])
def test_other_statuses_are_ignored(status: object) -> None:
    assert parse_event(payload("conversation_status_changed_resolved", status=status)) is None


@pytest.mark.parametrize("bad", [
    None, [], "message_created", 42, {}, {"event": "message_created"},
    {"event": "conversation_status_changed"},
    {"event": "conversation_status_changed", "id": "forty-two", "status": "resolved"},
    {"event": "conversation_status_changed", "id": True, "status": "resolved"},
    {"event": "message_created", "message_type": "outgoing", "private": False,
     "sender": {"type": "user"}, "conversation": [], "id": 1, "content": "x"},
    {"event": "message_created", "message_type": ["outgoing"], "private": False},
])
def test_malformed_payloads_are_ignored(bad: Any) -> None:
    assert parse_event(bad) is None
    assert parse_event(bad, inbox_id=7, ignore_sender_ids={1}) is None


ODD_VALUES = (None, "", [], {}, 1.5, -1, True, "x" * 3, [None], {"id": None})


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
        value, list) else ()
    for key, child in items:
        yield (*path, key)
        yield from _leaves(child, (*path, key))


def _replaced(document: Any, path: tuple[Any, ...], odd: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = odd
    return changed


@pytest.mark.parametrize("name", sorted(path.stem for path in FIXTURES.glob("*_*.json")
                                        if "payload" in load_fixture(path.stem)))
def test_no_field_of_any_fixture_can_make_the_parser_raise(name: str) -> None:
    document = load_fixture(name)["payload"]
    for path in _leaves(document):
        for odd in ODD_VALUES:
            parse_event(_replaced(document, path, odd), inbox_id=7, ignore_sender_ids={3})
