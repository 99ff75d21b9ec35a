"""Which triage question comes next, and how it is worded on each attempt.

Pure logic (no Rasa import): the question texts live in ``data/questions.yml``; the form
validation action asks :func:`next_question` after every answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from actions.content import data_dir, load_content
from actions.triage import known_answers
from content_schema import Where, load
from content_schema.schemas import Question, QuestionsFile
from content_schema.vocabulary import KM_PER_MILE, OTHER_LOCATIONS

#: The pseudo-question confirming an ambiguous warning sign (docs/conversation.md).
RED_FLAG_CONFIRM = "red_flag_confirm"
#: A "Not sure" button, offered with every question that has buttons.
NOT_SURE_BUTTON = {"title": "Not sure", "payload": "/dont_know"}
YES_NO_BUTTONS = (
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    NOT_SURE_BUTTON,
)

#: Questions still asked for outer-side or back-of-knee pain: the safety checks only.
SAFETY_QUESTIONS = ("consent", "side", "location", "emergency_check", "urgent_check")
#: The triage rule whose pain-duration threshold decides when "what have you tried?" is
#: asked (data/triage_rules.yml): the answer only matters once that rule could fire.
LONG_PAIN_RULE = "pain_despite_load_reduction"

Answers = Mapping[str, Any]


def long_pain_weeks() -> float:
    """Weeks of pain after which :data:`LONG_PAIN_RULE` asks for an assessment."""
    rule = next(rule for rule in load_content().triage.rules if rule.id == LONG_PAIN_RULE)
    return float(_threshold(rule.when, "pain_duration_weeks"))


def _threshold(condition: Mapping[str, Any], field: str) -> float:
    """The ``gt`` limit a condition tree sets on ``field``.

    Raises:
        LookupError: The tree sets none.
    """
    if condition.get("field") == field and "gt" in condition:
        return float(condition["gt"])
    for children in (condition.get(op) for op in ("all", "any")):
        for child in children or ():
            try:
                return _threshold(child, field)
            except LookupError:
                continue
    raise LookupError(f"no '{field} gt' limit in the condition")


ASK_CONDITIONS: dict[str, Callable[[Answers], bool]] = {
    "onset_sudden": lambda a: a.get("onset") == "sudden",
    "load_increased": lambda a: _load_increased(known_answers(a)),
    "long_pain": lambda a: (
        (known_answers(a).get("pain_duration_weeks") or 0) > long_pain_weeks()
    ),
    "checking_in": lambda a: bool(a.get("checkin")),
    "tried_something": lambda a: isinstance(a.get("tried"), list) and bool(a.get("tried")),
}


def _load_increased(answers: Answers) -> bool:
    before, now = answers.get("distance_before_km"), answers.get("distance_now_km")
    if before is not None and now is not None:
        return bool(now > before)
    return (answers.get("stated_change_pct") or 0) > 0


@lru_cache(maxsize=1)
def _questions_file() -> QuestionsFile:
    """``data/questions.yml``, checked against its schema and the known ``ask_if`` names."""
    path = data_dir() / "questions.yml"
    loaded: QuestionsFile = load(path)
    slots = [question.slot for question in loaded.questions]
    for index, question in enumerate(loaded.questions):
        where = Where(path.name).sub("questions").sub(index)
        if question.ask_if and question.ask_if not in ASK_CONDITIONS:
            raise where.sub("ask_if").fail(f"unknown condition '{question.ask_if}' "
                                           f"(not one of {sorted(ASK_CONDITIONS)})")  # fmt: skip
        if question.together and question.together.slot not in slots[index + 1 :]:
            raise where.sub("together").sub("slot").fail(
                f"'{question.together.slot}' is not the slot of a later question")
    return loaded


def consent_version() -> str:
    """The version of the consent text (recorded with each consent)."""
    return _questions_file().consent_version


def all_questions() -> tuple[Question, ...]:
    """Returns the questions in asking order, validated once."""
    return _questions_file().questions


def question_for(slot: str | None) -> Question | None:
    """Returns the question that fills ``slot``, if there is one."""
    return next((q for q in all_questions() if q.slot == slot), None)


def question_slots() -> list[str]:
    """All answer slots that a question fills, in asking order."""
    return [q.slot for q in all_questions()]


def is_routed_elsewhere(answers: Answers) -> bool:
    """True when the pain is on the outer side or at the back of the knee."""
    return answers.get("location") in OTHER_LOCATIONS


def next_question(
    answers: Answers,
    stop_questioning: bool = False,
    pending_flags: Sequence[str] = (),
    level: str | None = None,
) -> str | None:
    """Returns the slot to ask about next, or None when the questioning is over.

    Args:
        answers: the answers so far (missing keys or None mean "not answered"; the value
            ``unknown`` means answered with "not sure").
        stop_questioning: True once the triage engine reached urgent or emergency:
            no further question is asked, the runner is told what to do now.
        pending_flags: ambiguous warning signs to confirm first (``red_flag_confirm``).
        level: the triage level so far; with ``urgent`` the emergency checklist is still
            asked before the questioning stops.
    """
    if answers.get("consent") is None:
        return "consent"  # a red flag's advice is given at once; the rest needs agreement
    if answers.get("consent") is False:
        return None
    if pending_flags:
        return RED_FLAG_CONFIRM
    if stop_questioning:
        # An urgent level is not the end of the safety net: the emergency signs are checked
        # before the runner is told to book a doctor (an emergency level needs no more).
        urgent_only = level != "emergency" and answers.get("emergency_check") is None
        return "emergency_check" if urgent_only and level is not None else None
    routed = is_routed_elsewhere(answers)
    for question in all_questions():
        if routed and question.slot not in SAFETY_QUESTIONS:
            continue
        if question.ask_if and not ASK_CONDITIONS[question.ask_if](answers):
            continue
        if answers.get(question.slot) is None:
            return question.slot
    return None


def render_question(
    question: Question,
    failed_attempts: int,
    answered_something: bool = False,
    sign_noted: bool = False,
    answers: Answers | None = None,
) -> dict[str, Any]:
    """The message asking ``question``: plain, then reworded with an example and buttons.

    A question is never asked a third time (see :data:`actions.message_reading.MAX_ATTEMPTS`), so
    the second wording always offers buttons, including "Not sure". ``sign_noted``: the
    runner already named a warning sign or symptom, so a checklist asks for the others.
    A first asking also asks the question's companion (``together``) while ``answers`` leave
    that one open; a re-ask keeps to the question itself.
    """
    if failed_attempts == 0:
        companion = question.together
        if companion and answers is not None and answers.get(companion.slot) is None:
            first = companion.ask
        elif sign_noted and question.ask_after_sign:
            first = question.ask_after_sign
        else:
            first = question.ask
        message: dict[str, Any] = {"text": first}
        if question.always_buttons:
            message["buttons"] = _with_not_sure(question, list(question.buttons))
        return message
    lead = "Thanks, noted." if answered_something else "Sorry, I didn't quite get that."
    buttons = _with_not_sure(question, list(question.buttons) or list(YES_NO_BUTTONS))
    return {"text": f"{lead} {question.ask} {question.example}", "buttons": buttons}


def _with_not_sure(question: Question, buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    """Copies of ``buttons``, with "Not sure" added for every question but the consent."""
    copies = [dict(button) for button in buttons]
    if question.slot != "consent" and NOT_SURE_BUTTON not in copies:
        copies.append(dict(NOT_SURE_BUTTON))
    return copies


def unit_payload(unitless: Mapping[str, float], miles: bool) -> str:
    """The button payload giving bare weekly distances in km or miles (values in km)."""
    entities = {
        slot.removesuffix("_km"): round(number * (KM_PER_MILE if miles else 1.0), 1)
        for slot, number in unitless.items()
    }
    return "/inform" + json.dumps(entities)


def render_consent_again(question: Question) -> dict[str, Any]:
    """The consent question for a runner who said no before and wrote again."""
    text = question.ask_again or question.ask
    return {"text": text, "buttons": [dict(button) for button in question.buttons]}


def render_red_flag_confirm(flag_id: str) -> dict[str, Any]:
    """One direct yes/no question about an ambiguous warning sign."""
    flag = load_content().red_flags[flag_id]
    return {"text": flag.confirm_question, "buttons": [dict(b) for b in YES_NO_BUTTONS]}
