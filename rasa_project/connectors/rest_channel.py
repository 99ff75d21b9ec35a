"""Rasa's REST channel, plus the replies held for a REST client.

A REST client only hears from the bot in the answer to its own message, so what reaches its
conversation in between — a clinician's reply during a handover, the bot's own messages when
the handover ends (``chatwoot_channel.py``) — is held in ``held_messages`` and appended to
the answer of the client's next message. Messages over ``MESSAGE_MAX_CHARS`` are refused
with a friendly reply before Rasa reads them (``message_cap.py``). With
``REST_CHANNEL_TOKEN`` set, only callers sending ``Authorization: Bearer <it>`` are heard
(401 otherwise): the REST channel trusts the ``sender`` it is given, so in production it is
for a clinic's back end only. Everything else, including the name ``rest`` and the route
``/webhooks/rest/webhook``, is stock.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import chat_links, message_cap
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kneeapp import settings


def caller_allowed(authorization: str | None, token: str) -> bool:
    """Whether a request's ``Authorization`` header lets it use the REST channel (any
    caller when no ``REST_CHANNEL_TOKEN`` is set)."""
    if not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


class RestWithHeldReplies(RestInput):
    """Stock REST input whose answers also carry the replies held for the conversation."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint around a handler that appends held replies."""

        capped = message_cap.capped(on_new_message)

        async def handle_then_add_held(message: UserMessage) -> None:
            await capped(message)
            collector = message.output_channel
            if isinstance(collector, CollectingOutputChannel) and message.sender_id:
                held = await asyncio.to_thread(chat_links.take_held, self.name(),
                                               message.sender_id)
                collector.messages.extend(held)

        blueprint = super().blueprint(handle_then_add_held)

        @blueprint.middleware("request")
        async def only_the_clinic_back_end(request: Request) -> HTTPResponse | None:
            token = settings.current().rest_channel_token
            if caller_allowed(request.headers.get("authorization"), token):
                return None
            return response.json({"error": "unauthorized"}, status=401)

        return blueprint
