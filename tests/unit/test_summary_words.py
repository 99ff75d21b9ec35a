"""The clinic summary in words (kneeapp/clinic/summary_words.py), part by part."""

from __future__ import annotations

import re

import pytest
import yaml

from content_schema.vocabulary import FIELD_VALUES, KM_PER_MILE, LEVELS
from kneeapp.clinic import summary_words as sw
from tests.clinic_cases import level_summary
from tests.paths import REPO

WORDS = yaml.safe_load((REPO / "data" / "summary_words.yml").read_text(encoding="utf-8"))
GUIDANCE = yaml.safe_load((REPO / "data" / "guidance.yml").read_text(encoding="utf-8"))
RED_FLAGS = yaml.safe_load((REPO / "data" / "red_flags.yml").read_text(encoding="utf-8"))
ID_LIKE = re.compile(r"\b[a-z]+(_[a-z0-9]+)+\b")


def test_every_value_word_names_a_value_the_app_knows() -> None:
    from actions.message_reading import SELF_TEST_RESULT

    known = {**FIELD_VALUES, "self_test_hip": tuple(SELF_TEST_RESULT.values()),
             "self_test_foot": tuple(SELF_TEST_RESULT.values())}
    for key, words in WORDS["values"].items():
        assert key in known, key
        assert set(words) <= set(known[key]), (key, set(words) - set(known[key]))


def test_every_answer_of_the_summary_has_a_label() -> None:
    from actions.summary import ANSWER_KEYS

    labelled = {item["key"] for item in WORDS["answers"]}
    assert set(ANSWER_KEYS) <= labelled | set(WORDS["hidden_answers"])


@pytest.mark.parametrize("level", LEVELS)
def test_the_level_reads_as_the_widget_shows_it(level: str) -> None:
    words = sw.level_words({"triage": {"level": level}})
    card = GUIDANCE["level_cards"][level]
    assert (words.level, words.label, words.advice) == (level, card["label"], card["advice"])


def test_an_unknown_level_is_humanised_without_advice() -> None:
    assert sw.level_words({"triage": {"level": "later_maybe"}}).label == "Later maybe"
    assert sw.level_words({}).advice == ""


def test_reasons_are_the_texts_the_runner_was_told_in_order() -> None:
    summary = level_summary("clinician")
    told = [" ".join(reason["text"].split()) for reason in summary["triage"]["reasons"]]
    assert told and sw.reasons(summary) == told
    assert sw.reasons({"triage": {"reasons": [{"id": "x"}, "bad"]}}) == []


def test_no_warning_signs_is_said_in_words() -> None:
    assert sw.warning_signs({"red_flags": []}) == "No warning signs"
    rows = {row.label: row.value for row in sw.answer_rows({"red_flags": [],
                                                             "emergency_check": True})}
    assert rows["Warning signs"] == "No warning signs"
    assert "Emergency check" not in " ".join(rows) and "Yes" not in rows.values()


def test_warning_signs_read_as_the_checklist_words_them() -> None:
    labels = {flag["id"]: flag["label"] for flag in RED_FLAGS["red_flags"]}
    said = sw.warning_signs({"red_flags": ["cannot_bear_weight", "locking"]})
    assert said == f"{labels['cannot_bear_weight']}; {labels['locking']}"
    assert sw.warning_signs({"red_flags": ["new_sign"]}) == "New sign"


@pytest.mark.parametrize(("key", "value", "words"), [
    ("side", "both", "Both knees"),
    ("location", "inner_joint_line", "Inner joint line"),
    ("age_band", "18_54", "18 to 54"),
    ("pain_triggers", ["after_runs", "stairs"], "After runs, On stairs"),
    ("tried", ["foam_rolling", "ice"], "Foam rolling, Ice"),
    ("swelling", True, "Yes"),
    ("limp", False, "No"),
    ("pain_score", 7, "7"),
    ("distance_now_km", 56.3, "56.3 km a week (35 miles)"),
    ("distance_before_km", 20 * KM_PER_MILE, f"{20 * KM_PER_MILE:g} km a week (20 miles)"),
    ("distance_before_km", 40.0, "40 km a week (25 miles)"),
    ("load_increase_pct", 75.0, "+75 %"),
    ("load_increase_pct", -20.5, "-20.5 %"),
    ("weeks_since_change", 0.5, "Less than a week"),
    ("pain_duration_weeks", 1.5, "About 11 days"),
    ("pain_duration_weeks", 1, "About 1 week"),
    ("pain_duration_weeks", 6, "About 6 weeks"),
    ("symptoms", [], "None"),
    ("tried", [], None),
    ("side", None, None),
    ("unclear_answers", {"onset": "x"}, None),
])
def test_one_answer_in_words(key: str, value: object, words: str | None) -> None:
    assert sw.answer_value(key, value) == words


def test_answers_keep_the_table_order_and_say_not_known_in_place() -> None:
    answers = level_summary("clinician")["triage"]["answers"]
    rows = sw.answer_rows(answers)
    labels = [row.label for row in rows]
    order = [item["label"] for item in WORDS["answers"]]
    listed = [label for label in labels if label in order]
    assert listed == sorted(listed, key=order.index)
    values = {row.label: row.value for row in rows}
    before = f"{answers['distance_before_km']:g} km a week (20 miles)"
    assert values["Settles by the next day"] == "Not known"
    assert values["Weekly distance before"] == before
    assert values["How long it has hurt (own words)"] == "since the spring block"
    assert values["Exercises tried"] == "Mini squats"


def test_answers_never_show_bookkeeping_ids_or_json() -> None:
    answers = {**level_summary("urgent")["triage"]["answers"], "consent": True,
               "urgent_check": True, "something_new": {"nested": 1}, "shoe_size": 43}
    rows = sw.answer_rows(answers)
    text = " ".join(f"{row.label} {row.value}" for row in rows)
    assert "{" not in text and "Consent" not in text and "Urgent check" not in text
    assert "Shoe size 43" in text
    assert not ID_LIKE.search(text), ID_LIKE.search(text)


def test_plan_rows_carry_name_dose_and_why() -> None:
    summary = level_summary("self_care")
    details = summary["triage"]["plan_details"]
    rows = sw.plan_rows(summary)
    assert [row.name for row in rows] == [item["name"] for item in details]
    assert all(row.dose and row.why for row in rows)
    assert sw.plan_rows(level_summary("emergency")) == []


def test_video_facts_and_measures_in_words() -> None:
    video = sw.video_block(level_summary("self_care", video=True))
    assert video is not None
    facts = [(row.label, row.value) for row in sw.video_facts(video)]
    assert facts == [("Filmed", "Running, back view"), ("Measured from", "14 steps")]
    rows = {row.label: row for row in sw.measure_rows(video)}
    cadence = rows["Step rate (cadence)"]
    assert (cadence.value, cadence.usual, cadence.reading, cadence.confidence) == (
        "158 steps/min", "165 steps/min or more", "Slightly outside the usual range", "High")
    assert rows["Knee angle seen from the front"].confidence == "Low (rough estimate)"
    assert rows["Knee angle seen from the front"].reading == "Stands out"
    assert (rows["Pelvic drop"].usual, rows["Pelvic drop"].reading) == ("", "")
    assert sw.video_block(level_summary("self_care")) is None


def test_an_unusable_video_says_so() -> None:
    facts = sw.video_facts({"activity": "squat", "view": "front", "usable": False})
    assert [row.value for row in facts] == ["Squat, front view",
                                            "No: the footage could not be measured reliably"]


def test_sources_name_each_reason_by_number_and_each_exercise_by_name() -> None:
    summary = level_summary("clinician", video=True)
    rows = sw.source_rows(summary)
    topics = " ".join(row.topic for row in rows)
    assert "Reason 1" in topics
    for item in summary["triage"]["plan_details"]:
        assert item["name"] in topics
    assert "Step rate (cadence)" in topics
    assert len({row.source for row in rows}) == len(rows), "each source once"
    assert not any(ID_LIKE.search(row.topic) for row in rows)


def test_the_history_reads_in_the_summarys_words() -> None:
    summary = level_summary("urgent", earlier=3)
    rows = sw.history_rows(summary)
    first, unsure, current = rows[0], rows[2], rows[-1]
    assert (first.kind, first.level, first.pain_worst, first.distance) == (
        WORDS["history"]["kinds"]["assessment"], GUIDANCE["level_cards"]["clinician"]["label"],
        "6", "56.3 km a week (35 miles)")
    assert {first.pain_now, first.trend, first.exercises} == {WORDS["history"]["not_asked"]}
    assert (unsure.pain_now, unsure.distance) == ("Not known", "Not known")
    assert (unsure.trend, unsure.exercises) == (WORDS["values"]["checkin_trend"]["same"],
                                                WORDS["values"]["checkin_exercises"][
                                                    "few_times_week"])
    assert (current.kind, current.level) == (WORDS["history"]["kinds"]["check_in"],
                                             GUIDANCE["level_cards"]["urgent"]["label"])
    series = sw.pain_series(summary)
    assert series.worst == (6, 5, 5, 3) and series.now == (None, 3, None, 1)
    assert series.dates == tuple(row.date for row in rows)


def test_a_stored_history_that_is_short_or_odd_says_nothing_raw() -> None:
    assert sw.history_rows(level_summary("self_care")) == []
    one = {"triage": {"history": [{"date": "2026-11-30", "level": "self_care"}]}}
    assert sw.history_rows(one) == [] and sw.pain_series(one).dates == ()
    odd = {"triage": {"history": [
        "not a row",
        {"date": "2026-11-02", "level": "later", "pain_worst": "five", "kind": "check-in",
         "distance_km": True, "trend": "sideways_ish"},
        {"level": "self_care", "pain_worst": 14, "pain_now": 2.0},
    ]}}
    older, newer = sw.history_rows(odd)
    assert (older.level, older.pain_worst, older.distance, older.trend) == (
        "Later", "Not known", "Not known", "Sideways ish")
    assert (newer.date, newer.kind, newer.pain_worst) == ("Not known", "Assessment", "Not known")
    assert sw.pain_series(odd).worst == (None, None) and sw.pain_series(odd).now == (None, 2)
