"""The clinic's helpdesk (Chatwoot) calling back: a clinician's reply, the end of a handover.

Route: ``POST {rasa}/webhooks/chatwoot/webhook`` (signed by Chatwoot with
``CHATWOOT_WEBHOOK_SECRET``), or ``.../webhook/<CHATWOOT_WEBHOOK_SECRET>`` where the
clinic's Chatwoot does not sign; calls older than ``CHATWOOT_WEBHOOK_WINDOW_S`` and repeated
deliveries are refused (:mod:`kneeapp.clinic.webhook_auth`). The answer is sent at once and
the work runs in the background.

- A clinician's public reply reaches the runner in the channel they last wrote from (web
  widget, Telegram, WhatsApp; a REST client receives it with its next answer) and is
  recorded in the conversation.
- Resolving the helpdesk conversation resumes the bot with a short message, then hands on
  what arrived during the pause: analyses that finished (Rasa records their notice but runs
  nothing while paused) and videos the runner shared (analysed now).

Logs name no conversation, runner or message text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import chat_app, chat_links
from connectors.handover_relay import missed_during_pause
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kneeapp import settings
from kneeapp.clinic import deliveries, webhook_auth, webhook_events

logger = logging.getLogger(__name__)

CHANNEL = "chatwoot"
#: Where a reply goes when the runner's channel cannot be written to now (REST clients).
HELD_CHANNEL = "rest"


class ChatwootInput(InputChannel):
    """The helpdesk's webhook: clinicians' replies and the end of handovers."""

    @classmethod
    def name(cls) -> str:
        """Channel name; also the webhook's URL prefix."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads the settings (credentials.yml holds none)."""
        return cls(settings.current())

    def __init__(self, config: settings.Settings) -> None:
        problems = config.chatwoot_problems()
        if problems:
            raise settings.SettingsError("; ".join(problems))
        self.secret = config.chatwoot_webhook_secret
        self.window_s = config.chatwoot_webhook_window_s
        self.inbox_id = config.chatwoot_inbox_id or None
        self.clinic_name = config.clinic_name or "the clinic"
        self.texts = chat_app.channel_texts().handover
        self.replays = webhook_auth.ReplayGuard(self.window_s)
        self.background = chat_app.BackgroundTasks()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``POST /webhook`` (signed) and ``POST /webhook/<secret>``."""
        hook = Blueprint("chatwoot_webhook", __name__)

        @hook.route("/webhook", methods=["POST"])
        async def signed(request: Request) -> HTTPResponse:
            return await self._receive(request, None)

        @hook.route("/webhook/<path_secret>", methods=["POST"])
        async def with_secret(request: Request, path_secret: str) -> HTTPResponse:
            return await self._receive(request, path_secret)

        return hook

    async def _receive(self, request: Request, path_secret: str | None) -> HTTPResponse:
        if not self.secret:
            return response.json({"error": "the helpdesk is not configured"}, status=404)
        verdict = webhook_auth.verify(request.body, dict(request.headers), path_secret,
                                      self.secret, time.time(), self.window_s,
                                      guard=self.replays)
        if not verdict.ok:
            logger.warning("Chatwoot webhook refused (%s)", verdict.reason)
            return response.json({"error": "forbidden"}, status=403)
        try:
            payload = request.json
        except Exception:
            payload = None
        event = webhook_events.parse_event(payload, inbox_id=self.inbox_id)
        if event is None:
            return response.json({"status": "ignored"})
        try:
            conversation_id = await asyncio.to_thread(deliveries.conversation_of_desk,
                                                      event.chatwoot_conversation_id)
        except Exception as exc:  # the database is down: let Chatwoot's retry through
            logger.error("Chatwoot webhook not handled (%s)", type(exc).__name__)
            self.replays.release(webhook_auth.replay_keys(request.body, dict(request.headers)))
            return response.json({"error": "try again"}, status=503)
        if conversation_id is None:
            return response.json({"status": "ignored"})
        if isinstance(event, webhook_events.ClinicianReply):
            self.background.start(self._pass_reply(request.app, conversation_id, event),
                                  "clinician reply")
        elif isinstance(event, webhook_events.ConversationResolved):
            self.background.start(self._resume(request.app, conversation_id), "handover end")
        return response.json({"status": "accepted"})

    def _reply_text(self, reply: webhook_events.ClinicianReply) -> str:
        said = reply.text.strip()
        for url in reply.attachment_urls:
            said = f"{said}\n{self.texts.attachment_line.format(url=url)}".strip()
        if reply.agent_name:
            return self.texts.clinician_reply.format(agent=reply.agent_name,
                                                     clinic_name=self.clinic_name, reply=said)
        return self.texts.clinician_reply_unnamed.format(clinic_name=self.clinic_name,
                                                         reply=said)

    async def _pass_reply(self, app: Any, conversation_id: str,
                          reply: webhook_events.ClinicianReply) -> None:
        agent = app.ctx.agent
        said = self._reply_text(reply)
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.processor.get_tracker(conversation_id)
            await _say(app, tracker, said)
            tracker.update(BotUttered(said, metadata={"from_clinic": True}))
            await agent.processor.save_tracker(tracker)
        logger.info("clinician reply passed on")

    async def _resume(self, app: Any, conversation_id: str) -> None:
        agent = app.ctx.agent
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.processor.get_tracker(conversation_id)
            if not tracker.is_paused():
                return
            missed = missed_during_pause(tracker)
            tracker.update(ConversationResumed())
            said = self.texts.resumed.format(clinic_name=self.clinic_name)
            await _say(app, tracker, said)
            tracker.update(BotUttered(said))
            # The pause cut the turn short: listen again, so that what comes next (the
            # missed items, the runner's next message) is predicted as a fresh turn.
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.processor.save_tracker(tracker)
            output = _output_for(app, tracker) or CollectingOutputChannel()
            for intent, entities in missed:
                await agent.processor.trigger_external_user_uttered(intent, entities, tracker,
                                                                    output)
            if isinstance(output, CollectingOutputChannel):
                for message in output.messages:
                    await asyncio.to_thread(chat_links.hold, HELD_CHANNEL, conversation_id,
                                            message)
        logger.info("handover ended; %d missed item(s) handed on", len(missed))


def _output_for(app: Any, tracker: DialogueStateTracker) -> OutputChannel | None:
    """The output of the channel the runner last wrote from (None: it has none, e.g. REST)."""
    channel = tracker.get_latest_input_channel()
    for candidate in getattr(app.ctx, "input_channels", None) or []:
        if candidate.name() == channel:
            output: OutputChannel | None = candidate.get_output_channel()
            return output
    return None


async def _say(app: Any, tracker: DialogueStateTracker, said: str) -> None:
    """Sends one text to the runner now, or holds it for their next REST call."""
    output = _output_for(app, tracker)
    if output is None:
        await asyncio.to_thread(chat_links.hold, HELD_CHANNEL, tracker.sender_id,
                                {"recipient_id": tracker.sender_id, "text": said})
        return
    await output.send_response(tracker.sender_id, {"text": said})
