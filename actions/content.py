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
    """

    id: str
    level: str
    label: str
    reason: str
    what_to_do: str
    source: str


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
class Exercise:
    """One exercise from the library (``data/exercises.yml``).

    Attributes:
        id: Stable id (NLU ``exercise`` entity value).
        name: Display name.
        contributor: Which possible contributor it addresses.
        how_to: Step-by-step instructions in the project's own words.
        dosage: Sets, reps and frequency.
        progression: How to make it harder when it is easy.
        cue: One short coaching cue.
        source: Where the exercise and its dosage come from.
        aliases: Names a runner might type.
        gentle: Safe to do while waiting for a clinician assessment.
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


def validate_condition(ctx: _Ctx, cond: Any) -> None:
    """Check a condition tree uses only known operators and fields.

    Args:
        ctx: Error context (file and field path).
        cond: The condition mapping.

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
            validate_condition(ctx.sub("not"), cond["not"])
            return
        children = cond[op]
        if not isinstance(children, list) or not children:
            raise ctx.sub(op).fail("expected a non-empty list of conditions")
        for index, child in enumerate(children):
            validate_condition(ctx.sub(op).sub(index), child)
        return
    field = cond.get("field")
    if field not in CONDITION_FIELDS:
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
        )
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
        )
        exercises[exercise.id] = exercise
    return exercises


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
        _check_placeholders(item_ctx.sub("why"), _get(item_ctx, item, "why", str), CONDITION_FIELDS)
        _get(item_ctx, item, "source", str)
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
    _get(ctx, raw, "plan_limits", dict)
    _get(ctx, raw, "family_keywords", dict)
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
