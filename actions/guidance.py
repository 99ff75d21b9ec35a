"""Guidance engine: rank possible contributors, build a tailored plan, render chat messages.

All wording, rules, thresholds and exercise instructions come from ``data/guidance.yml`` and
``data/exercises.yml`` (via :mod:`actions.content`); this module only decides which pieces
apply. Plans for urgent/emergency levels contain no exercises; clinician plans contain only
gentle exercises. Distances arrive in km and are shown in the runner's unit (``km``/``mi``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from actions.content import CONTRIBUTORS, Exercise, SelfTest, load_content
from actions.triage import TriageResult, build_facts, evaluate

__all__ = [
    "CONTRIBUTORS",
    "KM_PER_MILE",
    "Exercise",
    "Plan",
    "SelfTest",
    "build_plan",
    "exercise_by_id",
    "find_exercise",
    "format_clinic",
    "likely_contributors",
    "render_exercise_detail",
    "render_level_message",
    "render_plan",
]

KM_PER_MILE = 1.609344
_UNITS = ("km", "mi")
_STOP_LEVELS = frozenset({"urgent", "emergency"})
_OTHER_LOCATIONS = {"outer": "outer", "back": "back"}


@dataclass(frozen=True)
class Plan:
    """A tailored plan for one runner.

    Attributes:
        level: Triage level the plan was built for.
        contributors: Ranked ``(contributor, why)`` pairs — possible contributors, not a
            diagnosis.
        exercises: Exercises in the order to do them (empty for urgent/emergency).
        load_advice: Training-load advice in the runner's unit.
        self_tests: Self-tests still worth trying.
        avoid: Things to avoid for now.
        come_back: When to check in again or get help sooner.
        referral: Who to contact, with the clinic's details when given; None when not needed.
        notes: Extra explanations (e.g. why an approach was changed).
        unit: ``km`` or ``mi``.
    """

    level: str
    contributors: tuple[tuple[str, str], ...]
    exercises: tuple[Exercise, ...]
    load_advice: str
    self_tests: tuple[SelfTest, ...]
    avoid: tuple[str, ...]
    come_back: str
    referral: str | None
    notes: tuple[str, ...] = ()
    unit: str = "km"


# --------------------------------------------------------------------------- exercises


def exercise_by_id(exercise_id: str) -> Exercise:
    """Return the exercise with this id.

    Raises:
        KeyError: If no exercise has this id.
    """
    exercises = load_content().exercises
    if exercise_id not in exercises:
        raise KeyError(f"unknown exercise id '{exercise_id}' (see data/exercises.yml)")
    return exercises[exercise_id]


def _normalise(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words)


def _exercise_names(exercise: Exercise) -> list[str]:
    names = [exercise.id.replace("_", " "), exercise.name, *exercise.aliases]
    return [_normalise(name) for name in names]


def find_exercise(text: str) -> Exercise | None:
    """Find an exercise by id, name or alias, tolerating case, plurals and punctuation.

    An exact match wins; otherwise the longest name/alias contained in ``text`` as whole
    words (so "how do I do clams?" finds the clamshell).

    Args:
        text: What the runner typed, or an id.

    Returns:
        The exercise, or None if nothing matches.
    """
    wanted = _normalise(text)
    if not wanted:
        return None
    best: tuple[int, Exercise] | None = None
    for exercise in load_content().exercises.values():
        for name in _exercise_names(exercise):
            if name == wanted:
                return exercise
            if re.search(rf"\b{re.escape(name)}\b", wanted) and (
                best is None or len(name) > best[0]
            ):
                best = (len(name), exercise)
    return best[1] if best else None


# --------------------------------------------------------------------------- contributors


def _tried_families(answers: Mapping[str, Any]) -> list[str]:
    """Families of exercises that made things worse (empty if none did)."""
    tried_exercises = list(answers.get("tried_exercises") or [])
    if answers.get("tried_outcome") != "worse" or not (
        tried_exercises or "exercises" in (answers.get("tried") or [])
    ):
        return []
    guidance = load_content().guidance
    families: list[str] = []
    for text in tried_exercises:
        family = _family_of(text, guidance["family_keywords"])
        if family and family not in families:
            families.append(family)
    return families or [guidance["default_worse_family"]]


def _family_of(text: str, keywords: Mapping[str, Sequence[str]]) -> str | None:
    exercise = find_exercise(text)
    if exercise:
        return exercise.contributor
    lowered = text.lower()
    return next(
        (family for family, words in keywords.items() if any(w in lowered for w in words)),
        None,
    )


def _video_score(finding: Mapping[str, Any], scores: Mapping[str, Any]) -> float:
    severity = finding.get("severity")
    if isinstance(severity, (int, float)) and not isinstance(severity, bool):
        return float(max(0.0, min(1.0, severity))) * float(scores["numeric_scale"])
    return float(scores.get(str(severity).lower(), scores["mild"]))


def _video_text(finding: Mapping[str, Any]) -> str:
    for key in ("why", "summary", "text", "label", "measure"):
        if finding.get(key):
            return str(finding[key]).strip().rstrip(".")
    return str(finding["contributor"]).replace("_", " ")


def _facts(answers: Mapping[str, Any]) -> dict[str, Any]:
    facts = build_facts(answers)
    facts["tried_families"] = _tried_families(answers)
    return facts


def likely_contributors(
    answers: Mapping[str, Any], video_findings: Sequence[Mapping[str, Any]] = ()
) -> list[tuple[str, str]]:
    """Rank the possible contributors for this runner.

    Args:
        answers: Triage answers (partial is fine).
        video_findings: Findings from the video analysis, each with ``contributor`` and
            ``severity`` (a word such as mild/moderate/marked, or a number 0–1) and
            optionally ``why``/``summary`` text.

    Returns:
        ``(contributor, why)`` pairs, most likely first.

    Raises:
        ValueError: If a video finding names an unknown contributor.
    """
    return [(name, why) for name, why, _ in _ranked(_facts(answers), video_findings)]


def _ranked(
    facts: Mapping[str, Any], video_findings: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str, float]]:
    guidance = load_content().guidance
    scores: dict[str, float] = {}
    whys: dict[str, list[str]] = {}
    for rule in guidance["contributor_rules"]:
        name = rule["contributor"]
        if evaluate(rule["when"], facts) and rule["score"] > scores.get(name, -math.inf):
            scores[name] = float(rule["score"])
            whys[name] = [" ".join(rule["why"].format_map(facts).split())]
    for finding in video_findings:
        name = finding.get("contributor")
        if name not in CONTRIBUTORS:
            raise ValueError(f"video finding has unknown contributor '{name}'")
        added = _video_score(finding, guidance["video_severity_scores"])
        if added <= 0:
            continue
        scores[name] = scores.get(name, 0.0) + added
        why = guidance["video_why"].format(finding=_video_text(finding))
        whys.setdefault(name, []).append(why)
    for family in facts["tried_families"]:
        if family in scores:
            scores[family] -= guidance["plan_limits"]["worse_family_penalty"]
    order = sorted(scores, key=lambda name: (-scores[name], CONTRIBUTORS.index(name)))
    return [(name, " ".join(whys[name]), scores[name]) for name in order]


# --------------------------------------------------------------------------- plan pieces


def _distance(km: float, unit: str) -> str:
    value = km if unit == "km" else km / KM_PER_MILE
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _load_text(facts: Mapping[str, Any], unit: str) -> str:
    texts = load_content().guidance["load_advice"]
    pct = facts.get("load_increase_pct")
    before, now = facts.get("distance_before_km"), facts.get("distance_now_km")
    weeks = facts.get("weeks_since_change")
    over_weeks = texts["over_weeks"].format(weeks=f"{weeks:g}") if weeks else ""
    if pct is None:
        return str(texts["unknown"])
    if pct <= 10:
        return str(texts["steady"])
    if before and now:
        steps = _rebuild_ladder(before, now)
        return str(texts["spike"]).format(
            before=_distance(before, unit),
            now=_distance(now, unit),
            target=_distance(before, unit),
            unit=unit,
            pct=f"{pct:.0f}",
            over_weeks=over_weeks,
            ladder=" → ".join(_distance(step, unit) for step in steps[:4])
            + (" → …" if len(steps) > 4 else ""),
            weeks_back=len(steps),
        )
    return str(texts["spike_stated"]).format(pct=f"{pct:.0f}", over_weeks=over_weeks)


def _rebuild_ladder(start_km: float, goal_km: float) -> list[float]:
    """Weekly targets growing ~10 % a week from ``start_km`` until ``goal_km`` is reached."""
    weeks = max(1, math.ceil(math.log(goal_km / start_km) / math.log(1.1) - 1e-9))
    return [min(goal_km, start_km * 1.1**week) for week in range(1, weeks + 1)]


def _load_advice(facts: Mapping[str, Any], level: str, unit: str) -> str:
    texts = load_content().guidance["load_advice"]
    if level in _STOP_LEVELS:
        return str(texts["stop"])
    parts = [texts["already_reduced"]] if facts.get("load_reduced") else []
    parts.append(_load_text(facts, unit))
    parts.append(texts["clinician"] if level == "clinician" else texts["pain_rule"])
    return " ".join(" ".join(part.split()) for part in parts)


def _pick_exercises(
    ranked: Sequence[tuple[str, str, float]], excluded: Sequence[str], level: str
) -> tuple[Exercise, ...]:
    guidance = load_content().guidance
    limits = guidance["plan_limits"]
    gentle_only = level == "clinician"
    cap = limits["clinician_max_exercises"] if gentle_only else limits["max_exercises"]
    per_rank = list(limits["exercises_per_rank"])
    chosen: list[Exercise] = []
    for name, _, _ in ranked:
        order = guidance["contributors"][name]["exercise_order"]
        candidates = [exercise_by_id(ex_id) for ex_id in order]
        eligible = [ex for ex in candidates if ex.gentle or not gentle_only]
        if not eligible or name in excluded or not per_rank:
            continue
        chosen += eligible[: per_rank.pop(0)]
    return tuple(chosen[:cap])


def _self_tests(answers: Mapping[str, Any], has_video: bool) -> tuple[SelfTest, ...]:
    pending = {"hip": answers.get("self_test_hip") is None,
               "foot": answers.get("self_test_foot") is None,
               "film": not has_video}
    tests: tuple[SelfTest, ...] = load_content().guidance["self_tests"]
    return tuple(test for test in tests if pending.get(test.id, False))


def _avoid(facts: Mapping[str, Any], level: str) -> tuple[str, ...]:
    avoid = load_content().guidance["avoid"]
    if level in _STOP_LEVELS:
        return tuple(avoid["stop"])
    items = list(avoid["always"])
    for family in facts["tried_families"]:
        items.append(avoid["worse_family"].format(family=_family_label(family).lower()))
    if set(facts["tried"]) & set(avoid["band_aid_treatments"]):
        items.append(" ".join(avoid["band_aids"].split()))
    return tuple(items)


def _family_label(family: str) -> str:
    return str(load_content().guidance["contributors"][family]["label"])


def format_clinic(clinic: Mapping[str, str] | None) -> str | None:
    """Write a clinic's contact details as one line, skipping missing fields.

    Args:
        clinic: Mapping with any of ``name``, ``phone``, ``url``, ``email``.

    Returns:
        The contact line, or None if no field is set.
    """
    if not clinic:
        return None
    formats = load_content().guidance["clinic_format"]
    parts = [
        template.format(**{key: str(clinic[key]).strip()})
        for key, template in formats.items()
        if clinic.get(key) and str(clinic[key]).strip()
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"


def _referral(level: str, clinic: Mapping[str, str] | None, other_location: bool) -> str | None:
    texts = load_content().guidance["referral"]
    contact = format_clinic(clinic)
    if level == "emergency":
        return str(texts["emergency"])
    if level == "self_care" and not other_location:
        return None
    lead, fallback = {
        "urgent": (texts["urgent"], ""),
        "clinician": ("", texts["clinician"]),
        "self_care": (texts["other_location"], texts["general"]),
    }[level]
    tail = texts["with_clinic"].format(contact=contact) if contact else fallback
    return " ".join(f"{lead} {tail}".split())


def _come_back(level: str, clinic: Mapping[str, str] | None) -> str:
    contact = format_clinic(clinic)
    hint = f", e.g. {contact}" if contact else ""
    return " ".join(load_content().guidance["come_back"][level].format(clinic_hint=hint).split())


def _notes(facts: Mapping[str, Any]) -> tuple[str, ...]:
    texts = load_content().guidance["plan_texts"]
    notes = []
    location = facts.get("location")
    if location in _OTHER_LOCATIONS:
        notes.append(texts["not_medial_note"].format(location=_OTHER_LOCATIONS[location]))
    for family in facts["tried_families"]:
        notes.append(texts["worse_note"].format(family=_family_label(family).lower()))
    return tuple(" ".join(note.split()) for note in notes)


def build_plan(
    answers: Mapping[str, Any],
    result: TriageResult,
    video_findings: Sequence[Mapping[str, Any]] = (),
    clinic: Mapping[str, str] | None = None,
    unit: str = "km",
) -> Plan:
    """Build the tailored plan for the triage outcome.

    Args:
        answers: Triage answers (see docs/triage.md); ``tried_exercises`` (names or ids of
            exercises tried) is optional and sharpens the "made it worse" handling.
        result: Output of :func:`actions.triage.assess` for the same answers.
        video_findings: Video-analysis findings (``contributor``, ``severity``, ...).
        clinic: Clinic contact (``name``, ``phone``, ``url``, ``email``; any may be missing).
        unit: ``km`` or ``mi`` — the unit distances are written in.

    Returns:
        The plan. Urgent/emergency plans have no exercises; clinician plans only gentle ones.

    Raises:
        ValueError: On an unknown unit or video contributor, or out-of-range answers.
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got '{unit}'")
    facts = _facts(answers)
    ranked = _ranked(facts, video_findings)
    level = result.level
    stop = level in _STOP_LEVELS
    return Plan(
        level=level,
        contributors=tuple((name, why) for name, why, _ in ranked),
        exercises=() if stop else _pick_exercises(ranked, facts["tried_families"], level),
        load_advice=_load_advice(facts, level, unit),
        self_tests=_self_tests(answers, bool(video_findings)) if level == "self_care" else (),
        avoid=_avoid(facts, level),
        come_back=_come_back(level, clinic),
        referral=_referral(level, clinic, facts.get("location") in _OTHER_LOCATIONS),
        notes=() if stop else _notes(facts),
        unit=unit,
    )


# --------------------------------------------------------------------------- rendering


def _texts() -> Mapping[str, str]:
    texts: Mapping[str, str] = load_content().guidance["plan_texts"]
    return texts


def _clean(text: str) -> str:
    return " ".join(text.split())


def _detail_button(exercise: Exercise) -> dict[str, str]:
    return {
        "title": _texts()["detail_button"].format(name=exercise.name),
        "payload": "/ask_exercise_detail" + json.dumps({"exercise": exercise.id}),
    }


def render_plan(plan: Plan) -> list[dict[str, Any]]:
    """Render a plan as a handful of chat messages.

    Meant to follow :func:`render_level_message` (which says what to do now, why, and whom
    to contact), so the level headline is not repeated. Urgent/emergency plans render one
    message: exercises can wait, and when to come back. Otherwise: notes (and, for a
    self-care plan, any referral), possible contributors, load advice, exercises with detail
    buttons, self-tests, then what to avoid and when to come back.

    Args:
        plan: Output of :func:`build_plan`.

    Returns:
        Messages: ``{"text": ...}``, optionally with ``"buttons"``.
    """
    texts = _texts()
    if plan.level in _STOP_LEVELS:
        return [{"text": f"{_clean(texts['exercises_wait'])}\n\n{plan.come_back}"}]
    messages: list[dict[str, Any]] = []
    notes = list(plan.notes)
    if plan.level == "self_care" and plan.referral:
        notes.append(plan.referral)
    if notes:
        messages.append({"text": "\n\n".join(notes)})
    labels = load_content().guidance["contributors"]
    lines = [f"{i}. {labels[name]['label']}: {why}" for i, (name, why) in enumerate(
        plan.contributors, start=1)]
    messages.append({"text": "\n".join([texts["contributors_intro"], *lines])})
    messages.append({"text": f"{texts['load_heading']} {plan.load_advice}"})
    if plan.exercises:
        key = "clinician_exercises_intro" if plan.level == "clinician" else "exercises_intro"
        intro = texts[key]
        lines = [f"• {ex.name} — {ex.dosage}" for ex in plan.exercises]
        messages.append({
            "text": "\n".join([_clean(intro), *lines]),
            "buttons": [_detail_button(ex) for ex in plan.exercises],
        })
    elif plan.level == "clinician":
        messages.append({"text": _clean(texts["clinician_no_exercises"])})
    if plan.self_tests:
        lines = [f"• {t.name}: {_clean(t.how)} {_clean(t.what_it_means_if_better)}"
                 for t in plan.self_tests]
        messages.append({"text": "\n".join([texts["self_tests_intro"], *lines])})
    avoid = "\n".join([texts["avoid_intro"], *(f"• {item}" for item in plan.avoid)])
    messages.append({"text": f"{avoid}\n\n{plan.come_back}"})
    return messages


def render_exercise_detail(exercise: Exercise) -> list[dict[str, Any]]:
    """Render one exercise: a readable text plus a structured ``custom`` payload.

    Args:
        exercise: The exercise to describe.

    Returns:
        ``[{"text": ...}, {"custom": {"exercise": {...}}}]``.
    """
    texts = _texts()
    lines = [
        exercise.name,
        _clean(exercise.how_to),
        texts["detail_dosage"].format(dosage=exercise.dosage),
        texts["detail_progression"].format(progression=exercise.progression),
        texts["detail_cue"].format(cue=exercise.cue),
        texts["detail_source"].format(source=exercise.source),
    ]
    payload = asdict(exercise)
    payload["aliases"] = list(exercise.aliases)
    payload["how_to"] = _clean(exercise.how_to)
    return [{"text": "\n\n".join(lines)}, {"custom": {"exercise": payload}}]


def render_level_message(
    result: TriageResult, clinic: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Render "what to do now" for the triage level.

    For urgent/emergency the first message is the action: the worst red flag's own
    instruction when a red flag fired, else the level's general instruction. Then the reasons,
    then the contact (the clinic is not offered for emergencies: that is for emergency
    services).

    Args:
        result: Output of :func:`actions.triage.assess`.
        clinic: Clinic contact (any field may be missing).

    Returns:
        Chat messages, most important first.
    """
    content = load_content()
    level_text = _clean(content.guidance["level_messages"][result.level])
    worst = result.reasons[0] if result.reasons else None
    first = level_text
    if result.level in _STOP_LEVELS and worst and worst.rule_id in content.red_flags:
        first = _clean(content.red_flags[worst.rule_id].what_to_do)
    messages = [{"text": first}]
    reasons = [_clean(r.text) for r in result.reasons if r.level == result.level]
    if reasons:
        messages.append({"text": "\n".join(f"• {text}" for text in reasons)})
    referral = _referral(result.level, clinic, other_location=False)
    if referral and result.level != "emergency":
        messages.append({"text": referral})
    return messages
