"""WhatsApp Cloud API's side of the channel without any I/O: what a delivery holds, and the
messages the API accepts (https://developers.facebook.com/docs/whatsapp/cloud-api).

- A webhook delivery (several entries, changes and messages; status receipts) is read into
  :class:`WaIncoming` items; only a delivery whose ``X-Hub-Signature-256`` is the app
  secret's HMAC of the raw body is read at all (:func:`valid_signature`).
- A runner's WhatsApp id is their phone number: it is only ever stored as a keyed hash
  (:func:`chat_key`).
- Every message has the Cloud API's envelope (built in :mod:`kneeapp.messaging`, which the
  worker uses for the check-in reminder's template too).
- Choices go out as reply buttons (≤ 3 distinct titles of ≤ 20 characters), else a list
  (≤ 10 rows, titles ≤ 24, the whole wording as the row's description) or, beyond that,
  numbered text; texts are split under 4,096 characters.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from kneeapp.messaging import whatsapp_message as _message

from . import message_fitting

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_REPLY_ID = 256
SIGNATURE_PREFIX = "sha256="
_NUMBER_REPLY = re.compile(r"\s*(\d{1,2})[.)]?\s*")


@dataclass(frozen=True)
class WaIncoming:
    """One message of a delivery.

    Attributes:
        kind: ``text``, ``choice`` (a reply button, list row or template button),
            ``video``, ``unreadable`` or ``ignore``.
        wa_id: The sender's WhatsApp id (their phone number: never log or store it).
        message_id: WhatsApp's message id (``wamid...``), to handle a redelivery once.
        text: The text, or the chosen reply's id.
        media: ``{"id", "mime_type"}`` of a video.
        what: For ``unreadable``: ``photo``, ``voice`` or ``other``.
    """

    kind: str
    wa_id: str = ""
    message_id: str | None = None
    text: str = ""
    media: dict[str, str] = field(default_factory=dict)
    what: str = ""


@dataclass(frozen=True)
class ChoiceLabels:
    """The app's own words around choices (data/channels.yml)."""

    prompt: str
    list_button: str
    number_hint: str


def valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=`` + the HMAC-SHA256 of ``body`` with the app secret."""
    if not header or not header.startswith(SIGNATURE_PREFIX) or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len(SIGNATURE_PREFIX):].strip().lower(), expected)


def chat_key(key: str, wa_id: str) -> str:
    """What is stored for a runner's number: a hash keyed with the app secret."""
    digest = hmac.new(key.encode(), f"whatsapp:{wa_id}".encode(), hashlib.sha256).hexdigest()
    return f"h:{digest[:48]}"


def read_delivery(payload: dict[str, Any]) -> list[WaIncoming]:
    """Every message of a webhook delivery, in order (status receipts are left out)."""
    found = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            for message in (change.get("value") or {}).get("messages") or []:
                if isinstance(message, dict):
                    found.append(_read_message(message))
    return found


def _read_message(message: dict[str, Any]) -> WaIncoming:
    kind = message.get("type")
    base = {"wa_id": str(message.get("from", "")), "message_id": message.get("id")}
    if kind == "text":
        return WaIncoming("text", text=str((message.get("text") or {}).get("body", "")), **base)
    if kind in ("interactive", "button"):
        return WaIncoming("choice", text=_chosen(message), **base)
    media = _video_of(message)
    if media:
        return WaIncoming("video", media=media, **base)
    what = {"image": "photo", "audio": "voice", "voice": "voice"}.get(str(kind), "other")
    return WaIncoming("unreadable", what=what, **base)


def _chosen(message: dict[str, Any]) -> str:
    if message.get("type") == "button":  # a template's quick-reply button
        return str((message.get("button") or {}).get("payload", ""))
    interactive = message.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    return str(reply.get("id", ""))


def _video_of(message: dict[str, Any]) -> dict[str, str]:
    kind = message.get("type")
    item = message.get(str(kind)) or {}
    mime = str(item.get("mime_type", ""))
    if kind == "video" or (kind == "document" and mime.startswith("video/")):
        return {"id": str(item.get("id", "")), "mime_type": mime}
    return {}


def text_messages(to: str, text: str) -> list[dict[str, Any]]:
    """``text`` as text messages the API accepts."""
    return [_message(to, "text", {"body": piece})
            for piece in message_fitting.split_text(text, MAX_TEXT)]


def choice_messages(to: str, text: str, choices: list[tuple[str, str]],
                    keys: message_fitting.PayloadKeys,
                    labels: ChoiceLabels) -> tuple[list[dict[str, Any]], list[str]]:
    """``text`` with its choices (title, payload) as messages the API accepts.

    Returns:
        The messages, and the payloads a numbered reply ("2") stands for when the choices
        went out as numbered text (empty otherwise).
    """
    pieces = message_fitting.split_text(text, MAX_TEXT) or [labels.prompt]
    body = pieces[-1] if len(pieces[-1]) <= MAX_BODY else labels.prompt
    before = pieces[:-1] if body == pieces[-1] else pieces
    messages = [_message(to, "text", {"body": piece}) for piece in before]
    if len(choices) > MAX_ROWS:
        numbered = "\n".join(f"{n}. {title}" for n, (title, _) in enumerate(choices, 1))
        messages += text_messages(to, f"{body}\n\n{numbered}\n\n{labels.number_hint}")
        return messages, [payload for _, payload in choices]
    ids = [keys.data_for(payload) for _, payload in choices]
    if _fit_buttons(choices):
        action = {"buttons": [{"type": "reply", "reply": {"id": reply_id, "title": title.strip()}}
                              for (title, _), reply_id in zip(choices, ids, strict=True)]}
        return [*messages, _interactive(to, "button", body, action)], []
    rows = [_row(title, reply_id) for (title, _), reply_id in zip(choices, ids, strict=True)]
    action = {"button": message_fitting.shorten(labels.list_button, MAX_BUTTON_TITLE),
              "sections": [{"rows": rows}]}
    return [*messages, _interactive(to, "list", body, action)], []


def _fit_buttons(choices: list[tuple[str, str]]) -> bool:
    """Reply buttons need ≤ 3 distinct titles of ≤ 20 characters; otherwise a list (whose
    rows show a longer title and the whole wording) reads better than cut-off buttons."""
    titles = [title.strip() for title, _ in choices]
    return (len(titles) <= MAX_BUTTONS and len(set(titles)) == len(titles)
            and all(0 < len(title) <= MAX_BUTTON_TITLE for title in titles))


def _row(title: str, reply_id: str) -> dict[str, str]:
    row = {"id": reply_id, "title": message_fitting.shorten(title, MAX_ROW_TITLE)}
    if row["title"] != title.strip():
        row["description"] = message_fitting.shorten(title, MAX_ROW_DESCRIPTION)
    return row


def _interactive(to: str, kind: str, body: str, action: dict[str, Any]) -> dict[str, Any]:
    return _message(to, "interactive", {"type": kind, "body": {"text": body}, "action": action})


def media_message(to: str, kind: str, media_id: str, caption: str = "",
                  filename: str | None = None) -> dict[str, Any]:
    """An image or document sent by the id of an uploaded file."""
    content: dict[str, Any] = {"id": media_id}
    if caption.strip():
        content["caption"] = message_fitting.shorten(caption, MAX_CAPTION)
    if filename:
        content["filename"] = filename
    return _message(to, kind, content)


def numbered_choice(text: str, payloads: list[str]) -> str | None:
    """The payload a bare number picks from choices sent as numbered text, else None."""
    found = _NUMBER_REPLY.fullmatch(text)
    if not found or not payloads:
        return None
    number = int(found.group(1))
    return payloads[number - 1] if 1 <= number <= len(payloads) else None
