"""What a verified Chatwoot webhook means for the assistant. Pure, standard library only.

:func:`parse_event` turns a webhook payload (see ``tests/fixtures/chatwoot/`` for real
shapes) into one of:

- :class:`ClinicianReply`: a ``message_created`` event of a public (``private: false``)
  ``outgoing`` message written by a human agent (``sender.type == "user"``), with text or
  attachments: it goes to the runner;
- :class:`ConversationResolved`: ``conversation_status_changed`` to ``resolved``: the bot
  takes over again;
- :class:`ConversationReopened`: ``conversation_status_changed`` to ``open`` (by an agent, or
  by Chatwoot itself when a relayed runner message arrives in a resolved conversation).

Everything else is None: our own relayed runner messages (``incoming``), private notes,
agent-bot and Captain messages, ``template`` and ``activity`` messages, other events, other
inboxes, and anything malformed. It never raises on bad input.

Webhook payloads carry ``message_type`` as a string (``Message#webhook_data``), unlike the
realtime events (``push_event_data``: an integer); both spellings are read. A payload
without ``private`` (Chatwoot before it was added to ``webhook_data``) is never taken for a
public reply.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

#: ``message_type`` of an agent's message, as webhooks spell it; realtime events carry the
#: enum integer (``Message.message_types``).
OUTGOING, OUTGOING_ENUM = "outgoing", 1
HUMAN_SENDER_TYPE = "user"


@dataclass(frozen=True)
class ClinicianReply:
    """A clinician answered the runner in Chatwoot.

    ``attachment_urls`` are Chatwoot's ``data_url`` links of the files sent with it.
    """

    chatwoot_conversation_id: int
    message_id: int
    text: str
    agent_name: str
    attachment_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConversationResolved:
    """The clinic resolved the conversation: the assistant takes over again."""

    chatwoot_conversation_id: int


@dataclass(frozen=True)
class ConversationReopened:
    """The conversation is open (again); ``previous_status`` when Chatwoot said it."""

    chatwoot_conversation_id: int
    previous_status: str | None = None


WebhookEvent = ClinicianReply | ConversationResolved | ConversationReopened


def parse_event(payload: Any, *, inbox_id: int | None = None,
                ignore_sender_ids: Collection[int] = ()) -> WebhookEvent | None:
    """The event a verified webhook payload carries, or None when it is none of ours.

    Args:
        payload: The decoded JSON body.
        inbox_id: Our API inbox; events of other inboxes (an account webhook sees them all)
            are ignored. None: any inbox.
        ignore_sender_ids: Chatwoot user ids whose messages are not clinicians' replies
            (the user whose access token the assistant posts with).
    """
    if not isinstance(payload, Mapping) or not _in_inbox(payload, inbox_id):
        return None
    event = payload.get("event")
    if event == "message_created":
        return _clinician_reply(payload, ignore_sender_ids)
    if event == "conversation_status_changed":
        return _status_change(payload)
    return None


def _clinician_reply(payload: Mapping[str, Any],
                     ignore_sender_ids: Collection[int]) -> ClinicianReply | None:
    sender = _mapping(payload.get("sender"))
    if (not _is_outgoing(payload.get("message_type")) or payload.get("private") is not False
            or sender.get("type") != HUMAN_SENDER_TYPE
            or _int(sender.get("id")) in ignore_sender_ids):
        return None
    conversation_id = _conversation_id(payload)
    message_id = _int(payload.get("id"))
    content = payload.get("content")
    text = content.strip() if isinstance(content, str) else ""
    urls = _attachment_urls(payload.get("attachments"))
    if conversation_id is None or message_id is None or not (text or urls):
        return None
    name = sender.get("available_name") or sender.get("name")
    return ClinicianReply(conversation_id, message_id, text,
                          name if isinstance(name, str) else "", urls)


def _status_change(payload: Mapping[str, Any]) -> WebhookEvent | None:
    conversation_id = _int(payload.get("id"))
    status = payload.get("status")
    if conversation_id is None:
        return None
    if status == "resolved":
        return ConversationResolved(conversation_id)
    if status == "open":
        return ConversationReopened(conversation_id, _previous_status(payload))
    return None


def _is_outgoing(message_type: Any) -> bool:
    return message_type == OUTGOING or (_int(message_type) == OUTGOING_ENUM
                                        and not isinstance(message_type, str))


def _previous_status(payload: Mapping[str, Any]) -> str | None:
    changes = payload.get("changed_attributes")
    for change in changes if isinstance(changes, list) else ():
        previous = _mapping(_mapping(change).get("status")).get("previous_value")
        if isinstance(previous, str):
            return previous
    return None


def _in_inbox(payload: Mapping[str, Any], inbox_id: int | None) -> bool:
    """Whether the event belongs to ``inbox_id`` (always, when None)."""
    if inbox_id is None:
        return True
    candidates = (_mapping(payload.get("inbox")).get("id"), payload.get("inbox_id"),
                  _mapping(payload.get("conversation")).get("inbox_id"))
    return any(_int(candidate) == inbox_id for candidate in candidates)


def _conversation_id(payload: Mapping[str, Any]) -> int | None:
    """The conversation's display id (``conversation.id`` in webhooks; ``display_id`` in
    Chatwoot's older webhook documentation)."""
    conversation = _mapping(payload.get("conversation"))
    found = _int(conversation.get("id"))
    return found if found is not None else _int(conversation.get("display_id"))


def _attachment_urls(attachments: Any) -> tuple[str, ...]:
    if not isinstance(attachments, list):
        return ()
    urls = (_mapping(item).get("data_url") for item in attachments)
    return tuple(url for url in urls if isinstance(url, str) and url.startswith(("https://", "http://")))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int | None:
    """A whole number from an int or a string of digits, else None (never a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
