"""Starts the real action server and Rasa server for end-to-end tests and benchmarks.

The same commands as ``make run`` (``scripts/launch.py``), on free ports, with logs in a
temporary folder.
Rasa's HTTP API is private as in production: the stack runs Rasa with a random
``--auth-token`` (``RASA_TOKEN`` in the processes' environment, so the worker uses it) unless
the test sets ``RASA_TOKEN`` or ``RASA_JWT_SECRET`` itself, and with ``--cors`` limited to
``CORS_ORIGINS``. Stdlib and ``kneeapp``'s stdlib modules only, so both virtualenvs can
import it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from kneeapp import rasa_api, settings
from kneeapp.rasa_api import rasa_security_args

REPO = Path(__file__).resolve().parents[2]
RASA_BIN = REPO / ".venv" / "rasa" / "bin" / "rasa"
ACTIONS_PYTHON = REPO / ".venv" / "actions" / "bin" / "python"
RASA_PYTHON = REPO / ".venv" / "rasa" / "bin" / "python"
MODEL = REPO / "rasa_project" / "models" / "current.tar.gz"
NETGUARD_SITE = REPO / "tests" / "netguard_site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_ok(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def authenticated(base_url: str, path: str, env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The URL of Rasa's HTTP API ``path`` and the headers that let a client in, with the
    ``RASA_TOKEN`` or ``RASA_JWT_SECRET`` of ``env`` (:mod:`kneeapp.rasa_api`)."""
    credentials = rasa_api.auth(settings.current(env))
    if credentials.params:
        path += ("&" if "?" in path else "?") + urlencode(credentials.params)
    return f"{base_url}{path}", credentials.headers


@dataclass
class Stack:
    """A running action server + Rasa server pair."""

    rasa_port: int
    actions_port: int
    log_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def api(self, method: str, path: str, body: Any = None, timeout_s: float = 30) -> Any:
        """Calls Rasa's HTTP API as our own code does (authenticated); returns the JSON."""
        url, headers = self.authenticated(path)
        request = urllib.request.Request(
            url, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return json.loads(response.read() or b"null")

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker, read through the authenticated HTTP API."""
        return dict(self.api("GET", f"/conversations/{quote(conversation_id, safe='')}/tracker"))

    def start_process(self, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.processes.append(
            subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def authenticated(self, path: str) -> tuple[str, dict[str, str]]:
        """The URL of an HTTP API ``path`` and the headers that let our code in."""
        return authenticated(self.url, path, self.env)

    def wait_until_up(self, url: str, name: str, timeout_s: float = 240,
                      headers: dict[str, str] | None = None) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if _get_ok(url, headers):
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.5)
        self.stop()
        log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{name} did not start; end of its log:\n{log}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def stack_env(actions_port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ACTIONS_PORT=str(actions_port),
        SANIC_HOST="127.0.0.1",
        PYTHONPATH=f"{REPO / 'rasa_project'}:{REPO}",
        TF_CPP_MIN_LOG_LEVEL="3",
        RASA_TELEMETRY_ENABLED="false",
    )
    env.update(extra or {})
    return env


def start_worker(stack: Stack) -> None:
    """Starts (or restarts) the analysis worker of ``stack``."""
    command = [str(ACTIONS_PYTHON), "-m", "kneeapp.jobs.worker"]
    stack.start_process("worker", command, REPO, stack.env)


@contextmanager
def running_stack(
    log_dir: Path,
    env_extra: dict[str, str] | None = None,
    model: Path = MODEL,
    with_worker: bool = False,
    network_guard: bool = False,
) -> Iterator[Stack]:
    """Starts the servers (and the worker), yields the stack, and always stops them.

    With ``network_guard`` every process fails any connection that is not to loopback
    (``tests/netguard_site``), so a test proves nothing reaches an outside service.

    Storage is private to the stack: a SQLite file and a media folder under ``log_dir``,
    unless ``env_extra`` sets DATABASE_URL / MEDIA_DIR (e.g. PostgreSQL).
    """
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make setup` first")
    stack = Stack(rasa_port=free_port(), actions_port=free_port(), log_dir=log_dir)
    storage = {
        "DATABASE_URL": f"sqlite:///{log_dir / 'app.db'}",
        "MEDIA_DIR": str(log_dir / "media"),
        "RASA_URL": stack.url,
    }
    stack.env = stack_env(stack.actions_port, storage | (env_extra or {}))
    if not (stack.env.get("RASA_TOKEN") or stack.env.get("RASA_JWT_SECRET")):
        stack.env["RASA_TOKEN"] = secrets.token_hex(24)  # as the launchers do; never "-…"
    if network_guard:
        stack.env["PYTHONPATH"] = f"{NETGUARD_SITE}:{stack.env['PYTHONPATH']}"
    migrate = [str(ACTIONS_PYTHON), "-c", "from kneeapp.store.db import init_db; init_db()"]
    subprocess.run(migrate, cwd=REPO, env=stack.env, check=True)
    actions = [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "actions"]
    rasa = [str(RASA_BIN), "run", "--enable-api", "-i", "127.0.0.1"]
    rasa += rasa_security_args(stack.env)
    rasa += ["--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
    try:
        stack.start_process(
            "action-server", [*actions, "-p", str(stack.actions_port), "--quiet"], REPO, stack.env
        )
        stack.wait_until_up(f"http://127.0.0.1:{stack.actions_port}/health", "action-server")
        stack.start_process(
            "rasa-server",
            [*rasa, "-p", str(stack.rasa_port), "-m", str(model)],
            REPO / "rasa_project",
            stack.env,
        )
        status, headers = stack.authenticated("/status")  # 200 once the model is loaded
        stack.wait_until_up(status, "rasa-server", headers=headers)
        if with_worker:
            start_worker(stack)
        yield stack
    finally:
        stack.stop()


def say(url: str, sender: str, message: str, timeout_s: float = 30) -> list[dict[str, Any]]:
    """Sends one message over the REST channel and returns the bot's replies."""
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        replies: list[dict[str, Any]] = json.loads(response.read())
    return replies
