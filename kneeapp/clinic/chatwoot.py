"""A small client of Chatwoot's application API for the clinic's API-channel inbox.

What the assistant does in the clinic's helpdesk: create a contact for a runner's
conversation (:meth:`ChatwootClient.create_contact`), open a Chatwoot conversation for it
(:meth:`~ChatwootClient.create_conversation`), post private notes and relayed runner messages
with pictures (:meth:`~ChatwootClient.post_message`, :meth:`~ChatwootClient.post_long_message`),
label the conversation (:meth:`~ChatwootClient.add_labels`) and change its status
(:meth:`~ChatwootClient.set_status`). Request and answer shapes follow Chatwoot's published
API (``swagger/paths/application/...`` and the controllers and views named in
docs/chatwoot.md).

Every call sends the access token in the ``api_access_token`` header (never in a URL) and
follows no redirect, so the token cannot travel to another host. Failures raise
:class:`ChatwootError`, whose text names the operation and the HTTP status only: message
contents, file names and the token never reach an exception or a log line.

Limitations: one account and one inbox per client; no pagination (the only list read, a
contact search, looks for one exact identifier); no retries (``ChatwootError.retryable``
tells the caller whether trying again later can help).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from kneeapp.settings import Settings

logger = logging.getLogger(__name__)

#: Longest message content Chatwoot stores (``Message``: ``validates :content, length:
#: { maximum: 150_000 }``), in characters.
MAX_CONTENT_CHARS = 150_000
#: Most attachments one message may carry (``Message::NUMBER_OF_PERMITTED_ATTACHMENTS``).
MAX_ATTACHMENTS = 15
#: The statuses ``toggle_status`` accepts (swagger ``toggle_status.yml``).
STATUSES = frozenset({"open", "resolved", "pending", "snoozed"})
#: Room kept in front of each part of a split message for its ``[2/3]`` marker.
PART_MARKER_ROOM = 24
#: Shortest and longest label title (Chatwoot's label format; a 255-character column).
MIN_LABEL_CHARS, MAX_LABEL_CHARS = 2, 255
_NOT_LABEL_CHARS = re.compile(r"[^a-z0-9_-]+")


class ChatwootError(Exception):
    """A Chatwoot call failed.

    Attributes:
        operation: What was attempted ("create contact", "post message", ...).
        status: The HTTP status of Chatwoot's answer; None when no answer came (network
            error, timeout).
        retryable: True when trying again later can help: no answer, 429 or 5xx.
        attributes: The names of the fields Chatwoot refused (its 422 ``attributes``), no
            values.
    """

    def __init__(self, operation: str, status: int | None, *, reason: str = "",
                 attributes: Sequence[str] = ()) -> None:
        detail = f"HTTP {status}" if status is not None else "no answer"
        suffix = f" ({reason})" if reason else ""
        super().__init__(f"Chatwoot {operation} failed: {detail}{suffix}")
        self.operation = operation
        self.status = status
        self.retryable = status is None or status == 429 or status >= 500
        self.attributes = tuple(attributes)


@dataclass(frozen=True)
class Contact:
    """A Chatwoot contact and its ``source_id`` in our API inbox (its contact inbox)."""

    id: int
    source_id: str


@dataclass(frozen=True)
class Attachment:
    """A file to attach to a message."""

    filename: str
    content_type: str
    data: bytes


def sanitize_label(text: str) -> str:
    """A Chatwoot label title for ``text``: lower case ASCII letters, digits, ``-`` and ``_``.

    Chatwoot's ``Label`` wants at least two characters, the first a letter or digit
    (``RegexHelper::UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE``), lower case. Accents are
    dropped, every other run of characters becomes one ``-``, and ``-``/``_`` go from the
    start, ``-`` from the end: ``"Red flag: Night pain"`` → ``"red-flag-night-pain"``. An
    empty result means there was nothing to keep.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    label = _NOT_LABEL_CHARS.sub("-", ascii_text.lower()).lstrip("-_")
    label = label[:MAX_LABEL_CHARS].rstrip("-")
    return label if len(label) >= MIN_LABEL_CHARS else ""


def split_content(text: str, limit: int = MAX_CONTENT_CHARS) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, each marked ``[i/n]`` when split.

    Parts end at a paragraph break where there is one, else at a line break, else at a
    space, else mid-word; only the white space at a cut is dropped.
    """
    if len(text) <= limit:
        return [text]
    if limit <= PART_MARKER_ROOM:
        raise ValueError(f"a part limit must exceed {PART_MARKER_ROOM} characters")
    pieces = list(_pieces(text, limit - PART_MARKER_ROOM))
    return [f"[{number}/{len(pieces)}] {piece}" for number, piece in enumerate(pieces, 1)]


def _pieces(text: str, size: int) -> Iterator[str]:
    while len(text) > size:
        cut = _cut_point(text, size)
        yield text[:cut].rstrip()
        text = text[cut:].lstrip("\n")
    if text:
        yield text


def _cut_point(text: str, size: int) -> int:
    window = text[: size + 1]
    for separator in ("\n\n", "\n", " "):
        position = window.rfind(separator)
        if position > size // 2:
            return position + len(separator)
    return size


def batched(items: Sequence[Attachment], size: int) -> list[Sequence[Attachment]]:
    """``items`` in consecutive groups of at most ``size``."""
    return [items[start : start + size] for start in range(0, len(items), size)]


class ChatwootClient:
    """Chatwoot's application API for one account and one API-channel inbox.

    Args:
        base_url: Where Chatwoot answers, e.g. ``https://chat.clinic.example``.
        api_token: The access token of the Chatwoot user the assistant acts as (an agent
            of the inbox; an agent bot's token may not create contacts or labels).
        account_id: The clinic's Chatwoot account.
        inbox_id: The API-channel inbox conversations are created in.
        timeout_s: Connect and read timeout of each call, in seconds.
        session: A ``requests.Session`` to reuse (tests pass one); a new one otherwise.
    """

    def __init__(self, base_url: str, api_token: str, account_id: int, inbox_id: int,
                 timeout_s: float = 10.0, session: requests.Session | None = None) -> None:
        if not api_token:
            raise ValueError("a Chatwoot API token is required")
        self.account_id = int(account_id)
        self.inbox_id = int(inbox_id)
        self._api = f"{base_url.rstrip('/')}/api/v1"
        self._account = f"/accounts/{self.account_id}"
        self._token = api_token
        self._timeout_s = timeout_s
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"ChatwootClient({self._api + self._account!r}, inbox_id={self.inbox_id})"

    def own_user_id(self) -> int:
        """The id of the Chatwoot user whose token this client uses (its messages are not
        clinicians' replies: ``webhook_events.parse_event(..., ignore_sender_ids=...)``)."""
        return int(_dig(self._call("read profile", "GET", "/profile"), "read profile", "id"))

    # -- contacts

    def create_contact(self, identifier: str, name: str) -> Contact:
        """A contact with this ``identifier``, in our inbox, created unless it exists.

        ``identifier`` is unique in a Chatwoot account: when Chatwoot refuses it as taken
        (a retry after a lost answer), the existing contact is looked up and given a contact
        inbox in our inbox if it has none.
        """
        body = {"inbox_id": self.inbox_id, "name": name, "identifier": identifier}
        try:
            answer = self._call("create contact", "POST", f"{self._account}/contacts", json=body)
        except ChatwootError as error:
            if error.status == 422 and "identifier" in error.attributes:
                return self._existing_contact(identifier)
            raise
        payload = _dig(answer, "create contact", "payload")
        return Contact(id=int(_dig(payload, "create contact", "contact", "id")),
                       source_id=str(_dig(payload, "create contact", "contact_inbox", "source_id")))

    def _existing_contact(self, identifier: str) -> Contact:
        operation = "find contact"
        answer = self._call(operation, "GET", f"{self._account}/contacts/search",
                            params={"q": identifier})
        found = [contact for contact in _dig(answer, operation, "payload")
                 if isinstance(contact, dict) and contact.get("identifier") == identifier]
        if not found:
            raise ChatwootError(operation, 200, reason="taken identifier not found")
        contact_id = int(_dig(found[0], operation, "id"))
        source_id = self._our_source_id(found[0].get("contact_inboxes") or [])
        return Contact(contact_id, source_id or self._add_contact_inbox(contact_id))

    def _our_source_id(self, contact_inboxes: Sequence[Any]) -> str | None:
        for contact_inbox in contact_inboxes:
            inbox = contact_inbox.get("inbox") if isinstance(contact_inbox, dict) else None
            if isinstance(inbox, dict) and inbox.get("id") == self.inbox_id:
                return str(contact_inbox.get("source_id"))
        return None

    def _add_contact_inbox(self, contact_id: int) -> str:
        operation = "create contact inbox"
        answer = self._call(operation, "POST",
                            f"{self._account}/contacts/{contact_id}/contact_inboxes",
                            json={"inbox_id": self.inbox_id})
        return str(_dig(answer, operation, "source_id"))

    # -- conversations

    def create_conversation(self, contact: Contact,
                            custom_attributes: Mapping[str, Any] | None = None, *,
                            status: str = "open") -> int:
        """A new conversation with ``contact`` in our inbox; returns its id (display id)."""
        _check_status(status)
        body = {"source_id": contact.source_id, "inbox_id": self.inbox_id,
                "contact_id": contact.id, "status": status,
                "custom_attributes": dict(custom_attributes or {})}
        answer = self._call("create conversation", "POST", f"{self._account}/conversations",
                            json=body)
        return int(_dig(answer, "create conversation", "id"))

    def set_status(self, conversation_id: int, status: str) -> None:
        """Set a conversation's status (``open``, ``resolved``, ``pending`` or ``snoozed``)."""
        _check_status(status)
        self._call("set status", "POST", f"{self._conversation(conversation_id)}/toggle_status",
                   json={"status": status})

    def add_labels(self, conversation_id: int, labels: Sequence[str]) -> list[str]:
        """Add ``labels`` (sanitised, see :func:`sanitize_label`) to a conversation's labels.

        Chatwoot's label call replaces the whole list, so the current labels are read first
        and kept. Returns the conversation's labels afterwards.
        """
        path = f"{self._conversation(conversation_id)}/labels"
        current = list(_dig(self._call("read labels", "GET", path), "read labels", "payload"))
        wanted = [label for label in map(sanitize_label, labels) if label]
        added = [label for label in dict.fromkeys(wanted) if label not in current]
        if not added:
            return current
        answer = self._call("add labels", "POST", path, json={"labels": current + added})
        return list(_dig(answer, "add labels", "payload"))

    # -- messages

    def post_message(self, conversation_id: int, content: str, *, private: bool,
                     incoming: bool = False, attachments: Sequence[Attachment] = ()) -> int:
        """Post one message; returns its id.

        Args:
            conversation_id: The Chatwoot conversation (display id).
            content: The text, at most :data:`MAX_CONTENT_CHARS` characters (see
                :meth:`post_long_message` for longer texts).
            private: True for a private note only the clinic's staff see.
            incoming: True for a runner's message relayed into the conversation (message
                type ``incoming``, which Chatwoot allows in API inboxes only); else
                ``outgoing``.
            attachments: At most :data:`MAX_ATTACHMENTS` files, sent as multipart
                ``attachments[]``.

        Raises:
            ValueError: Empty (no text, no file), too long, or too many attachments.
            ChatwootError: Chatwoot refused or did not answer.
        """
        _check_message(content, attachments)
        fields = {"content": content, "message_type": "incoming" if incoming else "outgoing",
                  "private": private}
        path = f"{self._conversation(conversation_id)}/messages"
        if attachments:
            answer = self._call("post message", "POST", path, data=_form_fields(fields),
                                files=_file_parts(attachments))
        else:
            answer = self._call("post message", "POST", path, json=fields)
        return int(_dig(answer, "post message", "id"))

    def post_long_message(self, conversation_id: int, content: str, *, private: bool,
                          incoming: bool = False,
                          attachments: Sequence[Attachment] = ()) -> list[int]:
        """Post ``content`` of any length as as many messages as it needs; returns their ids.

        The text is split by :func:`split_content`; the files go with the last part, and
        groups beyond :data:`MAX_ATTACHMENTS` follow in messages of their own.
        """
        parts = split_content(content)
        groups = batched(attachments, MAX_ATTACHMENTS) or [()]
        messages = [(part, ()) for part in parts[:-1]] + [(parts[-1], groups[0])]
        messages += [("", group) for group in groups[1:]]
        return [self.post_message(conversation_id, text, private=private, incoming=incoming,
                                  attachments=files) for text, files in messages]

    # -- HTTP

    def _conversation(self, conversation_id: int) -> str:
        return f"{self._account}/conversations/{int(conversation_id)}"

    def _call(self, operation: str, method: str, path: str, **request: Any) -> Any:
        """Chatwoot's decoded JSON answer to one call (``path`` below ``/api/v1``);
        ChatwootError on anything else."""
        try:
            response = self._session.request(
                method, self._api + path, headers={"api_access_token": self._token,
                                                    "Accept": "application/json"},
                timeout=self._timeout_s, allow_redirects=False, **request)
        except requests.RequestException as exc:
            logger.warning("Chatwoot %s: no answer (%s)", operation, type(exc).__name__)
            raise ChatwootError(operation, None, reason=type(exc).__name__) from None
        if not 200 <= response.status_code < 300:
            logger.info("Chatwoot %s: HTTP %s", operation, response.status_code)
            raise ChatwootError(operation, response.status_code,
                                attributes=_refused_fields(response))
        try:
            return response.json()
        except ValueError:
            raise ChatwootError(operation, response.status_code,
                                reason="the answer is not JSON") from None


def client_from_settings(config: Settings) -> ChatwootClient | None:
    """The clinic's Chatwoot client, or None when Chatwoot is not configured.

    Chatwoot is configured when ``CHATWOOT_URL``, ``CHATWOOT_API_TOKEN``,
    ``CHATWOOT_ACCOUNT_ID`` and ``CHATWOOT_INBOX_ID`` are all set
    (:attr:`Settings.chatwoot_enabled`).
    """
    if not config.chatwoot_enabled:
        return None
    return ChatwootClient(config.chatwoot_url, config.chatwoot_api_token,
                          config.chatwoot_account_id, config.chatwoot_inbox_id)


# ---------------------------------------------------------------------------- helpers


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}")


def _check_message(content: str, attachments: Sequence[Attachment]) -> None:
    if len(content) > MAX_CONTENT_CHARS:
        raise ValueError(f"content is longer than Chatwoot's {MAX_CONTENT_CHARS} characters; "
                         "use post_long_message")
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValueError(f"a message carries at most {MAX_ATTACHMENTS} attachments")
    if not content.strip() and not attachments:
        raise ValueError("a message needs text or an attachment")


def _form_fields(fields: Mapping[str, Any]) -> dict[str, str]:
    """Multipart text fields; booleans as Rails reads them (``true``/``false``)."""
    return {name: (str(value).lower() if isinstance(value, bool) else str(value))
            for name, value in fields.items()}


def _file_parts(attachments: Sequence[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("attachments[]", (item.filename, item.data, item.content_type))
            for item in attachments]


def _refused_fields(response: requests.Response) -> tuple[str, ...]:
    """The field names of a 422 ``{"message", "attributes": [...]}`` answer, else ()."""
    try:
        attributes = response.json().get("attributes")
    except (ValueError, AttributeError):
        return ()
    return tuple(str(name) for name in attributes) if isinstance(attributes, list) else ()


def _dig(answer: Any, operation: str, *keys: str) -> Any:
    """``answer[keys[0]][keys[1]]...``; ChatwootError when the answer has another shape."""
    value = answer
    for key in keys:
        if not isinstance(value, dict) or value.get(key) is None:
            raise ChatwootError(operation, 200, reason=f"the answer has no {'.'.join(keys)}")
        value = value[key]
    return value
