"""The check-in history of the clinic summary (actions/summary_history.py, ``triage.history``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from actions.guidance import build_plan
from actions.summary import build_summary
from actions.summary_history import history_row, history_rows
from actions.triage import assess
from tests.answer_sets import SELF_CARE

NOW = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.timezone.utc)
ROW_KEYS = ["date", "level", "pain_worst", "pain_now", "distance_km", "trend", "exercises",
            "kind"]


@dataclass(frozen=True)
class Stored:
    """A stored assessment as the store returns it (the fields the history reads)."""

    created_at: dt.datetime
    level: str
    answers: dict[str, Any] = field(default_factory=dict)


FIRST = Stored(NOW - dt.timedelta(days=28), "clinician",
               {"pain_score": 6, "distance_now_km": 35 * 1.609344, "consent": True})
CHECK_IN = Stored(NOW - dt.timedelta(days=14), "clinician",
                  {"pain_score": 5, "distance_now_km": 40.0, "checkin_trend": "better",
                   "checkin_pain_now": 2, "checkin_exercises": "most_days",
                   "checkin": {"days_since": 14, "level": "clinician"}})
CURRENT = {"pain_score": 3, "distance_now_km": 45.04, "checkin_trend": "better",
           "checkin_pain_now": 1, "checkin_exercises": "few_times_week",
           "checkin": {"days_since": 14, "level": "clinician"}}


def test_a_first_assessment_has_no_history() -> None:
    assert history_rows([], "self_care", CURRENT, NOW) is None
    result = assess(SELF_CARE)
    summary = build_summary(SELF_CARE, result, build_plan(SELF_CARE, result))
    assert "history" not in summary["triage"]


def test_one_row_per_earlier_assessment_then_the_current_outcome_oldest_first() -> None:
    rows = history_rows([CHECK_IN, FIRST], "self_care", CURRENT, NOW)  # given newest first
    assert rows is not None
    assert [row["date"] for row in rows] == ["2026-11-02", "2026-11-16", "2026-11-30"]
    assert [row["kind"] for row in rows] == ["assessment", "check-in", "check-in"]
    assert [row["level"] for row in rows] == ["clinician", "clinician", "self_care"]
    assert all(list(row) == ROW_KEYS for row in rows)
    assert rows[0] == {"date": "2026-11-02", "level": "clinician", "pain_worst": 6,
                       "pain_now": None, "distance_km": 56.3, "trend": None,
                       "exercises": None, "kind": "assessment"}
    assert rows[-1] == {"date": "2026-11-30", "level": "self_care", "pain_worst": 3,
                        "pain_now": 1, "distance_km": 45.0, "trend": "better",
                        "exercises": "few_times_week", "kind": "check-in"}


def test_the_same_day_keeps_the_order_the_store_gave() -> None:
    morning = Stored(NOW.replace(hour=8), "self_care", {"pain_score": 2})
    later = Stored(NOW.replace(hour=8), "urgent", {"pain_score": 7})
    rows = history_rows([morning, later], "urgent", {}, NOW)
    assert rows is not None and [row["level"] for row in rows] == ["self_care", "urgent",
                                                                   "urgent"]


def test_unknown_and_not_sure_answers_are_none_and_still_make_a_check_in() -> None:
    raw = {"pain_score": "unknown", "distance_now_km": "unknown", "checkin_trend": "unknown",
           "checkin_pain_now": "unknown", "checkin_exercises": "unknown"}
    row = history_row(NOW, "clinician", raw)
    assert {key: row[key] for key in ROW_KEYS[2:7]} == dict.fromkeys(ROW_KEYS[2:7])
    assert row["kind"] == "check-in"
    stored = {"pain_score": None, "unknown": ["checkin_trend"]}  # as clinic_answers stores it
    assert history_row(NOW, "clinician", stored)["kind"] == "check-in"


def test_values_outside_their_range_are_not_shown_as_facts() -> None:
    row = history_row(NOW, "clinician", {"pain_score": 14, "checkin_pain_now": True,
                                         "distance_now_km": -3, "checkin_trend": "sideways",
                                         "checkin_exercises": "daily"})
    assert {key: row[key] for key in ROW_KEYS[2:7]} == dict.fromkeys(ROW_KEYS[2:7])
    assert row["kind"] == "check-in"


def test_a_naive_time_is_utc_and_an_aware_one_is_dated_in_utc() -> None:
    assert history_row(dt.datetime(2026, 11, 30, 23, 30), "self_care", {})["date"] == (
        "2026-11-30")
    late_in_sydney = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=11)))
    assert history_row(late_in_sydney, "self_care", {})["date"] == "2026-11-30"


def test_the_summary_carries_the_history_as_json() -> None:
    answers = {**SELF_CARE, **CURRENT, "checkin_pain_now": "unknown"}
    result = assess(answers)
    summary = build_summary(answers, result, build_plan(answers, result),
                            earlier=[FIRST, CHECK_IN], now=NOW)
    history = summary["triage"]["history"]
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    assert len(history) == 3 and history[-1]["level"] == summary["triage"]["level"]
    assert history[-1]["pain_now"] is None and history[-1]["kind"] == "check-in"
    assert history[-1]["pain_worst"] == summary["triage"]["answers"]["pain_score"]
