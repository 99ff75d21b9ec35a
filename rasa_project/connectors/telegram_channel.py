"""The Telegram channel: a clinic's own Telegram bot, with videos sent inside the chat.

Rasa 3.6's own Telegram connector drops videos and photos, checks no webhook secret and
calls ``asyncio.run(set_webhook)`` whenever Rasa asks it for an output channel — which is
how the analysis worker's ``trigger_intent?output_channel=latest`` pushes findings. This one:

- ``POST /webhooks/telegram/webhook`` answers 403 without the exact
  ``X-Telegram-Bot-Api-Secret-Token``, 200 at once otherwise (the work runs in the
  background), and handles an update delivered twice once.
- Each private chat gets a random conversation id (``connectors.chat_links``); group chats
  are refused politely. Buttons become an inline keyboard; every press is acknowledged.
- A video (``video``, ``video_note`` or a video ``document``) is fetched when Telegram says
  it is within ``TELEGRAM_DOWNLOAD_LIMIT_BYTES``, streamed into the media store through the
  web upload's checks (``connectors.upload_store``) and handed to the conversation as
  ``/share_video`` — the same message the web upload sends.
- Replies: texts split under 4,096 characters, pictures sent as files with their captions
  (no public links to clinical images), the clinic summary as the clinician PDF.

The Bot API is reached with python-telegram-bot's ``Bot`` as a client only; Sanic stays the
server. Settings: ``TELEGRAM_BOT_TOKEN`` (the channel is active when set),
``TELEGRAM_WEBHOOK_SECRET``, ``TELEGRAM_API_URL``, ``TELEGRAM_DOWNLOAD_LIMIT_BYTES``
(docs/settings.md; set-up for a clinic in docs/telegram.md). Logs name update ids and video
ids only: never a chat id, a message or the token.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from connectors import chat_app, chat_links, message_cap, upload_store
from connectors.result_files import result_file_from_url
from connectors.telegram_updates import (
    CallbackKeys,
    Incoming,
    caption,
    read_update,
    split_text,
)
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from content_schema.schemas import ChannelsFile
from kneeapp import settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_TOKEN_IN_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


class _RedactBotToken(logging.Filter):
    """Hides the bot token that httpx and python-telegram-bot print inside request URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot***", message), ()
        return True


for _name in ("httpx", "telegram"):
    logging.getLogger(_name).addFilter(_RedactBotToken())


def telegram_bot(config: settings.Settings) -> Bot:
    """A Bot API client for the configured bot and API root (python-telegram-bot)."""
    root = config.telegram_api_url.rstrip("/")
    request = HTTPXRequest(connection_pool_size=8, connect_timeout=10.0, read_timeout=30.0,
                           write_timeout=60.0, media_write_timeout=60.0)
    return Bot(config.telegram_bot_token, base_url=f"{root}/bot",
               base_file_url=f"{root}/file/bot", request=request)


class TelegramOutput(OutputChannel):
    """Sends the bot's messages to the Telegram chat of the conversation."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as recorded in the trackers."""
        return CHANNEL

    def __init__(self, bot: Bot, keys: CallbackKeys, results_dir: Path,
                 texts: ChannelsFile) -> None:
        """An output channel that reaches chats through ``bot``."""
        self.bot = bot
        self.keys = keys
        self.results_dir = results_dir
        self.texts = texts

    async def _chat(self, recipient_id: str) -> str | None:
        await self.bot.initialize()  # once: getMe (python-telegram-bot needs it)
        chat = await asyncio.to_thread(chat_links.chat_for, CHANNEL, recipient_id)
        if chat is None:
            logger.warning("No Telegram chat for a conversation (erased?); message dropped")
        return chat

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends ``text``, split under Telegram's 4,096 characters."""
        chat = await self._chat(recipient_id)
        if chat is None:
            return
        for piece in split_text(text):
            await self.bot.send_message(chat, piece)

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        """Sends ``text`` with one inline-keyboard button per row under its last piece."""
        chat = await self._chat(recipient_id)
        if chat is None:
            return
        pieces = split_text(text) or [" "]
        for piece in pieces[:-1]:
            await self.bot.send_message(chat, piece)
        keyboard = InlineKeyboardMarkup([
            [InlineKeyboardButton(str(b.get("title", "")),
                                  callback_data=self.keys.data_for(str(b.get("payload", ""))))]
            for b in buttons
        ])
        await self.bot.send_message(chat, pieces[-1], reply_markup=keyboard)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends one of the analysis pictures as a file (other URLs are not sent)."""
        await self._send_picture(recipient_id, image, "")

    async def _send_picture(self, recipient_id: str, image: str, text: str) -> None:
        path = result_file_from_url(self.results_dir, image)
        chat = await self._chat(recipient_id)
        if chat is None:
            return
        if path is None:
            logger.warning("A picture outside the analysis results was not sent")
            if text:
                await self.send_text_message(recipient_id, text)
            return
        photo = InputFile(path.read_bytes(), filename=path.name)
        await self.bot.send_photo(chat, photo, caption=caption(text) or None)
        if len(text.strip()) > len(caption(text)):  # the rest of a long caption
            await self.send_text_message(recipient_id, text)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        """Sends the clinic summary as a document; web-widget payloads have no use here."""
        if "triage" not in json_message:
            return
        chat = await self._chat(recipient_id)
        if chat is None:
            return
        document = InputFile(await chat_app.summary_document(json_message, self.results_dir),
                             filename=chat_app.SUMMARY_FILENAME)
        await self.bot.send_document(chat, document, caption=self.texts.summary_caption)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A picture with text goes as one photo with its caption; the rest as Rasa does."""
        if message.get("image") and not message.get("buttons"):
            await self._send_picture(recipient_id, str(message["image"]),
                                     str(message.get("text") or ""))
            if message.get("custom"):
                await self.send_custom_json(recipient_id, message["custom"])
            return
        await super().send_response(recipient_id, message)


class TelegramInput(chat_app.ChatAppInput):
    """Receives Telegram updates on ``/webhooks/telegram/webhook``."""

    CHANNEL = CHANNEL

    def __init__(self, config: settings.Settings) -> None:
        """Creates the channel; refuses to start on settings Telegram would not accept.

        Raises:
            settings.SettingsError: a malformed secret, or none in production.
        """
        problems = config.telegram_problems() if config.telegram_bot_token else []
        if problems:
            raise settings.SettingsError("; ".join(problems))
        self.active = bool(config.telegram_bot_token)
        self.secret = config.telegram_webhook_secret
        self._set_up_intake(config)
        self.keys = CallbackKeys()
        self.bot = telegram_bot(config) if self.active else None
        self.output = (TelegramOutput(self.bot, self.keys, config.media_dir / "results",
                                      self.texts) if self.bot else None)
        if self.active and not self.secret:
            logger.warning("Telegram channel without TELEGRAM_WEBHOOK_SECRET (development only)")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``POST /webhook`` for Telegram's updates."""
        blueprint = Blueprint("telegram_webhook", __name__)
        on_new_message = message_cap.capped(on_new_message)

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return self._receive(request, on_new_message)

        return blueprint

    def _receive(self, request: Request,
                 on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if not self.active:
            return response.json({"ok": False, "error": "telegram channel not configured"},
                                 status=404)
        if self.secret and not hmac.compare_digest(
                request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            logger.warning("Telegram webhook call without the right secret refused")
            return response.json({"ok": False}, status=403)
        update = request.json if isinstance(request.json, dict) else None
        if update is None:
            return response.json({"ok": False, "error": "not an update"}, status=400)
        update_id = update.get("update_id")
        if self.seen.first_time(update_id):
            self.background.start(self._handle(update, on_new_message),
                                  f"Telegram update {update_id}")
        return response.json({"ok": True})

    async def _handle(self, update: dict[str, Any],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        incoming = read_update(update)
        assert self.bot is not None
        await self.bot.initialize()  # once: getMe (python-telegram-bot needs it)
        if incoming.callback_id:
            await self._acknowledge(incoming.callback_id)
        await self._dispatch(incoming, on_new_message)

    async def _acknowledge(self, callback_id: str) -> None:
        assert self.bot is not None
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError as error:  # too late to acknowledge: the press still counts
            logger.warning("answerCallbackQuery failed (%s)", type(error).__name__)

    async def _dispatch(self, incoming: Incoming,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        if incoming.kind == "ignore" or incoming.chat_id is None:
            return
        if incoming.kind == "group":
            await self._say(incoming.chat_id, self.texts.group_refused)
        elif incoming.kind == "unreadable":
            await self._say(incoming.chat_id, self._cannot_read(incoming.what))
        elif incoming.kind == "video":
            await self._receive_video(incoming, on_new_message)
        else:
            text = self.keys.payload_of(incoming.text) if incoming.kind == "button" else (
                incoming.text)
            if text is None:
                await self._say(incoming.chat_id, self.texts.button_expired)
                return
            await self._hand_over(incoming.chat_id, text, on_new_message)

    def _cannot_read(self, what: str) -> str:
        if what == "photo":
            return self.texts.cannot_read.photo
        if what in ("voice", "audio"):
            return self.texts.cannot_read.voice
        return self.texts.cannot_read.other

    async def _say(self, chat_id: int, text: str) -> None:
        assert self.bot is not None
        for piece in split_text(text):
            await self.bot.send_message(chat_id, piece)

    async def _hand_over(self, chat_id: int, text: str,
                         on_new_message: Callable[[UserMessage], Awaitable[Any]],
                         metadata: dict[str, Any] | None = None) -> None:
        conversation_id = await asyncio.to_thread(chat_links.conversation_for, CHANNEL,
                                                  str(chat_id))
        await chat_app.hand_over(on_new_message, self.output, conversation_id, text, CHANNEL,
                                 metadata)

    async def _receive_video(self, incoming: Incoming,
                             on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        assert incoming.chat_id is not None
        size = incoming.video.get("file_size")
        if size is not None and size > self.download_limit:
            logger.info("Telegram video over the download limit: not fetched")
            await self._say(incoming.chat_id, self._too_big())
            return
        conversation_id = await asyncio.to_thread(chat_links.conversation_for, CHANNEL,
                                                  str(incoming.chat_id))
        video = await self._fetch(incoming, conversation_id)
        if video is None:
            return
        await self._hand_over(incoming.chat_id, chat_app.share_video_text(video.video_id),
                              on_new_message, {"source": CHANNEL, "video_id": video.video_id})

    def _too_big(self) -> str:
        return chat_app.too_big_text(self.texts, self.download_limit)

    async def _fetch(self, incoming: Incoming,
                     conversation_id: str) -> upload_store.StoredVideo | None:
        """Streams the video into the media store; None (said to the runner) on failure."""
        assert self.bot is not None and incoming.chat_id is not None
        try:
            telegram_file = await self.bot.get_file(incoming.video["file_id"])
            return await chat_app.store_video(chat_app.download(str(telegram_file.file_path)),
                                              self.uploads_dir, self.download_limit,
                                              conversation_id)
        except upload_store.UploadRejected as rejected:
            await self._say(incoming.chat_id,
                            chat_app.rejection_text(self.texts, rejected, self.download_limit))
        except (TelegramError, httpx.HTTPError) as error:
            logger.warning("Telegram video could not be fetched (%s)", type(error).__name__)
            await self._say(incoming.chat_id, self.texts.video_fetch_failed)
        return None
