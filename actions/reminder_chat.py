"""The check-in reminder in the chat: the offer after an outcome, the reply, "stop reminders".

Thin glue over :mod:`kneeapp.store.reminders` (storage, sending: docs/reminders.md). A
reminder is only stored after the runner says yes; Telegram and WhatsApp get a message when
it is due, the other channels start with the check-in at the runner's next visit.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import text
from actions.tracker_reading import latest_message
from kneeapp import settings
from kneeapp.store import reminders

#: Channels the worker sends a due reminder to (the others wait for the next visit).
PUSHED_CHANNELS = frozenset({"telegram", "whatsapp"})
#: Levels after which a check-in makes sense (the others are told to see someone now).
OFFERED_AFTER = frozenset({"self_care", "clinician"})
_ASKS_FOR_ONE = re.compile(r"\bremind me\b")
_STOPS = re.compile(
    r"\b(?:stop|cancel|no more|turn off|switch off|don'?t send|do not send)\b.{0,20}\breminders?\b"
    r"|\b(?:don'?t|do not) remind me\b|\bno reminders?\b"
)
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|sure|ok|okay|please|go on|sounds good)\b")
#: A bare answer to the offer; anything longer may carry news and is read as such too.
SHORT_REPLY_WORDS = 4


def offer_reminder(
    dispatcher: CollectingDispatcher, conversation_id: str, level: str
) -> list[EventType]:
    """After an outcome: "Shall I remind you in 14 days?", unless one is already set."""
    if level not in OFFERED_AFTER or reminders.pending_for(conversation_id) is not None:
        return []
    days = settings.current().checkin_reminder_days
    dispatcher.utter_message(
        text=text("checkin_reminder", "offer", days=str(days)),
        buttons=[
            {"title": text("checkin_reminder", "yes_button"),
             "payload": '/inform{"reminder": "yes"}'},
            {"title": text("checkin_reminder", "no_button"),
             "payload": '/inform{"reminder": "no"}'},
        ],
    )  # fmt: skip
    return [SlotSet("reminder_offered", True)]


def is_stop_request(message: str) -> bool:
    """ "stop reminders", "no more reminders please", "don't remind me"."""
    return bool(_STOPS.search(message.lower()))


def stop_reminders(dispatcher: CollectingDispatcher, conversation_id: str) -> list[EventType]:
    """Cancels the conversation's reminder and says so."""
    stopped = reminders.cancel(conversation_id)
    dispatcher.utter_message(text=text("checkin_reminder", "stopped" if stopped
                                       else "nothing_to_stop"))  # fmt: skip
    return [SlotSet("reminder_offered", None)]


def _choice(tracker: Tracker) -> str | None:
    """ "yes" or "no" when the latest message answers the offer or asks for a reminder."""
    intent, entities, message = latest_message(tracker)
    said = next((str(e.get("value")) for e in entities if e.get("entity") == "reminder"), None)
    if said in ("yes", "no"):
        return said
    lower = message.lower()
    if _ASKS_FOR_ONE.search(lower):
        return "yes"
    if tracker.get_slot("reminder_offered") and len(lower.split()) <= SHORT_REPLY_WORDS:
        if intent == "affirm" or _YES.match(lower):
            return "yes"
        if intent == "deny":
            return "no"
    return None


def read_reminder_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """Acts on a message about reminders; None when it is not about them.

    The caller still reads a message that names a warning sign ("remind me, and my calf is
    swollen"): see :func:`names_a_sign`.
    """
    conversation_id = tracker.sender_id
    if is_stop_request(latest_message(tracker)[2]):
        return stop_reminders(dispatcher, conversation_id)
    choice = _choice(tracker)
    if choice is None:
        return None
    if choice == "no":
        dispatcher.utter_message(text=text("checkin_reminder", "declined"))
        return [SlotSet("reminder_offered", None)]
    channel = str(tracker.get_latest_input_channel() or "rest")
    due = reminders.checkin_due_at()
    reminders.schedule_checkin(conversation_id, channel, due)
    key = "scheduled_pushed" if channel in PUSHED_CHANNELS else "scheduled_next_visit"
    date = f"{due:%A} {due.day} {due:%B}"
    dispatcher.utter_message(text=text("checkin_reminder", key, date=date))
    return [SlotSet("reminder_offered", None)]


def names_a_sign(tracker: Tracker) -> bool:
    """The latest message names a warning sign or symptom, whatever else it says."""
    return any(e.get("entity") in ("red_flag", "symptom") for e in latest_message(tracker)[1])
