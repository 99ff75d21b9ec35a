"""The longest runner message any of our chat channels passes on to Rasa (issue 14).

One 100 KB chat message stalled the whole Rasa process for 25-50 s (language understanding
and the spelling corrector run on every character). Every input channel of ours wraps its
``on_new_message`` with :func:`capped`: a message longer than ``MESSAGE_MAX_CHARS`` never
reaches Rasa (no NLU, nothing stored in the tracker) and the runner reads
``data/channels.yml``'s ``message_too_long`` through the channel's own output instead. The
proxy in front (nginx) limits request bodies too; this is the check that holds for every
channel whatever sits in front.

Logged: the fact and the length only, never the text or the sender.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import chat_app
from rasa.core.channels.channel import UserMessage

from kneeapp import settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def too_long(text: str | None, limit: int) -> bool:
    """Whether a message's text is over ``limit`` characters."""
    return text is not None and len(text) > limit


def capped(on_new_message: OnNewMessage) -> OnNewMessage:
    """``on_new_message`` that refuses messages over ``MESSAGE_MAX_CHARS`` with a friendly
    reply through the message's own output channel."""
    refusal = chat_app.channel_texts().message_too_long

    async def handle(message: UserMessage) -> Any:
        limit = settings.current().message_max_chars
        if not too_long(message.text, limit):
            return await on_new_message(message)
        logger.info("A message of %d characters (over %d) was not read",
                    len(message.text or ""), limit)
        await message.output_channel.send_text_message(
            message.sender_id, refusal.format(limit_chars=limit))
        return None

    return handle
