"""The WhatsApp channel (Meta's WhatsApp Cloud API), with videos sent inside the chat.

- ``GET /webhooks/whatsapp/webhook`` echoes ``hub.challenge`` for Meta's verification when
  ``hub.verify_token`` matches ``WHATSAPP_VERIFY_TOKEN``; ``POST`` reads a delivery only
  with a valid ``X-Hub-Signature-256`` (401 without one, 403 for a wrong one), answers 200
  at once and handles each message id once; status receipts are skipped.
- A runner's WhatsApp id is their phone number: the conversation id is random, only a hash
  of the number keyed with ``WHATSAPP_APP_SECRET`` is stored (``channel_chats``), and the
  number itself is kept in memory only, to answer.
- A video is fetched when WhatsApp says it is within ``WHATSAPP_DOWNLOAD_LIMIT_BYTES`` and
  goes through the same intake as every channel (``connectors.chat_app``).
- Replies fit the API (``connectors.whatsapp_messages``); pictures and the clinic summary
  (the clinician PDF) are uploaded to ``/{phone_number_id}/media`` and sent by id, never by
  a public link.
- WhatsApp only delivers free-form replies within 24 hours of the runner's last message. A
  reply that falls outside, or for a runner whose number this process does not know (after
  a restart), is held in ``held_messages`` — with the template ``WHATSAPP_TEMPLATE_RESULTS``
  sent to say so, when one is set and the number is known — and sent, in order, the next
  time the runner writes. Nothing is dropped.
- A check-in reminder the runner agreed to is sent by the worker as a template, days later:
  the runner's number is noted on that pending reminder only (``checkin_reminders``), and
  forgotten once it is sent, cancelled or erased (docs/reminders.md).

Settings: docs/settings.md; a clinic's set-up: docs/whatsapp.md. Logs name message and video
ids only: never a number, a message or a token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from connectors import chat_app, chat_links, message_cap, upload_store
from connectors.message_fitting import PayloadKeys
from connectors.result_files import MEDIA_TYPES, result_file_from_url
from connectors.whatsapp_messages import (
    MAX_REPLY_ID,
    ChoiceLabels,
    WaIncoming,
    chat_key,
    choice_messages,
    media_message,
    numbered_choice,
    read_delivery,
    text_messages,
    valid_signature,
)
from rasa.core.channels.channel import OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from content_schema.schemas import ChannelsFile
from kneeapp import settings
from kneeapp.messaging import whatsapp_template
from kneeapp.store import reminders

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
WINDOW_S = 24 * 3600


class GraphApi:
    """The few Cloud API calls the channel makes, with the access token."""

    def __init__(self, config: settings.Settings) -> None:
        """A client for the configured Graph API root and business number."""
        self.root = config.whatsapp_api_url.rstrip("/")
        self.phone_number_id = config.whatsapp_phone_number_id
        self.headers = {"Authorization": f"Bearer {config.whatsapp_access_token}"}
        self.timeout = httpx.Timeout(60.0, connect=10.0)

    async def send(self, message: dict[str, Any]) -> None:
        """``POST /{phone_number_id}/messages``."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(f"{self.root}/{self.phone_number_id}/messages",
                                       json=message, headers=self.headers)
        _raise_for(answer, "send")

    async def upload(self, data: bytes, mime_type: str, filename: str) -> str:
        """``POST /{phone_number_id}/media``; returns the media id."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(
                f"{self.root}/{self.phone_number_id}/media", headers=self.headers,
                data={"messaging_product": "whatsapp", "type": mime_type},
                files={"file": (filename, data, mime_type)})
        _raise_for(answer, "upload")
        return str(answer.json()["id"])

    async def media_facts(self, media_id: str) -> dict[str, Any]:
        """``GET /{media_id}``: the short-lived download URL, size and type."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.get(f"{self.root}/{media_id}", headers=self.headers)
        _raise_for(answer, "media")
        facts: dict[str, Any] = answer.json()
        return facts

    def download(self, url: str) -> AsyncIterator[bytes]:
        """The media bytes at ``url``, chunk by chunk (the token is required here too)."""
        return chat_app.download(url, headers=self.headers)


def _raise_for(answer: httpx.Response, call: str) -> None:
    if answer.is_success:
        return
    try:
        code = answer.json().get("error", {}).get("code")
    except ValueError:
        code = None
    logger.warning("WhatsApp %s refused: HTTP %d, error code %s", call, answer.status_code, code)
    answer.raise_for_status()


@dataclass
class _Runner:
    wa_id: str
    last_message_at: float
    template_sent: bool = False


class Runners:
    """Numbers of the runners who wrote to this process, by conversation (memory only)."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, _Runner] = {}

    def wrote(self, conversation_id: str, wa_id: str, now: float | None = None) -> None:
        """The runner just wrote: their 24-hour window starts again."""
        self._by_conversation[conversation_id] = _Runner(wa_id, now or time.time())

    def number(self, conversation_id: str) -> str | None:
        """The runner's number, if this process has heard from them."""
        runner = self._by_conversation.get(conversation_id)
        return runner.wa_id if runner else None

    def in_window(self, conversation_id: str, now: float | None = None) -> bool:
        """Whether a free-form reply may be sent now."""
        runner = self._by_conversation.get(conversation_id)
        return bool(runner) and (now or time.time()) - runner.last_message_at < WINDOW_S

    def template_due(self, conversation_id: str) -> bool:
        """True once per window that closed: the template is sent at most once."""
        runner = self._by_conversation.get(conversation_id)
        if runner is None or runner.template_sent:
            return False
        runner.template_sent = True
        return True


class WindowedOutput(OutputChannel):
    """A WhatsApp output (Cloud API or Twilio): delivers within the 24-hour window to a
    runner this process knows, and holds the rest until they write again (see the module).

    Subclasses say how one bot message is delivered (:meth:`deliver`) and how the template
    is sent (:meth:`send_template`).
    """

    def __init__(self, runners: Runners, template: str) -> None:
        """An output for the runners this process knows; ``template`` may be empty."""
        self.runners = runners
        self.template = template
        #: Payloads a number stands for, per conversation, when choices went out as text.
        self.numbered: dict[str, list[str]] = {}

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends one bot message now, or holds it until the runner writes again."""
        number = self.runners.number(recipient_id)
        if number is None or not self.runners.in_window(recipient_id):
            await self._hold(recipient_id, number, message)
            return
        await self.deliver(number, recipient_id, message)

    async def _hold(self, conversation_id: str, number: str | None,
                    message: dict[str, Any]) -> None:
        await asyncio.to_thread(chat_links.hold, self.name(), conversation_id, message)
        logger.info("WhatsApp reply held until the runner writes again")
        if self.template and number and self.runners.template_due(conversation_id):
            await self.send_template(number)

    async def send_held(self, conversation_id: str) -> None:
        """Sends what was held for the conversation, oldest first (the runner just wrote)."""
        for message in await asyncio.to_thread(chat_links.take_held, self.name(),
                                               conversation_id):
            await self.send_response(conversation_id, message)

    def chosen(self, conversation_id: str, text: str) -> str:
        """A bare number answering choices sent as numbered text, as their payload."""
        return numbered_choice(text, self.numbered.get(conversation_id, [])) or text

    async def deliver(self, number: str, conversation_id: str, message: dict[str, Any]) -> None:
        """Sends one bot message to ``number`` (within the window)."""
        raise NotImplementedError

    async def send_template(self, number: str) -> None:
        """Sends the configured template to ``number``."""
        raise NotImplementedError


class WhatsAppOutput(WindowedOutput):
    """Sends the bot's messages through the Cloud API."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as recorded in the trackers."""
        return CHANNEL

    def __init__(self, api: GraphApi, runners: Runners, keys: PayloadKeys,
                 config: settings.Settings, texts: ChannelsFile) -> None:
        """An output channel over ``api`` for the runners this process knows."""
        super().__init__(runners, config.whatsapp_template_results)
        self.api = api
        self.keys = keys
        self.labels = ChoiceLabels(texts.choices.prompt, texts.choices.list_button,
                                   texts.choices.number_hint)
        self.summary_caption = texts.summary_caption
        self.results_dir = config.media_dir / "results"
        self.language = config.whatsapp_template_language

    async def deliver(self, number: str, conversation_id: str, message: dict[str, Any]) -> None:
        """Sends one bot message as the messages the Cloud API accepts."""
        for outgoing in await self._messages(number, conversation_id, message):
            await self.api.send(outgoing)

    async def send_template(self, number: str) -> None:
        """Sends the approved template (allowed outside the window)."""
        await self.api.send(whatsapp_template(number, self.template, self.language))

    async def _messages(self, number: str, conversation_id: str,
                        message: dict[str, Any]) -> list[dict[str, Any]]:
        text = str(message.get("text") or "")
        found: list[dict[str, Any]] = []
        if message.get("image"):
            found += await self._picture(number, str(message["image"]), text)
        elif message.get("buttons"):
            choices = [(str(b.get("title", "")), str(b.get("payload", "")))
                       for b in message["buttons"]]
            sent, numbered = choice_messages(number, text, choices, self.keys, self.labels)
            self.numbered[conversation_id] = numbered
            found += sent
        elif text:
            found += text_messages(number, text)
        if isinstance(message.get("custom"), dict) and "triage" in message["custom"]:
            found += await self._summary(number, message["custom"])
        return found

    async def _picture(self, number: str, url: str, text: str) -> list[dict[str, Any]]:
        path = result_file_from_url(self.results_dir, url)
        if path is None:
            logger.warning("A picture outside the analysis results was not sent")
            return text_messages(number, text) if text else []
        mime = MEDIA_TYPES[path.suffix[1:].lower()]
        media_id = await self.api.upload(path.read_bytes(), mime, path.name)
        return [media_message(number, "image", media_id, caption=text)]

    async def _summary(self, number: str, summary: dict[str, Any]) -> list[dict[str, Any]]:
        document = await chat_app.summary_document(summary, self.results_dir)
        media_id = await self.api.upload(document, chat_app.SUMMARY_MEDIA_TYPE,
                                         chat_app.SUMMARY_FILENAME)
        return [media_message(number, "document", media_id, caption=self.summary_caption,
                              filename=chat_app.SUMMARY_FILENAME)]


class WhatsAppInput(chat_app.ChatAppInput):
    """Receives WhatsApp Cloud API deliveries on ``/webhooks/whatsapp/webhook``."""

    CHANNEL = CHANNEL

    def __init__(self, config: settings.Settings) -> None:
        """Creates the channel; refuses to start without the settings Meta requires.

        Raises:
            settings.SettingsError: the app secret, verify token or number id is missing.
        """
        self.active = bool(config.whatsapp_access_token)
        problems = config.whatsapp_problems() if self.active else []
        if problems:
            raise settings.SettingsError("; ".join(problems))
        self.app_secret = config.whatsapp_app_secret
        self.verify_token = config.whatsapp_verify_token
        self._set_up_intake(config)
        self.runners = Runners()
        self.api = GraphApi(config)
        self.output = (WhatsAppOutput(self.api, self.runners, PayloadKeys(MAX_REPLY_ID),
                                      config, self.texts) if self.active else None)

    def blueprint(self, on_new_message: chat_app.OnNewMessage) -> Blueprint:
        """``GET /webhook`` (Meta's verification) and ``POST /webhook`` (deliveries)."""
        blueprint = Blueprint("whatsapp_webhook", __name__)
        on_new_message = message_cap.capped(on_new_message)

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self._verify(request)

        @blueprint.route("/webhook", methods=["POST"])
        async def deliver(request: Request) -> HTTPResponse:
            return self._receive(request, on_new_message)

        return blueprint

    def _verify(self, request: Request) -> HTTPResponse:
        args = request.args
        if (self.active and args.get("hub.mode") == "subscribe"
                and args.get("hub.verify_token") == self.verify_token):
            return response.text(str(args.get("hub.challenge", "")))
        return response.text("forbidden", status=403)

    def _receive(self, request: Request, on_new_message: chat_app.OnNewMessage) -> HTTPResponse:
        if not self.active:
            return response.json({"ok": False, "error": "whatsapp channel not configured"},
                                 status=404)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return response.json({"ok": False}, status=401)
        if not valid_signature(self.app_secret, request.body, signature):
            logger.warning("WhatsApp delivery with a wrong signature refused")
            return response.json({"ok": False}, status=403)
        try:
            payload = json.loads(request.body)
        except ValueError:
            return response.json({"ok": False, "error": "not JSON"}, status=400)
        for incoming in read_delivery(payload if isinstance(payload, dict) else {}):
            if self.seen.first_time(incoming.message_id):
                self.background.start(self._handle(incoming, on_new_message),
                                      f"WhatsApp message {incoming.message_id}")
        return response.json({"ok": True})

    async def _handle(self, incoming: WaIncoming, on_new_message: chat_app.OnNewMessage) -> None:
        if not incoming.wa_id:
            return
        conversation_id = await asyncio.to_thread(
            chat_links.conversation_for, CHANNEL, chat_key(self.app_secret, incoming.wa_id))
        self.runners.wrote(conversation_id, incoming.wa_id)
        assert self.output is not None
        await self.output.send_held(conversation_id)
        if incoming.kind == "unreadable":
            await self._say(incoming.wa_id, self._cannot_read(incoming.what))
        elif incoming.kind == "video":
            await self._receive_video(incoming, conversation_id, on_new_message)
        elif incoming.kind in ("text", "choice"):
            text = self._payload(incoming, conversation_id)
            if text is None:
                await self._say(incoming.wa_id, self.texts.button_expired)
                return
            await chat_app.hand_over(on_new_message, self.output, conversation_id, text, CHANNEL)
        await self._note_for_reminder(conversation_id, incoming.wa_id)

    async def _note_for_reminder(self, conversation_id: str, wa_id: str) -> None:
        """A pending check-in reminder (set in this message or before) keeps the number the
        worker will need to send it (docs/reminders.md); nothing is kept without one."""
        try:
            await asyncio.to_thread(reminders.note_recipient, conversation_id, wa_id)
        except Exception as error:  # the reminder then waits for the runner's next message
            logger.warning("WhatsApp number not noted for a reminder (%s)",
                           type(error).__name__)

    def _payload(self, incoming: WaIncoming, conversation_id: str) -> str | None:
        assert self.output is not None
        if incoming.kind == "choice":
            return self.output.keys.payload_of(incoming.text)
        return self.output.chosen(conversation_id, incoming.text)

    def _cannot_read(self, what: str) -> str:
        return {"photo": self.texts.cannot_read.photo,
                "voice": self.texts.cannot_read.voice}.get(what, self.texts.cannot_read.other)

    async def _say(self, wa_id: str, text: str) -> None:
        for message in text_messages(wa_id, text):
            await self.api.send(message)

    async def _receive_video(self, incoming: WaIncoming, conversation_id: str,
                             on_new_message: chat_app.OnNewMessage) -> None:
        try:
            facts = await self.api.media_facts(incoming.media["id"])
            size = int(facts.get("file_size") or 0)  # a number, or digits in a string
            if size > self.download_limit:
                logger.info("WhatsApp video over the download limit: not fetched")
                await self._say(incoming.wa_id,
                                chat_app.too_big_text(self.texts, self.download_limit))
                return
            video = await chat_app.store_video(self.api.download(str(facts["url"])),
                                               self.uploads_dir, self.download_limit,
                                               conversation_id)
        except upload_store.UploadRejected as rejected:
            await self._say(incoming.wa_id,
                            chat_app.rejection_text(self.texts, rejected, self.download_limit))
            return
        except (httpx.HTTPError, KeyError, ValueError) as error:
            logger.warning("WhatsApp video could not be fetched (%s)", type(error).__name__)
            await self._say(incoming.wa_id, self.texts.video_fetch_failed)
            return
        await chat_app.hand_over(on_new_message, self.output, conversation_id,
                                 chat_app.share_video_text(video.video_id), CHANNEL,
                                 {"source": CHANNEL, "video_id": video.video_id})
