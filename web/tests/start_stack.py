"""Starts the real assistant for the widget's browser tests; stops it on SIGTERM.

Run with the actions environment (``.venv/actions/bin/python web/tests/start_stack.py``):
starts the action server and Rasa with the trained model through ``tests/e2e/stack.py``
(the same commands as ``scripts/run.sh``), plus the analysis worker when it exists, and
prints one JSON line ``{"rasa_url", "log_dir", "worker"}`` on stdout once everything answers.

Two differences from the REST end-to-end tests, both what a browser needs:
- Rasa gets ``--cors "*"`` (as in ``scripts/run.sh``): the demo page's origin differs from
  Rasa's, and the video upload is a cross-origin POST with a custom header.
- Until ``rasa_project/credentials.yml`` registers the fixed socket.io channel and the video
  upload channel, a temporary credentials file registers them (when their modules exist), so
  the widget is tested against the channel it will really talk to.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.e2e import stack as e2e  # noqa: E402

CONNECTORS = REPO / "rasa_project" / "connectors"
FALLBACK_CREDENTIALS = """\
rest:
connectors.socketio_channel.SocketIOChannel:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""
VIDEO_CHANNEL = "connectors.video_upload.VideoUploadInput:\n"


def credentials_file(tmp: Path) -> str:
    """The repository's credentials.yml if it registers the fixed channel, else a temporary one."""
    repo_file = REPO / "rasa_project" / "credentials.yml"
    text = repo_file.read_text()
    if "SocketIOChannel" in text or not (CONNECTORS / "socketio_channel.py").exists():
        return "credentials.yml"
    fallback = FALLBACK_CREDENTIALS
    if (CONNECTORS / "video_upload.py").exists():
        fallback += VIDEO_CHANNEL
    path = tmp / "credentials.yml"
    path.write_text(fallback)
    print(f"start_stack: using temporary credentials {path}", file=sys.stderr, flush=True)
    return str(path)


def patch_rasa_command(credentials: str) -> None:
    original = e2e.Stack.start_process

    def start_process(self: e2e.Stack, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        if name == "rasa-server":
            command = list(command)
            if "--cors" not in command:
                command[2:2] = ["--cors", "*"]
            command[command.index("--credentials") + 1] = credentials
        original(self, name, command, cwd, env)

    e2e.Stack.start_process = start_process  # type: ignore[method-assign]


def questions() -> dict[str, str]:
    """Each question's slot and the start of its text, to know what the bot asked."""
    import yaml

    data = yaml.safe_load((REPO / "data" / "questions.yml").read_text())
    return {q["slot"]: " ".join(q["ask"].split())[:60] for q in data["questions"]}


def video_flow_ready() -> bool:
    """Whether the bot knows the video flow yet (the lead's domain and actions)."""
    domain = (REPO / "rasa_project" / "domain.yml").read_text()
    return "share_video" in domain


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    tmp = Path(tempfile.mkdtemp(prefix="knee-web-e2e-"))
    patch_rasa_command(credentials_file(tmp))
    env_extra = {
        "CLINIC_NAME": "Riverside Physio",
        "CLINIC_PHONE": "0123 456 789",
        "MEDIA_DIR": str(tmp / "media"),
        "UPLOAD_TOKEN_SECRET": os.urandom(24).hex(),
        "ANALYSIS_TIME_LIMIT_S": "240",
    }
    with e2e.running_stack(tmp, env_extra) as stack:
        worker = None
        if (REPO / "actions" / "jobs" / "worker.py").exists():
            env = e2e.stack_env(stack.actions_port, env_extra | {"RASA_URL": stack.url})
            log = (tmp / "worker.log").open("wb")
            worker = subprocess.Popen(
                [str(e2e.ACTIONS_PYTHON), "-m", "actions.jobs.worker"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        print(json.dumps({
            "rasa_url": stack.url, "log_dir": str(tmp), "worker": worker is not None,
            "questions": questions(), "video_flow": video_flow_ready(),
            "upload_secret": env_extra["UPLOAD_TOKEN_SECRET"],  # random, for this test run only
        }), flush=True)
        try:
            while not stop.wait(0.5):
                if worker is not None and worker.poll() is not None:
                    print(f"start_stack: the worker exited ({worker.returncode}); see {tmp}/worker.log",
                          file=sys.stderr, flush=True)
                    worker = None
        finally:
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
