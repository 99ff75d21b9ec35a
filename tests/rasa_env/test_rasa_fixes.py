"""The documented fixes to Rasa internals (rasa_project/rasa_fixes.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("rasa")

import components  # noqa: F401  (applies the fixes, as config.yml's component import does)
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.socketio import SocketIOOutput


def test_action_responses_are_still_validated() -> None:
    action = RemoteAction("validate_triage_form", None)
    assert action._validate_action_result({"events": [], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": 42}], "responses": []})


class RecordingServer:
    def __init__(self) -> None:
        self.emitted: list[tuple[Any, ...]] = []

    async def emit(self, event: str, data: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data, kwargs))


def test_socketio_custom_payload_is_sent_whole_to_the_room() -> None:
    server = RecordingServer()
    output = SocketIOOutput(server, "bot_uttered")
    asyncio.run(output.send_custom_json("conversation-1", {"triage": {"level": "urgent"}}))
    expected = ("bot_uttered", {"triage": {"level": "urgent"}}, {"room": "conversation-1"})
    assert server.emitted == [expected]
