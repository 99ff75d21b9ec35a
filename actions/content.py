"""Load and validate the assistant's clinical content (YAML files in ``data/``).

All texts, thresholds and rules live in data files with their sources; this module turns
them into typed, frozen dataclasses once and caches the result. Malformed content raises
:class:`ContentError` naming the file and the field, so a bad edit fails at start-up (and in
the unit tests) rather than in the middle of a conversation.

The data directory is ``<repo>/data`` unless the environment variable ``KNEE_DATA_DIR``
points elsewhere (tests use this to load deliberately broken copies).
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEVELS = ("self_care", "clinician", "urgent", "emergency")
CONTRIBUTORS = ("training_load", "hip_core", "foot_ankle", "quads", "form")

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
AGE_BANDS = ("under_18", "18_54", "55_plus")
IRRITABILITY_LEVELS = ("low", "moderate", "high")
LOAD_LEVELS = ("none", "low", "moderate", "heavy")
IMPACT_LEVELS = ("none", "low", "moderate", "high")

#: Leaf operators of the condition language (see docs/triage.md).
LEAF_OPERATORS = frozenset({"equals", "in", "is", "gt", "gte", "lt", "lte", "contains_any"})
BRANCH_OPERATORS = frozenset({"all", "any", "not"})

_ENV_DATA_DIR = "KNEE_DATA_DIR"


class ContentError(ValueError):
    """Raised when a content file is missing or malformed."""


@dataclass(frozen=True)
class RedFlag:
    """One red flag the runner can tick or that symptoms map to.

    Attributes:
        id: Stable identifier (also used in answers["red_flags"]).
        level: ``urgent`` or ``emergency``.
        label: Short checklist wording for a button.
        reason: Why this matters, plain language.
        what_to_do: What to do now.
        source: Where the rule comes from.
        confirm_question: One yes/no question asked when the red-flag scanner's hit is
            uncertain ("yes" means the sign is there).
    """

    id: str
    level: str
    label: str
    reason: str
    what_to_do: str
    source: str
    confirm_question: str


@dataclass(frozen=True)
class Rule:
    """A computed triage rule: if ``when`` holds for the facts, raise to ``level``."""

    id: str
    level: str
    when: Mapping[str, Any]
    reason: str
    source: str


@dataclass(frozen=True)
class SymptomMapping:
    """Maps NLU symptom values (plus context) to one red-flag id."""

    red_flag: str
    when: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class TriageRules:
    """Everything the triage engine interprets."""

    rules: tuple[Rule, ...]
    symptom_map: tuple[SymptomMapping, ...]
    injury_values: tuple[str, ...]
    age_band_limits: Mapping[str, float]


@dataclass(frozen=True)
class Fit:
    """A runner fact that makes an exercise a particularly good choice."""

    when: Mapping[str, Any]
    bonus: float
    because: str | None


@dataclass(frozen=True)
class Exercise:
    """One exercise from the library (``data/exercises.yml``).

    Attributes:
        id: Stable id (NLU ``exercise`` entity value); never shown to the runner.
        name: Display name — the only name the runner sees.
        contributor: Which possible contributor it addresses.
        how_to: Step-by-step instructions in the project's own words.
        dosage: Full dose: sets, reps and frequency.
        progression: How to make it harder when it is easy.
        cue: One short coaching cue.
        source: Where the exercise and its dosage come from.
        aliases: Names a runner might type.
        gentle: Safe to do while waiting for a clinician assessment.
        start_dosage: Gentler first dose (irritable knee, 55 and over, waiting to be seen).
        benefit: What it does for the knee (second half of "why this one for you").
        age_bands: Age bands it suits.
        irritability: Irritability levels it suits.
        load: External load at the full dose (none/low/moderate/heavy).
        impact: Landing impact (none/low/moderate/high).
        during_runs: Practised while running (left out while running is paused).
        avoid_when: Condition under which it is left out (None: never).
        fits: Runner facts that make it a particularly good choice.
        suitability_source: Where the suitability and fit choices come from.
    """

    id: str
    name: str
    contributor: str
    how_to: str
    dosage: str
    progression: str
    cue: str
    source: str
    aliases: tuple[str, ...]
    gentle: bool
    start_dosage: str = ""
    benefit: str = ""
    age_bands: tuple[str, ...] = AGE_BANDS
    irritability: tuple[str, ...] = IRRITABILITY_LEVELS
    load: str = "none"
    impact: str = "none"
    during_runs: bool = False
    avoid_when: Mapping[str, Any] | None = None
    fits: tuple[Fit, ...] = ()
    suitability_source: str = ""


@dataclass(frozen=True)
class SelfTest:
    """A self-test the runner can try to see which contributor matters most."""

    id: str
    name: str
    how: str
    what_it_means_if_better: str
    what_it_means_if_not: str
    source: str


@dataclass(frozen=True)
class Content:
    """All loaded content."""

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
    red_flags = _parse_red_flags(_read(base / "red_flags.yml"))
    triage = _parse_triage(_read(base / "triage_rules.yml"), red_flags)
    exercises = _parse_exercises(_read(base / "exercises.yml"))
    guidance = _parse_guidance(_read(base / "guidance.yml"), exercises)
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


# --------------------------------------------------------------------------- helpers


class _Ctx:
    """Tracks file and field path for error messages."""

    def __init__(self, file: str, path: str = "") -> None:
        self.file = file
        self.path = path

    def sub(self, key: str | int) -> _Ctx:
        part = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.path else key)
        return _Ctx(self.file, f"{self.path}{part}")

    def fail(self, message: str) -> ContentError:
        where = self.path or "<top level>"
        return ContentError(f"{self.file}: field '{where}': {message}")


def _read(path: Path) -> tuple[_Ctx, Mapping[str, Any]]:
    ctx = _Ctx(path.name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: content file not found") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise ctx.fail("the file must contain a mapping")
    return ctx, raw


def _get(ctx: _Ctx, data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    sub = ctx.sub(key)
    if key not in data:
        raise sub.fail("is required")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise sub.fail(f"expected {_kind_name(kind)}, got {type(value).__name__}")
    if isinstance(value, str) and not value.strip():
        raise sub.fail("must not be empty")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def _items(ctx: _Ctx, data: Mapping[str, Any], key: str) -> list[tuple[_Ctx, Mapping[str, Any]]]:
    values = _get(ctx, data, key, list)
    out = []
    for index, item in enumerate(values):
        item_ctx = ctx.sub(key).sub(index)
        if not isinstance(item, Mapping):
            raise item_ctx.fail("each entry must be a mapping")
        out.append((item_ctx, item))
    return out


def _str_tuple(ctx: _Ctx, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = _get(ctx, data, key, list)
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise ctx.sub(key).sub(index).fail("must be a non-empty string")
    return tuple(values)


def _unique(ctx: _Ctx, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ctx.fail(f"duplicate id '{value}'")
        seen.add(value)


def _check_placeholders(ctx: _Ctx, text: str, allowed: frozenset[str]) -> None:
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in allowed:
            raise ctx.fail(f"unknown placeholder '{{{name}}}'")


def validate_condition(
    ctx: _Ctx, cond: Any, fields: frozenset[str] = CONDITION_FIELDS
) -> None:
    """Check a condition tree uses only known operators and fields.

    Args:
        ctx: Error context (file and field path).
        cond: The condition mapping.
        fields: The fields a leaf may test.

    Raises:
        ContentError: On an unknown operator or field, or a malformed node.
    """
    if not isinstance(cond, Mapping) or len(cond) == 0:
        raise ctx.fail("a condition must be a non-empty mapping")
    branch = set(cond) & BRANCH_OPERATORS
    if branch:
        if len(cond) != 1:
            raise ctx.fail("'all', 'any' and 'not' must stand alone in their mapping")
        op = next(iter(branch))
        if op == "not":
            validate_condition(ctx.sub("not"), cond["not"], fields)
            return
        children = cond[op]
        if not isinstance(children, list) or not children:
            raise ctx.sub(op).fail("expected a non-empty list of conditions")
        for index, child in enumerate(children):
            validate_condition(ctx.sub(op).sub(index), child, fields)
        return
    field = cond.get("field")
    if field not in fields:
        raise ctx.sub("field").fail(f"unknown field '{field}'")
    ops = set(cond) - {"field"}
    if len(ops) != 1 or not ops <= LEAF_OPERATORS:
        raise ctx.fail(f"expected exactly one operator of {sorted(LEAF_OPERATORS)}")
    op = ops.pop()
    operand = cond[op]
    if op in {"in", "contains_any"} and not isinstance(operand, list):
        raise ctx.sub(op).fail("expected a list")
    if op in {"gt", "gte", "lt", "lte"} and (
        isinstance(operand, bool) or not isinstance(operand, (int, float))
    ):
        raise ctx.sub(op).fail("expected a number")
    if op == "is" and not isinstance(operand, bool):
        raise ctx.sub(op).fail("expected true or false")


# --------------------------------------------------------------------------- parsers


def _parse_red_flags(loaded: tuple[_Ctx, Mapping[str, Any]]) -> dict[str, RedFlag]:
    ctx, raw = loaded
    flags: dict[str, RedFlag] = {}
    entries = _items(ctx, raw, "red_flags")
    _unique(ctx.sub("red_flags"), [str(item.get("id")) for _, item in entries])
    for item_ctx, item in entries:
        level = _get(item_ctx, item, "level", str)
        if level not in ("urgent", "emergency"):
            raise item_ctx.sub("level").fail(f"must be urgent or emergency, got '{level}'")
        flag = RedFlag(
            id=_get(item_ctx, item, "id", str),
            level=level,
            label=_get(item_ctx, item, "label", str),
            reason=_get(item_ctx, item, "reason", str),
            what_to_do=_get(item_ctx, item, "what_to_do", str),
            source=_get(item_ctx, item, "source", str),
            confirm_question=_get(item_ctx, item, "confirm_question", str),
        )
        if not flag.confirm_question.rstrip().endswith("?"):
            raise item_ctx.sub("confirm_question").fail("must be one question ending in '?'")
        flags[flag.id] = flag
    return flags


def _parse_triage(
    loaded: tuple[_Ctx, Mapping[str, Any]], red_flags: Mapping[str, RedFlag]
) -> TriageRules:
    ctx, raw = loaded
    levels = _str_tuple(ctx, raw, "levels")
    if levels != LEVELS:
        raise ctx.sub("levels").fail(f"must be exactly {list(LEVELS)} (ascending severity)")
    rules = []
    entries = _items(ctx, raw, "rules")
    _unique(ctx.sub("rules"), [str(item.get("id")) for _, item in entries])
    for item_ctx, item in entries:
        rule_id = _get(item_ctx, item, "id", str)
        if rule_id in red_flags:
            raise item_ctx.sub("id").fail(f"'{rule_id}' clashes with a red-flag id")
        level = _get(item_ctx, item, "level", str)
        if level not in LEVELS:
            raise item_ctx.sub("level").fail(f"unknown level '{level}'")
        when = _get(item_ctx, item, "when", dict)
        validate_condition(item_ctx.sub("when"), when)
        reason = _get(item_ctx, item, "reason", str)
        _check_placeholders(item_ctx.sub("reason"), reason, CONDITION_FIELDS)
        if "rationale" in item:
            _get(item_ctx, item, "rationale", str)
        rules.append(Rule(rule_id, level, when, reason, _get(item_ctx, item, "source", str)))
    mappings = []
    for item_ctx, item in _items(ctx, raw, "symptom_map"):
        flag_id = _get(item_ctx, item, "red_flag", str)
        if flag_id not in red_flags:
            raise item_ctx.sub("red_flag").fail(f"unknown red flag '{flag_id}'")
        when = _get(item_ctx, item, "when", dict)
        validate_condition(item_ctx.sub("when"), when)
        mappings.append(SymptomMapping(flag_id, when, _get(item_ctx, item, "source", str)))
    limits = _get(ctx, raw, "age_band_limits", dict)
    for key in ("under_18_below", "55_plus_from"):
        _get(ctx.sub("age_band_limits"), limits, key, (int, float))
    return TriageRules(
        rules=tuple(rules),
        symptom_map=tuple(mappings),
        injury_values=_str_tuple(ctx, raw, "injury_values"),
        age_band_limits=limits,
    )


def _parse_exercises(loaded: tuple[_Ctx, Mapping[str, Any]]) -> dict[str, Exercise]:
    ctx, raw = loaded
    exercises: dict[str, Exercise] = {}
    entries = _items(ctx, raw, "exercises")
    _unique(ctx.sub("exercises"), [str(item.get("id")) for _, item in entries])
    for item_ctx, item in entries:
        contributor = _get(item_ctx, item, "contributor", str)
        if contributor not in CONTRIBUTORS or contributor == "training_load":
            raise item_ctx.sub("contributor").fail(f"unknown contributor '{contributor}'")
        exercise = Exercise(
            id=_get(item_ctx, item, "id", str),
            name=_get(item_ctx, item, "name", str),
            contributor=contributor,
            how_to=_get(item_ctx, item, "how_to", str),
            dosage=_get(item_ctx, item, "dosage", str),
            progression=_get(item_ctx, item, "progression", str),
            cue=_get(item_ctx, item, "cue", str),
            source=_get(item_ctx, item, "source", str),
            aliases=_str_tuple(item_ctx, item, "aliases"),
            gentle=_get(item_ctx, item, "gentle", bool),
            start_dosage=_get(item_ctx, item, "start_dosage", str),
            benefit=_clause(item_ctx.sub("benefit"), _get(item_ctx, item, "benefit", str)),
            age_bands=_choices(item_ctx, item, "age_bands", AGE_BANDS),
            irritability=_choices(item_ctx, item, "irritability", IRRITABILITY_LEVELS),
            load=_choice(item_ctx, item, "load", LOAD_LEVELS),
            impact=_choice(item_ctx, item, "impact", IMPACT_LEVELS),
            during_runs=_get(item_ctx, item, "during_runs", bool),
            avoid_when=_optional_condition(item_ctx, item, "avoid_when"),
            fits=_parse_fits(item_ctx, item),
            suitability_source=_get(item_ctx, item, "suitability_source", str),
        )
        _check_suitability(item_ctx, exercise)
        exercises[exercise.id] = exercise
    return exercises


_TEXT_PLACEHOLDERS = GUIDANCE_FIELDS | GUIDANCE_WORDS


def _clause(ctx: _Ctx, text: str) -> str:
    """A lower-case clause without a full stop (joined into one runner-facing sentence)."""
    text = " ".join(text.split())
    if text.endswith(".") or ". " in text:
        raise ctx.fail("must be one clause without a full stop")
    if text[0].isupper() and not text.startswith(("I ", "I'")):
        raise ctx.fail("must start in lower case (it is joined into a sentence)")
    return text


def _choice(ctx: _Ctx, data: Mapping[str, Any], key: str, allowed: Sequence[str]) -> str:
    value = _get(ctx, data, key, str)
    if value not in allowed:
        raise ctx.sub(key).fail(f"must be one of {list(allowed)}, got '{value}'")
    return str(value)


def _choices(
    ctx: _Ctx, data: Mapping[str, Any], key: str, allowed: Sequence[str]
) -> tuple[str, ...]:
    values = _str_tuple(ctx, data, key)
    if not values:
        raise ctx.sub(key).fail("must not be empty")
    for index, value in enumerate(values):
        if value not in allowed:
            raise ctx.sub(key).sub(index).fail(f"must be one of {list(allowed)}, got '{value}'")
    return values


def _optional_condition(
    ctx: _Ctx, data: Mapping[str, Any], key: str
) -> Mapping[str, Any] | None:
    if key not in data:
        return None
    cond = _get(ctx, data, key, dict)
    validate_condition(ctx.sub(key), cond, GUIDANCE_FIELDS)
    return cond


def _parse_fits(ctx: _Ctx, item: Mapping[str, Any]) -> tuple[Fit, ...]:
    if "fits" not in item:
        return ()
    fits = []
    for fit_ctx, fit in _items(ctx, item, "fits"):
        when = _get(fit_ctx, fit, "when", dict)
        validate_condition(fit_ctx.sub("when"), when, GUIDANCE_FIELDS)
        because = None
        if "because" in fit:
            because = _clause(fit_ctx.sub("because"), _get(fit_ctx, fit, "because", str))
            _check_placeholders(fit_ctx.sub("because"), because, _TEXT_PLACEHOLDERS)
        fits.append(Fit(when, float(_get(fit_ctx, fit, "bonus", (int, float))), because))
    return tuple(fits)


def _check_suitability(ctx: _Ctx, exercise: Exercise) -> None:
    """Suitability metadata must agree with itself (CLINICAL.md: safety before variety)."""
    low_load = exercise.load in ("none", "low") and exercise.impact in ("none", "low")
    if "high" in exercise.irritability and (not low_load or exercise.during_runs):
        raise ctx.sub("irritability").fail(
            "a highly irritable knee only gets no/low-load, no/low-impact work that is not "
            "done while running"
        )
    if "55_plus" in exercise.age_bands and (exercise.load == "heavy" or exercise.impact == "high"):
        raise ctx.sub("age_bands").fail("nothing heavy or high-impact for 55_plus")
    if exercise.gentle and (not low_load or exercise.during_runs):
        raise ctx.sub("gentle").fail("a gentle exercise must be no/low load and impact")


_GUIDANCE_TEXT_SECTIONS = ("level_messages", "plan_texts", "load_advice", "avoid", "come_back")


def _parse_guidance(
    loaded: tuple[_Ctx, Mapping[str, Any]], exercises: Mapping[str, Exercise]
) -> dict[str, Any]:
    ctx, raw = loaded
    for section in _GUIDANCE_TEXT_SECTIONS:
        _get(ctx, raw, section, dict)
    for level in LEVELS:
        _get(ctx.sub("level_messages"), raw["level_messages"], level, str)
        _get(ctx.sub("come_back"), raw["come_back"], level, str)
    _parse_contributors(ctx, raw, exercises)
    for item_ctx, item in _items(ctx, raw, "contributor_rules"):
        contributor = _get(item_ctx, item, "contributor", str)
        if contributor not in CONTRIBUTORS:
            raise item_ctx.sub("contributor").fail(f"unknown contributor '{contributor}'")
        validate_condition(item_ctx.sub("when"), _get(item_ctx, item, "when", dict))
        _get(item_ctx, item, "score", (int, float))
        _check_placeholders(
            item_ctx.sub("why"), _get(item_ctx, item, "why", str), _TEXT_PLACEHOLDERS
        )
        if "because" in item:
            because = _clause(item_ctx.sub("because"), _get(item_ctx, item, "because", str))
            _check_placeholders(item_ctx.sub("because"), because, _TEXT_PLACEHOLDERS)
        _get(item_ctx, item, "source", str)
    _parse_scored_conditions(ctx, raw, "contributor_adjustments", "points", contributors=True)
    _parse_irritability(ctx, raw)
    self_tests = tuple(
        SelfTest(
            id=_get(c, item, "id", str),
            name=_get(c, item, "name", str),
            how=_get(c, item, "how", str),
            what_it_means_if_better=_get(c, item, "if_better", str),
            what_it_means_if_not=_get(c, item, "if_not", str),
            source=_get(c, item, "source", str),
        )
        for c, item in _items(ctx, raw, "self_tests")
    )
    _get(ctx, raw, "video_severity_scores", dict)
    _parse_plan_limits(ctx, raw)
    family_keywords = _get(ctx, raw, "family_keywords", dict)
    for family in family_keywords:
        if family not in CONTRIBUTORS:
            raise ctx.sub("family_keywords").fail(f"unknown contributor '{family}'")
    if _get(ctx, raw, "default_worse_family", str) not in CONTRIBUTORS:
        raise ctx.sub("default_worse_family").fail("must be a contributor")
    if _get(ctx, raw, "default_age_band", str) not in AGE_BANDS:
        raise ctx.sub("default_age_band").fail(f"must be one of {list(AGE_BANDS)}")
    _parse_words_and_texts(ctx, raw)
    parsed = dict(raw)
    parsed["self_tests"] = self_tests
    return parsed


def _parse_contributors(
    ctx: _Ctx, raw: Mapping[str, Any], exercises: Mapping[str, Exercise]
) -> None:
    section = _get(ctx, raw, "contributors", dict)
    for name in CONTRIBUTORS:
        entry_ctx = ctx.sub("contributors").sub(name)
        entry = _get(ctx.sub("contributors"), section, name, dict)
        _get(entry_ctx, entry, "label", str)
        order = _str_tuple(entry_ctx, entry, "exercise_order")
        for index, exercise_id in enumerate(order):
            if exercise_id not in exercises:
                raise entry_ctx.sub("exercise_order").sub(index).fail(
                    f"unknown exercise '{exercise_id}'"
                )
            if exercises[exercise_id].contributor != name:
                raise entry_ctx.sub("exercise_order").sub(index).fail(
                    f"exercise '{exercise_id}' belongs to '{exercises[exercise_id].contributor}'"
                )


def _parse_scored_conditions(
    ctx: _Ctx,
    raw: Mapping[str, Any],
    key: str,
    value_key: str,
    kind: type | tuple[type, ...] = (int, float),
    contributors: bool = False,
) -> None:
    """Entries of ``key``: a ``when`` condition, a ``value_key`` of ``kind`` and a source."""
    for item_ctx, item in _items(ctx, raw, key):
        if contributors and _get(item_ctx, item, "contributor", str) not in CONTRIBUTORS:
            raise item_ctx.sub("contributor").fail(f"unknown contributor '{item['contributor']}'")
        validate_condition(item_ctx.sub("when"), _get(item_ctx, item, "when", dict),
                           GUIDANCE_FIELDS)
        _get(item_ctx, item, value_key, kind)
        _get(item_ctx, item, "source", str)


def _parse_irritability(ctx: _Ctx, raw: Mapping[str, Any]) -> None:
    section = _get(ctx, raw, "irritability", dict)
    sub = ctx.sub("irritability")
    _parse_scored_conditions(sub, section, "rules", "points")
    for item_ctx, item in _items(sub, section, "rules"):
        because = _clause(item_ctx.sub("because"), _get(item_ctx, item, "because", str))
        _check_placeholders(item_ctx.sub("because"), because, _TEXT_PLACEHOLDERS)
    thresholds = _get(sub, section, "thresholds", dict)
    for level in ("high", "moderate"):
        _get(sub.sub("thresholds"), thresholds, level, (int, float))
    if thresholds["high"] <= thresholds["moderate"]:
        raise sub.sub("thresholds").fail("high must be above moderate")


def _parse_plan_limits(ctx: _Ctx, raw: Mapping[str, Any]) -> None:
    limits = _get(ctx, raw, "plan_limits", dict)
    sub = ctx.sub("plan_limits")
    for key in ("exercises_per_rank", "clinician_exercises_per_rank"):
        values = _get(sub, limits, key, list)
        if not values or not all(isinstance(v, int) and v > 0 for v in values):
            raise sub.sub(key).fail("expected a non-empty list of positive whole numbers")
    for key in ("max_exercises", "clinician_max_exercises", "order_step", "helped_bonus",
                "worse_family_penalty", "no_change_family_penalty"):
        _get(sub, limits, key, (int, float))
    by_irritability = _get(sub, limits, "max_exercises_by_irritability", dict)
    for level in IRRITABILITY_LEVELS:
        _get(sub.sub("max_exercises_by_irritability"), by_irritability, level, int)


def _parse_words_and_texts(ctx: _Ctx, raw: Mapping[str, Any]) -> None:
    for key in ("location_words", "trigger_words", "dose_texts", "dose_reasons",
                "video_because"):
        section = _get(ctx, raw, key, dict)
        for name in section:
            if not isinstance(name, str):
                raise ctx.sub(key).fail(f"key {name!r} must be a string (quote it)")
            _get(ctx.sub(key), section, name, str)
    _get(ctx.sub("location_words"), raw["location_words"], "default", str)
    for tier in ("start", "standard", "progress"):
        text = _get(ctx.sub("dose_texts"), raw["dose_texts"], tier, str)
        _check_placeholders(ctx.sub("dose_texts").sub(tier), text,
                            frozenset({"dosage", "start_dosage", "progression"}))
    for reason in ("clinician", "progress"):
        text = _get(ctx.sub("dose_reasons"), raw["dose_reasons"], reason, str)
        _clause(ctx.sub("dose_reasons").sub(reason), text)
        _check_placeholders(ctx.sub("dose_reasons").sub(reason), text, frozenset({"family"}))
    _parse_scored_conditions(ctx, raw, "start_dose_rules", "reason", str)
    for item_ctx, item in _items(ctx, raw, "start_dose_rules"):
        reason = _clause(item_ctx.sub("reason"), item["reason"])
        _check_placeholders(item_ctx.sub("reason"), reason,
                            GUIDANCE_WORDS | {"irritability_because"})
    validate_condition(ctx.sub("progress_when"), _get(ctx, raw, "progress_when", dict),
                       GUIDANCE_FIELDS)
    for name in CONTRIBUTORS:
        _clause(ctx.sub("video_because").sub(name),
                _get(ctx.sub("video_because"), raw["video_because"], name, str))
    _check_placeholders(ctx.sub("why_sentence"), _get(ctx, raw, "why_sentence", str),
                        frozenset({"lead", "benefit", "dose_reason"}))
    fallback = _clause(ctx.sub("why_fallback_lead"), _get(ctx, raw, "why_fallback_lead", str))
    _check_placeholders(ctx.sub("why_fallback_lead"), fallback, GUIDANCE_WORDS)
    for key in ("detail_dosage", "detail_doses", "exercise_line", "helped_note"):
        _get(ctx.sub("plan_texts"), raw["plan_texts"], key, str)
