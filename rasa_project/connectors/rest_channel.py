"""Rasa's REST channel, plus the replies held for a REST client.

A REST client only hears from the bot in the answer to its own message, so what reaches its
conversation in between — a clinician's reply during a handover, the bot's own messages when
the handover ends (``chatwoot_channel.py``) — is held in ``held_messages`` and appended to
the answer of the client's next message. Everything else, including the name ``rest`` and
the route ``/webhooks/rest/webhook``, is stock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import chat_links
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint


class RestWithHeldReplies(RestInput):
    """Stock REST input whose answers also carry the replies held for the conversation."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint around a handler that appends held replies."""

        async def handle_then_add_held(message: UserMessage) -> None:
            await on_new_message(message)
            collector = message.output_channel
            if isinstance(collector, CollectingOutputChannel) and message.sender_id:
                held = await asyncio.to_thread(chat_links.take_held, self.name(),
                                               message.sender_id)
                collector.messages.extend(held)

        return super().blueprint(handle_then_add_held)
