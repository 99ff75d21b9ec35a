"""The triage form: validation (fills answers, picks the next question) and its questions.

Thin Rasa glue: interpreting the message is :mod:`actions.answers`, the order of questions
is :mod:`actions.questions`, the level is :mod:`actions.triage`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import NON_ANSWER_INTENTS, interpret_turn
from actions.questions import (
    Question,
    all_questions,
    consent_version,
    next_question,
    render_question,
)
from actions.store import repo
from actions.tracker_answers import answers_from, latest_message
from actions.triage import assess
from actions.video import accept_video, discard_pending_video

logger = logging.getLogger(__name__)


class ValidateTriageForm(Action):
    """Reads each answer, updates the triage, and chooses the next question (or none)."""

    def name(self) -> str:
        return "validate_triage_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, entities, message_text = latest_message(tracker)
        if intent in NON_ANSWER_INTENTS and _validating_new_message(tracker):
            # No events: the form rejects the turn, so the digression rules answer it and
            # the form asks its pending question again afterwards.
            return []
        answers = answers_from(tracker)
        requested = tracker.get_slot("requested_slot")
        turn = interpret_turn(
            intent=intent,
            entities=entities,
            text=message_text,
            requested=requested,
            answers=answers,
            unit_hint=tracker.get_slot("distance_unit"),
        )
        answers.update(turn.updates)
        result = assess(answers)
        upcoming = next_question(answers, stop_questioning=result.stop_questioning)

        events: list[EventType] = [SlotSet(slot, value) for slot, value in turn.updates.items()]
        events += await _after_consent_answer(dispatcher, tracker, turn.updates.get("consent"))
        if turn.unit:
            events.append(SlotSet("distance_unit", turn.unit))
        failed = int(tracker.get_slot("reask_count") or 0)
        same_question_again = upcoming == requested and not turn.understood
        # Only what changed: every event is stored and read back on each later turn.
        events += _changed(tracker, reask_count=failed + 1 if same_question_again else 0,
                           triage_level=result.level)
        events.append(SlotSet("requested_slot", upcoming))
        logger.debug("triage form: %d answers, level %s", len(answers), result.level)
        return events


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
    """Asks one triage question; worded more helpfully after each failed attempt.

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
        message: dict[str, Any] = render_question(self.question, failed)
        dispatcher.utter_message(**message)
        return []


def _ask_action_class(question: Question) -> type[AskQuestion]:
    class_name = "Ask" + "".join(part.title() for part in question.slot.split("_"))
    return type(class_name, (AskQuestion,), {"question": question})


#: One ``action_ask_<slot>`` per question in data/questions.yml (registered by rasa-sdk).
ASK_ACTIONS = [_ask_action_class(q) for q in all_questions()]
