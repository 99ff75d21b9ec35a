"""Telegram's side of the channel without any I/O: what an update is, and how the bot's
messages fit Telegram's limits (https://core.telegram.org/bots/api).

- An update is read into one :class:`Incoming` (text, button press, video, something the
  bot cannot read, or nothing to answer), after the checks that do not need the network.
- Texts longer than 4,096 characters are split at paragraph, line or word boundaries;
  captions are cut under 1,024; button payloads longer than 64 bytes become short keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import message_fitting

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
VIDEO_MIME_PREFIX = "video/"
#: Chat commands typed as "/start": Rasa would read "/x" as an intent, so they become words.
COMMAND_WORDS = {"start": "hi", "help": "help", "restart": "start over", "delete": "delete my data"}
#: Message parts the bot cannot read, with the key of the sentence that says so.
UNREADABLE_KINDS = ("photo", "voice", "audio", "sticker", "animation", "location", "contact")


@dataclass(frozen=True)
class Incoming:
    """What one update asks of the bot.

    Attributes:
        kind: ``text``, ``button``, ``video``, ``unreadable``, ``group`` or ``ignore``.
        chat_id: The chat to answer (None for ``ignore``).
        text: The text or button payload to hand to Rasa.
        callback_id: A button press's id, to acknowledge it.
        video: ``file_id``, ``file_size`` (None when Telegram did not say) of a video.
        what: For ``unreadable``: which kind of message it was.
    """

    kind: str
    chat_id: int | None = None
    text: str = ""
    callback_id: str | None = None
    video: dict[str, Any] = field(default_factory=dict)
    what: str = ""


def read_update(update: dict[str, Any]) -> Incoming:
    """One Telegram Update (as JSON) read into what the bot should do with it."""
    if "callback_query" in update:
        return _read_callback(update["callback_query"])
    message = update.get("message")
    if not isinstance(message, dict):  # edited messages, channel posts, polls...
        return Incoming("ignore")
    chat = message.get("chat") or {}
    chat_id = chat.get("id")
    if not isinstance(chat_id, int):
        return Incoming("ignore")
    if chat.get("type") != "private":
        return Incoming("group", chat_id)
    return _read_message(message, chat_id)


def _read_callback(query: dict[str, Any]) -> Incoming:
    message = query.get("message") or {}
    chat = message.get("chat") or {}
    chat_id = chat.get("id")
    if not isinstance(chat_id, int) or chat.get("type") != "private":
        return Incoming("ignore", callback_id=query.get("id"))
    return Incoming("button", chat_id, text=str(query.get("data") or ""),
                    callback_id=query.get("id"))


def _read_message(message: dict[str, Any], chat_id: int) -> Incoming:
    video = _video_of(message)
    if video:
        return Incoming("video", chat_id, video=video)
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return Incoming("text", chat_id, text=command_as_words(text.strip()))
    kinds = [kind for kind in (*UNREADABLE_KINDS, "document", "video_note") if kind in message]
    return Incoming("unreadable", chat_id, what=kinds[0] if kinds else "other")


def _video_of(message: dict[str, Any]) -> dict[str, Any]:
    """``{file_id, file_size}`` of a video, a round video note, or a video sent as a file."""
    for key in ("video", "video_note"):
        if isinstance(message.get(key), dict):
            return _file_facts(message[key])
    document = message.get("document")
    if isinstance(document, dict) and str(document.get("mime_type", "")).startswith(
            VIDEO_MIME_PREFIX):
        return _file_facts(document)
    return {}


def _file_facts(item: dict[str, Any]) -> dict[str, Any]:
    size = item.get("file_size")
    return {"file_id": str(item.get("file_id", "")),
            "file_size": size if isinstance(size, int) else None}


def command_as_words(text: str) -> str:
    """``/start`` (or ``/start@ClinicBot``) as the words the assistant understands."""
    if not text.startswith("/") or text.startswith("/ "):
        return text
    command, _, rest = text[1:].partition(" ")
    name = command.split("@", 1)[0].lower()
    words = COMMAND_WORDS.get(name, name.replace("_", " "))
    return f"{words} {rest}".strip()


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces Telegram accepts (at most 4,096 characters each)."""
    return message_fitting.split_text(text, limit)


def caption(text: str) -> str:
    """A picture's caption under Telegram's 1,024 characters (cut at a word, with '…')."""
    return message_fitting.shorten(text, MAX_CAPTION)


class CallbackKeys(message_fitting.PayloadKeys):
    """Button payloads as ``callback_data`` (at most 64 bytes)."""

    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__(MAX_CALLBACK_BYTES, capacity)
