"""Chat text for a plan: the triage level, the plan and one exercise as chat messages.

Pure formatting over what :mod:`actions.guidance` chose: wording comes from
``data/guidance.yml`` (``plan_texts``, ``level_messages``) and ``data/red_flags.yml`` via
:mod:`actions.content`; nothing here decides which exercises or advice apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from actions.content import Exercise, load_content
from actions.guidance import Plan, referral_text
from actions.triage import TriageResult
from content_schema.vocabulary import STOP_LEVELS

__all__ = ["render_exercise_detail", "render_level_message", "render_plan"]


def _texts() -> Mapping[str, str]:
    texts: Mapping[str, str] = load_content().guidance["plan_texts"]
    return texts


def _clean(text: str) -> str:
    return " ".join(text.split())


def _detail_button(exercise: Exercise) -> dict[str, str]:
    return {
        "title": _texts()["detail_button"].format(name=exercise.name),
        "payload": "/ask_exercise_detail" + json.dumps({"exercise": exercise.id}),
    }


def render_plan(plan: Plan) -> list[dict[str, Any]]:
    """Render a plan as a handful of chat messages.

    Meant to follow :func:`render_level_message` (which says what to do now, why, and whom
    to contact), so the level headline is not repeated. Urgent/emergency plans render one
    message: exercises can wait, and when to come back. Otherwise: notes (and, for a
    self-care plan, any referral), possible contributors, load advice, exercises with their
    dose, why each suits this runner and detail buttons, self-tests, then what to avoid and
    when to come back.

    Args:
        plan: Output of :func:`actions.guidance.build_plan`.

    Returns:
        Messages: ``{"text": ...}``, optionally with ``"buttons"``.
    """
    texts = _texts()
    if plan.level in STOP_LEVELS:
        return [{"text": f"{_clean(texts['exercises_wait'])}\n\n{plan.come_back}"}]
    messages: list[dict[str, Any]] = []
    notes = list(plan.notes)
    if plan.level == "self_care" and plan.referral:
        notes.append(plan.referral)
    if notes:
        messages.append({"text": "\n\n".join(notes)})
    labels = load_content().guidance["contributors"]
    lines = [f"{i}. {labels[name]['label']}: {why}" for i, (name, why) in enumerate(
        plan.contributors, start=1)]
    messages.append({"text": "\n".join([texts["contributors_intro"], *lines])})
    messages.append({"text": f"{texts['load_heading']} {plan.load_advice}"})
    if plan.items:
        key = "clinician_exercises_intro" if plan.level == "clinician" else "exercises_intro"
        lines = [
            texts["exercise_line"].format(name=item.exercise.name, dose=item.dose, why=item.why)
            for item in plan.items
        ]
        messages.append({
            "text": "\n".join([_clean(texts[key]), *lines]),
            "buttons": [_detail_button(item.exercise) for item in plan.items],
        })
    elif plan.level == "clinician":
        messages.append({"text": _clean(texts["clinician_no_exercises"])})
    if plan.self_tests:
        lines = [f"• {t.name}: {_clean(t.how)} {_clean(t.what_it_means_if_better)}"
                 for t in plan.self_tests]
        messages.append({"text": "\n".join([texts["self_tests_intro"], *lines])})
    avoid = "\n".join([texts["avoid_intro"], *(f"• {item}" for item in plan.avoid)])
    messages.append({"text": f"{avoid}\n\n{plan.come_back}"})
    return messages


def render_exercise_detail(exercise: Exercise) -> list[dict[str, Any]]:
    """Render one exercise: a readable text plus a structured ``custom`` payload (the card).

    The card carries only what the runner should see (display name, the contributor's
    label, instructions, doses, progression, cue) plus the id the widget keys names by;
    sources stay in the clinic summary.

    Args:
        exercise: The exercise to describe.

    Returns:
        ``[{"text": ...}, {"custom": {"exercise": {...}}}]``.
    """
    texts = _texts()
    doses = _clean(texts["detail_doses"].format(
        dosage=_end(exercise.dosage), start_dosage=exercise.start_dosage.rstrip(".")))
    lines = [
        exercise.name,
        _clean(exercise.how_to),
        texts["detail_dosage"].format(dosage=doses),
        texts["detail_progression"].format(progression=exercise.progression),
        texts["detail_cue"].format(cue=exercise.cue),
    ]
    label = load_content().guidance["contributors"][exercise.contributor]["label"]
    payload = {
        "id": exercise.id,
        "name": exercise.name,
        "contributor": label,
        "how_to": _clean(exercise.how_to),
        "dosage": doses,
        "progression": exercise.progression,
        "cue": exercise.cue,
    }
    return [{"text": "\n\n".join(lines)}, {"custom": {"exercise": payload}}]


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def render_level_message(
    result: TriageResult, clinic: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Render "what to do now" for the triage level.

    For urgent/emergency the first message is the action: the worst red flag's own
    instruction when a red flag fired, else the level's general instruction. Then the reasons,
    then the contact (the clinic is not offered for emergencies: that is for emergency
    services).

    Args:
        result: Output of :func:`actions.triage.assess`.
        clinic: Clinic contact (any field may be missing).

    Returns:
        Chat messages, most important first.
    """
    content = load_content()
    level_text = _clean(content.guidance["level_messages"][result.level])
    worst = result.reasons[0] if result.reasons else None
    first = level_text
    if result.level in STOP_LEVELS and worst and worst.rule_id in content.red_flags:
        first = _clean(content.red_flags[worst.rule_id].what_to_do)
    messages = [{"text": first}]
    reasons = [_clean(r.text) for r in result.reasons if r.level == result.level]
    if reasons:
        messages.append({"text": "\n".join(f"• {text}" for text in reasons)})
    referral = referral_text(result.level, clinic, other_location=False)
    if referral and result.level != "emergency":
        messages.append({"text": referral})
    return messages
