"""Video received -> first findings picture in the chat: Telegram against the web upload.

Target (issue 11): the Telegram path takes at most 1.2x the web upload path on the same
clip, measured alternately in the same run of the real stack (Rasa, action server, worker):
(a) web: the clip is uploaded through ``/webhooks/video/upload``; timed from sending the
upload until the first findings picture is in the conversation (polled from Rasa's
tracker); (b) Telegram: a ``video`` update is posted to the webhook and the clip fetched
from a loopback stand-in of the Bot API; timed from posting the update until the stand-in
receives ``sendPhoto`` for that chat. Both runners have consented first (not timed).

Run (after `make setup`):  .venv/actions/bin/python bench/bench_telegram.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.stack import Stack, running_stack
from tests.e2e.test_telegram_channel import (
    SECRET,
    TOKEN,
    consented_chat,
    fixture_update,
    post,
)
from tests.e2e.test_video_flow import TREADMILL, bot_events, consented, upload, upload_token
from tests.telegram_standin import BotApiStandIn

_chats = itertools.count(300_000_001)
PICTURE = '"image": "/webhooks/video/media/'
POLL_S = 0.1


def wait_for_picture(stack: Stack, sender: str, timeout_s: float = 300) -> None:
    """Polls Rasa's tracker every 0.1 s (as often as the stand-in is watched)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(PICTURE in json.dumps(event.get("data") or {})
               for event in bot_events(stack, sender)):
            return
        time.sleep(POLL_S)
    raise AssertionError(f"no findings picture within {timeout_s} s")


def web_path(stack: Stack, clip: Path) -> float:
    sender = consented(stack.url)
    token = upload_token(stack.url, sender)
    began = time.monotonic()
    status, reply = upload(stack.url, token, clip)
    if status != 200:
        raise RuntimeError(f"upload refused: {reply}")
    wait_for_picture(stack, sender)
    return time.monotonic() - began


def telegram_path(stack: Stack, api: BotApiStandIn, clip: Path) -> float:
    chat_id = next(_chats)
    consented_chat(stack, api, chat_id)
    file_id = f"bench-{chat_id}"
    api.add_file(file_id, clip)
    video = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280,
             "height": 720, "duration": 12, "mime_type": "video/mp4",
             "file_size": clip.stat().st_size}
    began = time.monotonic()
    if post(stack, fixture_update("video", chat_id, video=video)) != 200:
        raise RuntimeError("the webhook refused the update")
    api.wait_for(lambda c: c.method == "sendPhoto" and str(c.params.get("chat_id"))
                 == str(chat_id), timeout_s=300)
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    web, telegram = [], []
    with tempfile.TemporaryDirectory() as tmp, BotApiStandIn(TOKEN) as api:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
               "TELEGRAM_API_URL": api.url, "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2}
        with running_stack(Path(tmp), env, with_worker=True, network_guard=True) as stack:
            web_path(stack, TREADMILL)  # warm-up: models loaded, caches filled
            for round_no in range(args.rounds):
                first, second = (web_path, telegram_path) if round_no % 2 == 0 else (
                    telegram_path, web_path)
                for path in (first, second):
                    took = (web_path(stack, TREADMILL) if path is web_path
                            else telegram_path(stack, api, TREADMILL))
                    (web if path is web_path else telegram).append(took)
                    print(f"round {round_no + 1}: {path.__name__:13s} {took:6.1f} s")
    ratio = statistics.median(telegram) / statistics.median(web)
    print(f"median web {statistics.median(web):.1f} s, telegram "
          f"{statistics.median(telegram):.1f} s, ratio {ratio:.2f} (target <= 1.2)")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
