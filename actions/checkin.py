"""The check-in after an assessment: who is coming back, how the knee has gone, and the level.

Pure logic (no Rasa import); the words, rules and texts live in ``data/checkin.yml``. A
check-in reuses the assessment's answers: :func:`start_updates` clears what can have changed
(so the triage form asks it again), :func:`checked_in_answers` turns the check-in answers into
what the triage and the plan read (the last plan's exercises as "tried", with an outcome), and
:func:`adjust_level` adds the check-in rules and keeps the last level unless a rule of
``may_lower`` allows a lower one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from actions.content import data_dir
from actions.triage import UNKNOWN, Reason, TriageResult, known_answers, level_rank
from content_schema import load
from content_schema.schemas import CheckinCondition, CheckinFile
from content_schema.vocabulary import STOP_LEVELS

#: Answers a check-in asks again: what can change in a few weeks.
ASKED_AGAIN = ("pain_score", "distance_now_km", "emergency_check", "urgent_check")
#: The check-in's own questions (data/questions.yml, ``ask_if: checking_in``).
CHECKIN_SLOTS = ("checkin_trend", "checkin_pain_now", "checkin_exercises")
TRENDS = ("better", "same", "worse")
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class CheckinContext:
    """What the last check left, kept in the ``checkin`` slot while the runner checks in.

    Attributes:
        days_since: Whole days since the last assessment.
        level: The level given then.
        pain_score: The pain score then (0–10), if known.
        plan: Exercise ids of the plan given then.
    """

    days_since: int
    level: str
    pain_score: int | None = None
    plan: tuple[str, ...] = ()

    def to_slot(self) -> dict[str, Any]:
        """The JSON-able form stored in the ``checkin`` slot."""
        return {"days_since": self.days_since, "level": self.level,
                "pain_score": self.pain_score, "plan": list(self.plan)}  # fmt: skip

    @classmethod
    def from_slot(cls, value: Mapping[str, Any]) -> CheckinContext:
        """Reads the ``checkin`` slot back."""
        pain = value.get("pain_score")
        return cls(
            days_since=int(value.get("days_since") or 0),
            level=str(value.get("level") or "self_care"),
            pain_score=int(pain) if isinstance(pain, (int, float)) else None,
            plan=tuple(str(i) for i in value.get("plan") or ()),
        )


@lru_cache(maxsize=1)
def checkin_content() -> CheckinFile:
    """``data/checkin.yml``, checked against its schema once."""
    loaded: CheckinFile = load(data_dir() / "checkin.yml")
    return loaded


@lru_cache(maxsize=32)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any of ``phrases`` as whole words (compiled once per list)."""
    alternatives = sorted((re.escape(p.lower()) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def is_coming_back(text: str, days_since: int) -> bool:
    """A message after an assessment that starts a check-in.

    Args:
        text: The runner's message.
        days_since: Whole days since the last assessment.
    """
    if days_since >= checkin_content().coming_back.min_days:
        return True
    phrases = _phrase_pattern(tuple(checkin_content().coming_back.phrases))
    return bool(phrases.search(text.lower().replace("’", "'")))


def start_updates(answers: Mapping[str, Any], context: CheckinContext) -> dict[str, Any]:
    """Slot values that open a check-in: what may have changed is cleared (and so asked
    again), the pain has lasted the days since longer, and the context is kept."""
    updates: dict[str, Any] = dict.fromkeys((*ASKED_AGAIN, *CHECKIN_SLOTS))
    weeks = answers.get("pain_duration_weeks")
    if isinstance(weeks, (int, float)):
        updates["pain_duration_weeks"] = round(weeks + context.days_since / DAYS_PER_WEEK, 1)
    updates["checkin"] = context.to_slot()
    return updates


def _words_value(text: str, groups: Mapping[str, Sequence[str]]) -> str | None:
    """The value whose words come first in ``text`` (longest phrase wins at one place)."""
    lower = text.lower().replace("’", "'")
    found: list[tuple[int, int, str]] = []
    for value, phrases in groups.items():
        for match in _phrase_pattern(tuple(phrases)).finditer(lower) if phrases else ():
            found.append((match.start(), -len(match.group()), value))
    return min(found)[2] if found else None


def read_trend(text: str) -> str | None:
    """ "much better", "about the same", "a bit worse": better, same or worse."""
    words = checkin_content().trend_words
    return _words_value(text, {"better": words.better, "same": words.same,
                               "worse": words.worse})  # fmt: skip


def read_frequency(text: str) -> str | None:
    """ "most days", "a few times a week", "hardly": how often the exercises were done."""
    words = checkin_content().frequency_words
    return _words_value(text, {
        "most_days": words.most_days, "few_times_week": words.few_times_week,
        "rarely": words.rarely, "not_at_all": words.not_at_all,
    })  # fmt: skip


def trend(answers: Mapping[str, Any], context: CheckinContext) -> str:
    """better, same, worse or unknown: the runner's word, checked against the pain scores.

    A word contradicted by a pain change of ``pain_change_points`` or more the other way is
    read as "same"; without a word the pain scores decide.
    """
    said = answers.get("checkin_trend")
    said = said if said in TRENDS else None
    now, before = answers.get("pain_score"), context.pain_score
    step = checkin_content().pain_change_points
    scored = None
    if isinstance(now, (int, float)) and before is not None:
        change = now - before
        scored = "better" if change <= -step else "worse" if change >= step else "same"
    if said is None:
        return scored or UNKNOWN
    if {said, scored} == {"better", "worse"}:
        return "same"
    return str(said)


def checked_in_answers(
    answers: Mapping[str, Any], context: CheckinContext, exercise_names: Sequence[str]
) -> dict[str, Any]:
    """What the triage and the plan read after a check-in: the last plan's exercises as tried,
    with the outcome the trend gives, when the runner did them at all."""
    content = checkin_content()
    out = dict(answers)
    direction = trend(answers, context)
    done = answers.get("checkin_exercises") in content.exercises_judged_from
    if done and direction in content.plan_outcome and exercise_names:
        tried = [t for t in (answers.get("tried") or []) if t != "exercises"]
        out.update(tried=[*tried, "exercises"], tried_exercises=list(exercise_names),
                   tried_outcome=content.plan_outcome[direction])  # fmt: skip
    return out


def _holds(
    condition: CheckinCondition, direction: str, context: CheckinContext, pain: Any
) -> bool:
    if condition.trend != direction:
        return False
    if condition.min_days is not None and context.days_since < condition.min_days:
        return False
    if condition.worst_pain_max is not None:
        return isinstance(pain, (int, float)) and pain <= condition.worst_pain_max
    return True


def _fill(template: str, context: CheckinContext, pain: Any) -> str:
    weeks = max(1, round(context.days_since / DAYS_PER_WEEK))
    return template.format(weeks=weeks, pain_score=pain if pain is not None else "")


def adjust_level(
    result: TriageResult, answers: Mapping[str, Any], context: CheckinContext
) -> TriageResult:
    """The triage result with the check-in rules on top, never below the last level unless
    a ``may_lower`` rule allows it (and never below a red-flag level)."""
    content = checkin_content()
    known = known_answers(answers)
    direction = trend(answers, context)
    pain = known.get("pain_score")
    added = [
        Reason(rule.id, rule.level, _fill(rule.reason, context, pain))
        for rule in content.rules
        if _holds(rule.when, direction, context, pain)
    ]
    reasons = [*result.reasons, *added]
    level = max([result.level, *(r.level for r in added)], key=level_rank)
    if level_rank(level) < level_rank(context.level):
        lowering = next(
            (rule for rule in content.may_lower
             if rule.from_level == context.level and rule.to == level
             and context.level not in STOP_LEVELS
             and _holds(rule.when, direction, context, pain)),
            None,
        )  # fmt: skip
        if lowering is None:
            level = context.level
            reasons.append(Reason("checkin_level_kept", level, content.texts.kept_level))
        else:
            reasons.append(Reason(f"checkin_{lowering.from_level}_to_{lowering.to}",
                                  lowering.to, _fill(lowering.reason, context, pain)))
    reasons.sort(key=lambda reason: -level_rank(reason.level))
    return replace(result, level=level, reasons=tuple(reasons),
                   stop_questioning=level in STOP_LEVELS)  # fmt: skip


def start_text(days_since: int) -> str:
    """The welcome-back message."""
    texts = checkin_content().texts
    since = (texts.since_days.format(days=days_since) if days_since
             else texts.since_today)  # fmt: skip
    return texts.start.format(since=since)


def trend_text(answers: Mapping[str, Any], context: CheckinContext) -> str:
    """What the bot says back to the trend before the outcome."""
    texts = checkin_content().texts.trend
    return str(getattr(texts, trend(answers, context)))
