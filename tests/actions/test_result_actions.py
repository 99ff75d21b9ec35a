"""The end of the triage and what follows it, run as the action server runs them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions import conversation
from actions.conversation import (
    ActionExplainWhy,
    ActionFilmingInstructions,
    ActionRequestConfirmation,
    ActionResolveConfirmation,
    ValidateConfirmForm,
)
from actions.handover import ActionHandoff
from actions.outcome import ActionExerciseDetail, ActionFollowup, ActionTriageResult
from kneeapp.store import repo
from rasa_project.connectors.upload_token import secret_from_env, verify
from tests.actions.conftest import RunAction, make_tracker
from tests.answer_sets import SELF_CARE


def summary_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    payloads = [m["custom"] for m in messages if m.get("custom") and "triage" in m["custom"]]
    assert len(payloads) == 1, "exactly one clinic summary per outcome"
    return payloads[0]["triage"]


def test_self_care_outcome_has_plan_summary_and_video_offer(run_action: RunAction) -> None:
    messages, slots = run_action(ActionTriageResult(), make_tracker(slots=SELF_CARE))
    summary = summary_of(messages)
    assert summary["level"] == "self_care"
    assert summary["answers"]["load_increase_pct"] == pytest.approx(50.0)
    assert summary["answers"]["distance_before_km"] == 30.0
    assert summary["plan"] == slots["plan"] and summary["plan"]
    assert slots["triage_done"] is True
    assert any("film" in (m.get("text") or "") for m in messages)


def test_the_summary_message_carries_its_pdf_link_for_this_conversation(
        run_action: RunAction) -> None:
    tracker = make_tracker(slots=SELF_CARE)
    messages, _ = run_action(ActionTriageResult(), tracker)
    (payload,) = [m["custom"] for m in messages if m.get("custom") and "triage" in m["custom"]]
    link = payload["pdf"]
    assert link["url"] == "/webhooks/summary/pdf"
    assert verify(link["token"], secret_from_env()) == tracker.sender_id
    assert link["expires_at"] > time.time()


def test_a_check_in_summary_carries_the_history_read_before_it_is_stored(
        run_action: RunAction) -> None:
    first_messages, first = run_action(ActionTriageResult(), make_tracker(slots=SELF_CARE))
    assert "history" not in summary_of(first_messages), "a first assessment has no history"
    checkin = {"days_since": 14, "level": "self_care", "pain_score": 3, "plan": first["plan"]}
    slots = SELF_CARE | {"triage_done": True, "triage_level": "self_care", "plan": first["plan"],
                         "checkin": checkin, "checkin_trend": "better", "checkin_pain_now": 1,
                         "checkin_exercises": "most_days", "pain_score": 2,
                         "distance_now_km": 40.0}
    messages, _ = run_action(ActionTriageResult(), make_tracker(slots=slots))
    history = summary_of(messages)["history"]
    assert [(row["kind"], row["pain_worst"], row["pain_now"], row["distance_km"],
             row["trend"], row["exercises"]) for row in history] == [
        ("assessment", 3, None, 45.0, None, None),
        ("check-in", 2, 1, 40.0, "better", "most_days"),
    ]
    stored = repo.assessments_of(make_tracker().sender_id)
    assert [bool(view.summary and "history" in view.summary["triage"])
            for view in stored] == [False, True]


def test_urgent_outcome_has_no_exercises_and_no_video_offer(run_action: RunAction) -> None:
    answers = {"consent": True, "side": "left", "red_flags": ["locking"]}
    messages, slots = run_action(ActionTriageResult(), make_tracker(slots=answers))
    summary = summary_of(messages)
    assert summary["level"] == "urgent" and summary["plan"] == []
    assert slots["triage_level"] == "urgent" and slots["plan"] == []
    assert "locking" in summary["answers"]["red_flags"]
    assert not any(m.get("buttons") for m in messages if "film" in (m.get("text") or "").lower())


def test_refused_consent_gives_no_outcome(run_action: RunAction) -> None:
    messages, slots = run_action(ActionTriageResult(), make_tracker(slots={"consent": False}))
    assert not any("custom" in m and m["custom"] for m in messages)
    assert slots["triage_done"] is False


def test_outer_knee_pain_is_routed_without_a_plan(run_action: RunAction) -> None:
    answers = {
        "consent": True,
        "side": "left",
        "location": "outer",
        "emergency_check": True,
        "urgent_check": True,
    }
    messages, slots = run_action(ActionTriageResult(), make_tracker(slots=answers))
    assert "outer side" in messages[0]["text"]
    assert "plan" not in slots


def test_plans_differ_with_answers(run_action: RunAction) -> None:
    _, load_case = run_action(ActionTriageResult(), make_tracker(slots=SELF_CARE))
    stairs = SELF_CARE | {
        "distance_now_km": 30.0,
        "location": "kneecap",
        "pain_triggers": ["stairs", "squatting"],
    }
    _, quads_case = run_action(ActionTriageResult(), make_tracker(slots=stairs))
    assert load_case["plan"] != quads_case["plan"]


def test_followup_red_flag_raises_the_level(run_action: RunAction) -> None:
    slots = SELF_CARE | {"triage_done": True, "triage_level": "self_care"}
    tracker = make_tracker(
        slots=slots,
        entities=[
            {"entity": "symptom", "value": "giving_way"},
            {"entity": "injury", "value": "twist"},
        ],
    )
    messages, new = run_action(ActionFollowup(), tracker)
    assert new["triage_level"] in ("urgent", "emergency")
    assert summary_of(messages)["level"] == new["triage_level"]


def test_followup_self_test_refines_the_plan(run_action: RunAction) -> None:
    slots = SELF_CARE | {"triage_done": True, "triage_level": "self_care"}
    tracker = make_tracker(
        slots=slots,
        entities=[
            {"entity": "self_test", "value": "foot"},
            {"entity": "outcome", "value": "helped"},
        ],
    )
    _, new = run_action(ActionFollowup(), tracker)
    assert new["self_test_foot"] == "better"
    _, before = run_action(ActionTriageResult(), make_tracker(slots=SELF_CARE))
    assert new["plan"] != before["plan"]


def test_followup_with_nothing_new_keeps_the_level(run_action: RunAction) -> None:
    slots = SELF_CARE | {"triage_done": True, "triage_level": "self_care"}
    messages, new = run_action(ActionFollowup(), make_tracker(slots=slots, intent="affirm"))
    assert "triage_level" not in new and len(messages) == 1


SORRY_IT_HELPED = "sorry mate, got that wrong, the exercises have actually helped"


def _after_a_wrong_outcome(text: str, extra: dict[str, Any] | None = None) -> Tracker:
    slots = SELF_CARE | {"tried": ["exercises"], "tried_outcome": "no_change",
                         "triage_done": True, "triage_level": "clinician",
                         "last_answered": "tried_outcome"} | (extra or {})  # fmt: skip
    entities = [{"entity": "treatment", "value": "exercises", "start": text.index("exercises"),
                 "end": text.index("exercises") + 9},
                {"entity": "outcome", "value": "helped", "start": text.index("helped"),
                 "end": text.index("helped") + 6}]  # fmt: skip
    return make_tracker(slots=slots, entities=entities, text=text)


def test_followup_correction_of_the_last_answer_lowers_the_level(run_action: RunAction) -> None:
    tracker = _after_a_wrong_outcome(SORRY_IT_HELPED)
    messages, new = run_action(ActionFollowup(), tracker)
    assert new["tried_outcome"] == "helped" and new["triage_level"] == "self_care"
    assert summary_of(messages)["level"] == "self_care"


def test_followup_correction_never_lowers_a_warning_sign(run_action: RunAction) -> None:
    tracker = _after_a_wrong_outcome(SORRY_IT_HELPED,
                                     {"red_flags": ["locking"], "triage_level": "urgent"})
    _, new = run_action(ActionFollowup(), tracker)
    assert "triage_level" not in new


def test_exercise_detail_by_entity(run_action: RunAction) -> None:
    tracker = make_tracker(
        intent="ask_exercise_detail", entities=[{"entity": "exercise", "value": "clamshell"}]
    )
    messages, _ = run_action(ActionExerciseDetail(), tracker)
    assert messages and "lam" in str(messages)


def test_exercise_detail_unknown_offers_plan_buttons(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots={"plan": ["clamshell", "knee_to_wall"]},
        intent="ask_exercise_detail",
        text="how do I do that one",
    )
    messages, _ = run_action(ActionExerciseDetail(), tracker)
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/ask_exercise_detail{"exercise": "clamshell"}',
        '/ask_exercise_detail{"exercise": "knee_to_wall"}',
    ]


def test_why_explains_the_pending_question(run_action: RunAction) -> None:
    messages, _ = run_action(
        ActionExplainWhy(), make_tracker(slots={"requested_slot": "distance_before_km"})
    )
    assert "weekly distance" in messages[0]["text"]


def confirmed(action: str, **slots: Any) -> Tracker:
    return make_tracker(slots={**SELF_CARE, "pending_action": action, "confirm_action": "yes",
                               **slots})


def test_start_over_keeps_consent_and_clears_answers(run_action: RunAction) -> None:
    _, slots = run_action(ActionResolveConfirmation(), confirmed("start_over"))
    assert "consent" not in slots and slots["side"] is None and slots["triage_done"] is False
    assert slots["resume_triage"] is True
    assert slots["checkin"] is None and slots["last_checkin"] is None, "no check-in carries over"


def test_delete_clears_answers_and_schedules_the_erasure(
    run_action: RunAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduled: list[str] = []
    monkeypatch.setattr(conversation, "erase_after_turn", scheduled.append)
    tracker = confirmed("delete_data")
    _, slots = run_action(ActionResolveConfirmation(), tracker)
    assert slots["consent"] is None and slots["pain_score"] is None
    assert scheduled == [tracker.sender_id]
    assert slots["resume_triage"] is False


def test_nothing_is_erased_without_a_yes(
    run_action: RunAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduled: list[str] = []
    monkeypatch.setattr(conversation, "erase_after_turn", scheduled.append)
    tracker = confirmed("delete_data", confirm_action="no", triage_done=False)
    messages, slots = run_action(ActionResolveConfirmation(), tracker)
    assert scheduled == [] and "pain_score" not in slots
    assert slots["resume_triage"] is True and "nothing changed" in messages[0]["text"]


@pytest.mark.parametrize(
    ("intent", "expected"),
    [("affirm", "yes"), ("delete_data", "yes"), ("deny", "no"), ("inform", "no"),
     ("dont_know", "no"), ("nlu_fallback", "no")],
)
def test_only_an_explicit_yes_confirms(run_action: RunAction, intent: str, expected: str) -> None:
    tracker = make_tracker(
        slots={"pending_action": "delete_data", "requested_slot": "confirm_action"},
        intent=intent,
    )
    _, slots = run_action(ValidateConfirmForm(), tracker)
    assert slots == {"confirm_action": expected, "requested_slot": None}


@pytest.mark.parametrize("intent", ["delete_data", "stop", "start_over"])
def test_a_request_is_remembered_not_carried_out(run_action: RunAction, intent: str) -> None:
    messages, slots = run_action(ActionRequestConfirmation(), make_tracker(intent=intent))
    assert messages == [] and slots["pending_action"] == intent


def test_filming_hands_out_an_upload_link_for_this_conversation(run_action: RunAction) -> None:
    tracker = make_tracker()
    messages, _ = run_action(ActionFilmingInstructions(), tracker)
    offer = next(m["custom"]["upload"] for m in messages if m.get("custom"))
    assert verify(offer["token"], secret_from_env()) == tracker.sender_id
    assert offer["max_bytes"] == 200 * 1024 * 1024


def test_stop_ends_the_form(domain: dict, run_action: RunAction) -> None:
    messages, slots = run_action(ActionResolveConfirmation(), confirmed("stop"))
    assert slots["requested_slot"] is None and "start over" in messages[0]["text"]
    assert slots["resume_triage"] is False


def test_handoff_gives_clinic_contact(
    run_action: RunAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINIC_NAME", "Riverside Physio")
    monkeypatch.setenv("CLINIC_PHONE", "0123 456")
    messages, _ = run_action(ActionHandoff(), make_tracker())
    assert "Riverside Physio" in messages[0]["text"] and "0123 456" in messages[0]["text"]


def test_handoff_without_clinic(run_action: RunAction, monkeypatch: pytest.MonkeyPatch) -> None:
    for field in ("NAME", "PHONE", "EMAIL", "URL"):
        monkeypatch.delenv(f"CLINIC_{field}", raising=False)
    messages, _ = run_action(ActionHandoff(), make_tracker())
    assert "physiotherapist" in messages[0]["text"]
