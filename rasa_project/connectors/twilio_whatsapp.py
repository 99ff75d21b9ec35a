"""WhatsApp through Twilio, for clinics already on Twilio (Rasa 3.6's Twilio connector ignores
``MediaUrl0`` and checks no signature).

- ``POST /webhooks/twilio_whatsapp/webhook`` reads a form only with a valid
  ``X-Twilio-Signature`` (twilio's ``RequestValidator``, over ``TWILIO_WEBHOOK_URL`` — the
  address Twilio calls, which differs from what Rasa sees behind a proxy); 401 without one,
  403 for a wrong one; empty TwiML at once, the work in the background; a redelivered
  ``MessageSid`` is handled once.
- A video (``NumMedia``, ``MediaUrl0`` with a ``video/`` type) is downloaded with the
  account's basic auth into the shared intake (``connectors.chat_app``), up to
  ``WHATSAPP_DOWNLOAD_LIMIT_BYTES``.
- Replies go through Twilio's Messages API, split under 1,600 characters; choices as
  numbered text answered by a number (Twilio's interactive messages need content templates
  made in Twilio's console). Twilio sends media only from a public URL: the analysis
  pictures go as their unguessable links under ``TWILIO_MEDIA_BASE_URL`` (the same links the
  web chat shows) when the clinic sets it, else only the findings text; the clinic summary
  document is not sent.
- The number, the 24-hour window and held replies work as in the Cloud API channel
  (``connectors.whatsapp_channel``). Settings: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
  ``TWILIO_WHATSAPP_FROM``, ``TWILIO_API_URL``, ``TWILIO_WEBHOOK_URL`` (docs/settings.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
from connectors import chat_app, chat_links, message_cap, message_fitting, upload_store
from connectors.result_files import MEDIA_URL_PREFIX
from connectors.whatsapp_channel import Runners, WindowedOutput
from connectors.whatsapp_messages import chat_key
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from kneeapp import settings

logger = logging.getLogger(__name__)

CHANNEL = "twilio_whatsapp"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def number_of(form: dict[str, str]) -> str:
    """The runner's WhatsApp number (``WaId``, or ``From`` without ``whatsapp:+``)."""
    return form.get("WaId") or form.get("From", "").removeprefix("whatsapp:").lstrip("+")


class TwilioApi:
    """Twilio's Messages API and inbound media, with the account's credentials."""

    def __init__(self, config: settings.Settings) -> None:
        """A client for the configured account."""
        self.sid = config.twilio_account_sid
        self.auth = (config.twilio_account_sid, config.twilio_auth_token)
        self.sender = config.twilio_whatsapp_from
        self.url = (f"{config.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{self.sid}"
                    "/Messages.json")
        self.timeout = httpx.Timeout(60.0, connect=10.0)

    async def send_text(self, number: str, body: str, media_url: str | None = None) -> None:
        """One WhatsApp message (the body under 1,600 characters), with a picture's URL."""
        fields = {"From": self.sender, "To": f"whatsapp:+{number}", "Body": body}
        if media_url:
            fields["MediaUrl"] = media_url
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(self.url, auth=self.auth, data=fields)
        if not answer.is_success:
            logger.warning("Twilio refused a message: HTTP %d, code %s", answer.status_code,
                           _code(answer))
            answer.raise_for_status()

    def download(self, url: str) -> AsyncIterator[bytes]:
        """Inbound media, chunk by chunk (Twilio redirects to the file)."""
        return chat_app.download(url, auth=self.auth)


def _code(answer: httpx.Response) -> Any:
    try:
        return answer.json().get("code")
    except ValueError:
        return None


class TwilioOutput(WindowedOutput):
    """Sends the bot's messages through Twilio (text only: see the module)."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as recorded in the trackers."""
        return CHANNEL

    def __init__(self, api: TwilioApi, runners: Runners, number_hint: str,
                 media_base_url: str = "") -> None:
        """An output channel over ``api`` (templates are not sent through Twilio here)."""
        super().__init__(runners, template="")
        self.api = api
        self.media_base_url = media_base_url.rstrip("/")
        self.hint = number_hint

    async def deliver(self, number: str, conversation_id: str, message: dict[str, Any]) -> None:
        """Sends the message's text, its choices as numbered text, and its picture's link."""
        text = str(message.get("text") or "")
        image = str(message.get("image") or "")
        if image.startswith(MEDIA_URL_PREFIX) and self.media_base_url:
            caption = message_fitting.shorten(text, MAX_BODY)
            await self.api.send_text(number, caption, media_url=self.media_base_url + image)
            return
        buttons = message.get("buttons") or []
        if buttons:
            titles = "\n".join(f"{n}. {b.get('title', '')}" for n, b in enumerate(buttons, 1))
            text = f"{text}\n\n{titles}\n\n{self.hint}"
            self.numbered[conversation_id] = [str(b.get("payload", "")) for b in buttons]
        for piece in message_fitting.split_text(text, MAX_BODY):
            await self.api.send_text(number, piece)

    async def send_template(self, number: str) -> None:
        """Not used: the reply waits until the runner writes again."""


class TwilioWhatsAppInput(chat_app.ChatAppInput):
    """Receives Twilio's WhatsApp webhook on ``/webhooks/twilio_whatsapp/webhook``."""

    CHANNEL = CHANNEL

    def __init__(self, config: settings.Settings) -> None:
        """Creates the channel; refuses to start without the sender and the token.

        Raises:
            settings.SettingsError: ``TWILIO_AUTH_TOKEN`` or ``TWILIO_WHATSAPP_FROM`` missing.
        """
        self.active = bool(config.twilio_account_sid)
        problems = config.twilio_problems() if self.active else []
        if problems:
            raise settings.SettingsError("; ".join(problems))
        self.validator = RequestValidator(config.twilio_auth_token)
        self.hash_key = config.twilio_auth_token
        self.webhook_url = config.twilio_webhook_url
        self._set_up_intake(config)
        self.api = TwilioApi(config)
        self.output = (TwilioOutput(self.api, Runners(), self.texts.choices.number_hint,
                                    config.twilio_media_base_url) if self.active else None)

    def blueprint(self, on_new_message: chat_app.OnNewMessage) -> Blueprint:
        """``POST /webhook`` for Twilio's form posts."""
        blueprint = Blueprint("twilio_whatsapp_webhook", __name__)
        on_new_message = message_cap.capped(on_new_message)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return self._receive(request, on_new_message)

        return blueprint

    def _receive(self, request: Request, on_new_message: chat_app.OnNewMessage) -> HTTPResponse:
        if not self.active:
            return response.text("twilio channel not configured", status=404)
        # parsed here, blank fields kept: Twilio signs the "Body=" of a video-only message
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return response.text("", status=401)
        if not self.validator.validate(self.webhook_url or request.url, form, signature):
            logger.warning("Twilio webhook call with a wrong signature refused")
            return response.text("", status=403)
        message_sid = form.get("MessageSid")
        if self.seen.first_time(message_sid):
            self.background.start(self._handle(form, on_new_message),
                                  f"Twilio message {message_sid}")
        return response.text(EMPTY_TWIML, content_type="text/xml")

    async def _handle(self, form: dict[str, str], on_new_message: chat_app.OnNewMessage) -> None:
        number = number_of(form)
        if not number or self.output is None:
            return
        conversation_id = await asyncio.to_thread(
            chat_links.conversation_for, CHANNEL, chat_key(self.hash_key, number))
        self.output.runners.wrote(conversation_id, number)
        await self.output.send_held(conversation_id)
        media_type = form.get("MediaContentType0", "")
        if int(form.get("NumMedia") or 0) > 0:
            if media_type.startswith("video/"):
                await self._receive_video(form, number, conversation_id, on_new_message)
            else:
                unreadable = self.texts.cannot_read
                await self._say(number, unreadable.photo if media_type.startswith("image/")
                                else unreadable.other)
            return
        text = form.get("ButtonPayload") or self.output.chosen(conversation_id,
                                                               form.get("Body", ""))
        if text.strip():
            await chat_app.hand_over(on_new_message, self.output, conversation_id, text, CHANNEL)

    async def _say(self, number: str, text: str) -> None:
        for piece in message_fitting.split_text(text, MAX_BODY):
            await self.api.send_text(number, piece)

    async def _receive_video(self, form: dict[str, str], number: str, conversation_id: str,
                             on_new_message: chat_app.OnNewMessage) -> None:
        try:
            video = await chat_app.store_video(self.api.download(form["MediaUrl0"]),
                                               self.uploads_dir, self.download_limit,
                                               conversation_id)
        except upload_store.UploadRejected as rejected:
            await self._say(number,
                            chat_app.rejection_text(self.texts, rejected, self.download_limit))
            return
        except (httpx.HTTPError, KeyError) as error:
            logger.warning("Twilio video could not be fetched (%s)", type(error).__name__)
            await self._say(number, self.texts.video_fetch_failed)
            return
        await chat_app.hand_over(on_new_message, self.output, conversation_id,
                                 chat_app.share_video_text(video.video_id), CHANNEL,
                                 {"source": CHANNEL, "video_id": video.video_id})
