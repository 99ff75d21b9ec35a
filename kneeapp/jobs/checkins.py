"""The worker's sender of due check-in reminders (:mod:`kneeapp.store.reminders`).

Runs in every round of the worker's housekeeping (:func:`kneeapp.jobs.worker.maintain`: the
local worker's loop, and the ``--maintain`` companion of the RQ backend), so a reminder
stored in the database is sent whichever worker runs, after any restart, once:

- Telegram: ``checkin_reminder.message`` of ``data/messages.yml`` to the chat linked to the
  conversation (``channel_chats``);
- WhatsApp: the clinic's approved template ``WHATSAPP_CHECKIN_TEMPLATE`` to the number the
  WhatsApp channel noted on the reminder: days after the runner's last message, WhatsApp
  allows nothing else;
- other channels (the web chat): nothing is sent; the chat shows the reminder at the next
  visit (:func:`kneeapp.store.reminders.take_web_reminder`).

A send that fails is tried again later with growing waits, up to
:data:`kneeapp.store.reminders.MAX_ATTEMPTS` tries; one that cannot succeed (the channel is
not configured, the chat was erased, no number or template) is given up at once. Logs carry
reminder ids and error names only: never a chat id, a number or the text.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

from content_schema import load
from content_schema.schemas import MessagesFile
from kneeapp import settings
from kneeapp.jobs import queue
from kneeapp.messaging import SendError, TelegramSender, WhatsAppSender, whatsapp_template
from kneeapp.store import reminders
from kneeapp.store.reminders import Reminder

log = logging.getLogger(__name__)

MESSAGES = settings.REPO_ROOT / "data" / "messages.yml"


@lru_cache(maxsize=1)
def _messages() -> MessagesFile:
    loaded: MessagesFile = load(MESSAGES, MessagesFile)
    return loaded


def reminder_text(days: int) -> str:
    """The Telegram reminder's words (``data/messages.yml``), ``days`` filled in."""
    return _messages().checkin_reminder.message.format(days=days)


def send_telegram(reminder: Reminder, config: settings.Settings) -> None:
    """The reminder's text to the conversation's Telegram chat.

    Raises:
        SendError: Not configured, no chat (erased) or not accepted.
    """
    if not config.telegram_bot_token:
        raise SendError("telegram_off", retryable=False)
    if not reminder.chat_key:
        raise SendError("no_chat", retryable=False)
    TelegramSender(config).send_text(reminder.chat_key,
                                     reminder_text(config.checkin_reminder_days))


def send_whatsapp(reminder: Reminder, config: settings.Settings) -> None:
    """The approved check-in template to the runner's WhatsApp number.

    Raises:
        SendError: Not configured, no template or number, or not accepted.
    """
    if not config.whatsapp_access_token or not config.whatsapp_checkin_template:
        raise SendError("whatsapp_no_template", retryable=False)
    if not reminder.recipient:
        raise SendError("no_number", retryable=False)
    WhatsAppSender(config).send(whatsapp_template(
        reminder.recipient, config.whatsapp_checkin_template, config.whatsapp_template_language))


SENDERS = {reminders.TELEGRAM: send_telegram, reminders.WHATSAPP: send_whatsapp}


def send_due(now: dt.datetime | None = None, worker_id: str | None = None,
             limit: int = 20) -> int:
    """Sends the reminders that are due (each once); a failure never escapes.

    Args:
        now: The current time, UTC (tests pass their own).
        worker_id: Who claims them (default: a fresh id of this process).
        limit: Most reminders sent in one call.

    Returns:
        How many were sent.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    config = settings.current()
    sent = 0
    for reminder in reminders.claim_due(now, worker_id or queue.make_worker_id("remind"), limit):
        try:
            SENDERS[reminder.channel](reminder, config)
        except SendError as exc:
            _failed(reminder, exc.reason, exc.retryable, now)
        except Exception as exc:  # a bug or a broken data file: try again later
            _failed(reminder, type(exc).__name__, True, now)
        else:
            reminders.mark_sent(reminder.id, now)
            sent += 1
    if sent:
        log.info("check-in reminders sent: %d", sent)
    return sent


def _failed(reminder: Reminder, error: str, retryable: bool, now: dt.datetime) -> None:
    again = reminders.retry_later(reminder, error, now, retryable)
    log.warning("check-in reminder %s (%s) failed: %s; %s", reminder.id, reminder.channel,
                error, "will retry" if again else "given up")
