"""Driving the Telegram channel of a running stack as Telegram would: fixture updates sent
to the webhook, and what the bot sent read back from the Bot API stand-in."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.e2e.stack import REPO, Stack
from tests.telegram_standin import BotApiStandIn

SECRET = "knee-test_secret-123"
FIXTURES = REPO / "tests" / "fixtures" / "telegram"
_update_ids = itertools.count(700_000)


def fixture_update(name: str, chat_id: int, **message: Any) -> dict[str, Any]:
    """A fixture update for ``chat_id`` with a fresh update_id (and message fields changed)."""
    update = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["update"]
    update["update_id"] = next(_update_ids)
    body = update.get("message") or update["callback_query"]["message"]
    body["chat"]["id"] = chat_id
    update.get("message", {}).update(message)
    return update


def post(stack: Stack, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"{stack.url}/webhooks/telegram/webhook",
                                     data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def sent_to(api: BotApiStandIn, chat_id: int, method: str = "sendMessage") -> list[dict]:
    return [c.params for c in api.calls_to(method) if str(c.params.get("chat_id")) == str(chat_id)]


def wait_for_text(api: BotApiStandIn, chat_id: int, needle: str, timeout_s: float = 60) -> dict:
    call = api.wait_for(lambda c: c.method == "sendMessage" and str(c.params.get("chat_id"))
                        == str(chat_id) and needle.lower() in str(c.params.get("text")).lower(),
                        timeout_s=timeout_s)
    return dict(call.params)


def keyboard(params: dict[str, Any]) -> list[dict[str, str]]:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def press(stack: Stack, chat_id: int, button: dict[str, str]) -> None:
    update = fixture_update("callback", chat_id)
    update["callback_query"]["data"] = button["callback_data"]
    update["callback_query"]["id"] = f"cb-{update['update_id']}"
    assert post(stack, update) == 200


def consented_chat(stack: Stack, api: BotApiStandIn, chat_id: int) -> None:
    assert post(stack, fixture_update("start", chat_id)) == 200
    question = api.wait_for(lambda c: c.method == "sendMessage" and str(
        c.params.get("chat_id")) == str(chat_id) and keyboard(c.params), timeout_s=60).params
    agree = next(b for b in keyboard(question) if b["text"].lower().startswith("yes"))
    before = len(api.calls_to("answerCallbackQuery"))
    press(stack, chat_id, agree)
    api.wait_for(lambda _: len(api.calls_to("answerCallbackQuery")) > before, timeout_s=30)


def send_clip(stack: Stack, api: BotApiStandIn, chat_id: int, clip: Path) -> None:
    """The runner sends ``clip`` as a Telegram video (served by the stand-in)."""
    api.add_file("clip-treadmill", clip)
    assert post(stack, fixture_update("video", chat_id, video={
        "file_id": "clip-treadmill", "file_unique_id": "u-treadmill", "width": 1280,
        "height": 720, "duration": 12, "mime_type": "video/mp4",
        "file_size": clip.stat().st_size})) == 200


def answered_chat(stack: Stack, api: BotApiStandIn, chat_id: int,
                  answers: dict[str, str], until: str) -> dict[str, Any]:
    """A consented chat that answers each question the bot asks from ``answers`` (typed, as
    a runner would) until a message containing ``until``; returns that message's params."""
    from tests.e2e.rest_runner import asked

    consented_chat(stack, api, chat_id)
    seen = 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        texts = [str(p.get("text")) for p in sent_to(api, chat_id)]
        done = [p for p in sent_to(api, chat_id) if until.lower() in str(p.get("text")).lower()]
        if done:
            return dict(done[-1])
        slot = asked([{"text": t} for t in texts[seen:]]) if len(texts) > seen else None
        if slot is None:
            time.sleep(0.3)
            continue
        seen = len(texts)
        assert post(stack, fixture_update("text", chat_id, text=answers[slot])) == 200
    raise AssertionError(f"no message containing {until!r}")
