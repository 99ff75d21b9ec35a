"""Digressions that work at any point: why, start over, stop, a person, delete, filming."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import clinic_contact_line, clinic_from_env, text
from actions.privacy import erase_after_turn
from actions.questions import question_for
from actions.tracker_answers import reset_events
from actions.uploads import upload_offer, upload_ttl_s


class ActionExplainWhy(Action):
    """Explains why the pending question matters; the form then asks it again."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = question_for(tracker.get_slot("requested_slot"))
        dispatcher.utter_message(text=question.why if question else text("why_general"))
        return []


class ActionStartOver(Action):
    """Forgets the answers (consent stays) so the form starts from the first question."""

    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("start_over"))
        return [*reset_events(keep_consent=True), SlotSet("plan", None)]


class ActionStop(Action):
    """Stops the questioning; the answers given so far are kept."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("stop"))
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionHandoff(Action):
    """Gives the clinic's contact when one is configured, else general advice."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        clinic = clinic_from_env()
        if clinic:
            dispatcher.utter_message(
                text=text(
                    "handoff",
                    "with_clinic",
                    clinic_name=clinic.get("name", "the clinic"),
                    clinic_contact=clinic_contact_line(clinic),
                )
            )
        else:
            dispatcher.utter_message(text=text("handoff", "without_clinic"))
        return []


class ActionDeleteData(Action):
    """Clears the answers now and erases everything of this conversation right after the turn.

    The erasure (tracker events, consents, assessments, videos, results, files) waits a few
    seconds so that Rasa has finished saving this very turn; see actions/store/erase.py.
    """

    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("delete_data"))
        erase_after_turn(tracker.sender_id)
        return [ActiveLoop(None), *reset_events(keep_consent=False), SlotSet("plan", None)]


class ActionFilmingInstructions(Action):
    """How to film running or a squat test, and a short-lived link to send the clip."""

    def name(self) -> str:
        return "action_filming_instructions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("filming"))
        offer = upload_offer(tracker.sender_id)
        max_mb = str(offer["upload"]["max_bytes"] // 1_000_000)
        ttl_min = str(upload_ttl_s() // 60)
        dispatcher.utter_message(text=text("video", "upload_ready", max_mb=max_mb, ttl_min=ttl_min))
        dispatcher.utter_message(json_message=offer)
        return []
