"""The native launchers' supervisor (``scripts/supervise.py``) with tiny real processes."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import supervise

from tests.processes import alive

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; print('boom', flush=True); sys.exit(3)"]


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[supervise.Supervisor]:
    messages: list[str] = []
    sup = supervise.Supervisor(tmp_path / "log", tmp_path / "run", messages.append,
                               max_fast_crashes=3, fast_crash_s=5.0, backoff_first_s=0.1,
                               backoff_max_s=0.4)
    sup.messages = messages  # type: ignore[attr-defined]
    try:
        yield sup
    finally:
        sup.stop(timeout_s=5)


def _spec(tmp_path: Path, name: str, command: list[str]) -> supervise.ProcessSpec:
    return supervise.ProcessSpec(name, command, tmp_path, dict(os.environ))


def _poll_until(sup: supervise.Supervisor, condition: object, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sup.poll()
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")




def test_a_killed_process_is_restarted_with_a_new_pid(
        supervisor: supervise.Supervisor, tmp_path: Path) -> None:
    supervisor.start(_spec(tmp_path, "sleeper", SLEEPER))
    first = supervisor.pid("sleeper")
    assert first is not None
    assert (tmp_path / "run" / "sleeper.pid").read_text().strip() == str(first)
    os.kill(first, 9)
    _poll_until(supervisor, lambda: supervisor.pid("sleeper") not in (None, first))
    second = supervisor.pid("sleeper")
    assert (tmp_path / "run" / "sleeper.pid").read_text().strip() == str(second)
    assert any("sleeper exited (code -9)" in m for m in supervisor.messages)  # type: ignore[attr-defined]


def test_repeated_fast_crashes_give_up_with_a_clear_message(
        supervisor: supervise.Supervisor, tmp_path: Path) -> None:
    supervisor.start(_spec(tmp_path, "crasher", CRASHER))
    with pytest.raises(supervise.GaveUp, match=r"crasher exited 3 times .*giving up.*crasher\.log"):
        _poll_until(supervisor, lambda: False)
    log = (tmp_path / "log" / "crasher.log").read_text()
    assert log.count("boom") == 3, "appended on every restart, never truncated"


def test_stop_ends_every_process_group_and_removes_pid_files(
        supervisor: supervise.Supervisor, tmp_path: Path) -> None:
    # the child starts a grandchild in its own process group: the stop must reach it too
    parent = [sys.executable, "-c", "import subprocess, sys, time; "
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "print(p.pid, flush=True); time.sleep(60)"]
    supervisor.start(_spec(tmp_path, "parent", parent))
    log = tmp_path / "log" / "parent.log"
    _poll_until(supervisor, lambda: log.read_text().strip().isdigit())
    grandchild = int(log.read_text().strip())
    supervisor.stop(timeout_s=5)
    assert supervisor.pid("parent") is None
    assert not (tmp_path / "run" / "parent.pid").exists()
    time.sleep(0.2)
    assert not alive(grandchild)
    supervisor.poll()  # stopped processes are not restarted
    assert supervisor.pid("parent") is None


def test_logs_are_private_and_rotate_instead_of_truncating(tmp_path: Path) -> None:
    log = supervise.RotatingLog(tmp_path / "x.log", max_bytes=100, backups=2)
    for index in range(5):
        log.write(f"{index}".encode() * 60)
    log.close()
    assert stat.S_IMODE((tmp_path / "x.log").stat().st_mode) == 0o640
    assert (tmp_path / "x.log").read_bytes() == b"4" * 60
    assert (tmp_path / "x.log.1").read_bytes() == b"3" * 60
    assert (tmp_path / "x.log.2").read_bytes() == b"2" * 60
    assert not (tmp_path / "x.log.3").exists()


def test_wait_healthy_times_out_naming_the_log(
        supervisor: supervise.Supervisor, tmp_path: Path) -> None:
    spec = supervise.ProcessSpec("deaf", SLEEPER, tmp_path, dict(os.environ),
                                 health_url="http://127.0.0.1:9/")
    supervisor.start(spec)
    with pytest.raises(TimeoutError, match=r"deaf\.log"):
        supervisor.wait_healthy("deaf", timeout_s=1)
