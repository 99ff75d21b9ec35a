"""Starts ``make cluster``'s topology (``scripts/launch.py cluster``) on free ports with its
own var folder, PostgreSQL database, Redis database and RQ queue, for the end-to-end tests
and the cluster benchmark. Stdlib plus psycopg2 (through ``tests.store.fixtures``).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.e2e.stack import ACTIONS_PYTHON, MODEL, REPO, authenticated
from tests.store.fixtures import create_pg_database

T = TypeVar("T")
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 9
START_TIMEOUT_S = 600


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _free_run(length: int) -> int:
    """The first of ``length`` consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + length >= 65535:
            continue
        try:
            holders = []
            for port in range(first, first + length):
                holder = socket.socket()
                holders.append(holder)
                holder.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for holder in holders:
                holder.close()
    raise RuntimeError("no run of free ports")


@dataclass
class Cluster:
    process: subprocess.Popen[str]
    var: Path
    env: dict[str, str]
    public: int
    rasa_ports: tuple[int, int]
    rasa_upstream: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.public}"

    def pid(self, name: str) -> int:
        return int((self.var / "run" / f"{name}.pid").read_text().strip())

    def api(self, method: str, path: str, port: int | None = None, body: Any = None) -> Any:
        """Rasa's HTTP API, authenticated, on one instance's private port (default: nginx's
        private upstream, as the workers call it)."""
        base = f"http://127.0.0.1:{port or self.rasa_upstream}"
        url, headers = authenticated(base, path, self.env)
        request = urllib.request.Request(
            url, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def events(self, sender: str) -> list[dict[str, Any]]:
        return list(self.api("GET", f"/conversations/{sender}/tracker")["events"])

    def _rasa_lines(self) -> list[str]:
        lines = (self.var / "log" / "nginx-access.log").read_text().splitlines()
        return [line for line in lines if any(f":{port}" in line for port in self.rasa_ports)]

    def last_upstream(self) -> int:
        """The Rasa port that answered the latest proxied request (nginx's access log holds
        no URI: just time, status, method, duration and the upstreams tried)."""
        lines = self._rasa_lines()
        assert lines, "no request reached Rasa through nginx"
        return int(lines[-1].rsplit(":", 1)[1])

    def served_by(self, request: Callable[[], T]) -> tuple[T, int]:
        """``request()``'s result and the Rasa port that answered it (nginx writes the log
        line just after the response, so this waits for it)."""
        before = len(self._rasa_lines())
        result = request()
        deadline = time.monotonic() + 5
        while len(lines := self._rasa_lines()) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(lines) > before, "the request left no line in nginx's access log"
        return result, int(lines[before].rsplit(":", 1)[1])

    def log_tail(self, name: str) -> str:
        path = self.var / "log" / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def missing_services() -> str:
    """Why the cluster cannot start here ("" when it can); PostgreSQL is checked (and the
    test skipped) by ``create_pg_database``."""
    if not MODEL.exists():
        return "no trained model: `make test` trains it first"
    if shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin") is None:
        return "nginx is not installed (scripts/setup_nginx.sh installs nginx-light)"
    if not _reachable(REDIS_PORT):
        return f"Redis is not reachable on 127.0.0.1:{REDIS_PORT}"
    return ""


def _wait_started(process: subprocess.Popen[str], var: Path) -> None:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if "cluster is running" in lines.get(timeout=1):
                return
        except queue.Empty:
            if process.poll() is not None:
                break
    logs = {p.name: p.read_text(errors="replace")[-1500:] for p in (var / "log").glob("*.log")}
    raise AssertionError(f"the cluster did not start; logs: {json.dumps(logs, indent=1)}")


@contextmanager
def running_cluster(env_extra: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Starts the cluster, yields it once it is up, and always stops it and drops its
    database."""
    database_url, drop = create_pg_database("knee_cluster_e2e")
    # nginx started as root serves files as "nobody": the site must be readable by others,
    # which pytest's private temporary folders are not
    var = Path(tempfile.mkdtemp(prefix="knee-cluster-e2e-"))
    var.chmod(0o755)
    public, rasa_base, actions_base = _free_run(1), _free_run(3), _free_run(3)
    redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    env = dict(os.environ) | {
        "PUBLIC_PORT": str(public), "RASA_PORT": str(rasa_base + 1),
        "ACTIONS_PORT": str(actions_base), "DATABASE_URL": database_url,
        "REDIS_URL": redis_url, "RQ_QUEUE": f"cluster-e2e-{uuid.uuid4().hex[:8]}",
        "MEDIA_DIR": str(var / "media"), "UPLOAD_TOKEN_SECRET": uuid.uuid4().hex * 2,
        "RASA_TOKEN": uuid.uuid4().hex * 2, "ANALYSIS_TIME_LIMIT_S": "180",
    } | (env_extra or {})
    command = [str(ACTIONS_PYTHON), "scripts/launch.py", "--var", str(var), "cluster"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        _wait_started(process, var)
        yield Cluster(process, var, env, public, (rasa_base + 1, rasa_base + 2), rasa_base)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        drop()
        shutil.rmtree(var, ignore_errors=True)
