"""The hardening of issue 14 against the real Rasa + action servers (``tests/e2e/stack.py``
runs Rasa as the launchers do: ``--auth-token``, ``--cors`` from ``CORS_ORIGINS``).

- Rasa's HTTP API refuses the probes of the issue without the token; CORS does not answer a
  foreign site.
- A 100 KB message is refused at once with a friendly reply, over REST and socket.io, and
  is not stored.
- Error paths (the action server down, then answering 500 with the echoed request, a
  malformed intent message, a broken REST body) give the runner a "please try again" and
  leave neither the runner's words nor the conversation id in any log, at DEBUG level.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.stack import MODEL, RASA_PYTHON, REPO, Stack, running_stack, say

pytestmark = pytest.mark.e2e

#: Words no log line may contain (rare enough to be found only if leaked).
WORDS = ("zebrafinch", "tangerinekneecap", "quokkastride")
SAID = f"my knee hurts since the {WORDS[0]} race, {WORDS[1]} on the inside {WORDS[2]}"
CHANNEL_TEXTS = yaml.safe_load((REPO / "data" / "channels.yml").read_text(encoding="utf-8"))
TRY_AGAIN = " ".join(CHANNEL_TEXTS["try_again"].split())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip("no trained model: `make test` trains it first")
    env = {"LOG_LEVEL": "DEBUG", "MESSAGE_MAX_CHARS": "2000", "WEB_PORT": "8080",
           "CORS_ORIGINS": ""}
    with running_stack(tmp_path_factory.mktemp("hardening"), env) as s:
        yield s


def _status(url: str, method: str = "GET", body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers or {},
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_http_api_refuses_strangers(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack.url, sender, "hi")
    probes = [("GET", f"/conversations/{sender}/tracker", None),
              ("POST", f"/conversations/{sender}/tracker/events?output_channel=latest",
               {"event": "bot", "text": "http://evil.example"}),
              ("DELETE", "/model", None),
              ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:9/x"}}),
              ("GET", "/domain", None)]
    for method, path, body in probes:
        assert _status(stack.url + path, method, body)[0] == 401, (method, path)
    assert stack.tracker(sender)["sender_id"] == sender  # our clients are let in
    preflight = {"Access-Control-Request-Method": "POST", "Origin": "https://evil.example"}
    _, headers = _status(f"{stack.url}/webhooks/rest/webhook", "OPTIONS", headers=preflight)
    assert "Access-Control-Allow-Origin" not in headers
    _, headers = _status(f"{stack.url}/webhooks/rest/webhook", "OPTIONS",
                         headers=preflight | {"Origin": "http://127.0.0.1:8080"})
    assert headers.get("Access-Control-Allow-Origin") == "http://127.0.0.1:8080"


def test_a_100_kb_message_is_refused_at_once_and_not_stored(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    began = time.monotonic()
    replies = say(stack.url, sender, "my knee " * 12_500)
    took = time.monotonic() - began
    assert [" ".join(r["text"].split()) for r in replies] == [
        " ".join(CHANNEL_TEXTS["message_too_long"].format(limit_chars=2000).split())]
    assert took < 5, f"the refusal took {took:.1f} s"
    users = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert users == []


def test_a_long_socketio_message_is_refused(stack: Stack) -> None:
    session = uuid.uuid4().hex
    runner = subprocess.Popen(
        [str(RASA_PYTHON), str(REPO / "tests" / "e2e" / "socketio_runner.py"), stack.url,
         session], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=stack.env)
    try:
        assert runner.stdout is not None and runner.stdin is not None
        assert "joined" in json.loads(runner.stdout.readline())
        runner.stdin.write("knee " * 1000 + "\n")
        runner.stdin.flush()
        reply = json.loads(runner.stdout.readline())
        assert "too long for me to read" in reply["text"]
    finally:
        runner.kill()
        runner.wait(10)


class _EchoingActionServer(BaseHTTPRequestHandler):
    """What rasa-sdk does with an unhandled exception: 500 with the whole request body."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"error": "boom", "request": body.decode()}).encode())

    def log_message(self, *args: Any) -> None:
        return


def _texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(" ".join(str(r.get("text", "")).split()) for r in replies)


def test_error_paths_ask_to_try_again_and_leave_nothing_in_the_logs(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack.url, sender, SAID)
    say(stack.url, sender, f'/inform{{"side": "left"}} {WORDS[0]} {WORDS[1]}')
    _status(f"{stack.url}/webhooks/rest/webhook", "POST",
            body=f'{{"sender": "{sender}", "message": "{WORDS[2]}')  # not JSON
    action_server = stack.processes[0]
    os.killpg(action_server.pid, signal.SIGTERM)
    action_server.wait(20)
    assert TRY_AGAIN in _texts(say(stack.url, sender, SAID)), "action server down"
    echo = ThreadingHTTPServer(("127.0.0.1", stack.actions_port), _EchoingActionServer)
    thread = threading.Thread(target=echo.serve_forever, daemon=True)
    thread.start()
    try:
        assert TRY_AGAIN in _texts(say(stack.url, sender, SAID + " again")), "action 500"
    finally:
        echo.shutdown()
        echo.server_close()
    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*.log")}
    rasa_log = logs["rasa-server.log"]
    assert "Encountered an exception" in rasa_log, "the error path was not taken"
    for name, text in logs.items():
        for secret in (*WORDS, sender):
            assert secret not in text, f"{secret!r} in {name}"
        longest = max((len(line) for line in text.splitlines()), default=0)
        assert longest < 2000, f"a {longest}-character line in {name}"


def test_the_database_is_not_world_readable(stack: Stack) -> None:
    db = Path(stack.env["DATABASE_URL"].removeprefix("sqlite:///"))
    assert db.stat().st_mode & 0o077 == 0, oct(db.stat().st_mode)
