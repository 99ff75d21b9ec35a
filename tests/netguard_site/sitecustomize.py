"""Install the loopback-only network guard in every Python process started with this folder
on ``PYTHONPATH`` (``PYTHONPATH=<repo>/tests/netguard_site:...``), e.g. a Rasa server that a
test starts as a subprocess.

``tests/netguard.py`` is loaded by its file path, next to this folder, so neither the
repository root nor the ``tests`` package needs to be importable in the subprocess.
Set ``NETGUARD_OFF=1`` to start such a process unguarded.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

GUARD_FILE = Path(__file__).resolve().parents[1] / "netguard.py"


def _load_guard() -> object:
    spec = importlib.util.spec_from_file_location("tests_netguard_site_guard", GUARD_FILE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the network guard from {GUARD_FILE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


if os.environ.get("NETGUARD_OFF") != "1":
    _load_guard().install()  # type: ignore[attr-defined]
