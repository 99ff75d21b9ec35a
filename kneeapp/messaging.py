"""Messages to a runner's messaging-app chat sent from outside Rasa (the worker).

Rasa's channels (``rasa_project/connectors``) talk to Telegram through python-telegram-bot
and to WhatsApp through httpx; neither is in the worker's environment, and the worker needs
one call of each: Telegram's ``sendMessage`` and the Cloud API's ``POST
/{phone_number_id}/messages``. So they are made here with ``requests``, as the worker's
Chatwoot client does, against the same settings (``TELEGRAM_API_URL``, ``WHATSAPP_API_URL``
and their tokens). The WhatsApp message shapes are built once, here: the WhatsApp channel
builds its messages with :func:`whatsapp_message` and :func:`whatsapp_template` too.

Errors are :class:`SendError`, whose ``reason`` names the failure without a token, a chat id,
a number or the text.
"""

from __future__ import annotations

from typing import Any

import requests

from kneeapp.settings import Settings

TIMEOUT_S = (10.0, 30.0)  # connect, read


class SendError(Exception):
    """A message was not accepted.

    Attributes:
        reason: Short and safe to log or store (``telegram_403``, ``whatsapp_131009``,
            ``unreachable``).
        retryable: True when trying again later can help (no answer, 429, 5xx).
    """

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def whatsapp_message(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A Cloud API message of type ``kind`` (``text``, ``interactive``, ``template``, ...)."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": kind, kind: content}


def whatsapp_template(to: str, name: str, language: str) -> dict[str, Any]:
    """An approved template without parameters (the only message allowed outside the
    24-hour window)."""
    return whatsapp_message(to, "template", {"name": name, "language": {"code": language}})


def _post(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None
          ) -> requests.Response:
    try:
        return requests.post(url, json=payload, headers=headers, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise SendError("unreachable", retryable=True) from exc


class TelegramSender:
    """Sends texts through the clinic's Telegram bot (``TELEGRAM_BOT_TOKEN``)."""

    def __init__(self, config: Settings) -> None:
        """A sender for the configured bot and Bot API root."""
        self._url = (f"{config.telegram_api_url.rstrip('/')}/bot{config.telegram_bot_token}"
                     "/sendMessage")

    def send_text(self, chat_id: str, text: str) -> None:
        """Sends ``text`` (at most 4,096 characters) to the chat ``chat_id``.

        Raises:
            SendError: Telegram did not accept it.
        """
        chat: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        answer = _post(self._url, {"chat_id": chat, "text": text})
        try:
            ok = bool(answer.json().get("ok"))
        except ValueError:
            ok = False
        if not ok:
            raise SendError(f"telegram_{answer.status_code}", _retryable(answer.status_code))


class WhatsAppSender:
    """Sends Cloud API messages from the clinic's business number."""

    def __init__(self, config: Settings) -> None:
        """A sender for the configured Graph API root, number and token."""
        self._url = (f"{config.whatsapp_api_url.rstrip('/')}/"
                     f"{config.whatsapp_phone_number_id}/messages")
        self._headers = {"Authorization": f"Bearer {config.whatsapp_access_token}"}

    def send(self, message: dict[str, Any]) -> None:
        """Sends one message built by :func:`whatsapp_message` or :func:`whatsapp_template`.

        Raises:
            SendError: The Cloud API did not accept it (``reason`` carries Graph's code).
        """
        answer = _post(self._url, message, self._headers)
        if answer.ok:
            return
        try:
            code = answer.json().get("error", {}).get("code")
        except (ValueError, AttributeError):
            code = None
        raise SendError(f"whatsapp_{code or answer.status_code}", _retryable(answer.status_code))
