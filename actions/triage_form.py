"""The triage form: validation (fills answers, picks the next question) and its questions.

Thin Rasa glue: interpreting the message is :mod:`actions.message_reading`, the order of questions
is :mod:`actions.questions`, the level is :mod:`actions.triage`.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import messages
from actions.content import load_content
from actions.guarded import friendly_on_error
from actions.message_reading import MAX_ATTEMPTS, NON_ANSWER_INTENTS, Turn, give_up, interpret_turn
from actions.questions import (
    NOT_SURE_BUTTON,
    RED_FLAG_CONFIRM,
    Question,
    all_questions,
    consent_version,
    next_question,
    question_for,
    render_consent_again,
    render_question,
    render_red_flag_confirm,
    unit_payload,
)
from actions.tracker_reading import answers_from, latest_message, message_key
from actions.triage import UNKNOWN, assess
from actions.video import accept_video, discard_pending_video
from kneeapp.store import repo

logger = logging.getLogger(__name__)

#: Digressions that answer nothing; the same one twice at a question counts as an attempt at
#: it, so that nothing (a classifier that keeps taking "physio" for "talk to a person", or
#: chit-chat) can hold a question forever. Questions about the question, filming or a named
#: exercise, uploads and confirmations are never attempts.
SMALL_TALK_DIGRESSIONS = frozenset(
    {"chitchat", "out_of_scope", "thank", "request_human", "describe_video"}
)


#: Intents the classifier may guess for an answer typed loosely: read as an answer when the
#: message answers the pending question (explicit requests, erasing, stopping never are).
GUESSED_DIGRESSIONS = frozenset({"out_of_scope", "chitchat", "thank"})
#: Intents that a mention of a video or an exercise draws ("some glute exercises from a
#: video", "I heard a pop lunging for a ball"): read as an answer too when the message
#: answers the question and asks nothing.
MENTIONS = frozenset({"ask_filming", "describe_video", "ask_exercise_detail"})
_ASKS = re.compile(
    r"\?|^\s*(?:how|what|where|when|which|can|could|should|do|does|is|are|may|will|would)\b",
    re.IGNORECASE,
)


def _read_as_answer(intent: str | None, text: str) -> bool:
    """A digression intent that may be a loosely typed answer."""
    return intent in GUESSED_DIGRESSIONS or (intent in MENTIONS and not _ASKS.search(text))


def _digression_of(intent: str | None, entities: list[dict[str, Any]]) -> str | None:
    """The digression that may count as an attempt: small talk, or a question about an
    exercise the bot could not name (its reply is the same each time)."""
    if intent in SMALL_TALK_DIGRESSIONS:
        return intent
    if intent == "ask_exercise_detail" and not any(e.get("entity") == "exercise" for e in entities):
        return intent
    return None


def _answers_the_question(
    entities: list[dict[str, Any]],
    text: str,
    requested: str | None,
    answers: dict[str, Any],
    tracker: Tracker,
) -> bool:
    if requested is None or requested == "consent":
        return False
    turn = interpret_turn(
        intent="inform",
        entities=entities,
        text=text,
        requested=requested,
        answers=answers,
        unit_hint=tracker.get_slot("distance_unit"),
    )
    return requested in turn.updates and turn.updates[requested] != UNKNOWN


class ValidateTriageForm(Action):
    """Reads each answer, updates the triage, and chooses the next question (or none)."""

    def name(self) -> str:
        return "validate_triage_form"

    @friendly_on_error
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, entities, message_text = latest_message(tracker)
        new_message = _validating_new_message(tracker)
        answers = answers_from(tracker)
        requested = tracker.get_slot("requested_slot")
        if _read_as_answer(intent, message_text) and _answers_the_question(
            entities, message_text, requested, answers, tracker
        ):
            intent = "inform"  # "about 4, plus fine by next day" is an answer, whatever DIET says
        if intent in NON_ANSWER_INTENTS and new_message:
            # No events: the form rejects the turn, so the digression rules answer it and
            # the form asks its pending question again afterwards.
            return []
        pending = list(tracker.get_slot("pending_red_flags") or [])
        turn = Turn()
        # Each message is read once: after a digression or a confirmation the form runs
        # again on the same message, which may still hold an answer or a warning sign.
        unread = message_key(tracker) != tracker.get_slot("last_read_message")
        if unread:
            turn = interpret_turn(
                intent=intent,
                entities=entities,
                text=message_text,
                requested=requested,
                answers=answers,
                unit_hint=tracker.get_slot("distance_unit"),
                pending_flags=pending,
                previous=tracker.get_slot("last_answered"),
                unitless=tracker.get_slot("unitless_distances"),
            )
        # The same digression again at the same question counts as an attempt, so that a
        # message the classifier keeps taking for chit-chat cannot hold the question forever
        # (one "are you a robot?" or "can I talk to a person?" costs nothing).
        digression = _digression_of(intent, entities) if unread else None
        repeated = digression is not None and tracker.get_slot("last_digression") == digression
        attempt = new_message or repeated
        if repeated:
            turn.understood = False
        failed = int(tracker.get_slot("reask_count") or 0)
        if attempt and not turn.understood and failed + 1 >= MAX_ATTEMPTS:
            give_up(requested, message_text, answers, pending, turn)
        answers.update(turn.updates)
        if turn.pending_flags is not None:
            pending = turn.pending_flags
        result = assess(answers)
        upcoming = next_question(
            answers, result.stop_questioning, pending_flags=pending, level=result.level
        )
        events: list[EventType] = [SlotSet(slot, value) for slot, value in turn.updates.items()]
        if unread:
            events.append(SlotSet("last_read_message", message_key(tracker)))
        answered = _answered_part(requested, turn.updates)
        if answered:
            events.append(SlotSet("last_answered", answered))
        if unread:
            events.append(SlotSet("last_digression", digression))
            events += _changed(tracker, unitless_distances=turn.unitless)
        events += await _after_consent_answer(dispatcher, tracker, turn.updates.get("consent"))
        if answers.get("consent") is None:
            _warn_at_once(dispatcher, turn.new_flags)
        if turn.unit:
            events.append(SlotSet("distance_unit", turn.unit))
        same_question_again = attempt and upcoming == requested and not turn.understood
        # Only what changed: every event is stored and read back on each later turn.
        events += _changed(
            tracker,
            reask_count=failed + 1 if same_question_again else 0,
            triage_level=result.level,
            pending_red_flags=pending or None,
            noted_other=bool(turn.updates) and not turn.understood,
        )
        if turn.updates.get("consent") is False:
            events.append(SlotSet("consent_declined", True))
        events.append(SlotSet("requested_slot", upcoming))
        logger.debug("triage form: %d answers, level %s", len(answers), result.level)
        return events


def _answered_part(requested: str | None, updates: Mapping[str, Any]) -> str | None:
    """The question a message answered: the one asked or, of a two-part question, its second
    part ("6" to "when does it hurt, and how bad?"), so that "more like a 5" corrects it."""
    question = question_for(requested)
    companion = question.together.slot if question and question.together else None
    for slot in (requested, companion):
        if slot and slot in updates:
            return slot
    return None


def _unit_question(unitless: dict[str, float]) -> dict[str, Any]:
    """ "Is that in kilometres or miles?", with one button per unit carrying the numbers."""
    numbers = " → ".join(f"{n:g}" for n in unitless.values())
    buttons = [
        {"title": messages.text("distance_unit", unit, numbers=numbers),
         "payload": unit_payload(unitless, miles=unit == "miles")}
        for unit in ("km", "miles")
    ]  # fmt: skip
    buttons.append(dict(NOT_SURE_BUTTON))
    return {"text": messages.text("distance_unit", "ask"), "buttons": buttons}


def _warn_at_once(dispatcher: CollectingDispatcher, flags: list[str]) -> None:
    """What to do about a warning sign, said before anything else (even before consent)."""
    catalogue = load_content().red_flags
    for flag in flags:
        dispatcher.utter_message(text=catalogue[flag].what_to_do)


def _changed(tracker: Tracker, **values: Any) -> list[EventType]:
    """SlotSet events for the slots whose value differs from the tracker's."""
    return [
        SlotSet(slot, value) for slot, value in values.items() if tracker.get_slot(slot) != value
    ]


async def _after_consent_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, consent: bool | None
) -> list[EventType]:
    """Records a consent, and deals with a video sent before it (analyse it or delete it)."""
    if consent is None:
        return []
    pending = tracker.get_slot("pending_video_id")
    events: list[EventType] = [SlotSet("pending_video_id", None)] if pending else []
    if consent:
        repo.record_consent(tracker.sender_id, consent_version())
        if pending:
            events += await accept_video(dispatcher, tracker.sender_id, pending)
    else:
        discard_pending_video(pending)
    return events


def _validating_new_message(tracker: Tracker) -> bool:
    """True when the form runs right after the user spoke (not after a digression)."""
    actions = [e.get("name") for e in reversed(tracker.events) if e.get("event") == "action"]
    before_form = [name for name in actions if name != "triage_form"]
    return not before_form or before_form[0] == "action_listen"


class AskQuestion(Action, ABC):
    """Asks one triage question; reworded with buttons after a failed attempt.

    Abstract so that rasa-sdk registers only the generated per-question subclasses.
    """

    @property
    @abstractmethod
    def question(self) -> Question:
        """The question this action asks."""

    def name(self) -> str:
        return f"action_ask_{self.question.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        failed = int(tracker.get_slot("reask_count") or 0)
        if self.question.slot == "consent" and tracker.get_slot("consent_declined") and not failed:
            message = render_consent_again(self.question)
        else:
            noted = bool(tracker.get_slot("noted_other"))
            signs = bool(tracker.get_slot("red_flags") or tracker.get_slot("symptoms"))
            unitless = tracker.get_slot("unitless_distances") or {}
            if self.question.slot in unitless:  # numbers said (or volunteered) without a unit
                dispatcher.utter_message(**_unit_question(unitless))
                return []
            message = render_question(
                self.question, failed, answered_something=noted, sign_noted=signs,
                answers=answers_from(tracker),
            )
        dispatcher.utter_message(**message)
        return []


class AskRedFlagConfirm(Action):
    """Asks one direct yes/no question about the first ambiguous warning sign."""

    def name(self) -> str:
        return f"action_ask_{RED_FLAG_CONFIRM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = tracker.get_slot("pending_red_flags") or []
        if pending:
            dispatcher.utter_message(**render_red_flag_confirm(pending[0]))
        return []


def _ask_action_class(question: Question) -> type[AskQuestion]:
    class_name = "Ask" + "".join(part.title() for part in question.slot.split("_"))
    return type(class_name, (AskQuestion,), {"question": question})


#: One ``action_ask_<slot>`` per question in data/questions.yml (registered by rasa-sdk).
ASK_ACTIONS = [_ask_action_class(q) for q in all_questions()]
