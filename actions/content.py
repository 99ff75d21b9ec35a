"""Load and validate the assistant's clinical content (YAML files in ``data/``).

All texts, thresholds and rules live in data files with their sources. Their shapes are
the typed schemas in :mod:`content_schema.schemas`, applied by the one checker in
:mod:`content_schema`; this module loads the four clinical files through them once, adds
the checks that are not shapes (the condition language, ``{placeholders}``, unique ids,
references between files, suitability rules) and caches the result. Malformed content
raises :class:`ContentError` naming the file, the field and the reason, so a bad edit
fails at start-up (and in the unit tests) rather than in the middle of a conversation.

The data directory is ``<repo>/data`` unless the environment variable ``KNEE_DATA_DIR``
points elsewhere (tests use this to load deliberately broken copies).
"""

from __future__ import annotations

import dataclasses
import os
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

from content_schema import ContentError, Where, parse, read_yaml
from content_schema.schemas import (
    IRRITABILITY_LEVELS,
    Exercise,
    ExercisesFile,
    Fit,
    GuidanceFile,
    ImpactLevel,
    LoadLevel,
    RedFlag,
    RedFlagsFile,
    Rule,
    SelfTest,
    SymptomMapping,
    TriageRules,
)
from content_schema.vocabulary import CONTRIBUTORS, FIELD_VALUES, LEVELS

__all__ = [
    "BRANCH_OPERATORS", "CONDITION_FIELDS", "GUIDANCE_FIELDS",
    "GUIDANCE_WORDS", "IMPACT_LEVELS", "IRRITABILITY_LEVELS", "LEAF_OPERATORS",
    "LOAD_LEVELS", "Content", "ContentError", "Exercise", "Fit", "RedFlag", "Rule", "SelfTest",
    "SymptomMapping", "TriageRules", "clear_cache", "data_dir", "load_content",
    "validate_condition",
]  # fmt: skip

LOAD_LEVELS: tuple[str, ...] = get_args(LoadLevel)
IMPACT_LEVELS: tuple[str, ...] = get_args(ImpactLevel)

#: Fields a rule condition may test: the answer keys plus values the engine derives.
CONDITION_FIELDS = frozenset(
    {
        "side", "location", "onset", "injury", "distance_before_km", "distance_now_km",
        "stated_change_pct", "weeks_since_change", "swelling", "red_flags", "pain_triggers",
        "pain_score", "settles_by_next_day", "pain_duration_weeks", "load_reduced", "tried",
        "tried_outcome", "age_band", "limp", "self_test_hip", "self_test_foot", "symptoms",
        "load_increase_pct", "tried_families",
    }
)

#: Facts the guidance engine derives on top of :data:`CONDITION_FIELDS`; conditions in
#: ``data/guidance.yml`` and ``data/exercises.yml`` may test them.
GUIDANCE_FIELDS = CONDITION_FIELDS | frozenset(
    {"irritability", "video_measures", "helped_families", "no_change_families"}
)
#: Words (never raw numbers or ids) the guidance texts may use as placeholders.
GUIDANCE_WORDS = frozenset(
    {"location_words", "triggers_words", "weeks_since_change_words", "pain_duration_words"}
)
_TEXT_PLACEHOLDERS = GUIDANCE_FIELDS | GUIDANCE_WORDS

#: Leaf operators of the condition language (see docs/triage.md).
LEAF_OPERATORS = frozenset({"equals", "in", "is", "gt", "gte", "lt", "lte", "contains_any"})
BRANCH_OPERATORS = frozenset({"all", "any", "not"})

_ENV_DATA_DIR = "KNEE_DATA_DIR"


@dataclass(frozen=True)
class Content:
    """All loaded content.

    Attributes:
        red_flags: Red flags by id.
        triage: The triage rules.
        exercises: Exercises by id.
        guidance: ``data/guidance.yml`` as plain YAML (checked against
            :class:`content_schema.schemas.GuidanceFile`), with ``self_tests`` as
            :class:`SelfTest` objects.
    """

    red_flags: Mapping[str, RedFlag]
    triage: TriageRules
    exercises: Mapping[str, Exercise]
    guidance: Mapping[str, Any]


def data_dir() -> Path:
    """Return the directory the content is loaded from."""
    override = os.environ.get(_ENV_DATA_DIR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> Content:
    base = Path(directory)
    red_flags = _load_red_flags(base / "red_flags.yml")
    triage = _load_triage(base / "triage_rules.yml", red_flags)
    exercises = _load_exercises(base / "exercises.yml")
    guidance = _load_guidance(base / "guidance.yml", exercises)
    return Content(red_flags=red_flags, triage=triage, exercises=exercises, guidance=guidance)


def load_content() -> Content:
    """Load (once per data directory) and validate all content files.

    Returns:
        The validated content.

    Raises:
        ContentError: If a file is missing or a field is malformed.
    """
    return _load_cached(str(data_dir()))


def clear_cache() -> None:
    """Forget cached content (tests, or after editing the YAML in a running process)."""
    _load_cached.cache_clear()


# --------------------------------------------------------------------------- checks


def validate_condition(
    where: Where, cond: Any, fields: frozenset[str] = CONDITION_FIELDS
) -> None:
    """Check a condition tree uses only known operators and fields.

    Args:
        where: Error context (file and field path).
        cond: The condition mapping.
        fields: The fields a leaf may test.

    Raises:
        ContentError: On an unknown operator or field, or a malformed node.
    """
    if not isinstance(cond, Mapping) or len(cond) == 0:
        raise where.fail("a condition must be a non-empty mapping")
    branch = set(cond) & BRANCH_OPERATORS
    if not branch:
        _validate_leaf(where, cond, fields)
        return
    if len(cond) != 1:
        raise where.fail("'all', 'any' and 'not' must stand alone in their mapping")
    op = next(iter(branch))
    if op == "not":
        validate_condition(where.sub("not"), cond["not"], fields)
        return
    children = cond[op]
    if not isinstance(children, list) or not children:
        raise where.sub(op).fail("expected a non-empty list of conditions")
    for index, child in enumerate(children):
        validate_condition(where.sub(op).sub(index), child, fields)


def _validate_leaf(where: Where, cond: Mapping[str, Any], fields: frozenset[str]) -> None:
    field = cond.get("field")
    if field not in fields:
        raise where.sub("field").fail(f"unknown field '{field}'")
    ops = set(cond) - {"field"}
    if len(ops) != 1 or not ops <= LEAF_OPERATORS:
        raise where.fail(f"expected exactly one operator of {sorted(LEAF_OPERATORS)}")
    op = ops.pop()
    operand = cond[op]
    if op in {"in", "contains_any"} and not isinstance(operand, list):
        raise where.sub(op).fail("expected a list")
    if op in {"gt", "gte", "lt", "lte"} and (
        isinstance(operand, bool) or not isinstance(operand, (int, float))
    ):
        raise where.sub(op).fail("expected a number")
    if op == "is" and not isinstance(operand, bool):
        raise where.sub(op).fail("expected true or false")
    _check_vocabulary(where.sub(op), field, operand if isinstance(operand, list) else [operand])


def _check_vocabulary(where: Where, field: str, values: list[Any]) -> None:
    """The words a condition compares ``field`` with are words the app knows for it."""
    known = FIELD_VALUES.get(field)
    unknown = [value for value in values if known is not None and value not in known]
    if unknown:
        raise where.fail(f"unknown {field} value '{unknown[0]}' (not one of {list(known or ())})")


def _check_placeholders(where: Where, text: str, allowed: Iterable[str]) -> str:
    """``text`` itself if every ``{placeholder}`` in it is one of ``allowed``."""
    allowed = frozenset(allowed)
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in allowed:
            raise where.fail(f"unknown placeholder '{{{name}}}'")
    return text


def _clause(where: Where, text: str, placeholders: Iterable[str] | None = None) -> str:
    """A lower-case clause without a full stop (joined into one runner-facing sentence).

    Args:
        where: The place of the text (for errors).
        text: The clause.
        placeholders: The ``{placeholders}`` it may use (None: not checked).

    Returns:
        The clause with its white space tidied.
    """
    text = " ".join(text.split())
    if text.endswith(".") or ". " in text:
        raise where.fail("must be one clause without a full stop")
    if text[0].isupper() and not text.startswith(("I ", "I'")):
        raise where.fail("must start in lower case (it is joined into a sentence)")
    return text if placeholders is None else _check_placeholders(where, text, placeholders)


def _unique_ids(where: Where, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise where.fail(f"duplicate id '{value}'")
        seen.add(value)


def _load(path: Path, schema: type[Any]) -> tuple[Where, Any]:
    """The typed content of ``path`` and the place of its top level (for more errors)."""
    return Where(path.name), parse(read_yaml(path), schema, path.name)


# --------------------------------------------------------------------------- red_flags.yml


def _load_red_flags(path: Path) -> dict[str, RedFlag]:
    top, loaded = _load(path, RedFlagsFile)
    where = top.sub("red_flags")
    _unique_ids(where, (flag.id for flag in loaded.red_flags))
    for index, flag in enumerate(loaded.red_flags):
        if not flag.confirm_question.rstrip().endswith("?"):
            raise where.sub(index).sub("confirm_question").fail(
                "must be one question ending in '?'"
            )
    return {flag.id: flag for flag in loaded.red_flags}


# --------------------------------------------------------------------------- triage_rules.yml


def _load_triage(path: Path, red_flags: Mapping[str, RedFlag]) -> TriageRules:
    top, triage = _load(path, TriageRules)
    if triage.levels != LEVELS:
        raise top.sub("levels").fail(f"must be exactly {list(LEVELS)} (ascending severity)")
    _unique_ids(top.sub("rules"), (rule.id for rule in triage.rules))
    for index, rule in enumerate(triage.rules):
        _check_rule(top.sub("rules").sub(index), rule, red_flags)
    for index, mapping in enumerate(triage.symptom_map):
        _check_symptom_mapping(top.sub("symptom_map").sub(index), mapping, red_flags)
    return triage


def _check_rule(where: Where, rule: Rule, red_flags: Mapping[str, RedFlag]) -> None:
    if rule.id in red_flags:
        raise where.sub("id").fail(f"'{rule.id}' clashes with a red-flag id")
    validate_condition(where.sub("when"), rule.when)
    _check_placeholders(where.sub("reason"), rule.reason, CONDITION_FIELDS)


def _check_symptom_mapping(
    where: Where, mapping: SymptomMapping, red_flags: Mapping[str, RedFlag]
) -> None:
    if mapping.red_flag not in red_flags:
        raise where.sub("red_flag").fail(f"unknown red flag '{mapping.red_flag}'")
    validate_condition(where.sub("when"), mapping.when)


# --------------------------------------------------------------------------- exercises.yml


def _load_exercises(path: Path) -> dict[str, Exercise]:
    top, loaded = _load(path, ExercisesFile)
    where = top.sub("exercises")
    _unique_ids(where, (exercise.id for exercise in loaded.exercises))
    exercises = [_checked_exercise(where.sub(i), ex) for i, ex in enumerate(loaded.exercises)]
    return {exercise.id: exercise for exercise in exercises}


def _checked_exercise(where: Where, exercise: Exercise) -> Exercise:
    """The exercise with its clauses tidied, once its conditions and texts are checked."""
    if exercise.avoid_when is not None:
        validate_condition(where.sub("avoid_when"), exercise.avoid_when, GUIDANCE_FIELDS)
    _check_suitability(where, exercise)
    return dataclasses.replace(
        exercise,
        benefit=_clause(where.sub("benefit"), exercise.benefit),
        fits=tuple(
            _checked_fit(where.sub("fits").sub(index), fit)
            for index, fit in enumerate(exercise.fits)
        ),
    )


def _checked_fit(where: Where, fit: Fit) -> Fit:
    validate_condition(where.sub("when"), fit.when, GUIDANCE_FIELDS)
    if fit.because is None:
        return fit
    return dataclasses.replace(
        fit, because=_clause(where.sub("because"), fit.because, _TEXT_PLACEHOLDERS)
    )


def _check_suitability(where: Where, exercise: Exercise) -> None:
    """Suitability metadata must agree with itself (CLINICAL.md: safety before variety)."""
    low_load = exercise.load in ("none", "low") and exercise.impact in ("none", "low")
    if "high" in exercise.irritability and (not low_load or exercise.during_runs):
        raise where.sub("irritability").fail(
            "a highly irritable knee only gets no/low-load, no/low-impact work that is not "
            "done while running"
        )
    if "55_plus" in exercise.age_bands and (exercise.load == "heavy" or exercise.impact == "high"):
        raise where.sub("age_bands").fail("nothing heavy or high-impact for 55_plus")
    if exercise.gentle and (not low_load or exercise.during_runs):
        raise where.sub("gentle").fail("a gentle exercise must be no/low load and impact")


# --------------------------------------------------------------------------- guidance.yml


def _load_guidance(path: Path, exercises: Mapping[str, Exercise]) -> dict[str, Any]:
    raw = read_yaml(path)
    guidance = parse(raw, GuidanceFile, path.name)
    top = Where(path.name)
    _check_exercise_orders(top.sub("contributors"), guidance, exercises)
    _check_scoring_rules(top, guidance)
    _check_plan_limits(top.sub("plan_limits"), guidance)
    _check_plan_texts(top, guidance)
    parsed = dict(raw)
    parsed["self_tests"] = guidance.self_tests
    return parsed


def _check_exercise_orders(
    where: Where, guidance: GuidanceFile, exercises: Mapping[str, Exercise]
) -> None:
    """Each contributor's exercise order names only its own exercises."""
    for name in CONTRIBUTORS:
        order = getattr(guidance.contributors, name).exercise_order
        for index, exercise_id in enumerate(order):
            place = where.sub(name).sub("exercise_order").sub(index)
            if exercise_id not in exercises:
                raise place.fail(f"unknown exercise '{exercise_id}'")
            if exercises[exercise_id].contributor != name:
                raise place.fail(
                    f"exercise '{exercise_id}' belongs to '{exercises[exercise_id].contributor}'"
                )


def _check_scoring_rules(top: Where, guidance: GuidanceFile) -> None:
    """Conditions and texts of the contributor, irritability and start-dose rules."""
    for index, rule in enumerate(guidance.contributor_rules):
        where = top.sub("contributor_rules").sub(index)
        validate_condition(where.sub("when"), rule.when)
        _check_placeholders(where.sub("why"), rule.why, _TEXT_PLACEHOLDERS)
        if rule.because is not None:
            _clause(where.sub("because"), rule.because, _TEXT_PLACEHOLDERS)
    for index, adjustment in enumerate(guidance.contributor_adjustments):
        where = top.sub("contributor_adjustments").sub(index)
        validate_condition(where.sub("when"), adjustment.when, GUIDANCE_FIELDS)
    irritability = top.sub("irritability")
    for index, points in enumerate(guidance.irritability.rules):
        where = irritability.sub("rules").sub(index)
        validate_condition(where.sub("when"), points.when, GUIDANCE_FIELDS)
        _clause(where.sub("because"), points.because, _TEXT_PLACEHOLDERS)
    thresholds = guidance.irritability.thresholds
    if thresholds.high <= thresholds.moderate:
        raise irritability.sub("thresholds").fail("high must be above moderate")
    for index, start in enumerate(guidance.start_dose_rules):
        where = top.sub("start_dose_rules").sub(index)
        validate_condition(where.sub("when"), start.when, GUIDANCE_FIELDS)
        _clause(where.sub("reason"), start.reason, GUIDANCE_WORDS | {"irritability_because"})
    validate_condition(top.sub("progress_when"), guidance.progress_when, GUIDANCE_FIELDS)


def _check_plan_limits(where: Where, guidance: GuidanceFile) -> None:
    limits = guidance.plan_limits
    for key in ("exercises_per_rank", "clinician_exercises_per_rank"):
        if not all(count > 0 for count in getattr(limits, key)):
            raise where.sub(key).fail("expected a non-empty list of positive whole numbers")


def _check_plan_texts(top: Where, guidance: GuidanceFile) -> None:
    """Placeholders and clause form of the texts a plan is written from."""
    if "default" not in guidance.location_words:
        raise top.sub("location_words").sub("default").fail("is required")
    for tier in ("start", "standard", "progress"):
        _check_placeholders(top.sub("dose_texts").sub(tier), getattr(guidance.dose_texts, tier),
                            {"dosage", "start_dosage", "progression"})  # fmt: skip
    for reason in ("clinician", "progress"):
        _clause(top.sub("dose_reasons").sub(reason), getattr(guidance.dose_reasons, reason),
                {"family"})  # fmt: skip
    for name in CONTRIBUTORS:
        _clause(top.sub("video_because").sub(name), getattr(guidance.video_because, name))
    _check_placeholders(top.sub("why_sentence"), guidance.why_sentence,
                        {"lead", "benefit", "dose_reason"})  # fmt: skip
    _clause(top.sub("why_fallback_lead"), guidance.why_fallback_lead, GUIDANCE_WORDS)
