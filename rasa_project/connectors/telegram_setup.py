"""Register the clinic's Telegram webhook, or show what Telegram has registered.

    python -m connectors.telegram_setup register https://chat.example-clinic.org
    python -m connectors.telegram_setup info

``register`` calls ``setWebhook`` with ``<public URL>/webhooks/telegram/webhook``, the
``TELEGRAM_WEBHOOK_SECRET`` and the updates the channel reads (messages, button presses);
``info`` prints ``getWebhookInfo``. Both read ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_URL``
like the channel does (docs/telegram.md has the whole set-up). Run it in the Rasa
environment: ``PYTHONPATH=rasa_project:. .venv/rasa/bin/python -m connectors.telegram_setup``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from connectors.telegram_channel import telegram_bot

from kneeapp import settings

WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = ("message", "callback_query")


def webhook_url(public_url: str) -> str:
    """The webhook address under the clinic's public HTTPS address."""
    return public_url.rstrip("/") + WEBHOOK_PATH


async def register(public_url: str) -> dict[str, Any]:
    """``setWebhook`` for this deployment; returns ``getWebhookInfo`` afterwards."""
    config = settings.current()
    async with telegram_bot(config) as bot:
        await bot.set_webhook(webhook_url(public_url),
                              secret_token=config.telegram_webhook_secret or None,
                              allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False)
        return (await bot.get_webhook_info()).to_dict()


async def info() -> dict[str, Any]:
    """What Telegram has registered for the bot (``getWebhookInfo``)."""
    async with telegram_bot(settings.current()) as bot:
        return (await bot.get_webhook_info()).to_dict()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the webhook information as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    registering = commands.add_parser("register", help="setWebhook to <public URL>" + WEBHOOK_PATH)
    registering.add_argument("public_url", help="the HTTPS address Telegram can reach")
    commands.add_parser("info", help="show getWebhookInfo")
    args = parser.parse_args(argv)
    config = settings.current()
    problems = config.telegram_problems()
    if not config.telegram_bot_token:
        problems.insert(0, "TELEGRAM_BOT_TOKEN is not set")
    if args.command == "register" and not args.public_url.startswith("https://"):
        problems.append("Telegram only calls HTTPS webhooks: give an https:// address")
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        return 2
    result = asyncio.run(register(args.public_url) if args.command == "register" else info())
    sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
