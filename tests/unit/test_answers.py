"""Reading one message as answers: entities, bare yes/no and numbers, the pending question."""

from __future__ import annotations

from typing import Any

import pytest

from actions.answers import KM_PER_MILE, age_band, interpret_turn


def ent(entity: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"entity": entity, "value": value, **extra}


def test_one_message_fills_several_facts() -> None:
    text = "my right knee hurts on the inside since I upped my mileage from 20 to 30 miles"
    entities = [
        ent("side", "right", start=3, end=8),
        ent("location", "medial", start=29, end=35),
        ent("distance_before", 20 * KM_PER_MILE, start=64, end=66),
        ent("distance_now", 30 * KM_PER_MILE, start=70, end=78),
    ]
    turn = interpret_turn("inform", entities, text, None, {})
    assert turn.updates["side"] == "right"
    assert turn.updates["location"] == "medial"
    assert turn.updates["distance_before_km"] == pytest.approx(32.19, abs=0.01)
    assert turn.updates["distance_now_km"] == pytest.approx(48.28, abs=0.01)
    assert turn.unit == "mi"
    assert turn.understood


def test_unanswered_question_is_not_understood() -> None:
    turn = interpret_turn("inform", [], "banana", "side", {})
    assert not turn.understood and turn.updates == {}


def test_digressions_change_nothing() -> None:
    turn = interpret_turn("ask_why", [ent("side", "left")], "why left?", "side", {})
    assert turn.updates == {} and turn.understood


def test_greeting_is_never_a_failed_answer() -> None:
    assert interpret_turn("greet", [], "hello", "side", {}).understood


@pytest.mark.parametrize(("intent", "expected"), [("affirm", True), ("deny", False)])
@pytest.mark.parametrize(
    "slot", ["consent", "swelling", "load_reduced", "settles_by_next_day", "limp"]
)
def test_yes_no_questions(slot: str, intent: str, expected: bool) -> None:
    assert interpret_turn(intent, [], "x", slot, {}).updates == {slot: expected}


def test_yes_to_another_question_does_not_answer_consent() -> None:
    assert interpret_turn("affirm", [], "yes", "side", {}).updates == {}


def test_checklist_none_means_checked() -> None:
    assert interpret_turn("deny", [], "none of those", "emergency_check", {}).updates == {
        "emergency_check": True
    }


def test_checklist_symptom_is_collected_and_checks_the_list() -> None:
    turn = interpret_turn("inform", [ent("symptom", "locking")], "it locks", "urgent_check", {})
    assert turn.updates == {"symptoms": ["locking"], "urgent_check": True}


def test_checklist_button_sends_red_flag() -> None:
    turn = interpret_turn("inform", [ent("red_flag", "deformity")], "", "emergency_check", {})
    assert turn.updates == {"red_flags": ["deformity"], "emergency_check": True}


def test_bare_yes_to_checklist_is_not_enough() -> None:
    assert not interpret_turn("affirm", [], "yes", "urgent_check", {}).understood


def test_negated_swelling_answers_no() -> None:
    turn = interpret_turn(
        "inform", [ent("symptom", "swelling", negated=True)], "no swelling", "swelling", {}
    )
    assert turn.updates == {"swelling": False}


def test_swelling_symptom_answers_yes_and_is_kept() -> None:
    turn = interpret_turn("inform", [ent("symptom", "swelling")], "it swells", "swelling", {})
    assert turn.updates["swelling"] is True and turn.updates["symptoms"] == ["swelling"]


def test_list_answers_accumulate_without_duplicates() -> None:
    turn = interpret_turn(
        "inform",
        [ent("pain_trigger", "stairs"), ent("pain_trigger", "after_runs")],
        "stairs and after runs",
        "pain_triggers",
        {"pain_triggers": ["stairs"]},
    )
    assert turn.updates["pain_triggers"] == ["stairs", "after_runs"]


def test_nothing_tried() -> None:
    assert interpret_turn("deny", [], "nothing yet", "tried", {}).updates == {"tried": []}


def test_limp_symptom_sets_limp() -> None:
    assert interpret_turn("inform", [ent("symptom", "limp")], "I'm limping", None, {}).updates[
        "limp"
    ]


def test_injury_implies_sudden_onset() -> None:
    turn = interpret_turn("inform", [ent("injury", "twist")], "I twisted it", None, {})
    assert turn.updates == {"injury": "twist", "onset": "sudden"}


def test_no_injury_by_deny() -> None:
    assert interpret_turn("deny", [], "no", "injury", {}).updates == {"injury": "none"}


@pytest.mark.parametrize(("text", "expected"), [("6", 6), ("about 4 I'd say", 4), ("10", 10)])
def test_bare_pain_score(text: str, expected: int) -> None:
    assert interpret_turn("inform", [], text, "pain_score", {}).updates == {"pain_score": expected}


def test_pain_score_out_of_range_is_not_understood() -> None:
    assert not interpret_turn("inform", [], "15", "pain_score", {}).understood


def test_bare_distance_uses_known_unit() -> None:
    turn = interpret_turn("inform", [], "25", "distance_now_km", {}, unit_hint="mi")
    assert turn.updates["distance_now_km"] == pytest.approx(25 * KM_PER_MILE)


def test_bare_distance_without_unit_is_asked_again() -> None:
    assert not interpret_turn("inform", [], "25", "distance_now_km", {}).understood


def test_unspecified_distance_fills_the_pending_distance() -> None:
    turn = interpret_turn("inform", [ent("distance", 40.0)], "about 40k", "distance_before_km", {})
    assert turn.updates == {"distance_before_km": 40.0}


def test_doubled_gives_current_distance() -> None:
    turn = interpret_turn(
        "inform",
        [ent("load_change", 100.0)],
        "I doubled it",
        "distance_now_km",
        {"distance_before_km": 20.0},
    )
    assert turn.updates["distance_now_km"] == 40.0 and turn.understood


@pytest.mark.parametrize("slot", ["weeks_since_change", "pain_duration_weeks"])
def test_duration_goes_to_the_pending_duration(slot: str) -> None:
    turn = interpret_turn("inform", [ent("duration", 3.0)], "3 weeks", slot, {})
    assert turn.updates == {slot: 3.0}


def test_duration_without_pending_question_is_not_guessed() -> None:
    assert interpret_turn("inform", [ent("duration", 3.0)], "3 weeks", None, {}).updates == {}


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (15, "under_18"),
        ("17", "under_18"),
        (18, "18_54"),
        (54, "18_54"),
        (55, "55_plus"),
        ("55_plus", "55_plus"),
        ("under_18", "under_18"),
        (300, None),
        ("old", None),
    ],
)
def test_age_band(value: Any, band: str | None) -> None:
    assert age_band(value) == band


def test_bare_age() -> None:
    assert interpret_turn("inform", [], "I'm 61", "age_band", {}).updates == {"age_band": "55_plus"}


def test_self_test_result() -> None:
    turn = interpret_turn(
        "inform",
        [ent("self_test", "hip"), ent("outcome", "helped")],
        "the glute squeeze helped",
        None,
        {},
    )
    assert turn.updates == {"self_test_hip": "better"}


@pytest.mark.parametrize("slot", ["weeks_since_change", "age_band"])
def test_bare_number_for_another_question_is_not_a_pain_score(slot: str) -> None:
    entities = [ent("pain_score", 3, start=0, end=1)]
    turn = interpret_turn("inform", entities, "3", slot, {})
    assert "pain_score" not in turn.updates


def test_explicit_score_is_kept_whatever_was_asked() -> None:
    entities = [ent("pain_score", 6, start=15, end=19)]
    turn = interpret_turn("inform", entities, "it hurts about 6/10", "weeks_since_change", {})
    assert turn.updates["pain_score"] == 6
