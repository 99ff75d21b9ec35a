"""While a person at the clinic has the chat, the runner's messages are queued for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from connectors import chat_links
from connectors.handover_relay import missed_during_pause, relay_paused_messages, relay_payload
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from kneeapp.clinic import deliveries
from kneeapp.store import plain_sql
from tests.rasa_env.channel_tables import create_channel_tables

VIDEO = "b" * 32


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    create_channel_tables(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield
    chat_links.dispose()


def said(text: str, intent: str = "inform") -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 1.0})


def analysis_ready(job: str) -> UserUttered:
    return UserUttered.create_external("EXTERNAL_analysis_ready",
                                       [{"entity": "job_id", "value": job}])


def tracker_with(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("conv-relay", list(events))


def queued() -> list[dict]:
    """Every queued delivery's payload, oldest first (all relays of one conversation)."""
    with plain_sql.engine().begin() as connection:
        rows = connection.execute(text(
            "SELECT kind, payload FROM clinic_deliveries ORDER BY id")).all()
    assert {row[0] for row in rows} <= {deliveries.RELAY}
    return [json.loads(row[1]) for row in rows]


def test_only_messages_after_the_pause_are_relayed() -> None:
    before = [said("talk to a person", "request_human"), ActionExecuted("action_handoff"),
              BotUttered("I've passed our chat on"), ConversationPaused()]
    new = [said("it's my left knee"), said(f'/share_video{{"video_id": "{VIDEO}"}}',
                                           "share_video"), analysis_ready("c" * 32)]
    tracker = tracker_with(*before, *new)
    assert relay_paused_messages(tracker, new) == 2
    assert queued() == [{"text": "it's my left knee"}, {"video_id": VIDEO}]


def test_the_turn_that_pauses_relays_nothing_of_itself() -> None:
    turn = [said("talk to a person", "request_human"), ActionExecuted("action_handoff"),
            ConversationPaused()]
    assert relay_paused_messages(tracker_with(*turn), turn) == 0
    assert queued() == []


def test_nothing_is_relayed_after_the_bot_resumed() -> None:
    events = [ConversationPaused(), ConversationResumed(), said("thanks, bye")]
    assert relay_paused_messages(tracker_with(*events), events[-1:]) == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("  my knee  ", {"text": "my knee"}),
    ("EXTERNAL: EXTERNAL_analysis_ready", None),
    ("", None),
    ('/share_video{"video_id": 5}', {"text": '/share_video{"video_id": 5}'}),
    ("/share_video{not json}", {"text": "/share_video{not json}"}),
])
def test_what_one_message_becomes(text: str, expected: dict | None) -> None:
    assert relay_payload(text) == expected


def test_what_the_pause_held_back_is_handed_on_in_order() -> None:
    tracker = tracker_with(
        analysis_ready("0" * 32),  # before the pause: already shown
        ConversationPaused(),
        analysis_ready("1" * 32),
        said(f'/share_video{{"video_id": "{VIDEO}"}}', "share_video"),
        said("any news?"),
    )
    assert missed_during_pause(tracker) == [
        ("EXTERNAL_analysis_ready", {"job_id": "1" * 32}),
        ("share_video", {"video_id": VIDEO}),
    ]


def test_a_warning_sign_in_a_relayed_message_travels_with_it() -> None:
    flag = {"entity": "red_flag", "value": "calf_swollen_warm"}
    calf = UserUttered("my calf is swollen and hot now", {"name": "inform", "confidence": 1},
                       entities=[flag | {"certain": True}, {"entity": "side", "value": "left"},
                                 flag])
    events = [ConversationPaused(), calf]
    assert relay_paused_messages(tracker_with(*events), [calf]) == 1
    assert queued() == [{"text": "my calf is swollen and hot now",
                         "red_flags": ["calf_swollen_warm"]}]
