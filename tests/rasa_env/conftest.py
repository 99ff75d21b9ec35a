"""The Rasa-environment tests import the project's components as Rasa does: with
``rasa_project`` and the repository root on the path (the Makefile sets PYTHONPATH too)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
