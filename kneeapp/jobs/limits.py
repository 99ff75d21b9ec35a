"""Run a Python module in a child process with CPU, memory and wall-clock limits.

The child is ``python -m <module>`` started with ``RLIMIT_AS`` (address space),
``RLIMIT_CPU`` (CPU seconds; SIGXCPU, then SIGKILL), no core dumps, its own session, and
``PR_SET_PDEATHSIG`` so it dies with the thread that started it (a worker killed with
SIGKILL leaves no orphan analysing on). It reads one JSON payload on stdin and writes its
answer as JSON to the file named in ``payload["result"]``; stdout and stderr are discarded
(no file names or tracebacks reach the logs).

Child exit codes: 0 success, 2 a handled error (the answer has ``code`` and ``message``),
4 out of memory (``MemoryError``), anything else a crash.

Limitations: ``RLIMIT_AS`` counts virtual memory, which is larger than the resident size
(MediaPipe's analysis of a 1080p clip peaks around 0.8-1.1 GB virtual here); the CPU limit
adds up all threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneeapp.settings import REPO_ROOT

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_HANDLED = 2
EXIT_MEMORY = 4
_PR_SET_PDEATHSIG = 1
_POLL_S = 0.1
_TERM_GRACE_S = 2.0


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child process."""

    memory_mb: int
    cpu_s: int
    wall_s: float


@dataclass(frozen=True)
class ChildOutcome:
    """How the child ended.

    ``kind`` is ``ok``, ``error`` (handled, see ``answer``), ``timeout`` (wall clock or CPU
    limit), ``memory`` (MemoryError), ``crashed`` (any other exit or signal) or
    ``aborted`` (stopped by the caller).
    """

    kind: str
    answer: dict[str, Any] = field(default_factory=dict)
    returncode: int | None = None
    elapsed_s: float = 0.0


def _preexec(limits: Limits) -> Callable[[], None]:
    memory = int(limits.memory_mb) << 20
    cpu = max(1, int(limits.cpu_s))

    def apply() -> None:  # runs in the child between fork and exec: keep it minimal
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    return apply


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + path if path else "")
    env.setdefault("MALLOC_ARENA_MAX", "2")  # fewer malloc arenas: less virtual memory
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("GLOG_minloglevel", "2")
    env.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    return env


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, _TERM_GRACE_S), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _classify(returncode: int, answer: dict[str, Any]) -> str:
    if returncode == EXIT_OK:
        return "ok"
    if returncode == EXIT_HANDLED and answer.get("code"):
        return "error"
    if returncode == EXIT_MEMORY:
        return "memory"
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return "timeout"  # CPU limit: SIGXCPU at the soft limit, SIGKILL at the hard one
    return "crashed"


def run_child(
    module: str,
    payload: dict[str, Any],
    limits: Limits,
    should_abort: Callable[[], bool] | None = None,
) -> ChildOutcome:
    """Run ``python -m module`` with ``payload`` under ``limits`` and wait for it.

    Args:
        module: Importable module with a ``__main__`` guard (e.g. ``kneeapp.jobs.child``).
        payload: JSON-serialisable input; ``result`` is added (the answer file).
        limits: Memory (MB), CPU seconds and wall-clock seconds.
        should_abort: Polled every 0.1 s; when it returns True the child is stopped.

    Returns:
        The outcome; never raises for anything the child does.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="knee-job-") as tmp:
        answer_path = Path(tmp) / "answer.json"
        data = json.dumps({**payload, "result": str(answer_path)}).encode()
        proc = subprocess.Popen(  # fixed interpreter and module, no shell
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=str(REPO_ROOT), env=_child_env(), start_new_session=True,
            preexec_fn=_preexec(limits),  # rlimits are set between fork and exec
        )
        try:
            assert proc.stdin is not None
            proc.stdin.write(data)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        kind: str | None = None
        while True:
            try:
                proc.wait(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - started > limits.wall_s:
                kind = "timeout"
            elif should_abort is not None and should_abort():
                kind = "aborted"
            if kind is not None:
                _stop(proc)
                break
        elapsed = time.monotonic() - started
        if kind is not None:
            return ChildOutcome(kind, {}, proc.returncode, elapsed)
        answer: dict[str, Any] = {}
        try:
            loaded = json.loads(answer_path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                answer = loaded
        except (OSError, ValueError):
            pass
        returncode = int(proc.returncode)
        return ChildOutcome(_classify(returncode, answer), answer, returncode, elapsed)
