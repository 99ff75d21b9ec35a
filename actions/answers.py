"""Turns one parsed user message into answer updates for the triage.

Pure logic (no Rasa import). The NLU gives an intent and normalised entities (see
docs/nlu_schema.md); the question being asked (``requested``) decides how a bare "yes",
"no" or number is read. Facts volunteered before they are asked are kept, so a first
message like "my right knee hurts on the inside since I went from 20 to 30 miles" fills
side, location and both distances at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.triage import age_band as triage_age_band

KM_PER_MILE = 1.609344

#: Intents that are never an answer (digressions); they leave the answers untouched.
NON_ANSWER_INTENTS = frozenset(
    {
        "ask_why",
        "share_video",
        "describe_video",
        "EXTERNAL_analysis_ready",
        "chitchat",
        "thank",
        "request_human",
        "start_over",
        "stop",
        "out_of_scope",
        "delete_data",
        "ask_filming",
        "ask_exercise_detail",
        "goodbye",
    }
)
#: Social intents: facts in them are kept, but they never count as a failed answer.
SOCIAL_INTENTS = frozenset({"greet"})
#: Yes/no questions: "yes" and "no" answer them directly.
YES_NO_SLOTS = frozenset({"consent", "swelling", "load_reduced", "settles_by_next_day", "limp"})
#: Safety checklists: "no"/"none" means checked and clear; named symptoms are collected.
CHECKLIST_SLOTS = frozenset({"emergency_check", "urgent_check"})
#: Answers that collect several values.
LIST_ANSWERS = {
    "pain_trigger": "pain_triggers",
    "treatment": "tried",
    "symptom": "symptoms",
    "red_flag": "red_flags",  # sent only by the safety-checklist buttons
}
#: Entities whose value is the answer itself.
DIRECT_ANSWERS = {
    "side": "side",
    "onset": "onset",
    "injury": "injury",
    "outcome": "tried_outcome",
    "pain_score": "pain_score",
}
#: Questions answered by a bare number: there, a lone number is not a pain score.
NUMBER_QUESTIONS = frozenset(
    {
        "age_band",
        "distance_before_km",
        "distance_now_km",
        "weeks_since_change",
        "pain_duration_weeks",
    }
)
DISTANCE_SLOTS = {"distance_before": "distance_before_km", "distance_now": "distance_now_km"}
DURATION_SLOTS = ("weeks_since_change", "pain_duration_weeks")
SELF_TEST_RESULT = {"helped": "better", "no_change": "same", "worse": "worse"}
INJURY_EVENTS = frozenset({"twist", "fall", "pop", "blow"})
AGE_BANDS = frozenset({"under_18", "18_54", "55_plus"})

_NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)(?![\d.])")
_MILES = re.compile(r"\b(mi|mile|miles|mls|mpw)\b", re.IGNORECASE)


@dataclass
class Turn:
    """What one message contributed.

    Attributes:
        updates: answer slot -> new value.
        understood: False when a question was pending and this message did not answer it.
        unit: "mi" or "km" when the runner gave a distance with a unit.
    """

    updates: dict[str, Any] = field(default_factory=dict)
    understood: bool = True
    unit: str | None = None


def age_band(value: Any) -> str | None:
    """Maps an age in years, or an age band, to a band of the triage rules (None if absurd)."""
    if value in AGE_BANDS:
        return str(value)
    try:
        years = float(value)
    except (TypeError, ValueError):
        return None
    return triage_age_band(years) if 4 <= years <= 110 else None


def _number_in(text: str) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group(1)) if match else None


def _unit_of(entity: Mapping[str, Any], text: str) -> str | None:
    span = text[entity["start"] : entity["end"]] if "start" in entity and text else ""
    if not span:
        return None
    return "mi" if _MILES.search(span) or _MILES.search(text[entity["end"] :][:12]) else "km"


def _merge_list(current: Sequence[str] | None, new: Iterable[str]) -> list[str]:
    merged = list(current or [])
    merged.extend(v for v in new if v not in merged)
    return merged


def _apply_entities(
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    turn: Turn,
) -> None:
    lists: dict[str, list[str]] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        negated = bool(entity.get("negated"))
        if name == "symptom" and value == "swelling":
            turn.updates["swelling"] = not negated
        if negated or value is None or _bare_number_for_another_question(entity, text, requested):
            continue
        if name in DIRECT_ANSWERS:
            turn.updates[DIRECT_ANSWERS[name]] = value
        elif name in LIST_ANSWERS:
            lists.setdefault(LIST_ANSWERS[name], []).append(str(value))
        elif name == "location":
            turn.updates["location"] = value
        elif name in DISTANCE_SLOTS or name == "distance":
            _apply_distance(name, float(value), requested, turn)
            turn.unit = _unit_of(entity, text) or turn.unit
        elif name == "load_change":
            turn.updates["stated_change_pct"] = float(value)
        elif name == "duration":
            target = requested if requested in DURATION_SLOTS else None
            if target:
                turn.updates[target] = float(value)
        elif name == "age":
            band = age_band(value)
            if band:
                turn.updates["age_band"] = band
    for slot, values in lists.items():
        turn.updates[slot] = _merge_list(answers.get(slot), values)
    for test in (e.get("value") for e in entities if e.get("entity") == "self_test"):
        _apply_self_test(str(test), entities, turn)
    if "symptoms" in turn.updates and "limp" in turn.updates["symptoms"]:
        turn.updates["limp"] = True
    injury = turn.updates.get("injury")
    if injury in INJURY_EVENTS and answers.get("onset") is None:
        turn.updates.setdefault("onset", "sudden")


def _bare_number_for_another_question(
    entity: Mapping[str, Any], text: str, requested: str | None
) -> bool:
    """A lone "3" answering "over how many weeks?" is not a pain score."""
    if entity.get("entity") != "pain_score" or requested not in NUMBER_QUESTIONS:
        return False
    return "10" not in text[entity.get("start", 0) : entity.get("end", len(text))]


def _apply_distance(name: str, km: float, requested: str | None, turn: Turn) -> None:
    if name in DISTANCE_SLOTS:
        turn.updates[DISTANCE_SLOTS[name]] = km
    elif requested is not None and requested in DISTANCE_SLOTS.values():
        turn.updates[requested] = km


def _apply_self_test(test: str, entities: Sequence[Mapping[str, Any]], turn: Turn) -> None:
    outcome = next((e.get("value") for e in entities if e.get("entity") == "outcome"), None)
    if outcome in SELF_TEST_RESULT:
        turn.updates[f"self_test_{test}"] = SELF_TEST_RESULT[str(outcome)]
        turn.updates.pop("tried_outcome", None)


def _apply_intent(
    intent: str,
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    unit_hint: str | None,
    turn: Turn,
) -> None:
    """Reads a bare yes/no or number as the answer to the pending question."""
    if requested is None or requested in turn.updates:
        return
    if requested in YES_NO_SLOTS and intent in ("affirm", "deny"):
        turn.updates[requested] = intent == "affirm"
    elif requested in CHECKLIST_SLOTS and (
        intent == "deny" or "symptoms" in turn.updates or "red_flags" in turn.updates
    ):
        turn.updates[requested] = True
    elif requested == "tried" and intent == "deny":
        turn.updates["tried"] = []
    elif requested == "injury" and intent == "deny":
        turn.updates["injury"] = "none"
    elif intent != "deny":
        _apply_bare_number(text, requested, unit_hint, turn)


def _apply_bare_number(text: str, requested: str, unit_hint: str | None, turn: Turn) -> None:
    number = _number_in(text)
    if number is None:
        return
    if requested == "pain_score" and 0 <= number <= 10 and number == int(number):
        turn.updates["pain_score"] = int(number)
    elif requested == "age_band":
        band = age_band(number)
        if band:
            turn.updates["age_band"] = band
    elif requested == "weeks_since_change":
        turn.updates[requested] = number
    elif requested in DISTANCE_SLOTS.values() and unit_hint:
        turn.updates[requested] = number * KM_PER_MILE if unit_hint == "mi" else number


def _derive_distance_now(answers: Mapping[str, Any], turn: Turn) -> None:
    """ "I doubled it" with a known earlier distance gives the current distance."""
    merged = {**answers, **turn.updates}
    change, before = merged.get("stated_change_pct"), merged.get("distance_before_km")
    if change is not None and before is not None and merged.get("distance_now_km") is None:
        turn.updates["distance_now_km"] = round(before * (1 + change / 100), 1)


def interpret_turn(
    intent: str | None,
    entities: Sequence[Mapping[str, Any]],
    text: str,
    requested: str | None,
    answers: Mapping[str, Any],
    unit_hint: str | None = None,
) -> Turn:
    """Interprets one user message in the light of the pending question.

    Args:
        intent: the NLU intent name.
        entities: NLU entities with normalised values (docs/nlu_schema.md).
        text: the raw message (used only for a bare number and a distance's unit).
        requested: the answer slot the bot is waiting for, or None.
        answers: the answers so far.
        unit_hint: "mi" or "km" if the runner used a unit before.

    Returns:
        The updates this message makes and whether it answered the pending question.
    """
    turn = Turn()
    if intent in NON_ANSWER_INTENTS:
        return turn
    _apply_entities(entities, text, requested, answers, turn)
    _apply_intent(intent or "", text, requested, answers, unit_hint or turn.unit, turn)
    _derive_distance_now(answers, turn)
    turn.understood = requested is None or requested in turn.updates or intent in SOCIAL_INTENTS
    return turn
