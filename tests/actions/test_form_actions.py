"""The triage form's validation and ask actions, run as the action server runs them."""

from __future__ import annotations

from actions.answers import KM_PER_MILE
from actions.triage_form import ASK_ACTIONS, ValidateTriageForm
from tests.actions.conftest import RunAction, make_tracker

CONSENTED = {"consent": True}


def test_first_message_facts_are_kept_and_consent_is_asked(run_action: RunAction) -> None:
    tracker = make_tracker(
        entities=[
            {"entity": "side", "value": "right", "start": 3, "end": 8},
            {"entity": "distance_before", "value": 20 * KM_PER_MILE, "start": 10, "end": 12},
            {"entity": "distance_now", "value": 30 * KM_PER_MILE, "start": 16, "end": 24},
        ],
        text="my right 20 to 30 miles",
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["side"] == "right"
    assert slots["distance_unit"] == "mi"
    assert slots["requested_slot"] == "consent"


def test_not_understood_counts_up_and_asks_the_same_question(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side", "reask_count": 1}, text="hmm"
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["requested_slot"] == "side" and slots["reask_count"] == 2


def test_answer_moves_on_and_resets_the_count(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side", "reask_count": 2},
        entities=[{"entity": "side", "value": "left"}],
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["side"] == "left" and slots["requested_slot"] == "location"
    assert slots["reask_count"] == 0


def test_emergency_flag_stops_questioning(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"side": "left", "requested_slot": "emergency_check"},
        entities=[{"entity": "red_flag", "value": "cannot_bear_weight"}],
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["triage_level"] == "emergency"
    assert slots["requested_slot"] is None


def test_volunteered_red_flag_stops_questioning_early(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side"},
        entities=[{"entity": "side", "value": "left"}, {"entity": "symptom", "value": "locking"}],
        text="left, and it locks",
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["triage_level"] == "urgent" and slots["requested_slot"] is None


def test_ask_actions_exist_for_every_form_slot(domain: dict) -> None:
    names = {cls().name() for cls in ASK_ACTIONS}
    required = domain["forms"]["triage_form"]["required_slots"]
    assert names == {f"action_ask_{slot}" for slot in required}
    assert names <= set(domain["actions"])


def test_third_attempt_offers_buttons(run_action: RunAction) -> None:
    ask_side = next(cls() for cls in ASK_ACTIONS if cls().name() == "action_ask_side")
    messages, _ = run_action(ask_side, make_tracker(slots={"reask_count": 2}))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Left", "Right", "Both"]


def test_digression_on_a_new_message_is_rejected_for_the_rules(run_action: RunAction) -> None:
    tracker = make_tracker(slots=CONSENTED | {"requested_slot": "side"}, intent="ask_why")
    assert run_action(ValidateTriageForm(), tracker) == ([], {})


def test_after_a_digression_the_pending_question_is_asked_again(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side", "reask_count": 0},
        intent="ask_why",
        actions_before=("action_listen", "action_explain_why", "triage_form"),
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["requested_slot"] == "side"
    reask_count = slots.get("reask_count", tracker.get_slot("reask_count"))
    assert reask_count == 0, "a digression is not a failed answer"
