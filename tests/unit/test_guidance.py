"""Unit tests for the guidance/plan engine and its chat text (actions/guidance.py,
actions/plan_text.py, data/guidance.yml)."""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.content import ContentError, clear_cache, load_content
from actions.guidance import (
    Plan,
    build_plan,
    duration_words,
    exercise_by_id,
    find_exercise,
    format_clinic,
    irritability_level,
    likely_contributors,
    plan_signature,
    plan_sources,
    unsuitable_exercises,
)
from actions.plan_text import render_exercise_detail, render_level_message, render_plan
from actions.triage import UNKNOWN, assess
from content_schema.vocabulary import CONTRIBUTORS, KM_PER_MILE

MEDIAL = {"side": "right", "location": "medial", "onset": "gradual", "injury": "none",
          "pain_score": 3, "settles_by_next_day": True}
CLINIC = {"name": "Riverside Physio", "phone": "0123 456", "url": "https://example.org",
          "email": "hello@example.org"}


def _ids_of(contributor: str) -> set[str]:
    return {ex.id for ex in load_content().exercises.values() if ex.contributor == contributor}


HIP_IDS = _ids_of("hip_core")
QUAD_IDS = _ids_of("quads")
FOOT_IDS = _ids_of("foot_ankle")
SEED_004_CIRCUIT = {"wall_high_knee_drive", "single_leg_box_sit", "bulgarian_split_squat",
                    "reverse_lunge"}


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


def test_quads_first_plan_leads_with_quads_including_the_seed_004_circuit() -> None:
    ids = [ex.id for ex in plan_for({**MEDIAL, "pain_triggers": ["stairs"]}).exercises]
    assert set(ids[:3]) <= QUAD_IDS
    assert set(ids[:3]) & SEED_004_CIRCUIT
    assert ids[0] == "step_down"  # stairs: the exercise that trains exactly that


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
               "tried_exercises": ["clamshells", "mini squats"]}
    plan = plan_for(answers)
    assert plan.exercises == ()  # hip and thigh work both made it worse; nothing else fits
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
    assert exercise.start_dosage in text_message["text"]
    assert exercise.progression in text_message["text"]
    card = custom["custom"]["exercise"]
    assert card["id"] == "single_leg_box_sit"
    assert card["name"] == exercise.name == text_message["text"].split("\n")[0]
    assert card["contributor"] == "Thigh (quadriceps) strength"
    assert "source" not in card
    assert "seed" not in all_text([text_message, custom]).lower()
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



# =========================================================================== tailoring
# Personas: a runner is the medial default plus what distinguishes them.

BASE = {"side": "right", "location": "inner_surface", "onset": "gradual", "injury": "none",
        "pain_score": 3, "settles_by_next_day": True, "limp": False, "swelling": False,
        "pain_duration_weeks": 4}
EXERCISES = load_content().exercises


def signature(answers: dict[str, Any], **kwargs: Any) -> tuple[str, ...]:
    return plan_signature(plan_for(answers, **kwargs))


def rendered(answers: dict[str, Any], **kwargs: Any) -> str:
    result = assess(answers)
    plan = build_plan(answers, result, **kwargs)
    return all_text(render_level_message(result, kwargs.get("clinic")) + render_plan(plan))


PERSONAS: dict[str, dict[str, Any]] = {
    "hip default": {**BASE, "age_band": "18_54"},
    "stairs 28": {**BASE, "age_band": "18_54", "pain_triggers": ["stairs"]},
    "stairs 67": {**BASE, "age_band": "55_plus", "pain_triggers": ["stairs"]},
    "squatting": {**BASE, "age_band": "18_54", "pain_triggers": ["squatting"]},
    "hip test eased it": {**BASE, "age_band": "18_54", "self_test_hip": "better"},
    "foot test eased it": {**BASE, "age_band": "18_54", "self_test_foot": "better"},
    "neither test helped": {**BASE, "age_band": "18_54", "self_test_hip": "same",
                            "self_test_foot": "same"},
    "teenager kneecap": {**BASE, "age_band": "under_18", "location": "kneecap"},
    "moderately irritable": {**BASE, "age_band": "18_54", "pain_score": 5,
                             "pain_duration_weeks": 0.5},
    "joint line 60": {**BASE, "age_band": "55_plus", "location": "inner_joint_line"},
}


def test_personas_with_different_contributors_ages_or_irritability_get_different_plans() -> None:
    signatures = {name: signature(answers) for name, answers in PERSONAS.items()}
    assert all(signatures.values())
    assert len(set(signatures.values())) == len(signatures), signatures


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_plan_is_suitable(name: str) -> None:
    plan = plan_for(PERSONAS[name])
    assert unsuitable_exercises(plan, PERSONAS[name]) == []


STAIRS_DOWNHILL = {**BASE, "pain_triggers": ["stairs", "downhill"]}


def test_28_58_and_67_year_olds_with_stair_pain_get_age_appropriate_plans() -> None:
    young = plan_for({**STAIRS_DOWNHILL, "age": 28})
    older = plan_for({**STAIRS_DOWNHILL, "age": 58})
    oldest = plan_for({**STAIRS_DOWNHILL, "age": 67})
    assert plan_signature(young) != plan_signature(oldest)
    assert plan_signature(older) == plan_signature(oldest)  # same band, same facts
    assert "bulgarian_split_squat" in plan_signature(young)
    assert all(item.tier == "start" for item in oldest.items)
    assert all(item.tier == "standard" for item in young.items)


@pytest.mark.parametrize(
    "extra",
    [{}, {"pain_triggers": ["stairs", "downhill"]}, {"pain_triggers": ["squatting"]},
     {"location": "kneecap"}, {"stated_change_pct": 80}, {"self_test_hip": "better"},
     {"tried": ["exercises"], "tried_outcome": "helped", "tried_exercises": ["split squats"]},
     {"side": "both"}],
)
def test_67_year_old_never_gets_heavy_or_high_impact_work(extra: dict[str, Any]) -> None:
    plan = plan_for({**BASE, "age": 67, **extra})
    ids = plan_signature(plan)
    assert "bulgarian_split_squat" not in ids
    assert "wall_high_knee_drive" not in ids
    for exercise in plan.exercises:
        assert exercise.load != "heavy" and exercise.impact != "high", exercise.id
        assert "55_plus" in exercise.age_bands


def test_irritability_levels() -> None:
    assert irritability_level(BASE) == "low"
    assert irritability_level({**BASE, "pain_score": 5}) == "moderate"
    assert irritability_level({**BASE, "settles_by_next_day": False}) == "moderate"
    assert irritability_level({**BASE, "limp": True}) == "high"
    assert irritability_level({**BASE, "pain_score": 8}) == "high"
    assert irritability_level({**BASE, "pain_score": 5, "settles_by_next_day": False}) == "high"
    assert irritability_level({"pain_score": UNKNOWN, "limp": UNKNOWN}) == "low"


@pytest.mark.parametrize(
    "irritable",
    [{"limp": True}, {"pain_score": 8}, {"pain_score": 5, "settles_by_next_day": False},
     {"settles_by_next_day": False, "swelling": True}],
)
def test_highly_irritable_knee_gets_low_load_work_at_starting_doses(
    irritable: dict[str, Any],
) -> None:
    for extra in ({}, {"pain_triggers": ["stairs", "squatting"]}, {"self_test_hip": "better"},
                  {"stated_change_pct": 60}):
        answers = {**BASE, "age_band": "18_54", **irritable, **extra}
        plan = plan_for(answers)
        assert plan.irritability == "high"
        assert plan.exercises, answers
        assert len(plan.exercises) <= 3
        for item in plan.items:
            ex = item.exercise
            assert "high" in ex.irritability, ex.id
            assert ex.load in ("none", "low") and ex.impact in ("none", "low"), ex.id
            assert not ex.during_runs, ex.id
            assert item.tier == "start" and item.dose == ex.start_dosage
        assert plan_signature(plan) != signature({**BASE, "age_band": "18_54", **extra})


def test_same_facts_but_calmer_knee_gets_fuller_plan() -> None:
    calm = plan_for({**BASE, "age_band": "18_54", "pain_triggers": ["stairs"]})
    sore = plan_for({**BASE, "age_band": "18_54", "pain_triggers": ["stairs"], "pain_score": 5,
                     "pain_duration_weeks": 0.5})
    assert calm.irritability == "low" and sore.irritability == "moderate"
    assert plan_signature(calm) != plan_signature(sore)
    assert {item.tier for item in sore.items} == {"start"}


# --------------------------------------------------------------------------- running advice

KEEP_RUNNING = re.compile(r"keep (?:on )?running|keep (?:your )?runs|carry on running"
                          r"|continue running|keep training", re.I)


@pytest.mark.parametrize("unit", ["km", "mi"])
@pytest.mark.parametrize(
    "extra",
    [{}, {"distance_before_km": 30, "distance_now_km": 45, "weeks_since_change": 2},
     {"side": "both"}, {"pain_score": 8}, {"stated_change_pct": 5}, {"load_reduced": True}],
)
def test_limping_runner_is_never_told_to_keep_running(unit: str, extra: dict[str, Any]) -> None:
    answers = {**BASE, "age_band": "18_54", **extra, "limp": True}
    plan = plan_for(answers, unit=unit)
    text = rendered(answers, unit=unit)
    assert not KEEP_RUNNING.search(text), KEEP_RUNNING.search(text)
    assert "pause running" in plan.load_advice
    assert "Pain rule" not in plan.load_advice
    assert plan.running_paused and plan.self_tests == ()
    assert not any(ex.during_runs for ex in plan.exercises)


def test_symptom_limp_counts_like_the_answer() -> None:
    plan = plan_for({**BASE, "limp": None, "symptoms": ["limp"]})
    assert plan.running_paused and "pause running" in plan.load_advice


@pytest.mark.parametrize("flag", ["locking", "night_rest_pain", "cannot_bear_weight"])
def test_urgent_and_emergency_are_never_told_to_keep_running(flag: str) -> None:
    answers = {**BASE, "red_flags": [flag], "distance_before_km": 30, "distance_now_km": 45}
    text = rendered(answers)
    assert not KEEP_RUNNING.search(text)
    assert "Pain rule" not in text
    assert "don't run" in plan_for(answers).load_advice.lower()


def test_clinician_with_high_irritability_pauses_or_reduces_running() -> None:
    plan = plan_for({**BASE, "pain_score": 8, "distance_now_km": 40})
    assert plan.level == "clinician" and plan.irritability == "high"
    assert "pause running" in plan.load_advice
    assert "40 km" in plan.load_advice
    assert not KEEP_RUNNING.search(rendered({**BASE, "pain_score": 8}))


def test_clinician_with_a_settled_knee_keeps_short_easy_runs() -> None:
    plan = plan_for({**BASE, "side": "both"})
    assert plan.level == "clinician" and not plan.running_paused
    assert "short, easy and flat" in plan.load_advice


# --------------------------------------------------------------------------- self-tests, tried


@pytest.mark.parametrize(
    ("test", "family"), [("self_test_hip", HIP_IDS), ("self_test_foot", FOOT_IDS)]
)
@pytest.mark.parametrize(
    "persona", ["stairs 28", "stairs 67", "squatting", "teenager kneecap", "hip default"]
)
def test_a_self_test_that_eased_the_pain_changes_the_plan(
    test: str, family: set[str], persona: str
) -> None:
    before = plan_for(PERSONAS[persona])
    after = plan_for({**PERSONAS[persona], test: "better"})
    assert plan_signature(after) != plan_signature(before)
    assert after.exercises[0].id in family
    assert "eased the pain" in after.items[0].why


def test_hip_test_that_made_it_worse_drops_the_running_cue() -> None:
    assert "landing_glute_cue" in signature({**BASE, "self_test_hip": "better"})
    ids = signature({**BASE, "self_test_hip": "worse", "self_test_foot": "better"})
    assert "landing_glute_cue" not in ids


def test_neither_self_test_helping_moves_the_focus_off_the_hips() -> None:
    plan = plan_for(PERSONAS["neither test helped"])
    assert plan.contributors[0][0] == "quads"
    assert plan.exercises[0].id in QUAD_IDS


TRIED_WORSE = [
    (["mini squats"], QUAD_IDS),
    (["lunges", "leg press"], QUAD_IDS),
    (["clamshells"], HIP_IDS),
    (["glute bridges", "planks"], HIP_IDS),
    (["calf raises", "toe curls"], FOOT_IDS),
    ([], QUAD_IDS),  # "exercises" without names: the squat family is assumed (seed 001)
]


@pytest.mark.parametrize(("tried", "family"), TRIED_WORSE)
@pytest.mark.parametrize(
    "persona", ["stairs 28", "hip test eased it", "foot test eased it", "squatting"]
)
def test_a_family_that_made_it_worse_is_not_repeated(
    tried: list[str], family: set[str], persona: str
) -> None:
    answers = {**PERSONAS[persona], "tried": ["exercises"], "tried_outcome": "worse",
               "tried_exercises": tried}
    plan = plan_for(answers)
    assert not set(plan_signature(plan)) & family
    assert any("made it worse" in item for item in plan.avoid)


def test_exercises_that_did_not_help_are_pushed_down() -> None:
    answers = {**PERSONAS["stairs 28"], "tried": ["exercises"], "tried_outcome": "no_change",
               "tried_exercises": ["box sits"]}
    assert plan_for(answers).contributors[0][0] != "quads"


def test_exercises_that_helped_are_progressed() -> None:
    answers = {**BASE, "age_band": "18_54", "tried": ["exercises"], "tried_outcome": "helped",
               "tried_exercises": ["step downs"]}
    plan = plan_for(answers)
    item = next(item for item in plan.items if item.exercise.id == "step_down")
    assert item.tier == "progress"
    assert "next step" in item.dose and "helped" in item.why
    assert plan_signature(plan) != signature({**BASE, "age_band": "18_54"})


def test_helped_but_irritable_is_not_progressed() -> None:
    answers = {**BASE, "pain_score": 5, "tried": ["exercises"], "tried_outcome": "helped",
               "tried_exercises": ["clamshells"]}
    assert {item.tier for item in plan_for(answers).items} == {"start"}


def test_helped_without_names_says_keep_going() -> None:
    plan = plan_for({**BASE, "tried": ["exercises"], "tried_outcome": "helped"})
    assert any("keep them going" in note for note in plan.notes)


# --------------------------------------------------------------------------- video


@pytest.mark.parametrize(
    ("measure", "contributor", "expected"),
    [("pelvic_drop_deg", "hip_core", "hip_hike"),
     ("cadence_spm", "form", "cadence_increase"),
     ("arm_swing_asymmetry_pct", "form", "arm_swing_drill"),
     ("foot_progression_deg", "foot_ankle", "knee_to_wall")],
)
def test_video_measures_pick_the_matching_exercise(
    measure: str, contributor: str, expected: str
) -> None:
    finding = {"id": measure, "measure": measure, "contributor": contributor,
               "severity": "marked", "text": "Something showed up (12.345°)."}
    plan = plan_for({**BASE, "age_band": "18_54"}, video_findings=(finding,))
    assert plan.exercises[0].id == expected
    assert "video" in plan.items[0].why
    assert "12.345" not in all_text(render_plan(plan))


# --------------------------------------------------------------------------- clinician variety

CLINICIAN_PERSONAS = [
    {**BASE, "side": "both", "age_band": "18_54"},
    {**BASE, "swelling": True, "age_band": "18_54", "pain_triggers": ["stairs"]},
    {**BASE, "limp": True, "age_band": "55_plus"},
    {**BASE, "settles_by_next_day": False, "location": "kneecap", "age_band": "18_54"},
    {**BASE, "pain_score": 8, "pain_triggers": ["squatting"], "age_band": "18_54"},
    {**BASE, "pain_duration_weeks": 8, "load_reduced": True, "age_band": "55_plus",
     "location": "inner_joint_line"},
    {**BASE, "tried": ["exercises"], "tried_outcome": "worse", "tried_exercises": ["clams"],
     "age_band": "18_54", "pain_triggers": ["squatting"]},
    {**BASE, "side": "both", "self_test_foot": "better", "age_band": "under_18"},
]


def test_clinician_runners_get_varied_gentle_plans() -> None:
    plans = [plan_for(answers) for answers in CLINICIAN_PERSONAS]
    assert {plan.level for plan in plans} == {"clinician"}
    signatures = [plan_signature(plan) for plan in plans]
    assert len(set(signatures)) >= 7, signatures
    for plan, answers in zip(plans, CLINICIAN_PERSONAS, strict=True):
        assert all(ex.gentle for ex in plan.exercises)
        assert unsuitable_exercises(plan, answers) == []


# --------------------------------------------------------------------------- why and dose


def test_every_item_has_a_one_sentence_why_from_the_runners_facts() -> None:
    plan = plan_for({**BASE, "age_band": "55_plus", "pain_triggers": ["stairs"],
                     "self_test_foot": "better"})
    for item in plan.items:
        assert item.why.endswith(".") and item.why.count(". ") == 0, item.why
        assert item.why[0].isupper() and "{" not in item.why
    whys = " ".join(item.why for item in plan.items)
    assert "Stairs" in whys or "stairs" in whys
    assert "toes" in whys
    assert "55" in whys


def test_dose_tiers() -> None:
    standard = plan_for({**BASE, "age_band": "18_54"})
    assert all(item.dose == item.exercise.dosage for item in standard.items)
    older = plan_for({**BASE, "age_band": "55_plus"})
    assert all(item.dose == item.exercise.start_dosage for item in older.items)
    waiting = plan_for({**BASE, "side": "both"})
    assert all(item.tier == "start" for item in waiting.items)
    assert all("wait to be seen" in item.why for item in waiting.items)


def test_plan_signature_and_sources() -> None:
    plan = plan_for(PERSONAS["stairs 28"])
    assert plan_signature(plan) == tuple(ex.id for ex in plan.exercises)
    assert plan_signature(plan_for({"red_flags": ["locking"]})) == ()
    details = plan_sources(plan)
    assert [d["id"] for d in details] == list(plan_signature(plan))
    assert all("seed" in d["sources"] or re.search(r"\d{4}", d["sources"]) for d in details)
    assert [d["name"] for d in details] == [ex.name for ex in plan.exercises]


def test_unsuitable_exercises_reports_a_mismatch() -> None:
    young = plan_for({**STAIRS_DOWNHILL, "age_band": "18_54"})
    assert "bulgarian_split_squat" in plan_signature(young)
    assert "bulgarian_split_squat" in unsuitable_exercises(young, {**STAIRS_DOWNHILL,
                                                                   "age_band": "55_plus"})
    assert "bulgarian_split_squat" in unsuitable_exercises(young, {**STAIRS_DOWNHILL,
                                                                   "limp": True})
    assert unsuitable_exercises(young, {**STAIRS_DOWNHILL, "age_band": "18_54"}) == []


# --------------------------------------------------------------------------- units and words


@pytest.mark.parametrize(
    ("weeks", "words"),
    [(0.5, "a few days"), (1, "a week"), (2, "2 weeks"), (3, "3 weeks"), (4, "4 weeks"),
     (4.33, "a month"), (52 / 12, "a month"), (6, "6 weeks"), (8.67, "2 months"),
     (13, "3 months"), (20, "5 months"), (52, "a year"), (104, "2 years"), (2.4, "2 weeks")],
)
def test_duration_words(weeks: float, words: str) -> None:
    assert duration_words(weeks) == words


def test_a_month_is_said_in_words() -> None:
    answers = {**BASE, "distance_before_km": 30, "distance_now_km": 40, "weeks_since_change": 4.33}
    plan = plan_for(answers)
    assert "over about a month" in plan.load_advice
    assert "4.33" not in rendered(answers)
    why = dict(likely_contributors({**answers, "distance_now_km": 36,
                                    "weeks_since_change": 2.5}))["training_load"]
    assert "about 2 weeks" in why and "2.5" not in why


def test_miles_are_rounded() -> None:
    answers = {**BASE, "distance_before_km": 33.3, "distance_now_km": 52.7}
    text = plan_for(answers, unit="mi").load_advice
    assert "from 21 to 33 mi" in text
    assert not re.search(r"\d\.\d", text)
    small = plan_for({**BASE, "distance_before_km": 7.3, "distance_now_km": 11.1},
                     unit="mi").load_advice
    assert "from 4.5 to 7 mi" in small


# --------------------------------------------------------------------------- unknown answers

SLOTS = ("side", "location", "onset", "injury", "age_band", "distance_before_km",
         "distance_now_km", "weeks_since_change", "stated_change_pct", "swelling",
         "pain_triggers", "pain_score", "settles_by_next_day", "pain_duration_weeks",
         "load_reduced", "tried", "tried_outcome", "tried_exercises", "limp", "self_test_hip",
         "self_test_foot", "symptoms", "red_flags")


@pytest.mark.parametrize("slot", SLOTS)
def test_an_unknown_answer_does_not_crash_or_show(slot: str) -> None:
    answers = {**BASE, "distance_before_km": 30, "distance_now_km": 45, "tried": ["exercises"],
               "tried_outcome": "worse", slot: UNKNOWN}
    for unit in ("km", "mi"):
        text = rendered(answers, unit=unit)
        assert UNKNOWN not in text.lower()
    assert unsuitable_exercises(plan_for(answers), answers) == []


def test_all_unknown_does_not_crash() -> None:
    answers = dict.fromkeys(SLOTS, UNKNOWN)
    plan = plan_for(answers)
    assert plan.level == "self_care" and plan.exercises
    assert UNKNOWN not in rendered(answers).lower()
    assert likely_contributors(answers)


# --------------------------------------------------------------------------- runner-facing text

SNAKE_ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
SOURCE_TAG = re.compile(r"\bseeds?\b|NHS|MSK|CLINICAL|\bet al\b|\b(?:19|20)\d\d\b"
                        r"|Heiderscheit|Bramah|Nielsen|Silbernagel|Herrington|Ottawa", re.I)
WEEKS_DECIMAL = re.compile(r"\d+\.\d+\s*(?:weeks?|months?|days?)", re.I)
LONG_DECIMAL = re.compile(r"\d+\.\d{2,}")
FINDINGS = [
    {"id": "pelvic_drop", "measure": "pelvic_drop_deg", "contributor": "hip_core",
     "severity": "marked", "text": "Your pelvis drops on the left (8.73°)."},
    {"id": "cadence", "measure": "cadence_spm", "contributor": "form", "severity": "mild",
     "text": "Your cadence is on the low side (161 steps/min)."},
    {"id": "overstride", "measure": "overstride", "contributor": "form", "severity": 0.37,
     "text": "You land ahead of your hips (0.21)."},
    {"id": "foot_progression", "measure": "foot_progression_deg",
     "contributor": "foot_ankle", "severity": "marked"},
]


def runner_strings(messages: list[dict[str, Any]]) -> list[str]:
    """Every string the runner sees: texts, button titles, card fields (not ids/payloads)."""
    strings: list[str] = []
    for message in messages:
        if message.get("text"):
            strings.append(message["text"])
        strings += [button["title"] for button in message.get("buttons", [])]
        card = (message.get("custom") or {}).get("exercise")
        if card:
            strings += [str(v) for k, v in card.items() if k != "id"]
    return strings


Persona = tuple[dict[str, Any], str, tuple[dict[str, Any], ...]]


def random_personas(count: int, seed: int = 7) -> Iterator[Persona]:
    rng = random.Random(seed)
    options: dict[str, list[Any]] = {
        "side": ["left", "right", "both", UNKNOWN],
        "location": ["medial", "inner_surface", "inner_joint_line", "kneecap", "front", UNKNOWN],
        "age_band": ["under_18", "18_54", "55_plus", UNKNOWN, None],
        "pain_triggers": [[], ["stairs"], ["downhill", "during_runs"], ["squatting", "sitting"],
                          ["after_runs"], UNKNOWN],
        "pain_score": [1, 3, 5, 6, 8, UNKNOWN],
        "settles_by_next_day": [True, False, UNKNOWN],
        "limp": [False, False, True, UNKNOWN],
        "swelling": [False, False, True],
        "pain_duration_weeks": [0.5, 2, 4.33, 10, UNKNOWN],
        "weeks_since_change": [1, 2.5, 4.33, 8.67, UNKNOWN, None],
        "self_test_hip": [None, "better", "same", "worse", UNKNOWN],
        "self_test_foot": [None, "better", "same", "worse", UNKNOWN],
        "tried_outcome": [None, "helped", "no_change", "worse", UNKNOWN],
        "tried_exercises": [None, ["clamshells"], ["mini squats"], ["toe curls"],
                            ["step downs", "bridges"], UNKNOWN],
    }
    loads = [{}, {"distance_before_km": 32.2, "distance_now_km": 56.3},
             {"distance_before_km": 7.3, "distance_now_km": 11.1},
             {"distance_before_km": 40, "distance_now_km": 41}, {"stated_change_pct": 66.7}]
    for _ in range(count):
        answers = {key: rng.choice(values) for key, values in options.items()}
        answers = {key: value for key, value in answers.items() if value is not None}
        answers |= rng.choice(loads)
        if answers.get("tried_outcome"):
            answers["tried"] = ["exercises"]
        findings = tuple(f for f in FINDINGS if rng.random() < 0.25)
        yield answers, rng.choice(["km", "mi"]), findings


CLINIC_FOR_SCAN = {"name": "Riverside Physio", "phone": "0123 456"}


def test_no_ids_source_tags_or_raw_numbers_in_any_rendered_text() -> None:
    checked = 0
    for answers, unit, findings in random_personas(400):
        result = assess(answers)
        plan = build_plan(answers, result, video_findings=findings, clinic=CLINIC_FOR_SCAN,
                          unit=unit)
        assert unsuitable_exercises(plan, answers) == [], answers
        messages = render_level_message(result, CLINIC_FOR_SCAN) + render_plan(plan)
        for exercise in plan.exercises:
            messages += render_exercise_detail(exercise)
        for text in runner_strings(messages):
            checked += 1
            ids = set(SNAKE_ID.findall(text))
            assert not ids, (ids, text)
            assert not SOURCE_TAG.search(text), (SOURCE_TAG.search(text), text)
            assert not WEEKS_DECIMAL.search(text), text
            assert not LONG_DECIMAL.search(text), text
            assert UNKNOWN not in text.lower(), text
            assert "{" not in text and "}" not in text, text
    assert checked > 2000


def test_one_display_name_per_exercise_everywhere() -> None:
    plan = plan_for({**BASE, "pain_triggers": ["stairs"], "self_test_foot": "better"})
    messages = render_plan(plan)
    buttons = next(m["buttons"] for m in messages if "buttons" in m)
    exercise_text = next(m["text"] for m in messages if "buttons" in m)
    for item, button in zip(plan.items, buttons, strict=True):
        name = item.exercise.name
        text, card = render_exercise_detail(item.exercise)
        assert button["title"].endswith(name)
        assert f"• {name} — " in exercise_text
        assert text["text"].startswith(name)
        assert card["custom"]["exercise"]["name"] == name
        assert find_exercise(name) == item.exercise


# --------------------------------------------------------------------------- library metadata


def test_library_is_big_enough_to_vary() -> None:
    per_contributor = {name: len(_ids_of(name)) for name in CONTRIBUTORS[1:]}
    assert per_contributor["quads"] >= 7 and per_contributor["hip_core"] >= 8
    for contributor in ("quads", "hip_core", "foot_ankle"):
        gentle_high = [ex for ex in EXERCISES.values() if ex.contributor == contributor
                       and ex.gentle and "high" in ex.irritability]
        assert len(gentle_high) >= 2, contributor


def test_every_exercise_has_sourced_suitability() -> None:
    for exercise in EXERCISES.values():
        assert exercise.age_bands and exercise.irritability, exercise.id
        assert exercise.start_dosage and exercise.benefit, exercise.id
        assert exercise.suitability_source.strip(), exercise.id
        assert "seed" in exercise.suitability_source or re.search(
            r"\d{4}", exercise.suitability_source), exercise.id
        if "55_plus" in exercise.age_bands:
            assert exercise.load != "heavy" and exercise.impact != "high", exercise.id


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def edited_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        Callable[[str, Callable[[dict[str, Any]], None]], None]]:
    for name in ("red_flags.yml", "triage_rules.yml", "exercises.yml", "guidance.yml"):
        shutil.copy(REPO / "data" / name, tmp_path / name)
    monkeypatch.setenv("KNEE_DATA_DIR", str(tmp_path))
    clear_cache()

    def edit(name: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = tmp_path / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    yield edit
    clear_cache()


def _exercise(data: dict[str, Any], exercise_id: str) -> dict[str, Any]:
    return next(e for e in data["exercises"] if e["id"] == exercise_id)


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("exercises.yml",
         lambda d: _exercise(d, "bulgarian_split_squat")["age_bands"].append("55_plus"),
         "nothing heavy or high-impact for 55_plus"),
        ("exercises.yml",
         lambda d: _exercise(d, "a_drill")["irritability"].append("high"),
         "highly irritable"),
        ("exercises.yml", lambda d: _exercise(d, "clamshell").update(load="huge"),
         r"clamshell|exercises\[\d+\]\.load"),
        ("exercises.yml", lambda d: _exercise(d, "clamshell").update(age_bands=[1854]),
         "non-empty string"),
        ("exercises.yml", lambda d: _exercise(d, "clamshell").update(benefit="It helps."),
         "one clause"),
        ("exercises.yml", lambda d: _exercise(d, "clamshell")["fits"][0].update(
            when={"field": "mood", "equals": "bad"}), "unknown field 'mood'"),
        ("exercises.yml", lambda d: _exercise(d, "clamshell").pop("suitability_source"),
         "suitability_source"),
        ("guidance.yml", lambda d: d["irritability"]["thresholds"].update(high=0),
         "high must be above moderate"),
        ("guidance.yml", lambda d: d["contributor_rules"][0].update(because="Up {colour}"),
         "lower case|unknown placeholder"),
        ("guidance.yml", lambda d: d["dose_texts"].update(start="{sets} sets"),
         "unknown placeholder"),
    ],
)
def test_library_and_guidance_validation(
    edited_library: Callable[[str, Callable[[dict[str, Any]], None]], None],
    file: str,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    edited_library(file, change)
    with pytest.raises(ContentError, match=message):
        load_content()


def test_grid_of_personas_never_gets_an_unsuitable_exercise() -> None:
    grid = itertools.product(
        ["under_18", "18_54", "55_plus"], ["low", "moderate", "high"],
        [[], ["stairs"], ["squatting"], ["downhill", "during_runs"]],
        [None, "better"], ["self_care", "clinician"],
    )
    irritable = {"low": {}, "moderate": {"pain_score": 5},
                 "high": {"pain_score": 5, "settles_by_next_day": False}}
    for band, level, triggers, hip, wanted in grid:
        answers = {**BASE, "age_band": band, "pain_triggers": triggers, **irritable[level]}
        if hip:
            answers["self_test_hip"] = hip
        if wanted == "clinician":
            answers["side"] = "both"
        plan = plan_for(answers)
        assert plan.irritability == level
        assert unsuitable_exercises(plan, answers) == [], answers
        for exercise in plan.exercises:
            assert band in exercise.age_bands and level in exercise.irritability
