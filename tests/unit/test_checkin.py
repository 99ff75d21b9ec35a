"""The check-in rules (actions/checkin.py, data/checkin.yml) on whole answer sets."""

from __future__ import annotations

from typing import Any

import pytest

from actions.checkin import (
    CheckinContext,
    adjust_level,
    checked_in_answers,
    is_coming_back,
    read_frequency,
    read_trend,
    start_updates,
    trend,
)
from actions.guidance import build_plan, exercise_by_id
from actions.triage import assess

#: A self-care runner: gradual onset after a mileage jump, no red flags.
BASE: dict[str, Any] = {
    "consent": True, "side": "left", "location": "inner_surface", "onset": "gradual",
    "injury": "none", "distance_before_km": 20.0, "distance_now_km": 30.0,
    "weeks_since_change": 3, "swelling": False, "emergency_check": False,
    "urgent_check": False, "pain_trigger": ["running"], "pain_score": 5,
    "settles_by_next_day": True, "pain_duration_weeks": 2, "limp": False, "tried": [],
    "age_band": "18_54",
}  # fmt: skip
PLAN = ("clamshell", "side_lying_hip_abduction")


def _context(days: int = 15, level: str = "self_care", pain: int | None = 5) -> CheckinContext:
    return CheckinContext(days_since=days, level=level, pain_score=pain, plan=PLAN)


def _check_in(context: CheckinContext, **said: Any) -> tuple[dict[str, Any], Any]:
    answers = {**BASE, **start_updates(BASE, context), "emergency_check": False,
               "urgent_check": False, "distance_now_km": 25.0, **said}  # fmt: skip
    names = [exercise_by_id(i).name for i in context.plan]
    read = checked_in_answers(answers, context, names)
    return read, adjust_level(assess(read), read, context)


@pytest.mark.parametrize(("text", "days", "expected"), [
    ("hi, I'm back", 1, True),
    ("quick update: it's been two weeks", 2, True),
    ("Checking in on the knee", 0, True),
    ("hello", 9, True),  # a week or more after the check, any message is a check-in
    ("hello", 2, False),
    ("how do I do the clamshell?", 3, False),
    ("my back is better", 1, False),  # "back" alone is not "I'm back"
])  # fmt: skip
def test_coming_back(text: str, days: int, expected: bool) -> None:
    assert is_coming_back(text, days) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("much better thanks", "better"), ("about the same really", "same"),
    ("bit worse if anything", "worse"), ("no better", "same"), ("not sure", None),
    ("getting worse after long runs", "worse"),
])  # fmt: skip
def test_trend_words(text: str, expected: str | None) -> None:
    assert read_trend(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("most days", "most_days"), ("a few times a week", "few_times_week"),
    ("hardly, to be honest", "rarely"), ("not at all", "not_at_all"),
    ("once or twice", "rarely"), ("pizza", None),
])  # fmt: skip
def test_frequency_words(text: str, expected: str | None) -> None:
    assert read_frequency(text) == expected


def test_start_clears_what_can_change_and_ages_the_pain() -> None:
    updates = start_updates(BASE, _context(days=14))
    for slot in ("pain_score", "distance_now_km", "emergency_check", "urgent_check",
                 "checkin_trend", "checkin_exercises", "checkin_pain_now"):  # fmt: skip
        assert slot in updates and updates[slot] is None
    assert updates["pain_duration_weeks"] == 4.0
    assert CheckinContext.from_slot(updates["checkin"]) == _context(days=14)
    assert "side" not in updates and "red_flags" not in updates


def test_trend_checks_the_word_against_the_scores() -> None:
    context = _context(pain=5)
    assert trend({"checkin_trend": "better", "pain_score": 2}, context) == "better"
    assert trend({"checkin_trend": "better", "pain_score": 7}, context) == "same"  # mixed
    assert trend({"checkin_trend": "worse", "pain_score": 2}, context) == "same"
    assert trend({"pain_score": 2}, context) == "better"  # no word: the scores decide
    assert trend({"pain_score": 6}, context) == "same"  # one point is within the noise
    assert trend({"checkin_trend": "unknown"}, _context(pain=None)) == "unknown"


def test_better_with_exercises_done_progresses_the_plan() -> None:
    context = _context()
    read, result = _check_in(context, checkin_trend="better", pain_score=2,
                             checkin_exercises="most_days")
    assert result.level == "self_care"
    assert read["tried_outcome"] == "helped" and "exercises" in read["tried"]
    plan = build_plan(read, result)
    tiers = {item.exercise.id: item.tier for item in plan.items}
    assert any(tiers.get(i) == "progress" for i in PLAN), tiers


def test_the_same_after_two_weeks_is_clinician() -> None:
    _, result = _check_in(_context(days=15), checkin_trend="same", pain_score=5,
                          checkin_exercises="few_times_week")
    assert result.level == "clinician"
    assert {"not_better_after_weeks", "exercises_not_helping"} <= {
        r.rule_id for r in result.reasons}


def test_the_same_after_one_week_keeps_the_plan() -> None:
    _, result = _check_in(_context(days=8), checkin_trend="same", pain_score=5,
                          checkin_exercises="rarely")
    # exercises done but "no change" after a week: the triage rule on tried exercises fires
    assert result.level == "clinician"
    _, not_done = _check_in(_context(days=8), checkin_trend="same", pain_score=5,
                            checkin_exercises="not_at_all")
    assert not_done.level == "self_care"  # a plan not followed is not judged


def test_worse_is_clinician_at_any_time() -> None:
    _, result = _check_in(_context(days=3), checkin_trend="worse", pain_score=6,
                          checkin_exercises="not_at_all")
    assert result.level == "clinician"
    assert "worse_since_last_check" in {r.rule_id for r in result.reasons}


def test_a_new_warning_sign_escalates() -> None:
    _, result = _check_in(_context(), checkin_trend="better", pain_score=2,
                          checkin_exercises="most_days", red_flags=["calf_swollen_warm"])
    assert result.level in ("urgent", "emergency")
    assert result.stop_questioning


def test_clinician_is_lowered_only_when_clearly_better() -> None:
    context = _context(level="clinician", pain=6)
    _, better = _check_in(context, checkin_trend="better", pain_score=2,
                          checkin_exercises="most_days")
    assert better.level == "self_care"
    assert "checkin_clinician_to_self_care" in {r.rule_id for r in better.reasons}
    _, still_sore = _check_in(context, checkin_trend="better", pain_score=4,
                              checkin_exercises="most_days")
    assert still_sore.level == "clinician"
    assert "checkin_level_kept" in {r.rule_id for r in still_sore.reasons}


def test_a_red_flag_level_is_never_lowered() -> None:
    _, result = _check_in(_context(level="urgent"), checkin_trend="better", pain_score=1,
                          checkin_exercises="most_days")
    assert result.level == "urgent"


def test_better_at_a_check_in_builds_up_from_the_distance_now() -> None:
    read, result = _check_in(_context(), checkin_trend="better", pain_score=2,
                             checkin_exercises="most_days")
    advice = build_plan(read, result).load_advice
    assert "better at about 25 km a week" in advice
    assert "(28 → 30 → 33)" in advice
    assert "drop back" not in advice
