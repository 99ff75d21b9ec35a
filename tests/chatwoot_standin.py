"""A loopback stand-in of Chatwoot's application API, and of the webhooks Chatwoot sends.

``ChatwootStandIn(api_token, account_id, inbox_id)`` serves, from a daemon thread on
127.0.0.1, under ``{url}/api/v1/accounts/{account_id}``:

- ``POST /contacts`` (``name``, ``identifier``, ``inbox_id``, ``source_id``) answering
  ``{"payload": {"contact": {..., "contact_inboxes"}, "contact_inbox": {"inbox", "source_id"}}}``;
  an identifier already taken: 422 ``{"message", "attributes": ["identifier"]}``;
- ``GET /contacts/search?q=`` (``{"meta", "payload": [contacts]}``) and
  ``POST /contacts/{id}/contact_inboxes`` (``{"source_id", "inbox"}``);
- ``POST /conversations`` (``source_id``, ``inbox_id``, ``contact_id``, ``status``,
  ``custom_attributes``) answering the conversation (``id`` is its display id);
- ``POST /conversations/{id}/messages``, JSON or multipart with repeated ``attachments[]``
  (bytes and content types kept), answering the message (``message_type`` as Chatwoot's enum
  integer, ``created_at`` unix seconds);
- ``GET``/``POST /conversations/{id}/labels`` (``{"payload": [...]}``; a POST replaces the
  list, as Chatwoot's does) and ``POST /conversations/{id}/toggle_status``
  (``{"meta": {}, "payload": {"success", "conversation_id", "current_status", ...}}``);
- ``GET {url}/api/v1/profile``: the token's user (id 3, "Knee assistant");
- ``GET /rails/active_storage/blobs/redirect/...``: the bytes of an attachment, as the
  ``data_url`` links in webhooks point to them.

Refusals are Chatwoot's (controllers and ``RequestExceptionHandler``): no ``api_access_token``
header → 401 ``{"errors": ["You need to sign in or sign up before continuing."]}`` (Devise);
a wrong token → 401 ``{"error": "Invalid Access Token"}``; an unknown account, inbox, contact,
``source_id`` or conversation → 404 ``{"error": "Resource could not be found"}``; an unknown
``message_type`` → 422 ``{"error": "'x' is not a valid message_type"}``; content over
150,000 characters → 422 ``{"message": "Content is too long ...", "attributes": ["content"]}``;
an unknown status → 500 (Rails' enum raises ``ArgumentError``, which Chatwoot does not rescue).
Chatwoot accepts a message with neither content nor attachments, and so does the stand-in.

Webhooks: ``emit_message_created(conversation_id, content, private=False, agent_name="Dr Jo")``
and ``emit_status_changed(conversation_id, "resolved")`` post payloads built from the fixture
shapes in ``tests/fixtures/chatwoot`` (``Message#webhook_data``, ``Conversation#webhook_data``)
to ``webhook_url``, signed like ``lib/webhooks/trigger.rb`` when ``webhook_secret`` is set
(``X-Chatwoot-Timestamp``, ``X-Chatwoot-Signature: sha256=HMAC(secret, "ts.body")``) and always
with an ``X-Chatwoot-Delivery`` id. For path-secret delivery put the secret in
``webhook_url`` and leave ``webhook_secret`` None. With ``auto_webhooks=True`` the API's own
changes (messages created, statuses toggled, a resolved conversation reopened by an incoming
message) are sent too, from a background thread, as Chatwoot does. ``deliveries`` lists what
was sent; ``replay(delivery)`` sends one again byte for byte.

Every request is recorded as a ``Call`` (never its headers: the token stays out);
``inject_failure(kind, status)`` makes the next call of a route fail (an outage, a rate limit,
a redirect), and ``conversation(id)``/``contact(id)`` show the stored state.
Limitations: one account and one API inbox; no pagination, teams, assignees, agent bots or
attachment size limits; contact search matches identifier, name or id only.
Standard library only: imported from both virtualenvs.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from tests.standin_server import (
    Body,
    StandInHandler,
    StandInServer,
    UploadedFile,
    parse_body,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "chatwoot"
BLOB_PATH = "/rails/active_storage/blobs/redirect/"
MAX_CONTENT_CHARS = 150_000
STATUSES = ("open", "resolved", "pending", "snoozed")
MESSAGE_TYPES = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
#: The user whose access token the stand-in accepts (the assistant's Chatwoot user).
ASSISTANT_USER = {"id": 3, "name": "Knee assistant", "email": "assistant@clinic.example"}
#: The human agent who replies in emitted webhooks unless told otherwise.
AGENT_USER = {"id": 5, "name": "Dr Jo Example", "email": "jo@clinic.example"}
UNAUTHENTICATED = {"errors": ["You need to sign in or sign up before continuing."]}


def load_fixture(name: str) -> dict[str, Any]:
    """A fixture file of ``tests/fixtures/chatwoot`` (``"x"`` or ``"x.json"``)."""
    file_name = name if name.endswith(".json") else f"{name}.json"
    return json.loads((FIXTURES / file_name).read_text(encoding="utf-8"))


def fixture_body(name: str) -> bytes:
    """A webhook fixture's payload as the compact JSON bytes Chatwoot posts."""
    return compact_json(load_fixture(name)["payload"])


def compact_json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def chatwoot_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Chatwoot-Signature`` as ``lib/webhooks/trigger.rb`` computes it (written out here
    on purpose, not shared with the code under test)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(secret: str, body: bytes, timestamp: float | None = None,
                   delivery_id: str | None = None) -> dict[str, str]:
    """The headers of a delivery of ``body`` signed with ``secret``."""
    stamp = str(int(time.time() if timestamp is None else timestamp))
    return {"Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp,
            "X-Chatwoot-Signature": chatwoot_signature(secret, stamp, body),
            "X-Chatwoot-Delivery": delivery_id or str(uuid.uuid4())}


def _iso(moment: float) -> str:
    """Rails' ``Time#to_json``: ISO 8601 in UTC with milliseconds."""
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Call:
    """One API request the stand-in answered; ``ok`` is False when it was refused.

    ``kind`` names the route (``create_contact``, ``search_contacts``,
    ``create_contact_inbox``, ``create_conversation``, ``create_message``, ``list_labels``,
    ``add_labels``, ``toggle_status``, ``profile``, ``blob``, ``unknown``); ``params`` is the
    JSON body, or the form and query fields; ``files`` the uploaded parts in order.
    """

    method: str
    path: str
    kind: str
    params: dict[str, Any]
    files: tuple[tuple[str, UploadedFile], ...]
    ok: bool
    status: int
    response: Any = None


@dataclass(frozen=True)
class Delivery:
    """A webhook the stand-in posted: what, where, with which headers, and the answer
    (``status`` None when the URL could not be reached)."""

    url: str
    payload: dict[str, Any]
    body: bytes
    headers: dict[str, str]
    status: int | None


@dataclass
class StoredAttachment:
    id: int
    message_id: int
    file: UploadedFile


@dataclass
class StoredMessage:
    id: int
    conversation_id: int
    content: str | None
    message_type: str
    private: bool
    sender: dict[str, Any] | None
    created_at: float
    content_type: str = "text"
    attachments: list[StoredAttachment] = field(default_factory=list)


@dataclass
class StoredContact:
    id: int
    name: str
    identifier: str | None
    source_ids: dict[int, str] = field(default_factory=dict)


@dataclass
class StoredConversation:
    id: int
    contact_id: int
    source_id: str
    status: str
    custom_attributes: dict[str, Any]
    created_at: float
    updated_at: float
    labels: list[str] = field(default_factory=list)
    messages: list[StoredMessage] = field(default_factory=list)


class ChatwootRefusal(Exception):
    """An answer other than 2xx, with Chatwoot's JSON body."""

    def __init__(self, status: int, payload: Any) -> None:
        super().__init__(status)
        self.status = int(status)
        self.payload = payload


def not_found() -> ChatwootRefusal:
    return ChatwootRefusal(HTTPStatus.NOT_FOUND, {"error": "Resource could not be found"})


def unprocessable(payload: dict[str, Any]) -> ChatwootRefusal:
    return ChatwootRefusal(HTTPStatus.UNPROCESSABLE_ENTITY, payload)


def server_error() -> ChatwootRefusal:
    return ChatwootRefusal(HTTPStatus.INTERNAL_SERVER_ERROR,
                           {"status": 500, "error": "Internal Server Error"})


def rails_boolean(value: Any) -> bool:
    """How ActiveRecord casts a form value to a boolean column (blank: the default, false)."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    return text not in ("", "0", "f", "false", "off", "n", "no")


# ---------------------------------------------------------------------------- the stand-in


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    body: Body


Route = Callable[[_Request, list[str]], Any]


class ChatwootStandIn(StandInServer[Call]):
    """Chatwoot's application API for one account and one API inbox, on 127.0.0.1.

    Args:
        api_token: The ``api_access_token`` accepted.
        account_id: The one account.
        inbox_id: The one (API-channel) inbox.
        webhook_url: Where webhooks go (None: nowhere until set).
        webhook_secret: Signs webhooks when set; None sends them unsigned.
        auto_webhooks: Also send the webhooks Chatwoot sends for API changes.
    """

    thread_name = "chatwoot-standin"

    def __init__(self, api_token: str = "standin-chatwoot-token", account_id: int = 1,
                 inbox_id: int = 7, *, webhook_url: str | None = None,
                 webhook_secret: str | None = None, auto_webhooks: bool = False) -> None:
        super().__init__(_ChatwootHandler)
        self.api_token = api_token
        self.account_id = account_id
        self.inbox_id = inbox_id
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.auto_webhooks = auto_webhooks
        self._contacts: dict[int, StoredContact] = {}
        self._conversations: dict[int, StoredConversation] = {}
        self._blobs: dict[str, StoredAttachment] = {}
        self._deliveries: list[Delivery] = []
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._ids = {kind: itertools.count(start) for kind, start in
                     (("contact", 21), ("conversation", 42), ("message", 101), ("attachment", 61))}
        self._routes: list[tuple[str, tuple[str, ...], str, Route]] = [
            ("POST", ("contacts",), "create_contact", self._create_contact),
            ("GET", ("contacts", "search"), "search_contacts", self._search_contacts),
            ("POST", ("contacts", "*", "contact_inboxes"), "create_contact_inbox",
             self._create_contact_inbox),
            ("POST", ("conversations",), "create_conversation", self._create_conversation),
            ("POST", ("conversations", "*", "messages"), "create_message", self._create_message),
            ("GET", ("conversations", "*", "labels"), "list_labels", self._list_labels),
            ("POST", ("conversations", "*", "labels"), "add_labels", self._add_labels),
            ("POST", ("conversations", "*", "toggle_status"), "toggle_status", self._toggle_status),
        ]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``CHATWOOT_URL``."""
        return self.root

    # -- state, for assertions

    def conversation(self, conversation_id: int) -> StoredConversation:
        """A copy of a stored conversation (KeyError when there is none)."""
        with self._lock:
            return copy.deepcopy(self._conversations[int(conversation_id)])

    def contact(self, contact_id: int) -> StoredContact:
        with self._lock:
            return copy.deepcopy(self._contacts[int(contact_id)])

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def inject_failure(self, kind: str, status: int, times: int = 1,
                       headers: dict[str, str] | None = None) -> None:
        """Answer the next ``times`` calls of route ``kind`` with ``status`` (an outage, a
        rate limit, a redirect with ``headers={"Location": ...}``) instead of serving them."""
        with self._lock:
            self._failures.setdefault(kind, []).extend([(status, dict(headers or {}))] * times)

    def _injected(self, kind: str) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            queue = self._failures.get(kind)
            return queue.pop(0) if queue else None

    def _is_call_to(self, call: Call, name: str) -> bool:
        return call.kind == name

    def _describe(self, call: Call) -> str:
        return f"{call.method} {call.path} {call.status} {call.params}"

    # -- dispatch

    def answer(self, request: _Request, token: str | None) -> tuple[int, Any, dict[str, str]]:
        """Route, authenticate and answer one request; record it. Returns the status, the
        JSON (or bytes) and extra headers."""
        kind, route, args = self._route(request)
        headers: dict[str, str] = {}
        try:
            injected = self._injected(kind)
            if injected:
                status, headers = injected
                raise ChatwootRefusal(status, {"error": "injected by the test"})
            if kind not in ("blob", "unknown"):
                self._authenticate(request, token)
            status, payload = int(HTTPStatus.OK), route(request, args)
        except ChatwootRefusal as refusal:
            status, payload = refusal.status, refusal.payload
        self._record(Call(request.method, request.path, kind, dict(request.body.fields),
                          tuple(request.body.file_parts), status < HTTPStatus.BAD_REQUEST,
                          status, None if isinstance(payload, bytes) else payload))
        return status, payload, headers

    def _route(self, request: _Request) -> tuple[str, Route, list[str]]:
        if request.method == "GET" and request.path.startswith(BLOB_PATH):
            return "blob", self._blob, [request.path.removeprefix(BLOB_PATH)]
        if request.method == "GET" and request.path == "/api/v1/profile":
            return "profile", self._profile, []
        prefix = "/api/v1/accounts/"
        if not request.path.startswith(prefix):
            return "unknown", self._unknown, []
        account, _, rest = request.path.removeprefix(prefix).partition("/")
        parts = rest.strip("/").split("/")
        for method, pattern, kind, route in self._routes:
            if method == request.method and _matches(pattern, parts):
                wildcards = [part for part, want in zip(parts, pattern, strict=True)
                             if want == "*"]
                return kind, route, [account, *wildcards]
        return "unknown", self._unknown, []

    def _unknown(self, _request: _Request, _args: list[str]) -> Any:
        raise ChatwootRefusal(HTTPStatus.NOT_FOUND, {"error": "Not Found"})

    def _authenticate(self, request: _Request, token: str | None) -> None:
        if not token:
            raise ChatwootRefusal(HTTPStatus.UNAUTHORIZED, UNAUTHENTICATED)
        if not hmac.compare_digest(token, self.api_token):
            raise ChatwootRefusal(HTTPStatus.UNAUTHORIZED, {"error": "Invalid Access Token"})

    def _profile(self, _request: _Request, _args: list[str]) -> Any:
        """``api/v1/models/_user.json.jbuilder``, in part (Chatwoot's also carries the user's
        ``access_token``; left out so that no recorded call holds it)."""
        return {**ASSISTANT_USER, "available_name": ASSISTANT_USER["name"], "type": "User",
                "account_id": self.account_id, "role": "agent",
                "accounts": [{"id": self.account_id, "name": "Riverside Physio (test)",
                              "role": "agent", "status": "active"}]}

    def _account(self, args: list[str]) -> None:
        if args[0] != str(self.account_id):
            raise not_found()

    # -- contacts

    def _create_contact(self, request: _Request, args: list[str]) -> Any:
        self._account(args)
        params = request.body.fields
        identifier = params.get("identifier") or None
        with self._lock:
            if identifier and any(c.identifier == identifier for c in self._contacts.values()):
                raise unprocessable({"message": "Identifier has already been taken",
                                     "attributes": ["identifier"]})
            if params.get("inbox_id") is not None:
                self._inbox(params.get("inbox_id"))
            contact = StoredContact(next(self._ids["contact"]), str(params.get("name") or ""),
                                    identifier)
            self._contacts[contact.id] = contact
            source_id = None
            if params.get("inbox_id") is not None:
                source_id = self._add_source_id(contact, params.get("source_id"))
            return {"payload": {
                "contact": self._contact_json(contact),
                "contact_inbox": {"inbox": self._inbox_json() if source_id else None,
                                  "source_id": source_id}}}

    def _search_contacts(self, request: _Request, args: list[str]) -> Any:
        self._account(args)
        query = (request.query.get("q") or "").strip()
        if not query:
            raise unprocessable({"error": "Specify search string with parameter q"})
        with self._lock:
            found = [self._contact_json(contact) for contact in self._contacts.values()
                     if query in (contact.identifier or "") or query.lower() in contact.name.lower()
                     or query == str(contact.id)]
        return {"meta": {"count": len(found), "current_page": "1", "has_more": False},
                "payload": found}

    def _create_contact_inbox(self, request: _Request, args: list[str]) -> Any:
        self._account(args)
        with self._lock:
            contact = self._stored(self._contacts, args[1])
            self._inbox(request.body.fields.get("inbox_id"))
            source_id = self._add_source_id(contact, request.body.fields.get("source_id"))
            return {"source_id": source_id, "inbox": self._inbox_json()}

    def _inbox(self, inbox_id: Any) -> None:
        if str(inbox_id) != str(self.inbox_id):
            raise not_found()

    def _add_source_id(self, contact: StoredContact, source_id: Any) -> str:
        contact.source_ids[self.inbox_id] = str(source_id or uuid.uuid4())
        return contact.source_ids[self.inbox_id]

    # -- conversations

    def _create_conversation(self, request: _Request, args: list[str]) -> Any:
        self._account(args)
        params = request.body.fields
        status = params.get("status") or "open"
        with self._lock:
            contact, source_id = self._contact_inbox(params)
            if status not in STATUSES:
                raise server_error()
            now = time.time()
            conversation = StoredConversation(
                next(self._ids["conversation"]), contact.id, source_id, status,
                dict(params.get("custom_attributes") or {}), now, now)
            self._conversations[conversation.id] = conversation
            return self._conversation_json(conversation)

    def _contact_inbox(self, params: dict[str, Any]) -> tuple[StoredContact, str]:
        """The contact and source id a new conversation is for (Chatwoot's
        ``ConversationsController#contact_inbox``: inbox and contact ids, else the source id)."""
        if params.get("inbox_id") is not None and params.get("contact_id") is not None:
            self._inbox(params["inbox_id"])
            contact = self._stored(self._contacts, params["contact_id"])
            wanted = params.get("source_id")
            known = contact.source_ids.get(self.inbox_id)
            source_id = known if known and (not wanted or wanted == known) else None
            return contact, source_id or self._add_source_id(contact, wanted)
        for contact in self._contacts.values():
            wanted = params.get("source_id")
            if wanted and contact.source_ids.get(self.inbox_id) == wanted:
                return contact, wanted
        raise not_found()

    def _stored(self, table: dict[int, Any], raw_id: Any) -> Any:
        try:
            return table[int(raw_id)]
        except (KeyError, TypeError, ValueError):
            raise not_found() from None

    def _conversation_for(self, args: list[str]) -> StoredConversation:
        self._account(args)
        conversation: StoredConversation = self._stored(self._conversations, args[1])
        return conversation

    def _list_labels(self, _request: _Request, args: list[str]) -> Any:
        with self._lock:
            return {"payload": list(self._conversation_for(args).labels)}

    def _add_labels(self, request: _Request, args: list[str]) -> Any:
        labels = request.body.fields.get("labels")
        with self._lock:
            conversation = self._conversation_for(args)
            # Chatwoot permits ``labels: []`` only; anything else arrives as nil and clears.
            wanted = labels if isinstance(labels, list) else []
            conversation.labels = list(dict.fromkeys(str(label) for label in wanted))
            return {"payload": list(conversation.labels)}

    def _toggle_status(self, request: _Request, args: list[str]) -> Any:
        status = request.body.fields.get("status")
        with self._lock:
            conversation = self._conversation_for(args)
            if status and status not in STATUSES:
                raise server_error()
            new = status or ("resolved" if conversation.status == "open" else "open")
            self._set_status(conversation, new)
            return {"meta": {}, "payload": {"success": True, "conversation_id": conversation.id,
                                            "current_status": conversation.status,
                                            "snoozed_until": None}}

    def _set_status(self, conversation: StoredConversation, status: str) -> None:
        previous, conversation.status = conversation.status, status
        conversation.updated_at = time.time()
        if previous != status and self.auto_webhooks:
            self._send_later(self._status_payload(conversation, previous))

    # -- messages

    def _create_message(self, request: _Request, args: list[str]) -> Any:
        fields = request.body.fields
        message_type = str(fields.get("message_type") or "outgoing")
        content = fields.get("content")
        with self._lock:
            conversation = self._conversation_for(args)
            if message_type not in MESSAGE_TYPES:
                raise unprocessable({"error": f"'{message_type}' is not a valid message_type"})
            if content is not None and len(str(content)) > MAX_CONTENT_CHARS:
                raise unprocessable({
                    "message": f"Content is too long (maximum is {MAX_CONTENT_CHARS} characters)",
                    "attributes": ["content"]})
            files = [upload for name, upload in request.body.file_parts if name == "attachments[]"]
            message = self._store_message(conversation, None if content is None else str(content),
                                          message_type, rails_boolean(fields.get("private")),
                                          self._api_sender(conversation, message_type), files)
            if message_type == "incoming" and conversation.status == "resolved":
                self._set_status(conversation, "open")
            if self.auto_webhooks:
                self._send_later(self._message_payload(conversation, message))
            return self._message_json(message)

    def _api_sender(self, conversation: StoredConversation, message_type: str) -> dict[str, Any]:
        """Who a message created through the API is from (``MessageBuilder#sender``)."""
        if message_type == "incoming":
            return self._contact_hook(self._contacts[conversation.contact_id])
        return {**ASSISTANT_USER, "type": "user"}

    def _store_message(self, conversation: StoredConversation, content: str | None,
                       message_type: str, private: bool, sender: dict[str, Any] | None,
                       files: Sequence[UploadedFile] = ()) -> StoredMessage:
        message = StoredMessage(next(self._ids["message"]), conversation.id, content,
                                message_type, private, sender, time.time())
        for upload in files:
            attachment = StoredAttachment(next(self._ids["attachment"]), message.id, upload)
            message.attachments.append(attachment)
            self._blobs[self._blob_key(attachment)] = attachment
        conversation.messages.append(message)
        conversation.updated_at = message.created_at
        return message

    def _blob_key(self, attachment: StoredAttachment) -> str:
        return f"standin{attachment.id}/{quote(attachment.file.filename)}"

    def _blob(self, _request: _Request, args: list[str]) -> bytes:
        with self._lock:
            attachment = self._blobs.get(args[0]) if args else None
        if attachment is None:
            raise not_found()
        self._note_download(args[0])
        return attachment.file.content

    # -- webhooks

    def emit_message_created(self, conversation_id: int, content: str | None, private: bool = False,
                             agent_name: str = "Dr Jo", *, attachments: Sequence[UploadedFile] = (),
                             message_type: str = "outgoing", sender_type: str = "user",
                             sender_id: int = AGENT_USER["id"]) -> Delivery:
        """A message typed in Chatwoot (by default an agent's public reply), stored and sent
        as ``message_created``. ``sender_type`` ``agent_bot`` or ``contact`` changes who
        wrote it; ``message_type`` ``template``/``activity`` makes a Chatwoot message."""
        with self._lock:
            conversation = self._conversations[int(conversation_id)]
            sender = self._sender(sender_type, sender_id, agent_name, conversation)
            message = self._store_message(conversation, content, message_type, private, sender,
                                          attachments)
            payload = self._message_payload(conversation, message)
        return self.deliver(payload)

    def emit_status_changed(self, conversation_id: int, status: str) -> Delivery:
        """The clinic changed a conversation's status in Chatwoot: stored and sent as
        ``conversation_status_changed``."""
        with self._lock:
            conversation = self._conversations[int(conversation_id)]
            previous, conversation.status = conversation.status, status
            conversation.updated_at = time.time()
            payload = self._status_payload(conversation, previous)
        return self.deliver(payload)

    def deliver(self, payload: dict[str, Any], *, url: str | None = None,
                secret: str | bool | None = True, timestamp: float | None = None,
                delivery_id: str | None = None) -> Delivery:
        """POST ``payload`` as Chatwoot does. ``secret``: True signs with ``webhook_secret``
        (if any), a string signs with that one, None/False sends it unsigned."""
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("the stand-in has no webhook_url")
        body = compact_json(payload)
        key = self.webhook_secret if secret is True else (secret or None)
        headers = (signed_headers(key, body, timestamp, delivery_id) if key else
                   {"Content-Type": "application/json",
                    "X-Chatwoot-Delivery": delivery_id or str(uuid.uuid4())})
        return self._post(target, payload, body, headers)

    def replay(self, delivery: Delivery) -> Delivery:
        """Send a delivery again exactly as it was (same body, headers and delivery id)."""
        return self._post(delivery.url, delivery.payload, delivery.body, delivery.headers)

    def _post(self, url: str, payload: dict[str, Any], body: bytes,
              headers: dict[str, str]) -> Delivery:
        request = urllib.request.Request(
            url, data=body, headers={**headers, "Accept": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status: int | None = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError):
            status = None
        delivery = Delivery(url, payload, body, dict(headers), status)
        with self._lock:
            self._deliveries.append(delivery)
        return delivery

    def _send_later(self, payload: dict[str, Any]) -> None:
        if self.webhook_url:
            threading.Thread(target=self.deliver, args=(payload,), daemon=True,
                             name="chatwoot-standin-webhook").start()

    # -- JSON shapes

    def _sender(self, sender_type: str, sender_id: int, name: str,
                conversation: StoredConversation) -> dict[str, Any] | None:
        """``sender`` of a webhook: ``User``/``AgentBot``/``Contact#webhook_data``."""
        if sender_type == "user":
            return {"id": sender_id, "name": name, "email": AGENT_USER["email"], "type": "user"}
        if sender_type == "agent_bot":
            return {"id": sender_id, "name": name, "type": "agent_bot"}
        if sender_type == "contact":
            return self._contact_hook(self._contacts[conversation.contact_id])
        return None

    def _inbox_json(self) -> dict[str, Any]:
        return {"id": self.inbox_id, "name": "Knee assistant", "channel_type": "Channel::Api"}

    def _contact_json(self, contact: StoredContact) -> dict[str, Any]:
        """``api/v1/models/_contact.json.jbuilder`` with contact inboxes."""
        return {"additional_attributes": {}, "availability_status": "offline", "email": None,
                "id": contact.id, "name": contact.name, "phone_number": None,
                "identifier": contact.identifier, "thumbnail": "", "custom_attributes": {},
                "contact_inboxes": [{"source_id": source_id, "inbox": self._inbox_json()}
                                    for source_id in contact.source_ids.values()]}

    def _contact_hook(self, contact: StoredContact) -> dict[str, Any]:
        template = load_fixture("message_created_incoming_relay")["payload"]["sender"]
        return {**template, "account": {**template["account"], "id": self.account_id},
                "id": contact.id, "name": contact.name, "identifier": contact.identifier}

    def _conversation_json(self, conversation: StoredConversation) -> dict[str, Any]:
        """The API's conversation (``api/v1/conversations/partials/_conversation``), in part."""
        contact = self._contacts[conversation.contact_id]
        return {"meta": {"sender": self._contact_json(contact), "channel": "Channel::Api",
                         "assignee": None, "hmac_verified": False},
                "id": conversation.id, "messages": [], "account_id": self.account_id,
                "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"standin/{conversation.id}")),
                "additional_attributes": {}, "agent_last_seen_at": 0, "assignee_last_seen_at": 0,
                "can_reply": True, "contact_last_seen_at": 0,
                "custom_attributes": dict(conversation.custom_attributes),
                "inbox_id": self.inbox_id, "labels": list(conversation.labels), "muted": False,
                "snoozed_until": None, "status": conversation.status,
                "created_at": int(conversation.created_at),
                "updated_at": conversation.updated_at, "timestamp": int(conversation.updated_at),
                "first_reply_created_at": None, "unread_count": 0, "priority": None,
                "waiting_since": int(conversation.created_at)}

    def _attachment_json(self, attachment: StoredAttachment) -> dict[str, Any]:
        """``Attachment#push_event_data``."""
        data_url = f"{self.root}{BLOB_PATH}{self._blob_key(attachment)}"
        kind = attachment.file.content_type.split("/", 1)[0]
        return {"id": attachment.id, "message_id": attachment.message_id,
                "file_type": kind if kind in ("image", "audio", "video") else "file",
                "account_id": self.account_id, "extension": None, "data_url": data_url,
                "thumb_url": data_url, "file_size": len(attachment.file.content),
                "width": None, "height": None}

    def _message_json(self, message: StoredMessage) -> dict[str, Any]:
        """``messages/create.json.jbuilder``."""
        sender = message.sender or {}
        answer = {"id": message.id, "content": message.content, "inbox_id": self.inbox_id,
                  "echo_id": None, "conversation_id": message.conversation_id,
                  "message_type": MESSAGE_TYPES[message.message_type], "content_type": "text",
                  "content_attributes": {}, "created_at": int(message.created_at),
                  "private": message.private,
                  "sender": {**sender, "available_name": sender.get("name"), "thumbnail": ""}}
        if message.attachments:
            answer["attachments"] = [self._attachment_json(a) for a in message.attachments]
        return answer

    def _conversation_hook(self, conversation: StoredConversation) -> dict[str, Any]:
        """``Conversation#webhook_data`` on the fixture's shape."""
        data = copy.deepcopy(load_fixture("conversation_status_changed_resolved")["payload"])
        for key in ("event", "changed_attributes"):
            data.pop(key)
        contact = self._contacts[conversation.contact_id]
        data["contact_inbox"].update(contact_id=contact.id, inbox_id=self.inbox_id,
                                     source_id=conversation.source_id)
        data["meta"]["sender"].update(id=contact.id, name=contact.name,
                                      identifier=contact.identifier)
        public = [message for message in conversation.messages
                  if not message.private and message.message_type != "activity"]
        data["messages"] = [self._push_message(public[-1])] if public else []
        data.update(id=conversation.id, inbox_id=self.inbox_id, status=conversation.status,
                    labels=list(conversation.labels),
                    custom_attributes=dict(conversation.custom_attributes),
                    created_at=int(conversation.created_at), updated_at=conversation.updated_at,
                    last_activity_at=int(conversation.updated_at),
                    timestamp=int(conversation.updated_at))
        return data

    def _push_message(self, message: StoredMessage) -> dict[str, Any]:
        """The last message in a conversation's webhook data (``Message#push_event_data``)."""
        reply = load_fixture("message_created_agent_reply")["payload"]
        template = reply["conversation"]["messages"][0]
        return {**template, **self._message_json(message), "updated_at": _iso(message.created_at),
                "account_id": self.account_id,
                "sender_type": {"user": "User", "agent_bot": "AgentBot", "contact": "Contact"}.get(
                    (message.sender or {}).get("type", ""))}

    def _message_payload(self, conversation: StoredConversation,
                         message: StoredMessage) -> dict[str, Any]:
        """``Message#webhook_data`` + ``event: message_created`` on the fixture's shape."""
        data = copy.deepcopy(load_fixture("message_created_agent_reply")["payload"])
        data.pop("event")
        data.update(account={**data["account"], "id": self.account_id},
                    content=message.content, conversation=self._conversation_hook(conversation),
                    created_at=_iso(message.created_at), id=message.id,
                    inbox={**data["inbox"], "id": self.inbox_id},
                    message_type=message.message_type, private=message.private,
                    sender=message.sender, content_type=message.content_type)
        if message.attachments:
            data["attachments"] = [self._attachment_json(a) for a in message.attachments]
        data["event"] = "message_created"
        return data

    def _status_payload(self, conversation: StoredConversation, previous: str) -> dict[str, Any]:
        data = self._conversation_hook(conversation)
        data["event"] = "conversation_status_changed"
        data["changed_attributes"] = [
            {"status": {"previous_value": previous, "current_value": conversation.status}}]
        return data


def _matches(pattern: tuple[str, ...], parts: list[str]) -> bool:
    return len(pattern) == len(parts) and all(
        want in ("*", part) for want, part in zip(pattern, parts, strict=True))


def _json_fields(body: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ChatwootRefusal(HTTPStatus.BAD_REQUEST, {"error": "invalid JSON"}) from None
    return decoded if isinstance(decoded, dict) else {}


# ---------------------------------------------------------------------------- HTTP


class _ChatwootHandler(StandInHandler):
    standin: ChatwootStandIn

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        raw = self._read_body()
        try:
            body = parse_body(self.headers.get("Content-Type", ""), raw, _json_fields)
        except ChatwootRefusal as refusal:
            self._send_json(refusal.status, refusal.payload)
            return
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if self.command == "GET":
            body.fields = {**query, **body.fields}
        request = _Request(self.command, unquote(split.path), query, body)
        status, payload, headers = self.standin.answer(request,
                                                       self.headers.get("api_access_token"))
        if isinstance(payload, bytes):
            self._send_bytes(status, {"Content-Type": "application/octet-stream"}, payload)
        else:
            self._send_json(status, payload, headers)
