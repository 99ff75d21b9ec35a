"""Guidance engine: rank possible contributors and build a tailored plan.

All wording, rules, thresholds, exercise instructions and suitability metadata come from
``data/guidance.yml`` and ``data/exercises.yml`` (via :mod:`actions.content`); this module
only decides which pieces apply.

How a plan is chosen and dosed:

- **Contributors** are ranked from the answers (contributor rules), self-test results,
  video findings and what the runner tried (a family that made it worse is excluded, one
  that did not help is pushed down).
- **Suitability**: every exercise lists the age bands and irritability levels it suits;
  irritability (low/moderate/high) is scored from limp, pain score, next-day settling,
  swelling and how recent the pain is. Unsuitable exercises are never offered; clinician
  plans only contain gentle ones; cues practised while running are dropped while running
  is paused.
- **Choice within a contributor**: the contributor's default order, moved by the runner's
  facts (``fits``: triggers, location, age, irritability, self-tests, video measures) and by
  exercises that helped.
- **Dose**: gentler start (irritable knee, 55 and over, waiting for a clinician), full, or a
  step up (the family helped and the knee is settled).
- **Why this one for you**: one sentence from the runner's fact, the exercise's benefit and
  the reason for the dose.

Plans for urgent/emergency levels contain no exercises. Distances arrive in km and are shown
in the runner's unit (``km``/``mi``), rounded. Runner-facing text never contains ids, source
tags or raw decimals; sources go to the clinic summary (:func:`plan_sources`).

The chat messages for a plan are written by :mod:`actions.plan_text`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions.content import Exercise, Fit, SelfTest, load_content
from actions.triage import TriageResult, build_facts, evaluate, known_answers
from content_schema.vocabulary import CONTRIBUTORS, KM_PER_MILE, OTHER_LOCATIONS, STOP_LEVELS

__all__ = [
    "Exercise",
    "Plan",
    "PlanItem",
    "SelfTest",
    "build_plan",
    "duration_words",
    "exercise_by_id",
    "find_exercise",
    "format_clinic",
    "irritability_level",
    "likely_contributors",
    "plan_signature",
    "plan_sources",
    "referral_text",
    "unsuitable_exercises",
]

_UNITS = ("km", "mi")
_NUMBER_IN_BRACKETS = re.compile(r"\s*\([^()]*\d[^()]*\)")
_WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class PlanItem:
    """One exercise of a plan, dosed and explained for this runner.

    Attributes:
        exercise: The exercise.
        dose: The dose to use now (runner-facing).
        why: One sentence: why this exercise, for this runner.
        tier: ``start`` (gentler), ``standard`` or ``progress`` (a step up).
    """

    exercise: Exercise
    dose: str
    why: str
    tier: str


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
        items: The exercises with this runner's dose and reason, same order as
            ``exercises``.
        irritability: ``low``, ``moderate`` or ``high``.
        age_band: The runner's age band, None when unknown.
        running_paused: True when the advice is to pause running until seen.
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
    items: tuple[PlanItem, ...] = ()
    irritability: str = "low"
    age_band: str | None = None
    running_paused: bool = False


@dataclass(frozen=True)
class _Ranked:
    name: str
    why: str
    score: float
    because: str | None


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


# --------------------------------------------------------------------------- facts


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def _family_of(text: str, keywords: Mapping[str, Sequence[str]]) -> str | None:
    exercise = find_exercise(text)
    if exercise:
        return exercise.contributor
    lowered = text.lower()
    return next(
        (family for family, words in keywords.items() if any(w in lowered for w in words)),
        None,
    )


def _tried(known: Mapping[str, Any], outcome: str) -> tuple[list[str], list[str]]:
    """(families, exercise ids) of the exercises tried with this outcome."""
    texts = [str(t) for t in _as_list(known.get("tried_exercises")) if str(t).strip()]
    tried = [str(t) for t in _as_list(known.get("tried"))]
    if known.get("tried_outcome") != outcome or not (texts or "exercises" in tried):
        return [], []
    guidance = load_content().guidance
    families: list[str] = []
    ids: list[str] = []
    for text in texts:
        family = _family_of(text, guidance["family_keywords"])
        if family and family not in families:
            families.append(family)
        exercise = find_exercise(text)
        if exercise and exercise.id not in ids:
            ids.append(exercise.id)
    if not families and outcome == "worse":
        families = [guidance["default_worse_family"]]
    return families, ids


def duration_words(weeks: float) -> str:
    """A duration in weeks as words a runner would use ("3 weeks", "about a month" → "a month").

    Args:
        weeks: Duration in weeks (may be fractional, e.g. 4.33 for "a month").

    Returns:
        Words without "about", e.g. "a few days", "a week", "3 weeks", "a month",
        "6 weeks", "2 months", "a year".
    """
    months = weeks / _WEEKS_PER_MONTH
    if 0.9 <= weeks <= 12.1 and abs(weeks - round(weeks)) < 0.05:
        return "a week" if round(weeks) == 1 else f"{round(weeks)} weeks"
    if months >= 0.9 and abs(months - round(months)) < 0.1 and weeks < 48:
        return "a month" if round(months) == 1 else f"{round(months)} months"
    if weeks < 0.75:
        return "a few days"
    if weeks < 1.5:
        return "a week"
    if weeks < 10.5:
        return f"{round(weeks)} weeks"
    if weeks < 48:
        return f"{round(months)} months"
    years = round(weeks / 52)
    return "a year" if years <= 1 else f"{years} years"


def _words(facts: Mapping[str, Any]) -> dict[str, str]:
    guidance = load_content().guidance
    locations = guidance["location_words"]
    location = facts.get("location")
    triggers = [guidance["trigger_words"][t] for t in guidance["trigger_words"]
                if t in facts.get("pain_triggers", [])]
    words = {
        "location_words": str(locations.get(location, locations["default"])),
        "triggers_words": " and ".join(triggers) if triggers else "loading the bent knee",
    }
    for key, word_key, fallback in (
        ("weeks_since_change", "weeks_since_change_words", "a few weeks"),
        ("pain_duration_weeks", "pain_duration_words", "a while"),
    ):
        value = facts.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            words[word_key] = duration_words(float(value))
        else:
            words[word_key] = fallback
    return words


def _video_score(finding: Mapping[str, Any], scores: Mapping[str, Any]) -> float:
    severity = finding.get("severity")
    if isinstance(severity, (int, float)) and not isinstance(severity, bool):
        return float(max(0.0, min(1.0, severity))) * float(scores["numeric_scale"])
    return float(scores.get(str(severity).lower(), scores["mild"]))


def _video_text(finding: Mapping[str, Any]) -> str:
    for key in ("why", "summary", "text", "label"):
        if finding.get(key):
            text = _NUMBER_IN_BRACKETS.sub("", str(finding[key])).strip().rstrip(".")
            if text:
                return text
    label = load_content().guidance["contributors"][finding["contributor"]]["label"]
    return f"something related to {str(label).lower()}"


def _counted_findings(
    video_findings: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], float]]:
    scores = load_content().guidance["video_severity_scores"]
    counted = []
    for finding in video_findings:
        name = finding.get("contributor")
        if name not in CONTRIBUTORS:
            raise ValueError(f"video finding has unknown contributor '{name}'")
        added = _video_score(finding, scores)
        if added > 0:
            counted.append((finding, added))
    return counted


def _irritability(facts: Mapping[str, Any]) -> tuple[str, str | None]:
    """(level, because) — the level and the runner's fact that weighs most."""
    section = load_content().guidance["irritability"]
    total = 0.0
    best: tuple[float, str] | None = None
    for rule in section["rules"]:
        if evaluate(rule["when"], facts):
            total += rule["points"]
            if best is None or rule["points"] > best[0]:
                best = (rule["points"], rule["because"])
    thresholds = section["thresholds"]
    level = "high" if total >= thresholds["high"] else (
        "moderate" if total >= thresholds["moderate"] else "low")
    because = _fill(best[1], facts) if best and level != "low" else None
    return level, because


def _fill(text: str, facts: Mapping[str, Any]) -> str:
    return " ".join(text.format_map(facts).split())


def _facts(
    answers: Mapping[str, Any], video_findings: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    known = known_answers(answers)
    facts = build_facts(known)
    facts["tried_families"], facts["worse_ids"] = _tried(known, "worse")
    facts["helped_families"], facts["helped_ids"] = _tried(known, "helped")
    facts["no_change_families"], _ = _tried(known, "no_change")
    facts["helped_unknown"] = (
        known.get("tried_outcome") == "helped"
        and "exercises" in [str(t) for t in _as_list(known.get("tried"))]
        and not facts["helped_families"]
    )
    facts["video_measures"] = [
        str(finding.get("measure") or finding.get("id"))
        for finding, _ in _counted_findings(video_findings)
        if finding.get("measure") or finding.get("id")
    ]
    facts["irritability"], facts["irritability_because"] = _irritability(facts)
    facts.update(_words(facts))
    return facts


def _suitability_band(facts: Mapping[str, Any]) -> str:
    band = facts.get("age_band")
    return str(band) if band else str(load_content().guidance["default_age_band"])


def irritability_level(answers: Mapping[str, Any]) -> str:
    """How irritable the knee is: ``low``, ``moderate`` or ``high``.

    Scored from the rules in ``data/guidance.yml`` (limp, pain score, next-day settling,
    swelling, how recent the pain is); unknown answers count as not present.
    """
    return str(_facts(answers)["irritability"])


# --------------------------------------------------------------------------- contributors


def likely_contributors(
    answers: Mapping[str, Any], video_findings: Sequence[Mapping[str, Any]] = ()
) -> list[tuple[str, str]]:
    """Rank the possible contributors for this runner.

    Args:
        answers: Triage answers (partial is fine; ``unknown`` values are ignored).
        video_findings: Findings from the video analysis, each with ``contributor`` and
            ``severity`` (a word such as mild/moderate/marked, or a number 0–1) and
            optionally ``measure`` and ``why``/``summary``/``text``.

    Returns:
        ``(contributor, why)`` pairs, most likely first.

    Raises:
        ValueError: If a video finding names an unknown contributor.
    """
    facts = _facts(answers, video_findings)
    return [(r.name, r.why) for r in _ranked(facts, video_findings)]


def _ranked(
    facts: Mapping[str, Any], video_findings: Sequence[Mapping[str, Any]]
) -> list[_Ranked]:
    guidance = load_content().guidance
    limits = guidance["plan_limits"]
    scores: dict[str, float] = {}
    whys: dict[str, list[str]] = {}
    because: dict[str, str | None] = {}
    for rule in guidance["contributor_rules"]:
        name = rule["contributor"]
        if evaluate(rule["when"], facts) and rule["score"] > scores.get(name, -math.inf):
            scores[name] = float(rule["score"])
            whys[name] = [_fill(rule["why"], facts)]
            because[name] = _fill(rule["because"], facts) if rule.get("because") else None
    for adjustment in guidance["contributor_adjustments"]:
        name = adjustment["contributor"]
        if name in scores and evaluate(adjustment["when"], facts):
            scores[name] += float(adjustment["points"])
    for finding, added in _counted_findings(video_findings):
        name = str(finding["contributor"])
        if name not in scores:
            because[name] = _fill(guidance["video_because"][name], facts)
        scores[name] = scores.get(name, 0.0) + added
        why = guidance["video_why"].format(finding=_video_text(finding))
        whys.setdefault(name, []).append(why)
    for family in facts["tried_families"]:
        if family in scores:
            scores[family] -= limits["worse_family_penalty"]
    for family in facts["no_change_families"]:
        if family in scores:
            scores[family] -= limits["no_change_family_penalty"]
    order = sorted(scores, key=lambda name: (-scores[name], CONTRIBUTORS.index(name)))
    return [_Ranked(n, " ".join(whys[n]), scores[n], because.get(n)) for n in order]


# --------------------------------------------------------------------------- exercise choice


def _suitable(exercise: Exercise, band: str, irritability: str) -> bool:
    return band in exercise.age_bands and irritability in exercise.irritability


def _running_paused(facts: Mapping[str, Any], level: str) -> bool:
    return (
        level in STOP_LEVELS
        or facts.get("limp") is True
        or (level == "clinician" and facts["irritability"] == "high")
    )


def _options(
    contributor: str, facts: Mapping[str, Any], level: str, paused: bool
) -> list[tuple[float, Exercise, Fit | None]]:
    """Suitable exercises of one contributor, best first, with the fit that lifted each."""
    content = load_content()
    limits = content.guidance["plan_limits"]
    band = _suitability_band(facts)
    options = []
    order = content.guidance["contributors"][contributor]["exercise_order"]
    for index, exercise_id in enumerate(order):
        exercise = content.exercises[exercise_id]
        if (
            not _suitable(exercise, band, facts["irritability"])
            or (level == "clinician" and not exercise.gentle)
            or (paused and exercise.during_runs)
            or exercise.id in facts["worse_ids"]
            or (exercise.avoid_when is not None and evaluate(exercise.avoid_when, facts))
        ):
            continue
        matched = [fit for fit in exercise.fits if evaluate(fit.when, facts)]
        score = sum(fit.bonus for fit in matched) - index * limits["order_step"]
        if exercise.id in facts["helped_ids"]:
            score += limits["helped_bonus"]
        explained = [fit for fit in matched if fit.because]
        best = max(explained, key=lambda fit: fit.bonus) if explained else None
        options.append((score, exercise, best))
    options.sort(key=lambda option: -option[0])
    return options


def _tier(exercise: Exercise, facts: Mapping[str, Any], level: str) -> tuple[str, str]:
    """(tier, reason): which dose to use and why (the reason may be empty)."""
    guidance = load_content().guidance
    reasons = guidance["dose_reasons"]
    helped = exercise.id in facts["helped_ids"] or exercise.contributor in facts["helped_families"]
    if helped and level == "self_care" and evaluate(guidance["progress_when"], facts):
        label = guidance["contributors"][exercise.contributor]["label"]
        return "progress", str(reasons["progress"]).format(family=str(label).lower())
    rule = next((r for r in guidance["start_dose_rules"] if evaluate(r["when"], facts)), None)
    if rule:
        return "start", _fill(rule["reason"], facts)
    if level != "self_care":
        return "start", str(reasons["clinician"])
    return "standard", ""


def _item(
    exercise: Exercise, fit: Fit | None, ranked: _Ranked, facts: Mapping[str, Any], level: str
) -> PlanItem:
    guidance = load_content().guidance
    tier, reason = _tier(exercise, facts, level)
    dose = guidance["dose_texts"][tier].format(
        dosage=exercise.dosage.rstrip("."),
        start_dosage=exercise.start_dosage.rstrip("."),
        progression=_lower_first(exercise.progression.rstrip(".")),
    )
    lead = _fill(fit.because, facts) if fit and fit.because else ranked.because
    if not lead:
        lead = _fill(guidance["why_fallback_lead"], facts)
    why = guidance["why_sentence"].format(
        lead=lead[0].upper() + lead[1:],
        benefit=exercise.benefit,
        dose_reason=f" — {reason}" if reason else "",
    )
    return PlanItem(exercise=exercise, dose=" ".join(dose.split()), why=why, tier=tier)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _pick_items(
    ranked: Sequence[_Ranked], facts: Mapping[str, Any], level: str, paused: bool
) -> tuple[PlanItem, ...]:
    limits = load_content().guidance["plan_limits"]
    clinician = level == "clinician"
    per_rank = list(limits["clinician_exercises_per_rank" if clinician else "exercises_per_rank"])
    cap = min(
        limits["clinician_max_exercises" if clinician else "max_exercises"],
        limits["max_exercises_by_irritability"][facts["irritability"]],
    )
    chosen: list[PlanItem] = []
    for entry in ranked:
        if entry.name in facts["tried_families"] or not per_rank:
            continue
        options = _options(entry.name, facts, level, paused)
        if not options:
            continue
        for _, exercise, fit in options[: per_rank.pop(0)]:
            chosen.append(_item(exercise, fit, entry, facts, level))
    return tuple(chosen[:cap])


# --------------------------------------------------------------------------- load advice


def _distance(km: float, unit: str) -> str:
    """A distance in the runner's unit: whole numbers from 10, halves below."""
    value = km if unit == "km" else km / KM_PER_MILE
    if value >= 10:
        return f"{round(value):d}"
    half = round(value * 2) / 2
    return f"{half:g}" if half > 0 else f"{value:.1f}"


def _load_text(facts: Mapping[str, Any], unit: str) -> str:
    texts = load_content().guidance["load_advice"]
    pct = facts.get("load_increase_pct")
    before, now = facts.get("distance_before_km"), facts.get("distance_now_km")
    weeks = facts.get("weeks_since_change")
    over_weeks = (
        texts["over_weeks"].format(weeks=duration_words(float(weeks))) if weeks else ""
    )
    if facts.get("checkin_trend") == "better" and now:
        steps = _rebuild_ladder(now, now * 1.1**CHECKIN_LADDER_WEEKS)
        return str(texts["checkin_better"]).format(
            now=_distance(now, unit), unit=unit,
            ladder=" → ".join(_distance(step, unit) for step in steps))
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
            weeks_back=duration_words(len(steps)),
        )
    return str(texts["spike_stated"]).format(pct=f"{pct:.0f}", over_weeks=over_weeks)


#: Weeks of the build-up shown after a check-in where the knee is better.
CHECKIN_LADDER_WEEKS = 3


def _rebuild_ladder(start_km: float, goal_km: float) -> list[float]:
    """Weekly targets growing ~10 % a week from ``start_km`` until ``goal_km`` is reached."""
    weeks = max(1, math.ceil(math.log(goal_km / start_km) / math.log(1.1) - 1e-9))
    return [min(goal_km, start_km * 1.1**week) for week in range(1, weeks + 1)]


def _load_advice(facts: Mapping[str, Any], level: str, unit: str, paused: bool) -> str:
    texts = load_content().guidance["load_advice"]
    if level in STOP_LEVELS:
        return str(texts["stop"])
    parts = [texts["already_reduced"]] if facts.get("load_reduced") else []
    if paused:
        parts.append(texts["limp"] if facts.get("limp") is True else texts["clinician_pause"])
        now = facts.get("distance_now_km")
        parts.append(
            texts["return_with_distance"].format(now=_distance(now, unit), unit=unit)
            if now else texts["return_without_distance"]
        )
    else:
        parts.append(_load_text(facts, unit))
        parts.append(texts["clinician"] if level == "clinician" else texts["pain_rule"])
    return " ".join(" ".join(part.split()) for part in parts)


# --------------------------------------------------------------------------- other plan parts


def _self_tests(facts: Mapping[str, Any], has_video: bool) -> tuple[SelfTest, ...]:
    pending = {"hip": facts.get("self_test_hip") is None,
               "foot": facts.get("self_test_foot") is None,
               "film": not has_video}
    tests: tuple[SelfTest, ...] = load_content().guidance["self_tests"]
    return tuple(test for test in tests if pending.get(test.id, False))


def _avoid(facts: Mapping[str, Any], level: str, paused: bool) -> tuple[str, ...]:
    avoid = load_content().guidance["avoid"]
    if level in STOP_LEVELS:
        return tuple(avoid["stop"])
    items = list(avoid["paused"] if paused else avoid["always"])
    if facts.get("limp") is True:
        items.append(avoid["limp"])
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


def referral_text(
    level: str, clinic: Mapping[str, str] | None, other_location: bool
) -> str | None:
    """Who to contact for this level, with the clinic's details when given.

    Args:
        level: Triage level.
        clinic: Clinic contact (any field may be missing).
        other_location: True when the pain is not on the inner side of the knee (a
            self-care plan then still points to a clinician).

    Returns:
        The referral sentence, or None when a self-care plan needs none.
    """
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
    if location in OTHER_LOCATIONS:
        notes.append(texts["not_medial_note"].format(location=location))
    for family in facts["tried_families"]:
        notes.append(texts["worse_note"].format(family=_family_label(family).lower()))
    if facts["helped_unknown"]:
        notes.append(texts["helped_note"])
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
        answers: Triage answers (see docs/triage.md); any value may be ``unknown``.
            ``tried_exercises`` (names or ids of exercises tried) is optional and sharpens
            the "made it worse" / "helped" handling.
        result: Output of :func:`actions.triage.assess` for the same answers.
        video_findings: Video-analysis findings (``contributor``, ``severity``, ...).
        clinic: Clinic contact (``name``, ``phone``, ``url``, ``email``; any may be missing).
        unit: ``km`` or ``mi`` — the unit distances are written in.

    Returns:
        The plan. Urgent/emergency plans have no exercises; clinician plans only gentle ones;
        no plan contains an exercise the library marks unsuitable for the runner's age band
        or irritability.

    Raises:
        ValueError: On an unknown unit or video contributor, or out-of-range answers.
    """
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got '{unit}'")
    facts = _facts(answers, video_findings)
    ranked = _ranked(facts, video_findings)
    level = result.level
    stop = level in STOP_LEVELS
    paused = _running_paused(facts, level)
    items = () if stop else _pick_items(ranked, facts, level, paused)
    offer_tests = level == "self_care" and not paused
    return Plan(
        level=level,
        contributors=tuple((r.name, r.why) for r in ranked),
        exercises=tuple(item.exercise for item in items),
        load_advice=_load_advice(facts, level, unit, paused),
        self_tests=_self_tests(facts, bool(video_findings)) if offer_tests else (),
        avoid=_avoid(facts, level, paused),
        come_back=_come_back(level, clinic),
        referral=referral_text(level, clinic, facts.get("location") in OTHER_LOCATIONS),
        notes=() if stop else _notes(facts),
        unit=unit,
        items=items,
        irritability=str(facts["irritability"]),
        age_band=facts.get("age_band"),
        running_paused=paused,
    )


def plan_signature(plan: Plan) -> tuple[str, ...]:
    """The plan's exercise ids in order (for measuring how much plans vary)."""
    return tuple(exercise.id for exercise in plan.exercises)


def unsuitable_exercises(plan: Plan, answers: Mapping[str, Any]) -> list[str]:
    """Ids of exercises in ``plan`` the library marks unsuitable for this runner.

    Unsuitable means outside the exercise's ``age_bands`` or ``irritability`` levels (age
    unknown: the library's default band). Always empty for plans :func:`build_plan` makes.
    """
    facts = _facts(answers)
    band = _suitability_band(facts)
    return [
        exercise.id
        for exercise in plan.exercises
        if not _suitable(exercise, band, str(facts["irritability"]))
    ]


def plan_sources(plan: Plan) -> list[dict[str, str]]:
    """Per exercise: id, display name, dose, why and sources (for the clinic summary only)."""
    by_id = {item.exercise.id: item for item in plan.items}
    details = []
    for exercise in plan.exercises:
        item = by_id.get(exercise.id)
        details.append({
            "id": exercise.id,
            "name": exercise.name,
            "dose": item.dose if item else exercise.dosage,
            "why": item.why if item else "",
            "sources": "; suitability: ".join(
                " ".join(text.split()) for text in (exercise.source, exercise.suitability_source)
            ),
        })
    return details

