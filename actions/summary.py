"""Machine-readable summary of an assessment, for the clinic (docs/clinic_summary.md).

The output is plain JSON-serialisable data: ``{"triage": {...}}`` with a ``schema_version``.
Distances are kilometres rounded to 0.1 km; ``load_increase_pct`` is recomputed from the
distances (``(now - before) / before * 100``), falling back to the runner's stated change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from actions.guidance import Plan, plan_sources
from actions.summary_history import PastAssessment, history_rows
from actions.triage import (
    UNKNOWN,
    TriageResult,
    known_answers,
    load_increase_pct,
    red_flags_from_symptoms,
)

__all__ = ["ANSWER_KEYS", "SCHEMA_VERSION", "build_summary", "clinic_answers"]

SCHEMA_VERSION = 1

#: Answer keys always present in the summary (None when unknown), in this order.
ANSWER_KEYS = (
    "side", "location", "onset", "injury", "distance_before_km", "distance_now_km",
    "load_increase_pct", "stated_change_pct", "weeks_since_change", "swelling", "red_flags",
    "symptoms", "pain_triggers", "pain_score", "settles_by_next_day", "pain_duration_weeks",
    "load_reduced", "tried", "tried_outcome", "age_band", "limp", "self_test_hip",
    "self_test_foot",
)
_DISTANCE_KEYS = ("distance_before_km", "distance_now_km")
_LIST_KEYS = ("red_flags", "symptoms", "pain_triggers", "tried")


def _jsonable(value: Any) -> Any:
    """Convert ``value`` into JSON-safe data (lists, dicts with str keys, finite numbers)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, Sequence):
        return [_jsonable(item) for item in value]
    return str(value)


def _round_km(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def clinic_answers(given: Mapping[str, Any]) -> dict[str, Any]:
    """Known answers by key; ``unknown`` lists what the runner did not know or skipped."""
    answers = known_answers(given)
    out: dict[str, Any] = {key: answers.get(key) for key in ANSWER_KEYS}
    for key in _LIST_KEYS:
        out[key] = list(answers.get(key) or [])
    for key in _DISTANCE_KEYS:
        out[key] = _round_km(answers.get(key))
    pct = load_increase_pct(
        answers.get("distance_before_km"),
        answers.get("distance_now_km"),
        answers.get("stated_change_pct"),
    )
    out["load_increase_pct"] = None if pct is None else round(pct, 1)
    derived = red_flags_from_symptoms(out["symptoms"], answers)
    out["red_flags"] = list(dict.fromkeys([*out["red_flags"], *derived]))
    for key in sorted(set(answers) - set(ANSWER_KEYS)):
        out[key] = answers[key]
    out["unknown"] = [key for key, value in given.items() if value == UNKNOWN]
    return {key: _jsonable(value) for key, value in out.items()}


def build_summary(
    answers: Mapping[str, Any],
    result: TriageResult,
    plan: Plan,
    video: Mapping[str, Any] | None = None,
    earlier: Sequence[PastAssessment] = (),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the clinic summary.

    Args:
        answers: The triage answers (distances in km).
        result: The triage result for these answers.
        plan: The plan given to the runner.
        video: Video-analysis summary, included as ``triage.video`` only when given.
        earlier: The conversation's stored assessments before this one; when there is any,
            ``triage.history`` gives them and this outcome row by row
            (:mod:`actions.summary_history`).
        now: When this outcome is made (default: now, UTC); dates this outcome's history row.

    Returns:
        ``{"triage": {"schema_version", "level", "reasons", "answers", "plan",
        "plan_details"[, "video"][, "history"]}}``, JSON-serialisable. ``plan`` lists the
        exercise ids; ``plan_details`` gives, per exercise, the id, display name, dose, why
        and sources (sources appear only here, never in the runner-facing plan).
        ``answers.red_flags`` holds every red flag that applied: those ticked plus those
        derived from the symptoms mentioned.
    """
    triage: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "level": result.level,
        "reasons": [
            {"id": reason.rule_id, "level": reason.level, "text": reason.text}
            for reason in result.reasons
        ],
        "answers": clinic_answers(answers),
        "plan": [exercise.id for exercise in plan.exercises],
        "plan_details": plan_sources(plan),
    }
    if video is not None:
        triage["video"] = _jsonable(video)
    history = history_rows(earlier, result.level, triage["answers"],
                           now or dt.datetime.now(dt.timezone.utc))
    if history is not None:
        triage["history"] = history
    return {"triage": triage}
