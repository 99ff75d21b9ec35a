"""Deterministic corrections of a guessed intent (pure Python; the NLU component is thin).

A classifier's guess must never erase, stop or restart a conversation, and "not sure" is an
answer, not a "no". :func:`guard_intent` decides, from the message text, its entities and
the warning signs the red-flag scanner found, which intent the dialogue acts on. Word lists
live in ``data/intent_guard.yml``; the rules are in docs/conversation.md.

Limitations:
    * Words are matched literally (lower case, word boundaries, curly quotes folded); a
      destructive request in words not listed is read as information or not understood,
      which is the safe direction.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content_schema import load
from content_schema.numbers import NUM
from content_schema.schemas import DestructiveWords, IntentGuardFile

from .extraction import correct_typo

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "intent_guard.yml"

#: Intents that erase, stop or restart (one word list each in the data file).
DESTRUCTIVE_INTENTS = tuple(field.name for field in dataclasses.fields(DestructiveWords))
#: Intents a warning sign may arrive with and still be read as an answer.
ANSWER_INTENTS = frozenset({"inform", "affirm", "deny"})
#: Entities that answer a triage question (their presence makes a message an answer).
ANSWER_ENTITIES = frozenset(
    {
        "side", "location", "onset", "injury", "distance_before", "distance_now", "distance",
        "load_change", "duration", "pain_score", "symptom", "pain_trigger", "treatment",
        "outcome", "age", "self_test", "red_flag",
    }
)  # fmt: skip
#: Intents a classifier may give to an answer typed casually; with an answer they are one.
SMALL_TALK_INTENTS = frozenset({"chitchat", "out_of_scope", "thank", "goodbye"})
#: Guesses that an answer in the same message overrides ("squatting" is a trigger, not a
#: description of a video nobody sent).
ANSWER_OVERRIDES = SMALL_TALK_INTENTS | {"describe_video", "share_video", "nlu_fallback"}
_LEADING_ANSWER = re.compile(
    r"^\W*(?:(?P<yes>yes|yeah|yep|yup|yea)|no|nope|nah)\b(?! (?:thanks|thank you|problem))"
)
#: Intents about a video, kept only when the message names one.
VIDEO_INTENTS = frozenset({"ask_filming", "share_video"})
#: A question about an exercise, kept only when the message names one or asks like one.
EXERCISE_QUESTION = "ask_exercise_detail"
#: A message that is only a number ("thirty nine", "about 40") answers a question; the
#: classifier took "nine" for the German "nein".
_NUMBER_ONLY = re.compile(rf"\W*(?:(?:about|around|like|maybe|roughly) )?{NUM}(?:[ -]{NUM})*\W*")
#: Guesses a message opening with a yes or a no overrides (the classifier knows no "nahi").
YES_NO_GUESSES = frozenset({None, "affirm", "deny", "nlu_fallback"})
DONT_KNOW = "dont_know"
INFORM = "inform"
NOT_UNDERSTOOD = "nlu_fallback"


@dataclass(frozen=True)
class GuardWords:
    """The word lists of ``data/intent_guard.yml`` compiled to patterns."""

    destructive: Mapping[str, re.Pattern[str]]
    uncertain: re.Pattern[str]
    request_human: re.Pattern[str]
    video: re.Pattern[str]
    exercise_question: re.Pattern[str]
    leading_yes: re.Pattern[str]
    leading_no: re.Pattern[str]


def _alternation(phrases: Iterable[str]) -> re.Pattern[str]:
    escaped = sorted((re.escape(p.lower()) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(escaped) + r")(?![\w'])")


@functools.lru_cache(maxsize=1)
def guard_words(path: Path = DATA_FILE) -> GuardWords:
    """Loads (checked against :class:`IntentGuardFile`) and compiles the word lists once."""
    data: IntentGuardFile = load(path)
    return GuardWords(
        destructive={
            name: _alternation(getattr(data.destructive, name)) for name in DESTRUCTIVE_INTENTS
        },
        uncertain=_alternation(data.uncertain),
        request_human=_alternation(data.request_human),
        video=_alternation(data.video),
        exercise_question=_alternation(data.exercise_question),
        leading_yes=_leading(data.answer_words.yes),
        leading_no=_leading(data.answer_words.no),
    )


def _leading(words: Iterable[str]) -> re.Pattern[str]:
    """A message that opens with one of ``words`` ("wala po", "haan, by morning"; not
    "non-stop")."""
    return re.compile(r"^\W*" + _alternation(words).pattern + r"(?!-)")


def _normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces, typos of key words fixed ("not suer")."""
    words = text.lower().replace("\u2019", "'").replace("\u2018", "'").split()
    return " ".join(correct_typo(word) for word in words)


def says_dont_know(text: str) -> bool:
    """True when the message contains an "I don't know / skip" phrase."""
    return bool(guard_words().uncertain.search(_normalise(text)))


def _leading_answer(normalised: str) -> str | None:
    """``affirm`` or ``deny`` when the (normalised) message opens with a yes or a no, in
    English ("yep it settles") or in a language mixed into it ("nahi, none"); else None."""
    lead = _LEADING_ANSWER.match(normalised)
    if lead:
        return "affirm" if lead.group("yes") else "deny"
    words = guard_words()
    if words.leading_yes.match(normalised):
        return "affirm"
    return "deny" if words.leading_no.match(normalised) else None


def has_answer(entities: Iterable[Mapping[str, Any]]) -> bool:
    """True when any entity answers a triage question."""
    return any(entity.get("entity") in ANSWER_ENTITIES for entity in entities)


def guard_intent(intent: str | None, text: str, entities: Iterable[Mapping[str, Any]]) -> str:
    """The intent the dialogue may act on.

    Args:
        intent: The classifier's intent (possibly ``nlu_fallback``).
        text: The message as typed.
        entities: Entities found in it, including ``red_flag`` hits of the scanner.

    Returns:
        ``intent`` unchanged, or ``inform`` / ``dont_know`` / ``nlu_fallback`` where the
        guess must not act.
    """
    entities = list(entities)
    answer = has_answer(entities)
    normalised = _normalise(text)
    if any(e.get("entity") == "red_flag" for e in entities):
        lead = _leading_answer(normalised)
        if intent in ("affirm", "deny") and lead:
            return lead  # "yes, and it locks"
        return INFORM
    if intent == DONT_KNOW and not says_dont_know(text):
        intent = None  # "not sure" has to be said; a classifier's guess of it is not enough
    if (intent in VIDEO_INTENTS and not text.startswith("/")
            and not guard_words().video.search(normalised)):
        intent = None  # "slow" (how it came on) is no request for the filming guide
    if (intent == EXERCISE_QUESTION and not any(e.get("entity") == "exercise" for e in entities)
            and not guard_words().exercise_question.search(normalised)):
        intent = None  # an opening in Spanish about a football injury asks about no exercise
    destructive = guard_words().destructive.get(intent or "")
    if destructive is not None and not answer and destructive.search(normalised):
        return str(intent)
    asked_for_person = guard_words().request_human.search(normalised)
    if intent == "request_human" and answer and not asked_for_person:
        intent = INFORM  # "saw a physio" answers "what have you tried?"
    if answer:
        keep = intent and intent not in DESTRUCTIVE_INTENTS and intent not in ANSWER_OVERRIDES
        return str(intent) if keep else INFORM
    if says_dont_know(text):
        return DONT_KNOW
    if intent in YES_NO_GUESSES and _NUMBER_ONLY.fullmatch(normalised):
        return INFORM  # "thirty nine" to "how old are you?"
    lead = _leading_answer(normalised)
    if lead and (intent in SMALL_TALK_INTENTS or intent in YES_NO_GUESSES):
        return lead  # "yep it settles overnight" is an answer, not small talk; so is "wala po"
    return NOT_UNDERSTOOD if intent in DESTRUCTIVE_INTENTS else intent or NOT_UNDERSTOOD
