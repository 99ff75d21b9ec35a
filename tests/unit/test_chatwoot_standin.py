"""The Chatwoot stand-in (tests/chatwoot_standin.py) refuses what Chatwoot refuses and sends
webhooks that verify and parse like Chatwoot's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from kneeapp.clinic.webhook_auth import ReplayGuard, Verdict, verify
from kneeapp.clinic.webhook_events import ClinicianReply, ConversationResolved, parse_event
from tests.chatwoot_standin import ChatwootStandIn, UploadedFile

TOKEN = "standin-chatwoot-token"
SECRET = "standin-webhook-secret-0001"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback webhook endpoint that records what it is sent and answers ``status``."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def wait(self, count: int, timeout_s: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    record = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            record.requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(record.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield record, f"http://127.0.0.1:{server.server_address[1]}/webhooks/chatwoot/webhook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def chatwoot() -> Iterator[ChatwootStandIn]:
    with ChatwootStandIn(TOKEN, account_id=1, inbox_id=7) as standin:
        yield standin


def api(standin: ChatwootStandIn, method: str, path: str, token: str | None = TOKEN,
        **request: Any) -> requests.Response:
    headers = {"api_access_token": token} if token is not None else {}
    return requests.request(method, f"{standin.url}/api/v1/accounts{path}", headers=headers,
                            timeout=5, **request)


def new_conversation(standin: ChatwootStandIn, identifier: str = "knee-conv-1") -> int:
    contact = api(standin, "POST", "/1/contacts", json={
        "name": "Runner", "identifier": identifier, "inbox_id": 7}).json()["payload"]
    answer = api(standin, "POST", "/1/conversations", json={
        "source_id": contact["contact_inbox"]["source_id"], "inbox_id": 7,
        "contact_id": contact["contact"]["id"], "status": "open"})
    return int(answer.json()["id"])


# ---------------------------------------------------------------------------- refusals


def test_the_api_answers_chatwoots_shapes(chatwoot: ChatwootStandIn) -> None:
    created = api(chatwoot, "POST", "/1/contacts", json={
        "name": "Runner", "identifier": "knee-conv-1", "inbox_id": 7, "source_id": "src-1"})
    payload = created.json()["payload"]
    assert payload["contact_inbox"] == {"inbox": payload["contact_inbox"]["inbox"],
                                        "source_id": "src-1"}
    assert payload["contact"]["contact_inboxes"][0]["source_id"] == "src-1"
    conversation_id = new_conversation(chatwoot, "knee-conv-2")
    message = api(chatwoot, "POST", f"/1/conversations/{conversation_id}/messages",
                  json={"content": "hi", "message_type": "incoming"}).json()
    assert (message["message_type"], message["private"], message["sender"]["type"]) == (
        0, False, "contact")
    status = api(chatwoot, "POST", f"/1/conversations/{conversation_id}/toggle_status",
                 json={"status": "pending"}).json()
    assert status == {"meta": {}, "payload": {"success": True, "conversation_id": conversation_id,
                                              "current_status": "pending",
                                              "snoozed_until": None}}


@pytest.mark.parametrize("token, status, body", [
    (None, 401, {"errors": ["You need to sign in or sign up before continuing."]}),
    ("wrong", 401, {"error": "Invalid Access Token"}),
])
def test_a_missing_or_wrong_token_is_refused(chatwoot: ChatwootStandIn, token: str | None,
                                             status: int, body: dict[str, Any]) -> None:
    answer = api(chatwoot, "POST", "/1/contacts", token=token, json={"name": "x"})
    assert (answer.status_code, answer.json()) == (status, body)
    assert chatwoot.calls[-1].ok is False


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "/2/contacts", {"name": "x"}, 404),
    ("POST", "/1/contacts", {"name": "x", "inbox_id": 8}, 404),
    ("POST", "/1/conversations", {"inbox_id": 7}, 404),
    ("POST", "/1/conversations", {"source_id": "unknown"}, 404),
    ("POST", "/1/conversations/999/messages", {"content": "x"}, 404),
    ("POST", "/1/conversations/999/toggle_status", {"status": "open"}, 404),
    ("GET", "/1/conversations/999/labels", None, 404),
    ("GET", "/1/contacts/search", None, 422),
    ("POST", "/1/contacts/999/contact_inboxes", {"inbox_id": 7}, 404),
])
def test_unknown_things_are_refused(chatwoot: ChatwootStandIn, method: str, path: str,
                                    body: dict[str, Any] | None, status: int) -> None:
    assert api(chatwoot, method, path, json=body).status_code == status


def test_what_chatwoot_refuses_in_a_conversation_is_refused(chatwoot: ChatwootStandIn) -> None:
    conversation_id = new_conversation(chatwoot)
    path = f"/1/conversations/{conversation_id}"
    assert api(chatwoot, "POST", f"{path}/messages",
               json={"content": "x", "message_type": "whisper"}).json() == {
        "error": "'whisper' is not a valid message_type"}
    too_long = api(chatwoot, "POST", f"{path}/messages", json={"content": "x" * 150_001})
    assert (too_long.status_code, too_long.json()["attributes"]) == (422, ["content"])
    assert api(chatwoot, "POST", f"{path}/toggle_status", json={"status": "closed"}
               ).status_code == 500
    taken = api(chatwoot, "POST", "/1/contacts", json={"identifier": "knee-conv-1"})
    assert (taken.status_code, taken.json()["attributes"]) == (422, ["identifier"])
    # Chatwoot stores a message with neither text nor files; so does the stand-in.
    assert api(chatwoot, "POST", f"{path}/messages", json={}).status_code == 200


def test_a_label_post_replaces_the_list(chatwoot: ChatwootStandIn) -> None:
    path = f"/1/conversations/{new_conversation(chatwoot)}/labels"
    assert api(chatwoot, "POST", path, json={"labels": ["a", "b"]}).json() == {
        "payload": ["a", "b"]}
    assert api(chatwoot, "POST", path, json={"labels": ["c"]}).json() == {"payload": ["c"]}
    assert api(chatwoot, "POST", path, json={"labels": "c"}).json() == {"payload": []}


def test_multipart_attachments_keep_their_bytes_types_and_order(chatwoot: ChatwootStandIn) -> None:
    conversation_id = new_conversation(chatwoot)
    files = [("attachments[]", ("a.png", b"\x89PNG-one", "image/png")),
             ("attachments[]", ("b.pdf", b"%PDF-1.7 two", "application/pdf"))]
    answer = api(chatwoot, "POST", f"/1/conversations/{conversation_id}/messages",
                 data={"content": "files", "private": "true"}, files=files).json()
    assert answer["private"] is True
    assert [item["file_type"] for item in answer["attachments"]] == ["image", "file"]
    stored = chatwoot.conversation(conversation_id).messages[0]
    assert [(a.file.filename, a.file.content_type, a.file.content) for a in stored.attachments] == [
        ("a.png", "image/png", b"\x89PNG-one"), ("b.pdf", "application/pdf", b"%PDF-1.7 two")]
    download = requests.get(answer["attachments"][1]["data_url"], timeout=5)
    assert download.content == b"%PDF-1.7 two"


def test_an_incoming_message_reopens_a_resolved_conversation(chatwoot: ChatwootStandIn) -> None:
    conversation_id = new_conversation(chatwoot)
    path = f"/1/conversations/{conversation_id}"
    api(chatwoot, "POST", f"{path}/toggle_status", json={"status": "resolved"})
    api(chatwoot, "POST", f"{path}/messages", json={"content": "x", "message_type": "incoming"})
    assert chatwoot.conversation(conversation_id).status == "open"


def test_the_token_is_never_recorded(chatwoot: ChatwootStandIn) -> None:
    new_conversation(chatwoot)
    assert TOKEN not in repr(chatwoot.calls)


# ---------------------------------------------------------------------------- webhooks


def test_a_clinicians_reply_arrives_signed_and_parses(chatwoot: ChatwootStandIn,
                                                      receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    chatwoot.webhook_url, chatwoot.webhook_secret = url, SECRET
    conversation_id = new_conversation(chatwoot)
    delivery = chatwoot.emit_message_created(conversation_id, "Please rest two days",
                                             agent_name="Dr Jo")
    arrived = record.wait(1)[0]
    assert delivery.status == 200 and arrived.body == delivery.body
    stamp = float(arrived.headers["X-Chatwoot-Timestamp"])
    assert verify(arrived.body, arrived.headers, None, SECRET, stamp) == Verdict(True, "signed")
    event = parse_event(json.loads(arrived.body), inbox_id=7, ignore_sender_ids={3})
    assert isinstance(event, ClinicianReply)
    assert (event.chatwoot_conversation_id, event.text, event.agent_name) == (
        conversation_id, "Please rest two days", "Dr Jo")


def test_a_resolve_arrives_and_parses(chatwoot: ChatwootStandIn,
                                      receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    chatwoot.webhook_url, chatwoot.webhook_secret = url, SECRET
    conversation_id = new_conversation(chatwoot)
    chatwoot.emit_status_changed(conversation_id, "resolved")
    arrived = record.wait(1)[0]
    assert parse_event(json.loads(arrived.body), inbox_id=7) == ConversationResolved(
        conversation_id)
    assert chatwoot.conversation(conversation_id).status == "resolved"


def test_unsigned_delivery_to_a_path_secret_url(chatwoot: ChatwootStandIn,
                                                receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    chatwoot.webhook_url = f"{url}/{SECRET}"
    conversation_id = new_conversation(chatwoot)
    delivery = chatwoot.emit_message_created(conversation_id, "Hello")
    arrived = record.wait(1)[0]
    assert arrived.path.endswith(f"/webhook/{SECRET}")
    assert "X-Chatwoot-Signature" not in arrived.headers and arrived.headers["X-Chatwoot-Delivery"]
    moment = json.loads(delivery.body)["created_at"]
    assert moment.endswith("Z")
    guard = ReplayGuard()
    now = chatwoot.conversation(conversation_id).messages[-1].created_at
    assert verify(arrived.body, arrived.headers, SECRET, SECRET, now, guard=guard).ok
    chatwoot.replay(delivery)
    again = record.wait(2)[1]
    assert (again.body, again.headers["X-Chatwoot-Delivery"]) == (
        arrived.body, arrived.headers["X-Chatwoot-Delivery"])
    assert verify(again.body, again.headers, SECRET, SECRET, now, guard=guard) == Verdict(
        False, "replayed")


def test_a_forged_delivery_does_not_verify(chatwoot: ChatwootStandIn,
                                           receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    chatwoot.webhook_url, chatwoot.webhook_secret = url, SECRET
    conversation_id = new_conversation(chatwoot)
    chatwoot.deliver({"event": "conversation_status_changed", "id": conversation_id,
                      "status": "resolved", "inbox_id": 7}, secret="not-the-secret")
    arrived = record.wait(1)[0]
    stamp = float(arrived.headers["X-Chatwoot-Timestamp"])
    assert verify(arrived.body, arrived.headers, None, SECRET, stamp) == Verdict(
        False, "bad_signature")


def test_api_changes_send_webhooks_like_chatwoot(receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    with ChatwootStandIn(TOKEN, webhook_url=url, webhook_secret=SECRET,
                         auto_webhooks=True) as standin:
        conversation_id = new_conversation(standin)
        path = f"/1/conversations/{conversation_id}"
        api(standin, "POST", f"{path}/messages", json={"content": "note", "private": True})
        api(standin, "POST", f"{path}/toggle_status", json={"status": "resolved"})
        api(standin, "POST", f"{path}/messages",
            json={"content": "runner again", "message_type": "incoming"})
        events = [json.loads(item.body) for item in record.wait(4)]
    kinds = sorted((e["event"], e.get("message_type") or e.get("status")) for e in events)
    assert kinds == [("conversation_status_changed", "open"),
                     ("conversation_status_changed", "resolved"),
                     ("message_created", "incoming"), ("message_created", "outgoing")]
    note = next(e for e in events if e.get("private"))
    assert note["sender"] == {"id": 3, "name": "Knee assistant",
                              "email": "assistant@clinic.example", "type": "user"}
    messages = [event for event in events if event["event"] == "message_created"]
    assert [parse_event(message, inbox_id=7) for message in messages] == [None, None]


def test_attachments_in_a_reply_link_to_their_bytes(chatwoot: ChatwootStandIn,
                                                    receiver: tuple[Receiver, str]) -> None:
    record, url = receiver
    chatwoot.webhook_url = url
    conversation_id = new_conversation(chatwoot)
    picture = UploadedFile("exercise.png", b"\x89PNG picture", "image/png")
    chatwoot.emit_message_created(conversation_id, None, attachments=[picture])
    event = parse_event(json.loads(record.wait(1)[0].body))
    assert isinstance(event, ClinicianReply) and event.text == ""
    assert requests.get(event.attachment_urls[0], timeout=5).content == b"\x89PNG picture"
