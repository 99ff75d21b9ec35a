"""The check-in reminder in the chat (actions/reminder_chat.py), run as the action server runs
it, on a real SQLite store."""

from __future__ import annotations

import pytest

from actions.conversation import ActionRequestConfirmation
from actions.outcome import ActionFollowup, ActionTriageResult
from kneeapp.store import reminders
from kneeapp.store.db import init_db
from tests.actions.conftest import RunAction, make_tracker
from tests.answer_sets import SELF_CARE

AFTER_OUTCOME = SELF_CARE | {"triage_done": True, "triage_level": "self_care"}
SENDER = "test-" + "0" * 8


@pytest.fixture(autouse=True)
def migrated(isolated_storage: None) -> None:
    """The test's own database, migrated as the launcher migrates it before the servers start."""
    init_db()


def _texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def test_the_outcome_offers_a_reminder_with_buttons(run_action: RunAction) -> None:
    messages, slots = run_action(ActionTriageResult(), make_tracker(slots=SELF_CARE))
    offer = messages[-1]
    assert offer["text"].startswith("Shall I remind you in 14 days")
    assert [b["payload"] for b in offer["buttons"]] == [
        '/inform{"reminder": "yes"}', '/inform{"reminder": "no"}']
    assert slots["reminder_offered"] is True
    assert reminders.pending_for(SENDER) is None, "nothing is stored before a yes"


@pytest.mark.parametrize("text", ["yes", "yes please", "ok"])
def test_a_short_yes_to_the_offer_stores_one(run_action: RunAction, text: str) -> None:
    tracker = make_tracker(slots=AFTER_OUTCOME | {"reminder_offered": True}, intent="affirm",
                           text=text)
    messages, slots = run_action(ActionFollowup(), tracker)
    assert "when you come back to this chat" in _texts(messages)
    pending = reminders.pending_for(SENDER)
    assert pending is not None and pending.channel == "rest"
    assert slots["reminder_offered"] is None


def test_a_yes_with_a_warning_sign_is_read_as_the_sign(run_action: RunAction) -> None:
    """ "ok but my calf is swollen and hot now" after the offer is not a bare yes."""
    tracker = make_tracker(
        slots=AFTER_OUTCOME | {"reminder_offered": True}, intent="affirm",
        text="ok but my calf is swollen and hot now",
        entities=[{"entity": "red_flag", "value": "calf_swollen_warm", "certain": True}])
    _, slots = run_action(ActionFollowup(), tracker)
    assert reminders.pending_for(SENDER) is None
    assert slots["triage_level"] in ("urgent", "emergency")
    assert slots["reminder_offered"] is None, "the offer lapses"


def test_remind_me_with_a_sign_does_both(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=AFTER_OUTCOME, text="remind me in two weeks, and my knee locked yesterday",
        entities=[{"entity": "red_flag", "value": "locking", "certain": True}])
    _, slots = run_action(ActionFollowup(), tracker)
    assert reminders.pending_for(SENDER) is not None
    assert slots["triage_level"] == "urgent"


def test_stop_reminders_cancels_without_the_stop_question(run_action: RunAction) -> None:
    reminders.schedule_checkin(SENDER, "telegram", reminders.checkin_due_at())
    tracker = make_tracker(slots=AFTER_OUTCOME, intent="stop", text="stop reminders please")
    messages, slots = run_action(ActionRequestConfirmation(), tracker)
    assert "no more reminders" in _texts(messages)
    assert "pending_action" not in slots, "the chat itself is not stopped"
    assert reminders.pending_for(SENDER) is None
    again, _ = run_action(ActionRequestConfirmation(), tracker)
    assert "nothing to stop" in _texts(again)
