"""Unit tests for the triage engine (actions/triage.py + data/triage_rules.yml, red_flags.yml).

Expected levels here come from CLINICAL.md §1 and the project brief, written out by hand,
not read back from the YAML, so a wrong edit to the content makes these tests fail.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from actions.content import load_content
from actions.triage import (
    TriageResult,
    age_band,
    assess,
    level_rank,
    load_increase_pct,
    red_flags_from_symptoms,
)
from content_schema.vocabulary import LEVELS

EXPECTED_RED_FLAG_LEVELS = {
    "cannot_bear_weight": "emergency",
    "deformity": "emergency",
    "hot_swollen_fever": "emergency",
    "chest_pain_breathless": "emergency",
    "foot_numb_cold": "emergency",
    "calf_swollen_warm": "urgent",
    "locking": "urgent",
    "giving_way_after_twist": "urgent",
    "pop_with_swelling": "urgent",
    "night_rest_pain": "urgent",
    "weight_loss_lump_cancer": "urgent",
    "emergency_sign_unspecified": "emergency",
    "urgent_sign_unspecified": "urgent",
}

# One minimal example per computed rule, with the level it must reach. Every rule in
# data/triage_rules.yml must appear here (test_every_rule_has_an_example).
RULE_EXAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    "injury_age_55_plus": ({"injury": "fall", "age_band": "55_plus"}, "urgent"),
    "adolescent_limp": ({"age_band": "under_18", "limp": True}, "urgent"),
    "swelling_after_injury": ({"injury": "twist", "swelling": True}, "urgent"),
    "recurrent_swelling": ({"injury": "none", "swelling": True}, "clinician"),
    "pain_despite_load_reduction": (
        {"pain_duration_weeks": 4, "load_reduced": True},
        "clinician",
    ),
    "gait_change": ({"limp": True, "age_band": "18_54"}, "clinician"),
    "giving_way": ({"symptoms": ["giving_way"], "injury": "none"}, "clinician"),
    "exercises_not_helping": ({"tried": ["exercises"], "tried_outcome": "worse"}, "clinician"),
    "both_sides": ({"side": "both"}, "clinician"),
    "not_settling_next_day": ({"settles_by_next_day": False}, "clinician"),
    "high_pain_score": ({"pain_score": 7}, "clinician"),
    "load_spike": ({"distance_before_km": 20, "distance_now_km": 30}, "self_care"),
}

BENIGN = {
    "side": "right",
    "location": "medial",
    "onset": "gradual",
    "injury": "none",
    "distance_before_km": 30,
    "distance_now_km": 32,
    "weeks_since_change": 4,
    "swelling": False,
    "pain_triggers": ["after_runs"],
    "pain_score": 2,
    "settles_by_next_day": True,
    "pain_duration_weeks": 1,
    "load_reduced": False,
    "tried": ["ice"],
    "tried_outcome": "helped",
    "age_band": "18_54",
    "limp": False,
    "self_test_hip": "better",
    "self_test_foot": "better",
}


def rule_ids(result: TriageResult) -> set[str]:
    return {reason.rule_id for reason in result.reasons}


# --------------------------------------------------------------------------- load


class TestLoadIncreasePct:
    def test_computes_relative_change(self) -> None:
        assert load_increase_pct(20, 35) == pytest.approx(75.0)

    def test_decrease_is_negative(self) -> None:
        assert load_increase_pct(40, 30) == pytest.approx(-25.0)

    def test_no_change_is_zero(self) -> None:
        assert load_increase_pct(25, 25) == 0.0

    def test_distances_win_over_stated_change(self) -> None:
        assert load_increase_pct(20, 30, stated_change_pct=100) == pytest.approx(50.0)

    def test_falls_back_to_stated_change(self) -> None:
        assert load_increase_pct(None, 30, stated_change_pct=100) == 100.0

    def test_zero_before_cannot_divide_and_falls_back(self) -> None:
        assert load_increase_pct(0, 30) is None
        assert load_increase_pct(0, 30, stated_change_pct=50) == 50.0

    def test_unknown_everything_is_none(self) -> None:
        assert load_increase_pct(None, None) is None

    @pytest.mark.parametrize(("before", "now"), [(-1, 10), (10, -5)])
    def test_negative_distance_rejected(self, before: float, now: float) -> None:
        with pytest.raises(ValueError, match="negative"):
            load_increase_pct(before, now)

    def test_assess_reports_it(self) -> None:
        assert assess({"distance_before_km": 10, "distance_now_km": 15}).load_increase_pct == 50


# --------------------------------------------------------------------------- levels


def test_levels_ascending() -> None:
    assert LEVELS == ("self_care", "clinician", "urgent", "emergency")
    assert [level_rank(level) for level in LEVELS] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        level_rank("catastrophic")


def test_no_answers_is_self_care_without_reasons() -> None:
    result = assess({})
    assert result == TriageResult("self_care", (), None, False)


def test_none_values_count_as_unknown() -> None:
    answers = dict.fromkeys(BENIGN)
    assert assess(answers).level == "self_care"
    assert assess(answers).reasons == ()


def test_benign_runner_is_self_care() -> None:
    result = assess(BENIGN)
    assert result.level == "self_care"
    assert not result.stop_questioning


# --------------------------------------------------------------------------- red flags


def test_red_flag_catalogue_matches_clinical_levels() -> None:
    flags = load_content().red_flags
    assert {fid: flag.level for fid, flag in flags.items()} == EXPECTED_RED_FLAG_LEVELS


@pytest.mark.parametrize(("flag", "level"), sorted(EXPECTED_RED_FLAG_LEVELS.items()))
def test_each_red_flag_sets_its_level_and_stops(flag: str, level: str) -> None:
    result = assess({"red_flags": [flag]})
    assert result.level == level
    assert result.stop_questioning
    assert result.reasons[0].rule_id == flag
    assert result.reasons[0].text


@pytest.mark.parametrize(("flag", "level"), sorted(EXPECTED_RED_FLAG_LEVELS.items()))
def test_nothing_lowers_a_red_flag(flag: str, level: str) -> None:
    """The most reassuring answers possible must not lower a red flag's level."""
    result = assess({**BENIGN, "red_flags": [flag]})
    assert result.level == level
    assert result.stop_questioning


def test_unknown_red_flag_is_an_error_not_ignored() -> None:
    with pytest.raises(ValueError, match="unknown red-flag id 'sore'"):
        assess({"red_flags": ["sore"]})


def test_duplicate_red_flags_give_one_reason() -> None:
    result = assess({"red_flags": ["locking", "locking"]})
    assert [r.rule_id for r in result.reasons] == ["locking"]
    result = assess({"red_flags": ["giving_way_after_twist"], "symptoms": ["giving_way"],
                     "injury": "twist"})
    assert [r.rule_id for r in result.reasons] == ["giving_way_after_twist"]


def test_red_flags_accepts_a_single_string() -> None:
    assert assess({"red_flags": "deformity"}).level == "emergency"


def test_emergency_beats_urgent() -> None:
    result = assess({"red_flags": ["locking", "cannot_bear_weight"]})
    assert result.level == "emergency"
    assert [r.rule_id for r in result.reasons] == ["cannot_bear_weight", "locking"]


# --------------------------------------------------------------------------- symptom map


@pytest.mark.parametrize(
    ("symptoms", "context", "expected"),
    [
        (["giving_way"], {"injury": "twist"}, ["giving_way_after_twist"]),
        (["giving_way"], {"injury": "fall"}, []),
        (["giving_way"], {}, []),
        (["swelling"], {}, []),
        (["swelling"], {"injury": "twist"}, []),
        (["swelling"], {"injury": "pop"}, ["pop_with_swelling"]),
        ([], {"injury": "pop", "swelling": True}, ["pop_with_swelling"]),
        ([], {"injury": "pop", "swelling": False}, []),
        (["giving_way", "swelling"], {"injury": "twist"}, ["giving_way_after_twist"]),
        (["limp"], {}, []),
        (["stiffness"], {}, []),
        ([], {}, []),
    ],
)
def test_symptom_mapping(symptoms: list[str], context: dict[str, Any], expected: list[str]) -> None:
    assert red_flags_from_symptoms(symptoms, context) == expected


def test_symptom_mapping_deduplicates_and_combines() -> None:
    flags = red_flags_from_symptoms(["giving_way", "giving_way", "swelling"], {"injury": "twist"})
    assert flags == ["giving_way_after_twist"]


def test_symptom_mapping_uses_symptoms_already_in_answers() -> None:
    answers = {"symptoms": ["swelling"], "injury": "pop"}
    assert red_flags_from_symptoms(["giving_way"], answers) == ["pop_with_swelling"]


def test_symptom_map_only_combines_facts_across_answers() -> None:
    """Single-message warning signs are the red-flag scanner's (data/red_flag_phrases.yml);
    the symptom map keeps only the flags that need an injury answer too."""
    assert {m.red_flag for m in load_content().triage.symptom_map} == {
        "giving_way_after_twist", "pop_with_swelling",
    }


def test_assess_applies_symptom_map_itself() -> None:
    """The chat may pass symptoms without converting them; assess must still catch them."""
    result = assess({"symptoms": ["giving_way"], "injury": "twist"})
    assert result.level == "urgent"
    assert "giving_way_after_twist" in rule_ids(result)


def test_assess_catches_pop_with_swelling_from_plain_answers() -> None:
    result = assess({"injury": "pop", "swelling": True})
    assert result.level == "urgent"
    assert "pop_with_swelling" in rule_ids(result)


# --------------------------------------------------------------------------- computed rules


def test_every_rule_has_an_example() -> None:
    assert {rule.id for rule in load_content().triage.rules} == set(RULE_EXAMPLES)


@pytest.mark.parametrize("rule_id", sorted(RULE_EXAMPLES))
def test_each_rule_fires_with_its_level(rule_id: str) -> None:
    answers, level = RULE_EXAMPLES[rule_id]
    result = assess(answers)
    assert rule_id in rule_ids(result)
    assert result.level == level
    reason = next(r for r in result.reasons if r.rule_id == rule_id)
    assert reason.level == level
    assert "{" not in reason.text and reason.text.strip()


@pytest.mark.parametrize("injury", ["twist", "fall", "pop", "blow"])
def test_ottawa_age_rule_for_every_injury(injury: str) -> None:
    assert assess({"injury": injury, "age_band": "55_plus"}).level == "urgent"


@pytest.mark.parametrize(
    "answers",
    [
        {"injury": "none", "age_band": "55_plus"},
        {"injury": "fall", "age_band": "18_54"},
        {"age_band": "55_plus"},
        {"injury": "blow"},
    ],
)
def test_ottawa_age_rule_needs_both(answers: dict[str, Any]) -> None:
    assert "injury_age_55_plus" not in rule_ids(assess(answers))


@pytest.mark.parametrize(("age", "band"), [(17, "under_18"), (18, "18_54"), (54, "18_54"),
                                          (55, "55_plus"), (80, "55_plus")])
def test_age_band_edges(age: int, band: str) -> None:
    assert age_band(age) == band


def test_age_in_years_is_used_when_band_missing() -> None:
    assert assess({"injury": "twist", "age": 56}).level == "urgent"
    assert assess({"injury": "twist", "age": 40}).level == "self_care"


def test_stated_band_wins_over_age() -> None:
    assert assess({"injury": "twist", "age": 60, "age_band": "18_54"}).level == "self_care"


def test_adolescent_limp_from_symptoms() -> None:
    assert assess({"age_band": "under_18", "symptoms": ["limp"]}).level == "urgent"


def test_adolescent_without_limp_is_not_urgent() -> None:
    assert assess({"age_band": "under_18", "limp": False}).level == "self_care"


def test_adult_limp_is_clinician_not_urgent() -> None:
    result = assess({"limp": True, "age_band": "55_plus"})
    assert result.level == "clinician"
    assert rule_ids(result) == {"gait_change"}


def test_explicit_no_limp_beats_symptom_list() -> None:
    assert assess({"limp": False, "symptoms": ["limp"]}).level == "self_care"


@pytest.mark.parametrize("injury", ["twist", "fall", "blow"])
def test_swelling_after_injury_is_urgent(injury: str) -> None:
    result = assess({"injury": injury, "swelling": True})
    assert result.level == "urgent"
    assert "recurrent_swelling" not in rule_ids(result)


@pytest.mark.parametrize("injury", [None, "none"])
def test_swelling_without_injury_is_clinician(injury: str | None) -> None:
    result = assess({"injury": injury, "swelling": True})
    assert result.level == "clinician"
    assert rule_ids(result) == {"recurrent_swelling"}


def test_swelling_alone_is_not_a_red_flag() -> None:
    result = assess({"symptoms": ["swelling"]})
    assert result.level == "clinician"
    assert not result.stop_questioning


def test_no_swelling_no_rule() -> None:
    assert assess({"swelling": False, "injury": "none"}).level == "self_care"


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        ({"pain_duration_weeks": 3, "load_reduced": True}, False),
        ({"pain_duration_weeks": 3.5, "load_reduced": True}, True),
        ({"pain_duration_weeks": 8, "load_reduced": False}, False),
        ({"pain_duration_weeks": 8}, False),
        ({"pain_duration_weeks": 8, "tried": ["reduced_mileage"]}, True),
        ({"pain_duration_weeks": 8, "tried": ["rest"]}, True),
        ({"load_reduced": True}, False),
    ],
)
def test_pain_despite_load_reduction(answers: dict[str, Any], fires: bool) -> None:
    assert ("pain_despite_load_reduction" in rule_ids(assess(answers))) is fires


@pytest.mark.parametrize(
    ("tried", "outcome", "fires"),
    [
        (["exercises"], "worse", True),
        (["exercises"], "no_change", True),
        (["exercises"], "helped", False),
        (["stretching"], "no_change", True),
        (["physio"], "worse", True),
        (["ice", "rest"], "worse", False),
        (["exercises"], None, False),
        ([], "worse", False),
    ],
)
def test_exercises_not_helping(tried: list[str], outcome: str | None, fires: bool) -> None:
    result = assess({"tried": tried, "tried_outcome": outcome})
    assert ("exercises_not_helping" in rule_ids(result)) is fires


def test_giving_way_after_twist_is_urgent_not_clinician() -> None:
    result = assess({"symptoms": ["giving_way"], "injury": "twist"})
    assert result.level == "urgent"
    assert rule_ids(result) == {"giving_way_after_twist"}


def test_giving_way_with_unknown_injury_still_needs_clinician() -> None:
    assert assess({"symptoms": ["giving_way"]}).level == "clinician"


@pytest.mark.parametrize(("side", "level"), [("both", "clinician"), ("left", "self_care"),
                                             ("right", "self_care")])
def test_side(side: str, level: str) -> None:
    assert assess({"side": side}).level == level


@pytest.mark.parametrize(("settles", "level"), [(False, "clinician"), (True, "self_care"),
                                                (None, "self_care")])
def test_settling_next_day(settles: bool | None, level: str) -> None:
    assert assess({"settles_by_next_day": settles}).level == level


@pytest.mark.parametrize(("score", "level"), [(0, "self_care"), (6, "self_care"),
                                              (7, "clinician"), (10, "clinician")])
def test_pain_score_threshold(score: int, level: str) -> None:
    assert assess({"pain_score": score}).level == level


def test_pain_score_appears_in_reason() -> None:
    reason = next(r for r in assess({"pain_score": 9}).reasons if r.rule_id == "high_pain_score")
    assert "9/10" in reason.text


@pytest.mark.parametrize("score", [-1, 11])
def test_pain_score_out_of_range(score: int) -> None:
    with pytest.raises(ValueError, match="pain_score"):
        assess({"pain_score": score})


@pytest.mark.parametrize("key", ["weeks_since_change", "pain_duration_weeks"])
def test_negative_durations_rejected(key: str) -> None:
    with pytest.raises(ValueError, match=key):
        assess({key: -2})


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        ({"distance_before_km": 20, "distance_now_km": 26}, False),   # exactly 30 %
        ({"distance_before_km": 20, "distance_now_km": 26.2}, True),  # 31 %
        ({"stated_change_pct": 100}, True),
        ({"distance_before_km": 40, "distance_now_km": 20}, False),
    ],
)
def test_load_spike_is_self_care_explanation(answers: dict[str, Any], fires: bool) -> None:
    result = assess(answers)
    assert result.level == "self_care"
    assert ("load_spike" in rule_ids(result)) is fires


def test_load_spike_reason_states_the_percentage() -> None:
    result = assess({"distance_before_km": 20, "distance_now_km": 35})
    assert "75 %" in result.reasons[0].text


# --------------------------------------------------------------------------- combinations


def test_worst_level_wins_and_all_reasons_are_kept() -> None:
    answers = {"side": "both", "pain_score": 8, "injury": "fall", "age_band": "55_plus",
               "stated_change_pct": 100}
    result = assess(answers)
    assert result.level == "urgent"
    assert rule_ids(result) == {"both_sides", "high_pain_score", "injury_age_55_plus",
                                "load_spike"}


def test_reasons_sorted_worst_first() -> None:
    answers = {"side": "both", "stated_change_pct": 60,
               "red_flags": ["locking", "chest_pain_breathless"]}
    levels = [level_rank(r.level) for r in assess(answers).reasons]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] == level_rank("emergency")


def _compatible(first: str, second: str) -> bool:
    a, b = RULE_EXAMPLES[first][0], RULE_EXAMPLES[second][0]
    return all(a[key] == b[key] for key in set(a) & set(b))


@pytest.mark.parametrize(
    ("first", "second"),
    [pair for pair in itertools.combinations(sorted(RULE_EXAMPLES), 2) if _compatible(*pair)],
)
def test_combining_two_rules_gives_the_worse_level(first: str, second: str) -> None:
    a, level_a = RULE_EXAMPLES[first]
    b, level_b = RULE_EXAMPLES[second]
    merged = {**a, **b}
    expected = max(level_a, level_b, key=level_rank)
    result = assess(merged)
    assert {first, second} <= rule_ids(result)
    assert result.level == expected


def test_adding_answers_never_lowers_a_red_flag_mid_conversation() -> None:
    """Simulates the chat calling assess after every answer."""
    answers: dict[str, Any] = {"red_flags": ["night_rest_pain"]}
    for key, value in BENIGN.items():
        answers[key] = value
        assert assess(answers).level == "urgent"


def test_clinician_and_self_care_do_not_stop_questioning() -> None:
    assert not assess({"side": "both"}).stop_questioning
    assert not assess({}).stop_questioning
