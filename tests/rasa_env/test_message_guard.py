"""The MessageGuard NLU component on real Rasa messages (run in ``.venv/rasa``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa", reason="needs the Rasa virtualenv (.venv/rasa)")

from components.message_guard import MessageGuard
from rasa.shared.nlu.training_data.message import Message

from tests.rasa_env.graph import create_component

pytestmark = pytest.mark.rasa_env


def guarded(tmp_path: Path, text: str, intent: str, entities: list[dict[str, Any]] | None = None
            ) -> Message:  # fmt: skip
    component = create_component(MessageGuard, tmp_path)
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
