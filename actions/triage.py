"""Triage engine: a small interpreter of ``data/red_flags.yml`` and ``data/triage_rules.yml``.

Red flags are checked first, then the computed rules; the worst level wins and nothing can
lower a level a red flag raised. :func:`assess` works on partial answers, so the chat can call
it after every answer and stop questioning as soon as the level is urgent or emergency.

The engine never diagnoses: reason texts (in the YAML) describe possible causes and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from actions.content import load_content
from content_schema.vocabulary import LEVELS, STOP_LEVELS

__all__ = [
    "UNKNOWN",
    "Reason",
    "TriageResult",
    "age_band",
    "assess",
    "build_facts",
    "evaluate",
    "known_answers",
    "level_rank",
    "load_increase_pct",
    "red_flags_from_symptoms",
]


#: The value of an answer the runner did not know, skipped, or that was not understood twice.
#: It counts as answered (the question is not asked again) but never as a known fact.
UNKNOWN = "unknown"


def known_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those that are None or :data:`UNKNOWN` (what rules may use)."""
    return {key: value for key, value in answers.items() if value is not None and value != UNKNOWN}


@dataclass(frozen=True)
class Reason:
    """Why a level was reached.

    Attributes:
        rule_id: Red-flag id or rule id from the YAML.
        level: The level this reason raises to.
        text: Plain-language, runner-facing explanation.
    """

    rule_id: str
    level: str
    text: str


@dataclass(frozen=True)
class TriageResult:
    """Outcome of :func:`assess`.

    Attributes:
        level: One of :data:`LEVELS`.
        reasons: Reasons, worst level first (red flags before computed rules).
        load_increase_pct: Weekly-distance change in percent, if known.
        stop_questioning: True for urgent/emergency: the chat should stop asking at once.
    """

    level: str
    reasons: tuple[Reason, ...]
    load_increase_pct: float | None
    stop_questioning: bool


def level_rank(level: str) -> int:
    """Return the severity rank of ``level`` (0 = self_care).

    Raises:
        ValueError: If the level is unknown.
    """
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown triage level '{level}'") from None


def load_increase_pct(
    before_km: float | None, now_km: float | None, stated_change_pct: float | None = None
) -> float | None:
    """Weekly-distance change in percent.

    Args:
        before_km: Weekly distance before the change.
        now_km: Weekly distance now.
        stated_change_pct: A change the runner stated directly (e.g. "doubled" → 100).

    Returns:
        ``(now - before) / before * 100`` when both distances are known and ``before`` is
        positive; otherwise the stated change; otherwise None.

    Raises:
        ValueError: If a distance is negative.
    """
    for name, value in (("before_km", before_km), ("now_km", now_km)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    if before_km is not None and now_km is not None and before_km > 0:
        return (now_km - before_km) / before_km * 100.0
    return None if stated_change_pct is None else float(stated_change_pct)


def age_band(age_years: float) -> str:
    """Convert an age in years to the band used by the rules (limits from the YAML)."""
    limits = load_content().triage.age_band_limits
    if age_years < limits.under_18_below:
        return "under_18"
    if age_years >= limits.from_55_plus:
        return "55_plus"
    return "18_54"


def evaluate(cond: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Evaluate a (validated) condition from the YAML against ``facts``.

    A leaf on a missing fact is False; ``not`` inverts whatever its child returns.

    Args:
        cond: Condition tree (see docs/triage.md).
        facts: Answers plus derived values.

    Returns:
        Whether the condition holds.
    """
    if "all" in cond:
        return all(evaluate(child, facts) for child in cond["all"])
    if "any" in cond:
        return any(evaluate(child, facts) for child in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], facts)
    value = facts.get(cond["field"])
    if value is None:
        return False
    op, operand = next((k, v) for k, v in cond.items() if k != "field")
    return _compare(op, value, operand)


def _compare(op: str, value: Any, operand: Any) -> bool:
    if op == "equals":
        return bool(value == operand)
    if op == "in":
        return value in operand
    if op == "is":
        return value is operand
    if op == "contains_any":
        return any(item in operand for item in value)
    number = float(value)
    return {
        "gt": number > operand,
        "gte": number >= operand,
        "lt": number < operand,
        "lte": number <= operand,
    }[op]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _check_ranges(answers: Mapping[str, Any]) -> None:
    score = answers.get("pain_score")
    if score is not None and not 0 <= score <= 10:
        raise ValueError(f"pain_score must be between 0 and 10, got {score}")
    for key in ("weeks_since_change", "pain_duration_weeks"):
        value = answers.get(key)
        if value is not None and value < 0:
            raise ValueError(f"{key} must not be negative, got {value}")


def build_facts(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Turn raw answers into the facts rule conditions are evaluated on.

    Adds ``load_increase_pct``, normalises list answers, fills ``age_band`` from ``age``
    (years) when only that is known, and takes ``limp``/``swelling`` from the mentioned
    ``symptoms`` when the direct answer is unknown.

    Args:
        answers: The answers collected so far (keys may be absent or None).

    Returns:
        A new dict of facts.

    Raises:
        ValueError: On out-of-range numbers (negative distances, pain score outside 0–10).
    """
    answers = known_answers(answers)
    _check_ranges(answers)
    facts = dict(answers)
    for key in ("red_flags", "pain_triggers", "tried", "symptoms"):
        facts[key] = _as_list(answers.get(key))
    symptoms = facts["symptoms"]
    if facts.get("limp") is None and "limp" in symptoms:
        facts["limp"] = True
    if facts.get("swelling") is None and "swelling" in symptoms:
        facts["swelling"] = True
    if facts.get("age_band") is None and isinstance(answers.get("age"), (int, float)):
        facts["age_band"] = age_band(answers["age"])
    facts["load_increase_pct"] = load_increase_pct(
        answers.get("distance_before_km"),
        answers.get("distance_now_km"),
        answers.get("stated_change_pct"),
    )
    return facts


def red_flags_from_symptoms(symptoms: Iterable[str], answers: Mapping[str, Any]) -> list[str]:
    """Map NLU symptom values, in the context of the answers, to red-flag ids.

    Args:
        symptoms: Symptom values the runner mentioned (negated ones already removed).
        answers: Other answers for context (injury, swelling, ...).

    Returns:
        Red-flag ids, in the order of ``data/triage_rules.yml`` ``symptom_map``, no duplicates.
    """
    facts = dict(answers)
    facts["symptoms"] = sorted(set(_as_list(answers.get("symptoms"))) | set(symptoms))
    flags: list[str] = []
    for mapping in load_content().triage.symptom_map:
        if mapping.red_flag not in flags and evaluate(mapping.when, facts):
            flags.append(mapping.red_flag)
    return flags


def _red_flag_reasons(flag_ids: Iterable[str]) -> list[Reason]:
    catalogue = load_content().red_flags
    reasons = []
    for flag_id in dict.fromkeys(flag_ids):
        if flag_id not in catalogue:
            raise ValueError(f"unknown red-flag id '{flag_id}' (see data/red_flags.yml)")
        flag = catalogue[flag_id]
        reasons.append(Reason(flag.id, flag.level, flag.reason))
    return reasons


def _rule_reasons(facts: Mapping[str, Any]) -> list[Reason]:
    return [
        Reason(rule.id, rule.level, rule.reason.format_map(facts))
        for rule in load_content().triage.rules
        if evaluate(rule.when, facts)
    ]


def assess(answers: Mapping[str, Any]) -> TriageResult:
    """Triage the (possibly partial) answers.

    Red flags come from ``answers["red_flags"]`` and from ``answers["symptoms"]`` (via
    :func:`red_flags_from_symptoms`); then every computed rule is evaluated. The level is the
    worst of all that fired, ``self_care`` if nothing did.

    Args:
        answers: Answers collected so far (see docs/triage.md for keys and values).

    Returns:
        The triage result; reasons sorted worst level first.

    Raises:
        ValueError: On an unknown red-flag id or out-of-range numbers.
    """
    facts = build_facts(answers)
    flag_ids = facts["red_flags"] + red_flags_from_symptoms(facts["symptoms"], facts)
    facts["red_flags"] = list(dict.fromkeys(flag_ids))
    reasons = _red_flag_reasons(facts["red_flags"]) + _rule_reasons(facts)
    reasons.sort(key=lambda reason: -level_rank(reason.level))
    level = reasons[0].level if reasons else LEVELS[0]
    return TriageResult(
        level=level,
        reasons=tuple(reasons),
        load_increase_pct=facts["load_increase_pct"],
        stop_questioning=level in STOP_LEVELS,
    )
