"""Unit tests for the clinic summary (actions/summary.py, docs/clinic_summary.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from actions.guidance import build_plan
from actions.summary import ANSWER_KEYS, SCHEMA_VERSION, build_summary
from actions.triage import assess
from content_schema.vocabulary import KM_PER_MILE

ANSWERS = {
    "side": "right",
    "location": "inner_surface",
    "onset": "gradual",
    "injury": "none",
    "distance_before_km": 20 * KM_PER_MILE,
    "distance_now_km": 35 * KM_PER_MILE,
    "weeks_since_change": 3,
    "swelling": True,
    "pain_triggers": ("after_runs", "stairs"),
    "pain_score": 5,
    "tried": ["exercises"],
    "tried_outcome": "worse",
}


def summary_for(answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result = assess(answers)
    return build_summary(answers, result, build_plan(answers, result), **kwargs)


def test_exact_top_level_shape() -> None:
    summary = summary_for(ANSWERS)
    assert list(summary) == ["triage"]
    assert set(summary["triage"]) == {"schema_version", "level", "reasons", "answers", "plan",
                                      "plan_details"}
    assert summary["triage"]["schema_version"] == SCHEMA_VERSION == 1


def test_round_trips_through_json() -> None:
    summary = summary_for(ANSWERS, video={"findings": ({"contributor": "hip_core",
                                                        "severity": 0.42},),
                                          "fps": float("nan")})
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary


def test_level_and_reasons() -> None:
    triage = summary_for(ANSWERS)["triage"]
    assert triage["level"] == "clinician"
    ids = [reason["id"] for reason in triage["reasons"]]
    assert {"recurrent_swelling", "exercises_not_helping", "load_spike"} <= set(ids)
    for reason in triage["reasons"]:
        assert set(reason) == {"id", "level", "text"}
        assert reason["text"]


def test_all_answer_keys_present_even_when_unknown() -> None:
    answers = summary_for({})["triage"]["answers"]
    assert set(answers) == {*ANSWER_KEYS, "unknown"}
    assert answers["side"] is None and answers["unknown"] == []
    assert answers["red_flags"] == [] and answers["tried"] == []


def test_not_sure_answers_are_listed_and_never_shown_as_facts() -> None:
    unsure = {**ANSWERS, "settles_by_next_day": "unknown", "tried": "unknown",
              "distance_now_km": "unknown", "unclear_answers": {"onset": "in the past days"}}
    answers = summary_for(unsure)["triage"]["answers"]
    assert sorted(answers["unknown"]) == ["distance_now_km", "settles_by_next_day", "tried"]
    assert answers["settles_by_next_day"] is None and answers["tried"] == []
    assert answers["distance_now_km"] is None and answers["load_increase_pct"] is None
    assert answers["unclear_answers"] == {"onset": "in the past days"}


def test_distances_in_km_rounded_and_load_pct_recomputed() -> None:
    answers = summary_for({**ANSWERS, "stated_change_pct": 10})["triage"]["answers"]
    assert answers["distance_before_km"] == 32.2
    assert answers["distance_now_km"] == 56.3
    assert answers["load_increase_pct"] == 75.0  # from distances, not the stated 10


def test_load_pct_falls_back_to_stated() -> None:
    answers = summary_for({"stated_change_pct": 100})["triage"]["answers"]
    assert answers["load_increase_pct"] == 100.0
    assert answers["distance_before_km"] is None


@pytest.mark.parametrize(("before", "now", "pct"), [(10, 10, 0.0), (30, 20, -33.3),
                                                    (0.04, 0.05, 25.0)])
def test_load_pct_edges(before: float, now: float, pct: float) -> None:
    answers = summary_for({"distance_before_km": before, "distance_now_km": now})
    assert answers["triage"]["answers"]["load_increase_pct"] == pct


def test_plan_is_exercise_ids() -> None:
    result = assess(ANSWERS)
    plan = build_plan(ANSWERS, result)
    summary = build_summary(ANSWERS, result, plan)
    assert summary["triage"]["plan"] == [exercise.id for exercise in plan.exercises]
    assert all(isinstance(item, str) for item in summary["triage"]["plan"])


def test_emergency_plan_is_empty() -> None:
    triage = summary_for({"red_flags": ["deformity"]})["triage"]
    assert triage["level"] == "emergency" and triage["plan"] == []


def test_red_flags_include_those_derived_from_symptoms() -> None:
    answers = summary_for({"red_flags": ["locking"], "symptoms": ["giving_way"],
                           "injury": "twist"})
    assert answers["triage"]["answers"]["red_flags"] == ["locking", "giving_way_after_twist"]


def test_sequences_become_lists_and_extras_are_kept() -> None:
    answers = summary_for({**ANSWERS, "consent": True, "tried_exercises": ("mini squats",)})
    data = answers["triage"]["answers"]
    assert data["pain_triggers"] == ["after_runs", "stairs"]
    assert data["consent"] is True
    assert data["tried_exercises"] == ["mini squats"]


def test_video_only_when_given() -> None:
    assert "video" not in summary_for(ANSWERS)["triage"]
    video = {"findings": [{"contributor": "hip_core", "severity": "moderate"}]}
    assert summary_for(ANSWERS, video=video)["triage"]["video"] == video


def test_summary_does_not_mutate_answers() -> None:
    answers = dict(ANSWERS)
    summary_for(answers)
    assert answers == ANSWERS
