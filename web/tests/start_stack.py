"""Starts the real assistant for the widget's browser tests; stops it on SIGTERM.

Run with the actions environment (``.venv/actions/bin/python web/tests/start_stack.py``):
starts the action server, Rasa (with ``--cors "*"`` and the repository's channels) and the
analysis worker through ``tests/e2e/stack.py`` — the same commands as ``scripts/run.sh`` —
and prints one JSON line ``{"rasa_url", "log_dir", "worker", ...}`` once everything answers.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.e2e import stack as e2e  # noqa: E402


def questions() -> list[tuple[str, str]]:
    """Each question's slot and the start of each of its texts (alone, and asked together
    with its second part), to know what the bot asked."""
    import yaml

    data = yaml.safe_load((REPO / "data" / "questions.yml").read_text())
    return [
        (q["slot"], " ".join(text.split())[:60])
        for q in data["questions"]
        for text in (q["ask"], (q.get("together") or {}).get("ask"))
        if text
    ]


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    tmp = Path(tempfile.mkdtemp(prefix="knee-web-e2e-"))
    env_extra = {
        "CLINIC_NAME": "Riverside Physio",
        "CLINIC_PHONE": "0123 456 789",
        "UPLOAD_TOKEN_SECRET": os.urandom(24).hex(),
        "ANALYSIS_TIME_LIMIT_S": "240",
        # Rasa answers CORS for the demo site only: the site's port is chosen now.
        "WEB_PORT": str(e2e.free_port()),
        "CORS_ORIGINS": "",
    }
    with e2e.running_stack(tmp, env_extra, with_worker=True) as stack:
        print(json.dumps({
            "rasa_url": stack.url, "web_port": int(env_extra["WEB_PORT"]),
            "log_dir": str(tmp), "worker": True,
            "questions": questions(), "video_flow": True,
            "upload_secret": env_extra["UPLOAD_TOKEN_SECRET"],  # random, for this test run only
        }), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
