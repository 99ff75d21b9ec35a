"""The loopback-only network guard (``tests/netguard.py``), in this process and in a subprocess
started with ``tests/netguard_site`` on ``PYTHONPATH``."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import netguard
from tests.paths import REPO

PUBLIC_IP = "93.184.216.34"
PUBLIC_NAME = "api.telegram.org"
GUARD_MESSAGE = "test guard: .* is not loopback"


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP socket listening on 127.0.0.1; yields its port."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every host the real resolver is asked about while the guard is on."""
    seen: list[object] = []
    real = netguard._original["getaddrinfo"]

    def recording(host: object, *args: object, **kwargs: object) -> object:
        seen.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setitem(netguard._original, "getaddrinfo", recording)
    return seen


def test_the_root_conftest_installed_the_guard() -> None:
    assert netguard.installed()
    assert socket.socket.connect is netguard._guarded_connect


def test_public_ip_is_refused_fast() -> None:
    started = time.monotonic()
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        sock.connect((PUBLIC_IP, 80))
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        sock.connect_ex((PUBLIC_IP, 80))
    assert time.monotonic() - started < 1


def test_public_name_is_refused_without_a_lookup(lookups: list[object]) -> None:
    with pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        socket.create_connection((PUBLIC_NAME, 443), timeout=1)
    with pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        socket.getaddrinfo(PUBLIC_NAME, 443)
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        sock.connect((PUBLIC_NAME, 443))
    assert lookups == []


def test_asyncio_connections_are_guarded(lookups: list[object]) -> None:
    async def open_public() -> None:
        await asyncio.open_connection(PUBLIC_NAME, 443)

    with pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
        asyncio.run(open_public())
    assert lookups == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connections_work(listener: int, host: str) -> None:
    with socket.create_connection((host, listener), timeout=2) as sock:
        assert sock.getpeername()[1] == listener


def test_unix_sockets_work(tmp_path: Path) -> None:
    path = str(tmp_path / "guard.sock")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(path)
        assert client.getpeername() == path


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("192.168.1.10", False),
        ("2001:db8::1", False),
        ("::ffff:93.184.216.34", False),
        ("localhost.example.com", False),
    ],
)
def test_check_host_decides_by_address(host: str, allowed: bool) -> None:
    if allowed:
        netguard.check_host(host)
    else:
        with pytest.raises(ConnectionRefusedError, match=GUARD_MESSAGE):
            netguard.check_host(host)


SUBPROCESS_CHECKS = textwrap.dedent(
    """
    import json, socket, sys, time

    def attempt(action):
        started = time.monotonic()
        try:
            action()
        except OSError as error:
            return {"error": str(error), "seconds": time.monotonic() - started}
        return {"error": None, "seconds": time.monotonic() - started}

    def public_ip():
        with socket.socket() as sock:
            sock.connect(("93.184.216.34", 80))

    def public_name():
        socket.create_connection(("api.telegram.org", 443), timeout=2).close()

    def local():
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()

    def uvloop_blocked():
        try:
            import uvloop  # noqa: F401
        except ImportError:
            return True
        return False

    print(json.dumps({
        "public_ip": attempt(public_ip),
        "public_name": attempt(public_name),
        "local": attempt(local),
        "uvloop_blocked": uvloop_blocked(),
        "tests_importable": "tests" in sys.modules,
    }))
    """
)


def run_guarded_subprocess(port: int, cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "netguard_site")}
    env.pop("NETGUARD_OFF", None)
    completed = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_CHECKS, str(port)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)


def test_subprocess_with_the_site_folder_is_guarded(listener: int, tmp_path: Path) -> None:
    result = run_guarded_subprocess(listener, cwd=tmp_path)
    for check in ("public_ip", "public_name"):
        assert "test guard:" in result[check]["error"], result
        assert result[check]["seconds"] < 1, result
    assert result["local"]["error"] is None, result
    assert result["uvloop_blocked"] is True
    assert result["tests_importable"] is False  # the site file needs no repository on the path
