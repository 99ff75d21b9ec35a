"""A runner chatting over the REST channel: answers whichever question the bot asks
(recognised by its text in data/questions.yml), in free text as a runner types."""

from __future__ import annotations

import uuid
from typing import Any

import yaml

from tests.e2e.stack import say
from tests.paths import REPO

_QUESTIONS_FILE = yaml.safe_load((REPO / "data" / "questions.yml").read_text())["questions"]


def _start(text: str) -> str:
    return " ".join(text.split())[:60]


#: Two-part questions (``together``): slot -> (its companion slot, the start of the wording
#: that asks both).
TWO_PART = {
    q["slot"]: (q["together"]["slot"], _start(q["together"]["ask"]))
    for q in _QUESTIONS_FILE
    if "together" in q
}
#: The start of every wording of each question (first asked, on its own or with its
#: companion, or after a named sign).
QUESTIONS = {
    q["slot"]: [_start(q[key]) for key in ("ask", "ask_after_sign") if key in q]
    + ([TWO_PART[q["slot"]][1]] if q["slot"] in TWO_PART else [])
    for q in _QUESTIONS_FILE
}


def _texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(" ".join((r.get("text") or "").split()) for r in replies)


def asked(replies: list[dict[str, Any]]) -> str | None:
    """The question slot the replies end with, if any."""
    for reply in reversed(replies):
        text = " ".join((reply.get("text") or "").split())
        for slot, starts in QUESTIONS.items():
            if any(start in text for start in starts):
                return slot
    return None


def summary(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    found = [r["custom"]["triage"] for r in replies if "triage" in (r.get("custom") or {})]
    return found[-1] if found else None


class Runner:
    """One runner chatting with the bot."""

    def __init__(self, url: str) -> None:
        self.url, self.sender = url, uuid.uuid4().hex
        self.asked: list[str] = []
        self.replies: list[dict[str, Any]] = []

    def say(self, message: str) -> list[dict[str, Any]]:
        self.replies = say(self.url, self.sender, message)
        slot = asked(self.replies)
        if slot:
            self.asked.append(slot)
        return self.replies

    def answer_all(self, answers: dict[str, str], opening: str) -> dict[str, Any]:
        """Opens the chat, answers every question from ``answers``, returns the summary."""
        self.say(opening)
        for _ in range(30):
            done = summary(self.replies)
            if done:
                return done
            slot = asked(self.replies)
            assert slot, f"bot neither asked nor concluded: {self.replies}"
            assert slot in answers, f"unexpected question {slot}"
            self.say(self._answer(slot, answers))
        raise AssertionError("conversation did not end")

    def _answer(self, slot: str, answers: dict[str, str]) -> str:
        """The answer to ``slot``, and to its companion when the bot asked both at once."""
        companion, wording = TWO_PART.get(slot, ("", ""))
        if companion in answers and wording in _texts(self.replies):
            return f"{answers[slot]}, {answers[companion]}"
        return answers[slot]


SELF_CARE_ANSWERS = {
    "consent": "yes",
    "side": "right",
    "location": "on the inner side near the surface",
    "onset": "gradually",
    "age_band": "I'm 38",
    "emergency_check": "none of those",
    "urgent_check": "no none",
    "swelling": "no swelling",
    "distance_before_km": "20 miles",
    "distance_now_km": "30 miles",
    "weeks_since_change": "over 3 weeks",
    "pain_duration_weeks": "about 10 days",
    "pain_triggers": "after long runs",
    "pain_score": "3",
    "settles_by_next_day": "yes",
    "limp": "no",
    "tried": "nothing yet",
}
