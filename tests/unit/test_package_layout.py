"""The packages import in the direction the layout promises, each in a clean interpreter.

``make lint`` checks the same direction statically (import-linter contracts in
pyproject.toml); this test checks what a process really loads: the worker and the CLI
tools must not drag in Rasa or the dialogue code, and the video library nothing of the app.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("actions", "kneeapp", "rasa_project", "rasa", "rasa_sdk")


def _loaded_after_import(module: str) -> set[str]:
    code = (f"import json, sys; import {module}; "
            "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module, must_not_load", [
    ("analysis_core.pipeline", (*APP_PACKAGES, "sqlalchemy")),
    ("kneeapp.jobs.worker", ("actions", "rasa_project", "rasa", "rasa_sdk")),
    ("kneeapp.store.erase", ("actions", "rasa_project", "rasa", "rasa_sdk", "analysis_core")),
    ("kneeapp.jobs.limits", ("actions", "rasa_sdk", "sqlalchemy", "analysis_core")),
    # the Rasa process renders the summary PDF too: no database, no video library
    ("kneeapp.clinic.summary_pdf", ("actions", "rasa_project", "rasa", "rasa_sdk", "sqlalchemy",
                                    "analysis_core", "cv2")),
    ("kneeapp.clinic.summary_note", ("actions", "rasa_project", "rasa", "rasa_sdk", "sqlalchemy",
                                     "analysis_core", "reportlab")),
    # the Rasa process verifies and reads Chatwoot webhooks: standard library only
    ("kneeapp.clinic.webhook_auth", (*APP_PACKAGES[:1], *APP_PACKAGES[2:], "requests",
                                     "sqlalchemy", "analysis_core")),
    ("kneeapp.clinic.webhook_events", (*APP_PACKAGES[:1], *APP_PACKAGES[2:], "requests",
                                       "sqlalchemy", "analysis_core")),
    ("kneeapp.clinic.chatwoot", ("actions", "rasa_project", "rasa", "rasa_sdk", "sqlalchemy",
                                 "analysis_core")),
])
def test_a_package_loads_nothing_above_it(module: str, must_not_load: tuple[str, ...]) -> None:
    loaded = _loaded_after_import(module)
    assert module.split(".")[0] in loaded
    assert loaded.isdisjoint(must_not_load), sorted(loaded & set(must_not_load))
