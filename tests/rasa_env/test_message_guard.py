"""The MessageGuard NLU component on real Rasa messages (run in ``.venv/rasa``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from components.message_guard import MessageGuard  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

pytestmark = pytest.mark.rasa_env


def guarded(tmp_path: Path, text: str, intent: str, entities: list[dict[str, Any]] | None = None
            ) -> Message:  # fmt: skip
    component = MessageGuard.create(
        {}, LocalModelStorage(tmp_path), Resource("guard"), ExecutionContext(GraphSchema({}), "t")
    )
    message = Message.build(text=text)
    message.set("intent", {"name": intent, "confidence": 0.93})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.93}])
    message.set("entities", entities or [])
    (processed,) = component.process([message])
    return processed


def test_a_warning_sign_in_a_thank_you_becomes_information(tmp_path: Path) -> None:
    message = guarded(tmp_path, "thanks! oh and my calf is swollen, hot and tender", "thank")
    flags = [e for e in message.get("entities") if e["entity"] == "red_flag"]
    assert [f["value"] for f in flags] == ["calf_swollen_warm"] and flags[0]["certain"] is True
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform"


def test_a_guessed_erasure_is_not_an_erasure(tmp_path: Path) -> None:
    message = guarded(tmp_path, "Is it really that urgent?", "delete_data")
    assert message.get("intent")["name"] == "nlu_fallback"


def test_not_sure_is_dont_know(tmp_path: Path) -> None:
    assert guarded(tmp_path, "no idea", "deny").get("intent")["name"] == "dont_know"


def test_an_ordinary_answer_is_left_alone(tmp_path: Path) -> None:
    side = [{"entity": "side", "value": "left", "start": 0, "end": 4}]
    message = guarded(tmp_path, "left", "inform", side)
    assert message.get("intent") == {"name": "inform", "confidence": 0.93}
    assert message.get("entities") == side


def test_button_payloads_are_not_touched(tmp_path: Path) -> None:
    message = guarded(tmp_path, "/delete_data", "delete_data")
    assert message.get("intent")["name"] == "delete_data"
