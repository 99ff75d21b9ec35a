"""The triage form's validation and ask actions, run as the action server runs them."""

from __future__ import annotations

import pytest

from actions.triage_form import ASK_ACTIONS, ValidateTriageForm
from content_schema.vocabulary import KM_PER_MILE
from tests.actions.conftest import RunAction, make_tracker
from tests.answer_sets import SELF_CARE

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


def test_not_understood_once_asks_the_same_question_again(run_action: RunAction) -> None:
    tracker = make_tracker(slots=CONSENTED | {"requested_slot": "side"}, text="hmm")
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["requested_slot"] == "side" and slots["reask_count"] == 1


def test_not_understood_twice_keeps_the_words_and_moves_on(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side", "reask_count": 1}, text="the sore one"
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["side"] == "unknown" and slots["requested_slot"] == "location"
    assert slots["unclear_answers"] == {"side": "the sore one"} and slots["reask_count"] == 0


def test_not_sure_is_an_answer(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side"}, intent="dont_know", text="not sure"
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["side"] == "unknown" and slots["requested_slot"] == "location"


def test_an_ambiguous_warning_sign_is_asked_about_once(run_action: RunAction) -> None:
    flag = {"entity": "red_flag", "value": "night_rest_pain", "certain": False}
    tracker = make_tracker(slots=CONSENTED | {"requested_slot": "side"}, entities=[flag])
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["pending_red_flags"] == ["night_rest_pain"]
    assert slots["requested_slot"] == "red_flag_confirm"
    answer = make_tracker(
        slots=CONSENTED | {"requested_slot": "red_flag_confirm", **slots}, intent="affirm"
    )
    _, after = run_action(ValidateTriageForm(), answer)
    assert after["red_flags"] == ["night_rest_pain"] and after["triage_level"] == "urgent"
    assert after["requested_slot"] == "emergency_check"


def test_a_warning_sign_before_consent_is_answered_at_once(run_action: RunAction) -> None:
    flag = {"entity": "red_flag", "value": "chest_pain_breathless", "certain": True}
    tracker = make_tracker(entities=[flag], text="my chest feels tight")
    messages, slots = run_action(ValidateTriageForm(), tracker)
    assert "emergency services" in messages[0]["text"]
    assert slots["requested_slot"] == "consent" and slots["triage_level"] == "emergency"


def test_after_no_thanks_any_message_asks_for_consent_again(run_action: RunAction) -> None:
    tracker = make_tracker(slots={"consent": False}, intent="greet", text="hi")
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["consent"] is None and slots["requested_slot"] == "consent"
    agreed = make_tracker(slots={"consent": False}, intent="affirm", text="ok let's go")
    _, slots = run_action(ValidateTriageForm(), agreed)
    assert slots["consent"] is True and slots["requested_slot"] == "side"


def test_a_bad_payload_value_is_refused_politely(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "pain_score"},
        entities=[{"entity": "pain_score", "value": 99},
                  {"entity": "side", "value": "<img src=x onerror=alert(1)>"}],
        text='/inform{"pain_score": 99}',
    )
    messages, slots = run_action(ValidateTriageForm(), tracker)
    assert "pain_score" not in slots and "side" not in slots
    assert slots["requested_slot"] == "side" and messages == []


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
        entities=[
            {"entity": "side", "value": "left"},
            {"entity": "red_flag", "value": "locking", "certain": True},
        ],
        text="left, and it locks",
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["triage_level"] == "urgent" and slots["requested_slot"] == "emergency_check"
    checked = make_tracker(
        slots=CONSENTED | slots | {"requested_slot": "emergency_check"}, intent="deny", text="no"
    )
    _, after = run_action(ValidateTriageForm(), checked)
    assert after["requested_slot"] is None, "urgent: the emergency signs checked, then stop"


def test_ask_actions_exist_for_every_form_slot(domain: dict) -> None:
    names = {cls().name() for cls in ASK_ACTIONS}
    required = domain["forms"]["triage_form"]["required_slots"]
    assert names == {f"action_ask_{slot}" for slot in required}
    assert names <= set(domain["actions"])


def test_second_attempt_offers_buttons(run_action: RunAction) -> None:
    ask_side = next(cls() for cls in ASK_ACTIONS if cls().name() == "action_ask_side")
    messages, _ = run_action(ask_side, make_tracker(slots={"reask_count": 1}))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Left", "Right", "Both", "Not sure"]


def test_digression_on_a_new_message_is_rejected_for_the_rules(run_action: RunAction) -> None:
    tracker = make_tracker(slots=CONSENTED | {"requested_slot": "side"}, intent="ask_why")
    assert run_action(ValidateTriageForm(), tracker) == ([], {})


@pytest.mark.parametrize("guess", ["out_of_scope", "chitchat", "thank"])
def test_an_answer_the_classifier_took_for_small_talk_is_read(
    run_action: RunAction, guess: str
) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "settles_by_next_day"},
        intent=guess,
        text="yes, fine by the next morning",
    )
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["settles_by_next_day"] is True


def test_small_talk_that_answers_nothing_stays_a_digression(run_action: RunAction) -> None:
    tracker = make_tracker(
        slots=CONSENTED | {"requested_slot": "side"}, intent="out_of_scope", text="what's a bot"
    )
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


def test_the_same_small_talk_again_counts_as_an_attempt(run_action: RunAction) -> None:
    after_reply = ("action_listen", "triage_form", "action_listen", "action_reply")
    asked = {"requested_slot": "location", "side": "left", "reask_count": 1}
    once = make_tracker(slots=CONSENTED | asked, intent="chitchat", text="are you a robot?",
                        actions_before=after_reply)
    _, slots = run_action(ValidateTriageForm(), once)
    assert slots["requested_slot"] == "location" and slots["last_digression"] == "chitchat"
    again = make_tracker(
        slots=CONSENTED | asked | {"last_digression": "chitchat"},
        intent="chitchat", text="whiile im running", actions_before=after_reply,
    )
    _, slots = run_action(ValidateTriageForm(), again)
    assert slots["location"] == "unknown" and slots["requested_slot"] != "location"


#: Every question before the weekly distances answered, the distances asked.
DISTANCES_ASKED = {
    **{slot: value for slot, value in SELF_CARE.items()
       if slot in ("consent", "side", "location", "onset", "age_band", "emergency_check",
                   "urgent_check", "swelling")},
    "requested_slot": "distance_before_km",
}  # fmt: skip


def test_bare_distances_ask_for_the_unit_and_take_it(run_action: RunAction) -> None:
    asked = DISTANCES_ASKED
    _, slots = run_action(ValidateTriageForm(), make_tracker(slots=asked, text="25, 35"))
    assert slots["unitless_distances"] == {"distance_before_km": 25, "distance_now_km": 35}
    assert slots["requested_slot"] == "distance_before_km" and slots["reask_count"] == 1
    slots = asked | slots
    ask = next(cls() for cls in ASK_ACTIONS if cls().name() == "action_ask_distance_before_km")
    messages, _ = run_action(ask, make_tracker(slots=slots))
    assert "kilometres or miles" in messages[0]["text"]
    miles = next(b for b in messages[0]["buttons"] if b["title"] == "25 → 35 miles")
    assert miles["payload"] == '/inform{"distance_before": 40.2, "distance_now": 56.3}'
    _, after = run_action(ValidateTriageForm(), make_tracker(slots=slots, text="miles"))
    assert after["distance_before_km"] == pytest.approx(25 * KM_PER_MILE, abs=0.01)
    assert after["distance_now_km"] == pytest.approx(35 * KM_PER_MILE, abs=0.01)
    assert after["distance_unit"] == "mi" and after["unitless_distances"] is None


def test_a_unit_without_numbers_waiting_is_not_an_answer(run_action: RunAction) -> None:
    asked = DISTANCES_ASKED
    _, slots = run_action(ValidateTriageForm(), make_tracker(slots=asked, text="miles"))
    assert slots.get("distance_before_km") is None and slots["reask_count"] == 1


@pytest.mark.parametrize(
    ("text", "read"),
    [("some glute exercises from a video", True), ("can I send a video of my squats?", False)],
)
def test_a_video_mention_that_answers_the_question_is_read(
    run_action: RunAction, text: str, read: bool
) -> None:
    asked = CONSENTED | {"requested_slot": "tried"}
    exercises = {"entity": "treatment", "value": "exercises", "start": 10, "end": 19}
    tracker = make_tracker(slots=asked, intent="ask_filming", entities=[exercises], text=text)
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert (slots.get("tried") == ["exercises"]) is read


def test_an_exercise_mention_that_answers_the_question_is_read(run_action: RunAction) -> None:
    text = "I heard a pop lunging for a ball at squash"
    pop = {"entity": "injury", "value": "pop", "start": 10, "end": 13}
    tracker = make_tracker(slots=CONSENTED | {"requested_slot": "injury"},
                           intent="ask_exercise_detail", entities=[pop], text=text)
    _, slots = run_action(ValidateTriageForm(), tracker)
    assert slots["injury"] == "pop"


def test_an_unknown_exercise_asked_twice_counts_as_an_attempt(run_action: RunAction) -> None:
    after_reply = ("action_listen", "triage_form", "action_listen", "action_reply")
    asked = {"requested_slot": "location", "side": "left", "reask_count": 1,
             "last_digression": "ask_exercise_detail"}
    again = make_tracker(slots=CONSENTED | asked, intent="ask_exercise_detail",
                         text="how do I do the lunge thing?", actions_before=after_reply)
    _, slots = run_action(ValidateTriageForm(), again)
    assert slots["location"] == "unknown" and slots["requested_slot"] != "location"


def test_a_volunteered_change_without_a_unit_gets_the_unit_question(run_action: RunAction) -> None:
    text = "I upped it from 20 to 28.5 a week"
    entities = [{"entity": "distance_before", "value": 20.0, "start": 16, "end": 18},
                {"entity": "distance_now", "value": 28.5, "start": 22, "end": 26}]
    before_distances = {k: v for k, v in DISTANCES_ASKED.items() if k != "swelling"}
    before_distances["requested_slot"] = "swelling"
    _, slots = run_action(ValidateTriageForm(),
                          make_tracker(slots=before_distances, text=text, entities=entities))
    assert slots["unitless_distances"] == {"distance_before_km": 20.0, "distance_now_km": 28.5}
    assert slots.get("distance_before_km") is None
    slots = before_distances | slots
    _, slots2 = run_action(ValidateTriageForm(), make_tracker(slots=slots, text="no swelling"))
    slots = slots | slots2
    assert slots["requested_slot"] == "distance_before_km"
    assert slots["unitless_distances"] == {"distance_before_km": 20.0, "distance_now_km": 28.5}
    ask = next(cls() for cls in ASK_ACTIONS if cls().name() == "action_ask_distance_before_km")
    messages, _ = run_action(ask, make_tracker(slots=slots))
    assert "kilometres or miles" in messages[0]["text"]


def test_the_second_part_answered_is_the_one_a_correction_corrects(run_action: RunAction) -> None:
    asked = {**{k: v for k, v in SELF_CARE.items()
                if k not in ("pain_triggers", "pain_score", "settles_by_next_day", "limp",
                             "tried", "tried_outcome")},
             "requested_slot": "pain_triggers"}  # fmt: skip
    score = [{"entity": "pain_score", "value": 6, "start": 8, "end": 12}]
    _, slots = run_action(ValidateTriageForm(),
                          make_tracker(slots=asked, text="about a 6/10", entities=score))
    assert slots["pain_score"] == 6 and slots["last_answered"] == "pain_score"
    slots = asked | slots
    _, again = run_action(ValidateTriageForm(),
                          make_tracker(slots=slots, text="eh, more like a 5 honestly"))
    assert again["pain_score"] == 5


def test_numbers_left_without_a_unit_are_given_up_with_the_question(
    run_action: RunAction,
) -> None:
    asked = DISTANCES_ASKED
    _, slots = run_action(ValidateTriageForm(), make_tracker(slots=asked, text="25, 35"))
    slots = asked | slots
    _, again = run_action(ValidateTriageForm(), make_tracker(slots=slots, text="25, 35"))
    slots = slots | again
    assert slots["distance_before_km"] == "unknown" and slots["unitless_distances"] is None
    upcoming = slots["requested_slot"]
    ask = next(cls() for cls in ASK_ACTIONS if cls().name() == f"action_ask_{upcoming}")
    messages, _ = run_action(ask, make_tracker(slots=slots))
    assert "kilometres or miles" not in messages[0]["text"]
