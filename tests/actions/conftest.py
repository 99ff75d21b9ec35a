"""Tracker fixtures for running actions the way the action server does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.paths import REPO


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    with (REPO / "rasa_project" / "domain.yml").open() as handle:
        return yaml.safe_load(handle)


def make_tracker(
    slots: dict[str, Any] | None = None,
    intent: str | None = "inform",
    entities: list[dict[str, Any]] | None = None,
    text: str = "",
    active_loop: str | None = None,
    actions_before: tuple[str, ...] = ("action_listen",),
) -> Tracker:
    message = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "text": text,
        "message_id": uuid.uuid4().hex,
    }
    return Tracker(
        sender_id="test-" + "0" * 8,
        slots=dict(slots or {}),
        latest_message=message,
        events=[{"event": "action", "name": name} for name in actions_before],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


RunAction = Callable[..., tuple[list[dict[str, Any]], dict[str, Any]]]


@pytest.fixture
def run_action(domain: dict[str, Any]) -> RunAction:
    """Runs an action; returns (messages sent, slot values set)."""

    def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain))
        slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        return dispatcher.messages, slots

    return run


@pytest.fixture(autouse=True)
def isolated_storage(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every action test gets its own SQLite database and media folder."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
