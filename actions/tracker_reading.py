"""The bridge between Rasa slots and the answers mapping the pure modules work on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.questions import question_slots

#: Slots that hold answers but are not asked directly.
DERIVED_ANSWER_SLOTS = (
    "symptoms",
    "red_flags",
    "stated_change_pct",
    "self_test_hip",
    "self_test_foot",
    "unclear_answers",
    "checkin",  # what the last check left, while the runner checks in
)


def answer_slots() -> list[str]:
    """Every slot that holds something the runner told us."""
    return [*question_slots(), *DERIVED_ANSWER_SLOTS]


def answers_from(tracker: Tracker) -> dict[str, Any]:
    """The answers so far, None-valued slots left out."""
    return {
        slot: tracker.get_slot(slot)
        for slot in answer_slots()
        if tracker.get_slot(slot) is not None
    }


def latest_message(tracker: Tracker) -> tuple[str | None, list[dict[str, Any]], str]:
    """(intent name, entities, text) of the runner's latest message."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    return intent, list(message.get("entities") or []), message.get("text") or ""


def message_key(tracker: Tracker) -> str:
    """An id of the runner's latest message (Rasa's message id, else its position)."""
    message_id = (tracker.latest_message or {}).get("message_id")
    if message_id:
        return str(message_id)
    return f"#{sum(1 for event in tracker.events if event.get('event') == 'user')}"


def unit_of(tracker: Tracker) -> str:
    """The runner's distance unit ("mi" or "km"; km when they never said)."""
    return tracker.get_slot("distance_unit") or "km"


def reset_events(keep_consent: bool) -> list[SlotSet]:
    """Clears every answer (and the bookkeeping around them) for a fresh start."""
    slots = [s for s in answer_slots() if not (keep_consent and s == "consent")]
    events = [SlotSet(slot, None) for slot in slots]
    events += [
        SlotSet("reask_count", 0),
        SlotSet("pending_red_flags", None),
        SlotSet("pending_action", None),
        SlotSet("last_read_message", None),
        SlotSet("last_answered", None),
        SlotSet("last_digression", None),
        SlotSet("triage_done", False),
        SlotSet("triage_level", None),
        SlotSet("distance_unit", None),
        SlotSet("unitless_distances", None),
        SlotSet("requested_slot", None),
        SlotSet("last_checkin", None),  # a fresh start is judged on its own answers
        SlotSet("reminder_offered", None),
    ]
    return events


def analysis_told(events: list[dict[str, Any]], job_id: str) -> bool:
    """Whether the conversation was already told how analysis ``job_id`` ended.

    Every outcome of a job starts with the bot message ``{"analysis": {"status": "done" or
    "failed", "job_id": ...}}`` (``actions.video``); a second notice for the same job (the
    worker re-notifies after a lost run, or Rasa answered too late and the worker tried
    again) must not present the findings twice.
    """
    for event in events:
        if event.get("event") != "bot":
            continue
        analysis = ((event.get("data") or {}).get("custom") or {}).get("analysis") or {}
        if analysis.get("job_id") == job_id and analysis.get("status") in ("done", "failed"):
            return True
    return False
