"""The words the whole app shares, defined once: triage levels, contributors, activities and
camera views, pain locations, injury events, distance units.

Standard library only: the action server, the analysis library, the Rasa components and the
content schemas import it. The content loaders check the YAML in ``data/`` against it (a
rule that tests ``location`` may only name a location listed here).
"""

from __future__ import annotations

from typing import Literal, get_args

#: Triage levels, in ascending severity.
Level = Literal["self_care", "clinician", "urgent", "emergency"]
LEVELS: tuple[str, ...] = get_args(Level)
#: Levels a red flag can reach.
RedFlagLevel = Literal["urgent", "emergency"]
#: Levels at which the assistant stops asking and the runner stops running: see a doctor.
STOP_LEVELS: frozenset[str] = frozenset(get_args(RedFlagLevel))

#: Possible contributors to inner-knee pain, in the order plans list them on a tie.
Contributor = Literal["training_load", "hip_core", "foot_ankle", "quads", "form"]
CONTRIBUTORS: tuple[str, ...] = get_args(Contributor)
#: Contributors an exercise can address (training load is changed, not exercised).
ExerciseContributor = Literal["hip_core", "foot_ankle", "quads", "form"]

#: What a video can show; walking is recognised but measured for cadence only.
Activity = Literal["running", "squat", "single_leg_squat", "walking"]
ACTIVITIES: tuple[str, ...] = get_args(Activity)
#: Activities with reference bands for their measures.
MeasuredActivity = Literal["running", "squat", "single_leg_squat"]
SQUAT_ACTIVITIES: tuple[str, ...] = ("squat", "single_leg_squat")
#: Where the camera stood.
View = Literal["front", "back", "side"]
VIEWS: tuple[str, ...] = get_args(View)

#: Where the pain is. The first five are inner-knee locations this assistant is for.
Location = Literal["medial", "inner_surface", "inner_joint_line", "kneecap", "front", "outer",
                   "back"]
LOCATIONS: tuple[str, ...] = get_args(Location)
#: Locations with other usual causes: after the safety checks they are referred on.
OTHER_LOCATIONS: frozenset[str] = frozenset({"outer", "back"})

Side = Literal["left", "right", "both"]
SIDES: tuple[str, ...] = get_args(Side)
Onset = Literal["gradual", "sudden"]
ONSETS: tuple[str, ...] = get_args(Onset)

#: An injury event at the start of the pain; ``none`` when there was none.
InjuryEvent = Literal["twist", "fall", "pop", "blow"]
INJURY_EVENTS: frozenset[str] = frozenset(get_args(InjuryEvent))
INJURY_VALUES: tuple[str, ...] = (*get_args(InjuryEvent), "none")

AgeBand = Literal["under_18", "18_54", "55_plus"]
AGE_BANDS: tuple[str, ...] = get_args(AgeBand)

#: Distance units a runner may use; distances are stored in km.
DistanceUnit = Literal["km", "mi"]
KM_PER_MILE = 1.609344

PAIN_TRIGGERS: tuple[str, ...] = ("during_runs", "after_runs", "stairs", "downhill", "uphill",
                                   "squatting", "sitting", "morning")
TREATMENTS: tuple[str, ...] = ("rest", "ice", "exercises", "stretching", "foam_rolling", "brace",
                               "taping", "new_shoes", "physio", "painkillers", "reduced_mileage",
                               "orthotics", "massage")
SYMPTOMS: tuple[str, ...] = ("swelling", "giving_way", "limp", "stiffness")
#: How something the runner tried worked out.
OUTCOMES: tuple[str, ...] = ("helped", "no_change", "worse")
SELF_TESTS: tuple[str, ...] = ("hip", "foot")
#: How the knee has gone since the last check (the check-in, data/checkin.yml).
CHECKIN_TRENDS: tuple[str, ...] = ("better", "same", "worse")
#: How often the plan's exercises were done since the last check.
EXERCISE_FREQUENCIES: tuple[str, ...] = ("most_days", "few_times_week", "rarely", "not_at_all")

#: The values each entity may carry (button payloads and typed ``/inform{...}`` included).
ENTITY_VALUES: dict[str, frozenset[str]] = {
    "side": frozenset(SIDES),
    "location": frozenset(LOCATIONS),
    "onset": frozenset(ONSETS),
    "injury": frozenset(INJURY_VALUES),
    "outcome": frozenset(OUTCOMES),
    "pain_trigger": frozenset(PAIN_TRIGGERS),
    "treatment": frozenset(TREATMENTS),
    "symptom": frozenset(SYMPTOMS),
    "self_test": frozenset(SELF_TESTS),
    "checkin_trend": frozenset(CHECKIN_TRENDS),
    "checkin_exercises": frozenset(EXERCISE_FREQUENCIES),
}

#: The values a rule condition may compare each answer field with (data/triage_rules.yml,
#: data/guidance.yml, data/exercises.yml); fields not listed take numbers, booleans or ids
#: checked elsewhere.
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "side": SIDES,
    "location": LOCATIONS,
    "onset": ONSETS,
    "injury": INJURY_VALUES,
    "age_band": AGE_BANDS,
    "pain_triggers": PAIN_TRIGGERS,
    "tried": TREATMENTS,
    "tried_outcome": OUTCOMES,
    "symptoms": SYMPTOMS,
    "checkin_trend": CHECKIN_TRENDS,
    "checkin_exercises": EXERCISE_FREQUENCIES,
}
