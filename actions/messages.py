"""Conversation texts from ``data/messages.yml`` and the clinic's contact from the environment."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from actions.content import data_dir
from content_schema import check_file


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    """``data/messages.yml`` as plain YAML (looked up by key path), checked against
    :class:`content_schema.schemas.MessagesFile`."""
    loaded: dict[str, Any] = check_file(data_dir() / "messages.yml")
    return loaded


def text(*path: str, **values: str) -> str:
    """Returns the text at ``path`` in messages.yml, with ``{placeholders}`` filled."""
    node: Any = _messages()
    for key in path:
        node = node[key]
    return str(node).format(**values) if values else str(node)


def fresh_text(tracker: Tracker, *path: str, **values: str) -> str:
    """A text from messages.yml that differs from the bot's previous message.

    The node at ``path`` may be one text or a list of wordings; the first wording that is
    not the bot's last message is chosen, so no reply is ever sent twice in a row.
    """
    node: Any = _messages()
    for key in path:
        node = node[key]
    wordings = [str(w) for w in node] if isinstance(node, list) else [str(node)]
    wordings = [w.format(**values) if values else w for w in wordings]
    last = last_bot_text(tracker)
    return next((w for w in wordings if w.strip() != last), wordings[0])


def last_bot_text(tracker: Tracker) -> str | None:
    """The text of the bot's latest message in this conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot" and event.get("text"):
            return str(event["text"]).strip()
    return None


def clinic_contact_line(clinic: dict[str, str]) -> str:
    """ "phone 0123 · email a@b · https://..." from whatever contact fields are set."""
    parts = [clinic[f] for f in ("phone", "email", "url") if clinic.get(f)]
    return " · ".join(parts) or clinic.get("name", "")
