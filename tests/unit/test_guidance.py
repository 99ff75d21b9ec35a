"""Unit tests for the guidance/plan engine (actions/guidance.py, data/guidance.yml)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from actions.content import load_content
from actions.guidance import (
    CONTRIBUTORS,
    KM_PER_MILE,
    Plan,
    build_plan,
    exercise_by_id,
    find_exercise,
    format_clinic,
    likely_contributors,
    render_exercise_detail,
    render_level_message,
    render_plan,
)
from actions.triage import assess

MEDIAL = {"side": "right", "location": "medial", "onset": "gradual", "injury": "none",
          "pain_score": 3, "settles_by_next_day": True}
CLINIC = {"name": "Riverside Physio", "phone": "0123 456", "url": "https://example.org",
          "email": "hello@example.org"}
HIP_IDS = {"side_lying_hip_abduction", "clamshell", "band_walk", "glute_bridge",
           "landing_glute_cue", "hip_mobility"}
QUAD_IDS = {"wall_high_knee_drive", "single_leg_box_sit", "bulgarian_split_squat", "reverse_lunge"}
FOOT_IDS = {"toe_waver", "toe_spread", "short_foot", "single_leg_balance",
            "foot_soft_tissue_release", "knee_to_wall"}


def plan_for(answers: dict[str, Any], **kwargs: Any) -> Plan:
    return build_plan(answers, assess(answers), **kwargs)


def ranking(answers: dict[str, Any], findings: tuple[dict[str, Any], ...] = ()) -> list[str]:
    return [name for name, _ in likely_contributors(answers, findings)]


def all_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in messages)


# --------------------------------------------------------------------------- contributors


def test_default_medial_is_hip_then_quads() -> None:
    assert ranking(MEDIAL)[:2] == ["hip_core", "quads"]


def test_every_contributor_has_a_why() -> None:
    for name, why in likely_contributors({**MEDIAL, "stated_change_pct": 80}):
        assert name in CONTRIBUTORS
        assert len(why) > 20 and "{" not in why


@pytest.mark.parametrize(
    "load",
    [
        {"distance_before_km": 30, "distance_now_km": 45},             # +50 %
        {"stated_change_pct": 100},                                     # "doubled"
        {"distance_before_km": 30, "distance_now_km": 36, "weeks_since_change": 2},  # +20 % fast
    ],
)
def test_training_load_first_for_big_or_fast_increase(load: dict[str, Any]) -> None:
    assert ranking({**MEDIAL, **load})[0] == "training_load"


def test_slow_moderate_increase_is_listed_but_not_first() -> None:
    order = ranking({**MEDIAL, "distance_before_km": 30, "distance_now_km": 36,
                     "weeks_since_change": 8})
    assert "training_load" in order
    assert order[0] == "hip_core"


def test_no_increase_no_training_load() -> None:
    assert "training_load" not in ranking({**MEDIAL, "distance_before_km": 30,
                                           "distance_now_km": 31})


def test_training_load_why_quotes_the_numbers() -> None:
    why = dict(likely_contributors({"distance_before_km": 20, "distance_now_km": 35}))
    assert "75 %" in why["training_load"]


@pytest.mark.parametrize(
    "extra",
    [{"location": "kneecap"}, {"location": "front"}, {"pain_triggers": ["stairs"]},
     {"pain_triggers": ["downhill", "after_runs"]}, {"pain_triggers": ["squatting"]}],
)
def test_kneecap_or_loading_triggers_put_quads_first(extra: dict[str, Any]) -> None:
    assert ranking({**MEDIAL, **extra})[0] == "quads"


def test_squatting_also_brings_in_the_ankle() -> None:
    assert "foot_ankle" in ranking({**MEDIAL, "pain_triggers": ["squatting"]})


def test_hip_self_test_better_puts_hip_first_even_for_kneecap_pain() -> None:
    order = ranking({**MEDIAL, "location": "kneecap", "self_test_hip": "better"})
    assert order[0] == "hip_core"


def test_foot_self_test_better_puts_foot_first() -> None:
    assert ranking({**MEDIAL, "self_test_foot": "better"})[0] == "foot_ankle"


@pytest.mark.parametrize("outcome", ["same", "worse"])
def test_self_test_without_relief_does_not_promote(outcome: str) -> None:
    assert "foot_ankle" not in ranking({**MEDIAL, "self_test_foot": outcome})


def test_video_finding_adds_and_raises_a_contributor() -> None:
    finding = {"contributor": "foot_ankle", "severity": "marked", "summary": "right foot toes out"}
    pairs = likely_contributors(MEDIAL, (finding,))
    assert pairs[0][0] == "foot_ankle"
    assert "right foot toes out" in pairs[0][1]


def test_mild_video_finding_is_added_but_lower() -> None:
    order = ranking(MEDIAL, ({"contributor": "form", "severity": "mild"},))
    assert "form" in order
    assert order.index("form") > order.index("hip_core")


@pytest.mark.parametrize("severity", ["none", 0, 0.0])
def test_typical_video_finding_adds_nothing(severity: Any) -> None:
    finding = {"contributor": "form", "severity": severity, "text": "Cadence looked typical."}
    pairs = likely_contributors(MEDIAL, (finding,))
    assert pairs == likely_contributors(MEDIAL)


def test_finding_text_field_from_analysis_core_is_used() -> None:
    finding = {"id": "pelvic_drop", "contributor": "hip_core", "severity": "marked",
               "text": "Your pelvis drops on the left."}
    assert "pelvis drops on the left" in dict(likely_contributors(MEDIAL, (finding,)))["hip_core"]


def test_numeric_severity_is_scaled() -> None:
    low = ranking(MEDIAL, ({"contributor": "form", "severity": 0.1},))
    high = ranking(MEDIAL, ({"contributor": "form", "severity": 1.0},))
    assert low.index("form") > high.index("form")
    assert high[0] == "form"


def test_video_adds_to_existing_score() -> None:
    order = ranking({**MEDIAL, "location": "kneecap"},
                    ({"contributor": "hip_core", "severity": "moderate"},))
    assert order[0] == "hip_core"  # 20 default + 35 video > 45 kneecap


def test_unknown_video_contributor_rejected() -> None:
    with pytest.raises(ValueError, match="unknown contributor"):
        likely_contributors(MEDIAL, ({"contributor": "elbow", "severity": "mild"},))


def test_outer_knee_gets_no_medial_defaults() -> None:
    assert ranking({"location": "outer"}) == []


# --------------------------------------------------------------------------- exercises in plans


def test_default_plan_leads_with_hip_and_includes_quads() -> None:
    ids = [ex.id for ex in plan_for(MEDIAL).exercises]
    assert ids[0] in HIP_IDS
    assert set(ids) & QUAD_IDS
    assert len(ids) == 5  # 3 for the first contributor, 2 for the second


def test_plans_differ_by_self_test() -> None:
    hip = plan_for({**MEDIAL, "self_test_hip": "better"})
    foot = plan_for({**MEDIAL, "self_test_foot": "better"})
    assert hip.exercises[0].id in HIP_IDS
    assert foot.exercises[0].id in FOOT_IDS
    assert hip.exercises != foot.exercises


def test_quads_first_plan_uses_the_seed_004_circuit() -> None:
    ids = [ex.id for ex in plan_for({**MEDIAL, "pain_triggers": ["stairs"]}).exercises]
    assert set(ids[:3]) <= QUAD_IDS


def test_training_load_has_no_exercises_but_does_not_use_a_slot() -> None:
    plan = plan_for({**MEDIAL, "stated_change_pct": 100})
    assert plan.contributors[0][0] == "training_load"
    assert plan.exercises[0].id in HIP_IDS
    assert len(plan.exercises) == 5


def test_plan_never_exceeds_limit_and_has_no_duplicates() -> None:
    findings = tuple({"contributor": c, "severity": "marked"} for c in CONTRIBUTORS[1:])
    plan = plan_for({**MEDIAL, "pain_triggers": ["stairs"]}, video_findings=findings)
    ids = [ex.id for ex in plan.exercises]
    assert len(ids) <= load_content().guidance["plan_limits"]["max_exercises"]
    assert len(ids) == len(set(ids))


def test_seed_001_mini_squats_made_it_worse() -> None:
    answers = {**MEDIAL, "swelling": True, "tried": ["exercises", "stretching"],
               "tried_outcome": "worse", "tried_exercises": ["mini squats"],
               "pain_triggers": ["stairs"]}
    plan = plan_for(answers)
    assert plan.level == "clinician"
    ids = {ex.id for ex in plan.exercises}
    assert not ids & QUAD_IDS
    assert plan.exercises[0].id in HIP_IDS
    assert any("different approach" in note for note in plan.notes)
    assert any("made it worse" in item for item in plan.avoid)
    # quads is still explained, just no longer first
    names = [name for name, _ in plan.contributors]
    assert "quads" in names and names[0] != "quads"


def test_unknown_exercises_made_it_worse_assumes_squat_family() -> None:
    plan = plan_for({**MEDIAL, "tried": ["exercises"], "tried_outcome": "worse"})
    assert not {ex.id for ex in plan.exercises} & QUAD_IDS


def test_hip_exercises_made_it_worse_changes_to_other_families() -> None:
    answers = {**MEDIAL, "tried": ["exercises"], "tried_outcome": "worse",
               "tried_exercises": ["clams", "glute bridges"], "self_test_foot": "better"}
    plan = plan_for(answers)
    assert plan.level == "clinician"
    assert plan.exercises[0].id in FOOT_IDS
    assert not {ex.id for ex in plan.exercises} & HIP_IDS


def test_clinician_plan_without_safe_exercises_says_so() -> None:
    answers = {**MEDIAL, "tried": ["exercises"], "tried_outcome": "worse",
               "tried_exercises": ["clamshells"]}
    plan = plan_for(answers)
    assert plan.exercises == ()  # only quads left, and none of them is gentle
    text = all_text(render_plan(plan))
    assert "choose the right exercises with you" in text


def test_exercises_that_helped_are_not_excluded() -> None:
    answers = {**MEDIAL, "tried": ["exercises"], "tried_outcome": "helped",
               "tried_exercises": ["clamshell"]}
    assert {ex.id for ex in plan_for(answers).exercises} & HIP_IDS
    assert plan_for(answers).notes == ()


@pytest.mark.parametrize("flag", ["cannot_bear_weight", "locking", "calf_swollen_warm"])
def test_urgent_and_emergency_plans_have_no_exercises(flag: str) -> None:
    plan = plan_for({**MEDIAL, "red_flags": [flag], "self_test_hip": "better"}, clinic=CLINIC)
    assert plan.exercises == ()
    assert plan.self_tests == ()
    assert "don't run" in plan.load_advice.lower()
    assert plan.referral


def test_clinician_plan_only_gentle_and_few() -> None:
    plan = plan_for({**MEDIAL, "side": "both", "pain_triggers": ["stairs", "squatting"]})
    assert plan.level == "clinician"
    assert plan.exercises
    assert all(ex.gentle for ex in plan.exercises)
    assert len(plan.exercises) <= 3
    assert plan.self_tests == ()


def test_gentle_flags_exclude_heavy_and_running_work() -> None:
    for ex_id in ("bulgarian_split_squat", "wall_high_knee_drive", "landing_glute_cue",
                  "cadence_increase", "a_drill"):
        assert not exercise_by_id(ex_id).gentle


def test_self_care_plan_offers_pending_self_tests_only() -> None:
    assert {t.id for t in plan_for(MEDIAL).self_tests} == {"hip", "foot", "film"}
    done = plan_for({**MEDIAL, "self_test_hip": "same", "self_test_foot": "better"},
                    video_findings=({"contributor": "form", "severity": "mild"},))
    assert done.self_tests == ()


def test_self_tests_explain_both_outcomes() -> None:
    for test in plan_for(MEDIAL).self_tests:
        assert test.how and test.what_it_means_if_better and test.what_it_means_if_not


# --------------------------------------------------------------------------- load advice


def test_load_advice_from_numbers_km() -> None:
    plan = plan_for({**MEDIAL, "distance_before_km": 32, "distance_now_km": 56,
                     "weeks_since_change": 3})
    text = plan.load_advice
    assert "from 32 to 56 km" in text
    assert "75 %" in text and "3 weeks" in text
    assert "35 → 39" in text  # +10 % a week from 32 km
    assert "6 weeks" in text  # 32 → 56 at 10 %/week takes 6 weeks
    assert "3/10" in text


def test_load_advice_in_miles() -> None:
    plan = plan_for({**MEDIAL, "distance_before_km": 20 * KM_PER_MILE,
                     "distance_now_km": 35 * KM_PER_MILE}, unit="mi")
    assert "from 20 to 35 mi" in plan.load_advice
    assert " km" not in plan.load_advice


def test_small_distances_keep_a_decimal() -> None:
    plan = plan_for({**MEDIAL, "distance_before_km": 5, "distance_now_km": 8})
    assert "from 5 to 8 km" in plan.load_advice
    assert "5.5" in plan.load_advice


def test_load_advice_from_stated_change() -> None:
    text = plan_for({**MEDIAL, "stated_change_pct": 100, "weeks_since_change": 2}).load_advice
    assert "100 %" in text and "2 weeks" in text


def test_load_advice_unknown_and_steady_differ() -> None:
    unknown = plan_for(MEDIAL).load_advice
    steady = plan_for({**MEDIAL, "distance_before_km": 30, "distance_now_km": 30}).load_advice
    assert unknown != steady
    assert "don't know" in unknown


def test_load_advice_acknowledges_reduction() -> None:
    assert "already cut back" in plan_for({**MEDIAL, "load_reduced": True}).load_advice


def test_clinician_load_advice_is_cautious() -> None:
    assert "Until you're seen" in plan_for({**MEDIAL, "side": "both"}).load_advice


def test_invalid_unit_rejected() -> None:
    with pytest.raises(ValueError, match="unit"):
        plan_for(MEDIAL, unit="furlongs")


# --------------------------------------------------------------------------- referral


def test_format_clinic_skips_missing_fields() -> None:
    assert format_clinic(None) is None
    assert format_clinic({"name": " "}) is None
    assert format_clinic({"phone": "0123"}) == "phone 0123"
    line = format_clinic(CLINIC)
    assert line is not None
    assert line.startswith("Riverside Physio (")
    assert "0123 456" in line and "hello@example.org" in line and "https://example.org" in line


def test_clinician_referral_names_the_clinic() -> None:
    plan = plan_for({**MEDIAL, "side": "both"}, clinic=CLINIC)
    assert plan.referral is not None and "Riverside Physio" in plan.referral


def test_clinician_referral_without_clinic_is_general() -> None:
    plan = plan_for({**MEDIAL, "side": "both"})
    assert plan.referral is not None and "GP" in plan.referral


def test_urgent_referral_includes_clinic_emergency_does_not() -> None:
    urgent = plan_for({"red_flags": ["locking"]}, clinic=CLINIC)
    emergency = plan_for({"red_flags": ["deformity"]}, clinic=CLINIC)
    assert urgent.referral is not None and "Riverside Physio" in urgent.referral
    assert emergency.referral is not None and "Riverside" not in emergency.referral
    assert "emergency" in emergency.referral


def test_self_care_has_no_referral_but_come_back_names_clinic() -> None:
    plan = plan_for(MEDIAL, clinic=CLINIC)
    assert plan.referral is None
    assert "2–3 weeks" in plan.come_back and "Riverside Physio" in plan.come_back
    assert "Riverside" not in plan_for(MEDIAL).come_back


def test_outer_knee_pain_is_routed_gently() -> None:
    plan = plan_for({"location": "outer"})
    assert plan.level == "self_care"
    assert plan.referral is not None and "outer side" in plan.referral
    assert any("outer" in note for note in plan.notes)


def test_band_aid_treatments_are_put_in_context() -> None:
    plan = plan_for({**MEDIAL, "tried": ["brace"], "tried_outcome": "helped"})
    assert any("strength work" in item for item in plan.avoid)


# --------------------------------------------------------------------------- finding exercises


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clams", "clamshell"),
        ("Clamshells", "clamshell"),
        ("clam shell", "clamshell"),
        ("box sits", "single_leg_box_sit"),
        ("knee to wall", "knee_to_wall"),
        ("Knee-to-wall", "knee_to_wall"),
        ("how do I do the bulgarian split squat?", "bulgarian_split_squat"),
        ("tell me more about the box sit", "single_leg_box_sit"),
        ("single leg bridge", "glute_bridge"),
        ("monster walks", "band_walk"),
        ("short_foot", "short_foot"),
        ("A-drill", "a_drill"),
        ("cadence", "cadence_increase"),
    ],
)
def test_find_exercise(text: str, expected: str) -> None:
    found = find_exercise(text)
    assert found is not None and found.id == expected


@pytest.mark.parametrize("text", ["", "banana", "???", "how are you"])
def test_find_exercise_none(text: str) -> None:
    assert find_exercise(text) is None


def test_every_id_name_and_alias_finds_its_own_exercise() -> None:
    """Catches aliases that collide between exercises."""
    for exercise in load_content().exercises.values():
        for text in (exercise.id, exercise.name, *exercise.aliases):
            found = find_exercise(text)
            assert found is not None and found.id == exercise.id, text


def test_exercise_by_id() -> None:
    assert exercise_by_id("clamshell").contributor == "hip_core"
    with pytest.raises(KeyError, match="unknown exercise id"):
        exercise_by_id("mini_squat")


# --------------------------------------------------------------------------- rendering


PAYLOAD = re.compile(r"^/ask_exercise_detail(\{.*\})$")


def test_render_self_care_plan() -> None:
    plan = plan_for({**MEDIAL, "stated_change_pct": 60}, clinic=CLINIC)
    messages = render_plan(plan)
    assert 3 <= len(messages) <= 7
    assert all(message.get("text") for message in messages)
    button_messages = [m for m in messages if "buttons" in m]
    assert len(button_messages) == 1
    payload_ids = []
    for button in button_messages[0]["buttons"]:
        match = PAYLOAD.match(button["payload"])
        assert match, button["payload"]
        payload_ids.append(json.loads(match.group(1))["exercise"])
    assert payload_ids == [ex.id for ex in plan.exercises]
    text = all_text(messages)
    assert "not a diagnosis" in text
    assert plan.load_advice in text
    assert plan.come_back in text


def test_render_urgent_plan_is_short_and_has_no_exercises() -> None:
    messages = render_plan(plan_for({"red_flags": ["night_rest_pain"]}))
    assert len(messages) == 1
    assert "buttons" not in messages[0]
    assert "Exercises can wait" in messages[0]["text"]


def test_render_plan_does_not_repeat_level_headline() -> None:
    level_text = " ".join(load_content().guidance["level_messages"]["self_care"].split())
    assert level_text not in all_text(render_plan(plan_for(MEDIAL)))


def test_render_exercise_detail() -> None:
    exercise = exercise_by_id("single_leg_box_sit")
    text_message, custom = render_exercise_detail(exercise)
    assert exercise.dosage in text_message["text"]
    assert exercise.progression in text_message["text"]
    assert custom["custom"]["exercise"]["id"] == "single_leg_box_sit"
    json.dumps(custom)


def test_level_message_emergency_starts_with_the_flag_action() -> None:
    result = assess({"red_flags": ["locking", "chest_pain_breathless"]})
    messages = render_level_message(result, CLINIC)
    assert messages[0]["text"] == " ".join(
        load_content().red_flags["chest_pain_breathless"].what_to_do.split())
    assert "Riverside" not in all_text(messages)


def test_level_message_urgent_computed_rule() -> None:
    result = assess({"injury": "twist", "age_band": "55_plus"})
    messages = render_level_message(result, CLINIC)
    assert "24–48 hours" in messages[0]["text"]
    assert "55" in messages[1]["text"]
    assert "Riverside Physio" in messages[-1]["text"]


def test_level_message_clinician_lists_only_its_level_reasons() -> None:
    result = assess({"side": "both", "stated_change_pct": 80})
    text = all_text(render_level_message(result, None))
    assert "Both knees" in text
    assert "30 %" not in text  # the self_care explanation is not a reason to see someone
    assert "GP" in text


def test_level_message_self_care() -> None:
    messages = render_level_message(assess({"stated_change_pct": 80}), None)
    assert messages[0]["text"].startswith("Nothing you've told me")
    assert "80 %" in messages[1]["text"]


DIAGNOSIS = re.compile(
    r"you(?: have|'ve got| are suffering from) (?:a |an )?(?:torn|patellofemoral|pes anserine"
    r"|mcl|meniscus|tear|bursitis|tendin|arthritis|pfps|syndrome|infection|clot|fracture|dvt)"
)
SCENARIOS: list[dict[str, Any]] = [
    MEDIAL,
    {**MEDIAL, "stated_change_pct": 100, "pain_triggers": ["stairs"]},
    {**MEDIAL, "side": "both", "tried": ["exercises"], "tried_outcome": "worse"},
    {"red_flags": ["hot_swollen_fever"]},
    {"red_flags": ["weight_loss_lump_cancer"]},
    {"location": "back"},
]


@pytest.mark.parametrize("answers", SCENARIOS)
def test_no_diagnosis_or_drug_language(answers: dict[str, Any]) -> None:
    result = assess(answers)
    plan = build_plan(answers, result, clinic=CLINIC)
    text = all_text(render_level_message(result, CLINIC) + render_plan(plan)).lower()
    assert not DIAGNOSIS.search(text), DIAGNOSIS.search(text)
    for word in ("ibuprofen", "paracetamol", "naproxen", "aspirin", " mg"):
        assert word not in text
