"""Question order, conditional questions, stop rules and the re-ask wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import actions.questions as actions_questions
from actions.questions import (
    all_questions,
    next_question,
    question_for,
    question_slots,
    render_question,
)
from content_schema import ContentError
from tests.answer_sets import SELF_CARE
from tests.paths import REPO


def test_questions_start_with_consent_and_cover_safety_before_training() -> None:
    slots = question_slots()
    assert slots[0] == "consent"
    assert (
        slots.index("emergency_check")
        < slots.index("urgent_check")
        < slots.index("distance_before_km")
    )


def test_every_question_has_text_example_and_reason() -> None:
    for question in all_questions():
        assert question.ask and question.example and question.why, question.slot


def test_first_question_is_consent() -> None:
    assert next_question({}) == "consent"


def test_refused_consent_ends_questioning() -> None:
    assert next_question({"consent": False}) is None


def test_facts_given_early_are_not_asked_again() -> None:
    answers = {"consent": True, "side": "right", "location": "medial", "distance_before_km": 32.2}
    assert next_question(answers) == "onset"
    answers |= {
        "onset": "gradual",
        "age_band": "18_54",
        "emergency_check": True,
        "urgent_check": True,
        "swelling": False,
    }
    assert next_question(answers) == "distance_now_km"


def test_injury_question_only_after_sudden_onset() -> None:
    base = {"consent": True, "side": "left", "location": "inner_joint_line"}
    assert next_question(base | {"onset": "gradual"}) == "age_band"
    assert next_question(base | {"onset": "sudden"}) == "injury"


def test_time_frame_asked_only_when_load_went_up() -> None:
    answers = dict(SELF_CARE)
    del answers["weeks_since_change"]
    assert next_question(answers) == "weeks_since_change"
    answers["distance_now_km"] = 25.0
    assert next_question(answers) is None


def test_stated_change_counts_as_increase() -> None:
    answers = {
        k: v
        for k, v in SELF_CARE.items()
        if k not in ("distance_now_km", "weeks_since_change")
    }
    answers["stated_change_pct"] = 100.0
    assert next_question(answers) == "distance_now_km"


def test_load_reduced_asked_only_for_long_lasting_pain() -> None:
    assert next_question(SELF_CARE) is None
    assert next_question(SELF_CARE | {"pain_duration_weeks": 6.0}) == "load_reduced"


def test_outcome_asked_only_when_something_was_tried() -> None:
    assert next_question(SELF_CARE | {"tried": ["exercises"]}) == "tried_outcome"


def test_red_flag_stops_questioning() -> None:
    assert next_question({"consent": True}, stop_questioning=True) is None


def test_consent_is_asked_even_after_a_volunteered_red_flag() -> None:
    assert next_question({"symptoms": ["locking"]}, stop_questioning=True) == "consent"


@pytest.mark.parametrize("location", ["outer", "back"])
def test_other_locations_get_only_the_safety_questions(location: str) -> None:
    answers = {"consent": True, "side": "left", "location": location}
    assert next_question(answers) == "emergency_check"
    answers |= {"emergency_check": True}
    assert next_question(answers) == "urgent_check"
    answers |= {"urgent_check": True}
    assert next_question(answers) is None


def test_reask_rewords_with_example_and_buttons_including_not_sure() -> None:
    side = question_for("side")
    assert side is not None
    first, second = (render_question(side, n) for n in range(2))
    assert "buttons" not in first and side.example not in first["text"]
    assert side.example in second["text"] and second["text"] != first["text"]
    assert [b["title"] for b in second["buttons"]] == ["Left", "Right", "Both", "Not sure"]


def test_a_question_without_buttons_gets_yes_no_not_sure_when_reworded() -> None:
    score = question_for("settles_by_next_day")
    assert score is not None
    titles = [b["title"] for b in render_question(score, 1)["buttons"]]
    assert titles[-1] == "Not sure" and len(titles) >= 3


def test_consent_always_has_buttons() -> None:
    consent = question_for("consent")
    assert consent is not None
    assert len(render_question(consent, 0)["buttons"]) == 2


def test_a_checklist_after_a_named_sign_asks_for_the_others() -> None:
    urgent = question_for("urgent_check")
    assert urgent is not None
    text = render_question(urgent, 0, sign_noted=True)["text"]
    assert text.startswith("I've noted") and "Apart from that" in text
    assert render_question(urgent, 0)["text"] == urgent.ask


def test_a_first_asking_also_asks_an_open_companion_question() -> None:
    before = question_for("distance_before_km")
    assert before is not None and before.together is not None
    assert before.together.slot == "distance_now_km"
    both = render_question(before, 0, answers={})["text"]
    assert both == before.together.ask and "now" in both
    assert render_question(before, 0, answers={"distance_now_km": 40.0})["text"] == before.ask
    assert render_question(before, 1, answers={})["text"].endswith(before.example)
    assert before.ask in render_question(before, 1, answers={})["text"]


def test_a_companion_must_be_a_later_question(tmp_path: Path, monkeypatch: Any) -> None:
    text = (REPO / "data" / "questions.yml").read_text(encoding="utf-8")
    broken = text.replace("slot: distance_now_km\n      ask: >-", "slot: side\n      ask: >-", 1)
    assert broken != text
    (tmp_path / "questions.yml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr("actions.questions.data_dir", lambda: tmp_path)
    actions_questions._questions_file.cache_clear()
    try:
        with pytest.raises(ContentError, match="not the slot of a later question"):
            actions_questions.all_questions()
    finally:
        actions_questions._questions_file.cache_clear()
