"""Digressions that work at any point: why, a person, filming; erase, stop and start over
after a yes."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import fresh_text, text
from actions.outcome import read_after_triage, start_checkin
from actions.privacy import erase_after_turn
from actions.questions import question_for
from actions.reminder_chat import is_stop_request, stop_reminders
from actions.tracker_reading import latest_message, reset_events
from actions.uploads import upload_offer
from kneeapp import settings

#: Intents answered by a short reply from messages.yml ``replies``.
SMALL_TALK_INTENTS = ("thank", "goodbye", "chitchat", "out_of_scope", "greet")
#: Requests that change or end the conversation: each is confirmed before it acts.
CONFIRMED_ACTIONS = ("delete_data", "stop", "start_over")



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


class ActionRequestConfirmation(Action):
    """Erase, stop and start again never act on one message: the confirm form asks first.

    Remembers what was asked for; the confirm form then asks its yes/no question.
    """

    def name(self) -> str:
        return "action_request_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, _, said = latest_message(tracker)
        if is_stop_request(said):  # "stop reminders" stops the reminders, not the chat
            stopped = stop_reminders(dispatcher, tracker.sender_id)
            return [*stopped, FollowupAction("action_listen")]
        action = "stop" if intent == "goodbye" else intent
        if action not in CONFIRMED_ACTIONS:
            return []
        return [
            SlotSet("pending_action", action),
            SlotSet("confirm_action", None),
            SlotSet("requested_slot", None),
        ]


class AskConfirmAction(Action):
    """The yes/no question of the confirm form."""

    def name(self) -> str:
        return "action_ask_confirm_action"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        action = tracker.get_slot("pending_action") or "stop"
        dispatcher.utter_message(
            text=text("confirm", action, "ask"),
            buttons=[
                {"title": text("confirm", action, "yes_button"), "payload": "/affirm"},
                {"title": text("confirm", "no_button"), "payload": "/deny"},
            ],
        )
        return []


class ValidateConfirmForm(Action):
    """Any reply answers the confirmation; only an explicit yes confirms."""

    def name(self) -> str:
        return "validate_confirm_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") != "confirm_action":
            return []  # the form was just activated: it asks its question next
        intent = latest_message(tracker)[0]
        confirmed = intent == "affirm" or intent == tracker.get_slot("pending_action")
        return [
            SlotSet("confirm_action", "yes" if confirmed else "no"),
            SlotSet("requested_slot", None),
        ]


class ActionResolveConfirmation(Action):
    """Carries out the confirmed request, or carries on where the runner was."""

    def name(self) -> str:
        return "action_resolve_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        action = tracker.get_slot("pending_action")
        events: list[EventType] = [SlotSet("pending_action", None), SlotSet("confirm_action", None)]
        if tracker.get_slot("confirm_action") == "yes" and action in CONFIRMED_ACTIONS:
            dispatcher.utter_message(text=text(action))
            events += _carry_out(action, tracker)
            return [*events, SlotSet("resume_triage", action == "start_over")]
        dispatcher.utter_message(text=text("confirm", "cancelled"))
        done = bool(tracker.get_slot("triage_done"))
        if done and any(e.get("entity") == "red_flag" for e in latest_message(tracker)[1]):
            events += read_after_triage(dispatcher, tracker)  # "no, but my calf is swollen"
        in_triage = not done and tracker.get_slot("consent") is not False
        return [*events, SlotSet("resume_triage", in_triage)]


def _carry_out(action: str, tracker: Tracker) -> list[EventType]:
    """The events (and, for an erasure, the scheduled erase) of a confirmed request."""
    if action == "delete_data":
        erase_after_turn(tracker.sender_id)
        return [*reset_events(keep_consent=False), SlotSet("plan", None)]
    if action == "start_over":  # a runner who had said no is asked for consent again
        keep = tracker.get_slot("consent") is True
        return [*reset_events(keep_consent=keep), SlotSet("plan", None)]
    return [SlotSet("requested_slot", None)]


class ActionReply(Action):
    """A short reply to small talk (thanks, bye, chit-chat, off-topic, hello again)."""

    def name(self) -> str:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = latest_message(tracker)[0] or "chitchat"
        if intent == "greet" and (checkin := start_checkin(dispatcher, tracker)):
            return checkin  # "hi, I'm back"
        key = intent if intent in SMALL_TALK_INTENTS else "chitchat"
        dispatcher.utter_message(text=fresh_text(tracker, "replies", key))
        return []


class ActionFilmingInstructions(Action):
    """How to film running or a squat test, and a short-lived link to send the clip."""

    def name(self) -> str:
        return "action_filming_instructions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("filming"))
        in_app_limit = settings.current().in_app_video_limit_bytes(
            str(tracker.get_latest_input_channel()))
        if in_app_limit:  # a messaging app: the clip goes into the chat, not through a link
            limit_mb = settings.megabytes(in_app_limit)
            dispatcher.utter_message(text=text("video", "upload_in_app", max_mb=str(limit_mb)))
            return []
        offer = upload_offer(tracker.sender_id)
        max_mb = str(settings.megabytes(offer["upload"]["max_bytes"]))
        ttl_min = str(settings.current().upload_token_ttl_s // 60)
        dispatcher.utter_message(text=text("video", "upload_ready", max_mb=max_mb, ttl_min=ttl_min))
        dispatcher.utter_message(json_message=offer)
        return []
