"""A small process supervisor for the native launchers (``make run``, ``make cluster``).

Standard library only. Every process runs in its own process group (so a stop reaches its
children too), writes to ``var/log/<name>.log`` (mode 0640; rotated to ``<name>.log.1`` …
when it grows past ``LOG_MAX_BYTES``, never truncated), and has ``var/run/<name>.pid``.
A process that exits while the stack runs is restarted after a back-off that doubles with
each quick crash; after ``MAX_FAST_CRASHES`` crashes, each within ``FAST_CRASH_S`` of its
start, the supervisor gives up with a message naming the log, and the stack stops.

Limitations: the supervisor itself is not supervised (use systemd or compose for that);
a child's output passes through a pipe and a thread of the supervisor, so a stopped
supervisor means stopped logs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5
LOG_MODE = 0o640
MAX_FAST_CRASHES = 5
FAST_CRASH_S = 30.0
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
STOP_TIMEOUT_S = 20.0


class GaveUp(RuntimeError):
    """A process kept crashing right after its start; the message says which and where."""


@dataclass(frozen=True)
class ProcessSpec:
    """One supervised process: how to start it and how to know it is up."""

    name: str
    command: Sequence[str]
    cwd: Path
    env: Mapping[str, str]
    health_url: str = ""
    health_headers: Mapping[str, str] = field(default_factory=dict)


class RotatingLog:
    """An append-only log file that rotates (``name.log.1`` … ``.N``) past a size."""

    def __init__(self, path: Path, max_bytes: int = LOG_MAX_BYTES,
                 backups: int = LOG_BACKUPS) -> None:
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._lock = threading.Lock()
        self._file = self._open()

    def _open(self) -> IO[bytes]:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_MODE)
        os.chmod(self.path, LOG_MODE)  # an older file may have been laxer
        return os.fdopen(descriptor, "ab", buffering=0)

    def write(self, chunk: bytes) -> None:
        """Appends ``chunk``, rotating first when the file would grow past the limit."""
        with self._lock:
            if self._file.tell() + len(chunk) > self.max_bytes and self._file.tell() > 0:
                self._rotate()
            self._file.write(chunk)

    def _rotate(self) -> None:
        self._file.close()
        for index in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{index + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        self._file = self._open()

    def close(self) -> None:
        with self._lock:
            self._file.close()


@dataclass
class _Child:
    spec: ProcessSpec
    log: RotatingLog
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    fast_crashes: int = 0
    restart_at: float | None = None
    pump: threading.Thread | None = None


def _pump(stream: IO[bytes], log: RotatingLog) -> None:
    for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
        log.write(chunk)
    stream.close()


def http_ok(url: str, headers: Mapping[str, str] | None = None) -> bool:
    """True when ``url`` answers 200 within 2 s."""
    try:
        request = urllib.request.Request(url, headers=dict(headers or {}))
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Supervisor:
    """Starts, watches, restarts and stops a set of processes.

    Args:
        log_dir: Where ``<name>.log`` goes.
        run_dir: Where ``<name>.pid`` goes.
        say: Where messages for the operator go (default: standard error).
    """

    def __init__(self, log_dir: Path, run_dir: Path,
                 say: Callable[[str], None] | None = None, *,
                 max_fast_crashes: int = MAX_FAST_CRASHES, fast_crash_s: float = FAST_CRASH_S,
                 backoff_first_s: float = BACKOFF_FIRST_S, backoff_max_s: float = BACKOFF_MAX_S,
                 log_max_bytes: int = LOG_MAX_BYTES) -> None:
        self.log_dir, self.run_dir = log_dir, run_dir
        for folder in (log_dir, run_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.say = say or (lambda text: sys.stderr.write(text + "\n"))
        self.max_fast_crashes, self.fast_crash_s = max_fast_crashes, fast_crash_s
        self.backoff_first_s, self.backoff_max_s = backoff_first_s, backoff_max_s
        self.log_max_bytes = log_max_bytes
        self.children: dict[str, _Child] = {}
        self.gave_up: str = ""
        self.stopping = False

    def pid(self, name: str) -> int | None:
        """The running pid of ``name`` (None while it is down)."""
        process = self.children[name].process
        return process.pid if process is not None and process.poll() is None else None

    def start(self, spec: ProcessSpec) -> None:
        """Starts ``spec`` in its own process group and remembers it for supervision."""
        log = RotatingLog(self.log_dir / f"{spec.name}.log", self.log_max_bytes)
        child = _Child(spec=spec, log=log)
        self.children[spec.name] = child
        self._spawn(child)

    def _spawn(self, child: _Child) -> None:
        spec = child.spec
        child.process = subprocess.Popen(
            list(spec.command), cwd=spec.cwd, env=dict(spec.env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        child.started_at, child.restart_at = time.monotonic(), None
        assert child.process.stdout is not None
        child.pump = threading.Thread(target=_pump, args=(child.process.stdout, child.log),
                                      daemon=True)
        child.pump.start()
        pid_file = self.run_dir / f"{spec.name}.pid"
        pid_file.write_text(f"{child.process.pid}\n", encoding="ascii")

    def poll(self) -> None:
        """Notices exited processes, schedules restarts and runs the due ones.

        Raises:
            GaveUp: A process crashed ``max_fast_crashes`` times right after starting.
        """
        now = time.monotonic()
        for child in self.children.values():
            if self.stopping or child.process is None:
                continue
            code = child.process.poll()
            if code is None or child.restart_at is not None:
                if child.restart_at is not None and now >= child.restart_at:
                    self._spawn(child)
                continue
            self._crashed(child, code, now)

    def _crashed(self, child: _Child, code: int, now: float) -> None:
        name = child.spec.name
        _signal_group(child, signal.SIGKILL)  # what it left behind (it may hold its port)
        ran_s = now - child.started_at
        child.fast_crashes = child.fast_crashes + 1 if ran_s < self.fast_crash_s else 1
        if child.fast_crashes >= self.max_fast_crashes:
            self.gave_up = (f"{name} exited {child.fast_crashes} times in a row within "
                            f"{self.fast_crash_s:g} s of starting; giving up. "
                            f"See {self.log_dir / (name + '.log')}")
            raise GaveUp(self.gave_up)
        delay = min(self.backoff_max_s, self.backoff_first_s * 2 ** (child.fast_crashes - 1))
        child.restart_at = now + delay
        self.say(f"{name} exited (code {code}) after {ran_s:.0f} s; restarting in "
                 f"{delay:g} s (see {self.log_dir / (name + '.log')})")

    def wait_healthy(self, name: str, timeout_s: float = 300.0) -> None:
        """Waits until ``name``'s health URL answers 200, supervising meanwhile.

        Raises:
            GaveUp: It kept crashing.
            TimeoutError: It did not answer within ``timeout_s``.
        """
        spec = self.children[name].spec
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.poll()
            if self.pid(name) is not None and http_ok(spec.health_url, spec.health_headers):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not answer within {timeout_s:.0f} s; "
                           f"see {self.log_dir / (name + '.log')}")

    def run_until(self, done: Callable[[], bool], interval_s: float = 0.2) -> None:
        """Supervises until ``done()`` is true (or a process is given up on)."""
        while not done():
            self.poll()
            time.sleep(interval_s)

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stops every process group (last started first): SIGTERM, then SIGKILL."""
        self.stopping = True
        running = [c for c in reversed(list(self.children.values()))
                   if c.process is not None and c.process.poll() is None]
        for child in running:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.process.wait()
        for child in self.children.values():
            if child.pump is not None:
                child.pump.join(timeout=2)
            child.log.close()
            (self.run_dir / f"{child.spec.name}.pid").unlink(missing_ok=True)


def _signal_group(child: _Child, signum: int) -> None:
    assert child.process is not None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.process.pid, signum)
