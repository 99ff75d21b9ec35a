"""Root test configuration: every test runs behind the loopback-only network guard.

``tests/netguard.py`` is installed when pytest loads this file, before any test module is
imported: connecting to, or looking up, anything but loopback (127.0.0.0/8, ::1, localhost,
AF_UNIX paths) raises ``ConnectionRefusedError("test guard: ... is not loopback")``, and
``import uvloop`` is made to fail so event loops use Python sockets the guard can see.
PostgreSQL, Redis and the servers the tests start all listen on 127.0.0.1, so they pass.
Subprocesses are guarded when started with ``tests/netguard_site`` first on ``PYTHONPATH``
(its ``sitecustomize.py`` installs the same guard).
"""

from __future__ import annotations

import pytest

from tests import netguard

netguard.install()


@pytest.fixture(scope="session", autouse=True)
def network_guard() -> None:
    """Fail the session early if something removed the guard installed at import."""
    assert netguard.installed(), "the loopback-only network guard is not installed"
