"""Which triage question comes next, and how it is worded on each attempt.

Pure logic (no Rasa import): the question texts live in ``data/questions.yml``; the form
validation action asks :func:`next_question` after every answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from actions.content import data_dir

#: Locations this assistant does not cover; after the safety checks they are routed away.
OTHER_LOCATIONS = frozenset({"outer", "back"})
#: Questions still asked for outer-side or back-of-knee pain: the safety checks only.
SAFETY_QUESTIONS = ("consent", "side", "location", "emergency_check", "urgent_check")
#: Pain lasting longer than this (weeks) despite less running deserves an assessment.
LONG_PAIN_WEEKS = 3.0

Answers = Mapping[str, Any]

ASK_CONDITIONS: dict[str, Callable[[Answers], bool]] = {
    "onset_sudden": lambda a: a.get("onset") == "sudden",
    "load_increased": lambda a: _load_increased(a),
    "pain_longer_than_3_weeks": lambda a: (a.get("pain_duration_weeks") or 0) > LONG_PAIN_WEEKS,
    "tried_something": lambda a: bool(a.get("tried")),
}


@dataclass(frozen=True)
class Question:
    """One triage question as configured in ``data/questions.yml``."""

    slot: str
    ask: str
    example: str
    why: str
    buttons: tuple[dict[str, str], ...] = ()
    ask_if: str | None = None
    always_buttons: bool = False


def _load_increased(answers: Answers) -> bool:
    before, now = answers.get("distance_before_km"), answers.get("distance_now_km")
    if before is not None and now is not None:
        return bool(now > before)
    return (answers.get("stated_change_pct") or 0) > 0


@lru_cache(maxsize=1)
def _questions_file() -> dict[str, Any]:
    with (data_dir() / "questions.yml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def consent_version() -> str:
    """The version of the consent text (recorded with each consent)."""
    return str(_questions_file()["consent_version"])


@lru_cache(maxsize=1)
def all_questions() -> tuple[Question, ...]:
    """Returns the questions in asking order, validated once."""
    raw = _questions_file()["questions"]
    questions = tuple(
        Question(
            slot=item["slot"],
            ask=item["ask"],
            example=item["example"],
            why=item["why"],
            buttons=tuple(item.get("buttons", ())),
            ask_if=item.get("ask_if"),
            always_buttons=bool(item.get("always_buttons", False)),
        )
        for item in raw
    )
    unknown = {q.ask_if for q in questions if q.ask_if and q.ask_if not in ASK_CONDITIONS}
    if unknown:
        raise ValueError(f"data/questions.yml: unknown ask_if condition(s): {sorted(unknown)}")
    return questions


def question_for(slot: str | None) -> Question | None:
    """Returns the question that fills ``slot``, if there is one."""
    return next((q for q in all_questions() if q.slot == slot), None)


def question_slots() -> list[str]:
    """All answer slots that a question fills, in asking order."""
    return [q.slot for q in all_questions()]


def is_routed_elsewhere(answers: Answers) -> bool:
    """True when the pain is on the outer side or at the back of the knee."""
    return answers.get("location") in OTHER_LOCATIONS


def next_question(answers: Answers, stop_questioning: bool = False) -> str | None:
    """Returns the slot to ask about next, or None when the questioning is over.

    Args:
        answers: the answers so far (missing keys or None mean "not answered").
        stop_questioning: True once the triage engine reached urgent or emergency:
            no further question is asked, the runner is told what to do now.
    """
    if answers.get("consent") is None:
        return "consent"  # even after a red flag: the advice follows the runner's agreement
    if stop_questioning or answers.get("consent") is False:
        return None
    routed = is_routed_elsewhere(answers)
    for question in all_questions():
        if routed and question.slot not in SAFETY_QUESTIONS:
            continue
        if question.ask_if and not ASK_CONDITIONS[question.ask_if](answers):
            continue
        if answers.get(question.slot) is None:
            return question.slot
    return None


def render_question(question: Question, failed_attempts: int) -> dict[str, Any]:
    """The message asking ``question``: plain, then with an example, then with buttons."""
    text = question.ask
    if failed_attempts >= 1:
        text = f"Sorry, I didn't quite get that. {text} {question.example}"
    message: dict[str, Any] = {"text": text}
    if question.buttons and (question.always_buttons or failed_attempts >= 2):
        message["buttons"] = [dict(button) for button in question.buttons]
    return message
