"""Presenting the triage outcome, and what the runner can do after it.

Thin Rasa glue over :mod:`actions.triage` (level), :mod:`actions.guidance` (plan),
:mod:`actions.plan_text` (level, plan and exercise as chat messages) and
:mod:`actions.summary` (the clinic's machine-readable summary).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.checkin import (
    CheckinContext,
    adjust_level,
    checked_in_answers,
    is_coming_back,
    read_trend,
    start_text,
    start_updates,
    trend_text,
)
from actions.content import load_content
from actions.guarded import friendly_on_error
from actions.guidance import build_plan, exercise_by_id, find_exercise
from actions.handover import offer_after_outcome
from actions.message_reading import SETTLED_FACTS, give_up, interpret_turn
from actions.messages import fresh_text, text
from actions.plan_text import render_exercise_detail, render_level_message, render_plan
from actions.questions import RED_FLAG_CONFIRM, render_red_flag_confirm
from actions.reminder_chat import names_a_sign, offer_reminder, read_reminder_reply
from actions.summary import build_summary
from actions.tracker_reading import answers_from, latest_message, unit_of
from actions.triage import TriageResult, assess
from actions.uploads import summary_pdf_link
from actions.video_findings import answers_from_video, plan_findings
from content_schema.vocabulary import LEVELS, OTHER_LOCATIONS
from kneeapp import settings
from kneeapp.clinic import deliveries
from kneeapp.clinic.video_summary import video_summary
from kneeapp.jobs import queue
from kneeapp.store import reminders, repo
from kneeapp.store.models import utcnow

#: Ways forward offered when a message outside the questions was not understood.
NOT_UNDERSTOOD_BUTTONS = {
    "before_triage": (
        {"title": "Start the knee check", "payload": "/affirm"},
        {"title": "Talk to a person", "payload": "/request_human"},
    ),
    "after_triage": (
        {"title": "How do I film?", "payload": "/ask_filming"},
        {"title": "Start a new check", "payload": "/start_over"},
        {"title": "Talk to a person", "payload": "/request_human"},
    ),
}


def _send(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        if "custom" in message:
            dispatcher.utter_message(json_message=message["custom"])
        else:
            dispatcher.utter_message(**message)


def present_outcome(
    dispatcher: CollectingDispatcher,
    conversation_id: str,
    answers: dict[str, Any],
    result: TriageResult,
    unit: str,
    video: tuple[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Sends the level message, the plan and the clinic summary; returns the plan's ids.

    The summary carries the conversation's history (``triage.history``) when an assessment
    was stored before this one; this outcome is then stored as the newest.

    Args:
        video: (job id, report) of an analysed video whose findings refine the plan.
    """
    clinic = settings.current().clinic
    findings = plan_findings(video[1]) if video else ()
    plan = build_plan(answers, result, video_findings=findings, clinic=clinic, unit=unit)
    _send(dispatcher, render_level_message(result, clinic))
    _send(dispatcher, render_plan(plan))
    summary_video = video_summary(*video) if video else None
    earlier = repo.assessments_of(conversation_id)  # before this outcome is stored
    summary = build_summary(answers, result, plan, video=summary_video, earlier=earlier)
    dispatcher.utter_message(json_message={**summary, **summary_pdf_link(conversation_id)})
    triage = summary["triage"]
    assessment_id = repo.save_assessment(
        conversation_id, triage["answers"], triage["level"], triage["reasons"], triage["plan"],
        summary=summary,
    )
    if settings.current().chatwoot_enabled:
        deliveries.queue(conversation_id, deliveries.ASSESSMENT, {"assessment_id": assessment_id})
    offer_after_outcome(dispatcher, triage["level"])
    return triage["plan"]


def analysed_video(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """The conversation's last usable video analysis, if any."""
    job = queue.get_job(tracker.get_slot("video_report_job") or "")
    if job is None or job.report is None:
        return None
    return job.job_id, job.report


class ActionTriageResult(Action):
    """Ends the questioning: level, tailored plan, clinic summary, video offer."""

    def name(self) -> str:
        return "action_triage_result"

    @friendly_on_error
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = answers_from(tracker)
        if answers.get("consent") is not True:
            dispatcher.utter_message(text=text("no_consent"))
            return [SlotSet("triage_done", False)]
        video = analysed_video(tracker)
        answers, result = assess_conversation(
            tracker, answers | answers_from_video(video[1] if video else None))
        checkin = tracker.get_slot("checkin")
        if checkin:
            context = CheckinContext.from_slot(checkin)
            dispatcher.utter_message(text=trend_text(answers, context))
        location = answers.get("location")
        if location in OTHER_LOCATIONS and not result.stop_questioning:
            dispatcher.utter_message(text=text("other_location", location))
            dispatcher.utter_message(text=text("other_location", "also_inner"))
            return [SlotSet("triage_done", True), SlotSet("triage_level", result.level)]
        plan_ids = present_outcome(
            dispatcher, tracker.sender_id, answers, result, unit_of(tracker), video
        )
        if not result.stop_questioning and video is None:
            dispatcher.utter_message(
                text=text("video_offer"),
                buttons=[{"title": "How should I film?", "payload": "/ask_filming"}],
            )
        return [
            SlotSet("triage_done", True),
            SlotSet("triage_level", result.level),
            SlotSet("plan", plan_ids),
            SlotSet("checkin", None),
            SlotSet("last_checkin", checkin or tracker.get_slot("last_checkin")),
            *offer_reminder(dispatcher, tracker.sender_id, result.level),
        ]


def assess_conversation(
    tracker: Tracker, answers: dict[str, Any]
) -> tuple[dict[str, Any], TriageResult]:
    """The answers as the rules read them, and the level: after a check-in (running or done)
    the last plan is judged and the check-in rules apply, so that a later video or message
    is assessed on the same footing and never undoes them."""
    checkin = tracker.get_slot("checkin") or tracker.get_slot("last_checkin")
    if not checkin:
        return answers, assess(answers)
    context = CheckinContext.from_slot(checkin)
    exercises = load_content().exercises
    names = [exercises[i].name for i in context.plan if i in exercises]
    answers = checked_in_answers(answers, context, names)
    return answers, adjust_level(assess(answers), answers, context)


def start_checkin(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A runner back after an assessment ("I'm back", or any message a week or more later):
    the check-in questions start. None when this message is not a check-in."""
    if not tracker.get_slot("triage_done") or tracker.get_slot("checkin"):
        return None
    last = repo.latest_assessment(tracker.sender_id)
    text_said = latest_message(tracker)[2]
    if last is None:
        return None
    now = utcnow()
    days = max(0, (now - last.created_at).days)
    reminded = reminders.take_web_reminder(tracker.sender_id, now)  # due, shown at this visit
    if not (reminded or is_coming_back(text_said, days)):
        return None
    answers = answers_from(tracker)
    pain = answers.get("pain_score")
    context = CheckinContext(
        days_since=days,
        level=tracker.get_slot("triage_level") or last.level,
        pain_score=pain if isinstance(pain, int) else None,
        plan=tuple(tracker.get_slot("plan") or last.plan or ()),
    )
    updates = start_updates(answers, context)
    trend_said = read_trend(text_said)
    if trend_said:
        updates["checkin_trend"] = trend_said  # "I'm back, it's much better"
    dispatcher.utter_message(text=start_text(days))
    events: list[EventType] = [SlotSet(slot, value) for slot, value in updates.items()]
    return [*events, SlotSet("reask_count", 0), SlotSet("requested_slot", None),
            FollowupAction("triage_form")]  # fmt: skip


class ActionFollowup(Action):
    """New information after the triage: a red flag raises the level, self-tests re-plan."""

    def name(self) -> str:
        return "action_followup"

    @friendly_on_error
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot("triage_done"):
            dispatcher.utter_message(text=fresh_text(tracker, "followup", "not_started"))
            return []
        reminder = read_reminder_reply(dispatcher, tracker)
        if reminder is not None:
            if names_a_sign(tracker):  # "remind me - oh and my calf is swollen now"
                reminder += read_after_triage(dispatcher, tracker)
            return reminder
        lapsed = [SlotSet("reminder_offered", None)] if tracker.get_slot("reminder_offered") else []
        return [*lapsed, *(start_checkin(dispatcher, tracker)
                           or read_after_triage(dispatcher, tracker))]  # fmt: skip


def _corrected_down(updates: dict[str, Any], answers: dict[str, Any], level: str,
                    before: str) -> bool:
    """A settled answer changed after the outcome (which only a correction does, see
    ``message_reading.SETTLED_FACTS``) lowers the level, with no warning sign on record."""
    return (LEVELS.index(level) < LEVELS.index(before) and not answers.get("red_flags")
            and any(slot in SETTLED_FACTS for slot in updates))


def read_after_triage(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Reads a message sent after the outcome: warning signs, self-tests, new facts.

    A warning sign can only raise the level; an ambiguous one is asked about first. A
    corrected answer ("sorry, got that wrong, the exercises have actually helped") is
    assessed again and may lower it, unless a warning sign is on record.
    """
    answers = answers_from(tracker)
    before = tracker.get_slot("triage_level") or LEVELS[0]
    intent, entities, message_text = latest_message(tracker)
    pending = list(tracker.get_slot("pending_red_flags") or [])
    requested = RED_FLAG_CONFIRM if pending else None
    turn = interpret_turn(intent, entities, message_text, requested, answers, pending_flags=pending,
                          previous=tracker.get_slot("last_answered"))
    if requested and not turn.understood:
        give_up(requested, message_text, answers, pending, turn)
    answers.update(turn.updates)
    pending = pending if turn.pending_flags is None else turn.pending_flags
    video = analysed_video(tracker)
    answers, result = assess_conversation(
        tracker, answers | answers_from_video(video[1] if video else None))
    events: list[EventType] = [SlotSet(k, v) for k, v in turn.updates.items()]
    events.append(SlotSet("pending_red_flags", pending or None))
    events.append(SlotSet("requested_slot", RED_FLAG_CONFIRM if pending else None))
    raised = LEVELS.index(result.level) > LEVELS.index(before)
    refined = any(key.startswith("self_test_") for key in turn.updates) or _corrected_down(
        turn.updates, answers, result.level, before)
    if raised or refined:
        intro = "level_raised" if raised else "plan_updated"
        dispatcher.utter_message(text=text("followup", intro))
        plan_ids = present_outcome(
            dispatcher, tracker.sender_id, answers, result, unit_of(tracker), video
        )
        events += [SlotSet("triage_level", result.level), SlotSet("plan", plan_ids)]
    elif not pending:
        dispatcher.utter_message(text=fresh_text(tracker, "followup", "nothing_new"))
    if pending:
        dispatcher.utter_message(**render_red_flag_confirm(pending[0]))
    return events


class ActionNotUnderstood(Action):
    """Outside the questions: says what the bot can do, never the same words three times."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = bool(tracker.get_slot("triage_done"))
        if done and (checkin := start_checkin(dispatcher, tracker)):
            return checkin  # "checking in" is not a phrase the classifier knows
        key = "after_triage" if done else "before_triage"
        dispatcher.utter_message(
            text=fresh_text(tracker, "not_understood", key),
            buttons=[dict(b) for b in NOT_UNDERSTOOD_BUTTONS[key]],
        )
        return []


class ActionExerciseDetail(Action):
    """How to do one exercise: how-to, dosage, progression."""

    def name(self) -> str:
        return "action_exercise_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        exercise_id = next(tracker.get_latest_entity_values("exercise"), None)
        message_text = latest_message(tracker)[2]
        exercise = exercise_by_id(exercise_id) if exercise_id else find_exercise(message_text)
        if exercise is not None:
            _send(dispatcher, render_exercise_detail(exercise))
            return []
        plan = tracker.get_slot("plan") or []
        if plan:
            buttons = [
                {
                    "title": exercise_by_id(i).name,
                    "payload": f'/ask_exercise_detail{{"exercise": "{i}"}}',
                }
                for i in plan
            ]
            dispatcher.utter_message(text=text("exercise_unknown"), buttons=buttons)
        else:
            dispatcher.utter_message(text=text("exercise_unknown_no_plan"))
        return []
