"""The check-in history of a clinic summary: ``triage.history`` (docs/clinic_summary.md).

Pure (no Rasa, no database): the earlier assessments of the conversation come in as plain
objects (:class:`PastAssessment`; the store's ``AssessmentView`` is one), the current outcome
as its level and answers, and out comes one row per assessment, oldest first, the current
outcome last. A first assessment has no history: :func:`history_rows` returns ``None`` when
nothing came before, so summaries without a check-in keep their shape.

Limitations: every stored outcome is a row, also an update after the outcome on the same
day (a warning sign said later, a self-test); dates are UTC dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from content_schema.vocabulary import CHECKIN_TRENDS, EXERCISE_FREQUENCIES

__all__ = ["ASSESSMENT", "CHECKIN_KEYS", "CHECK_IN", "PastAssessment", "history_row",
           "history_rows"]

ASSESSMENT = "assessment"
CHECK_IN = "check-in"
#: Answers only a check-in asks (their presence, even as "not sure", makes a row a check-in).
CHECKIN_KEYS = ("checkin_trend", "checkin_pain_now", "checkin_exercises")
_CHOICES = {"checkin_trend": CHECKIN_TRENDS, "checkin_exercises": EXERCISE_FREQUENCIES}


class PastAssessment(Protocol):
    """What the history reads of a stored assessment."""

    @property
    def created_at(self) -> dt.datetime: ...

    @property
    def level(self) -> str: ...

    @property
    def answers(self) -> Mapping[str, Any]: ...


def _score(value: Any) -> int | None:
    """A 0–10 pain score, or None (unknown, "not sure", out of range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if 0 <= value <= 10 else None


def _km(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return round(float(value), 1)


def _choice(answers: Mapping[str, Any], key: str) -> str | None:
    value = answers.get(key)
    return value if value in _CHOICES[key] else None


def _kind(answers: Mapping[str, Any]) -> str:
    """A check-in when the answers carry its context or any of its own answers."""
    unknown = answers.get("unknown") or ()
    if isinstance(answers.get("checkin"), Mapping) or any(
            answers.get(key) is not None or key in unknown for key in CHECKIN_KEYS):
        return CHECK_IN
    return ASSESSMENT


def _utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC (a naive time is taken as UTC already)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(dt.timezone.utc)


def history_row(when: dt.datetime, level: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """One assessment as a history row.

    Args:
        when: When it was made (a naive time is taken as UTC).
        level: The level given.
        answers: Its answers, raw or as stored (``"unknown"`` and missing read as None).

    Returns:
        ``{"date", "level", "pain_worst", "pain_now", "distance_km", "trend", "exercises",
        "kind"}``; ``date`` is the ISO date (UTC), ``kind`` ``"assessment"`` or
        ``"check-in"``, every unknown value None.
    """
    return {
        "date": _utc(when).date().isoformat(),
        "level": level,
        "pain_worst": _score(answers.get("pain_score")),
        "pain_now": _score(answers.get("checkin_pain_now")),
        "distance_km": _km(answers.get("distance_now_km")),
        "trend": _choice(answers, "checkin_trend"),
        "exercises": _choice(answers, "checkin_exercises"),
        "kind": _kind(answers),
    }


def history_rows(
    earlier: Sequence[PastAssessment],
    level: str,
    answers: Mapping[str, Any],
    now: dt.datetime,
) -> list[dict[str, Any]] | None:
    """The history block: the earlier assessments, oldest first, then the current outcome.

    Args:
        earlier: The conversation's stored assessments before this one (any order).
        level: The current outcome's level.
        answers: The current outcome's answers.
        now: When the current outcome is made.

    Returns:
        The rows (see :func:`history_row`), or None when nothing came before (a first
        assessment has no history).
    """
    if not earlier:
        return None
    past = sorted(earlier, key=lambda item: _utc(item.created_at))  # stable for equal times
    rows = [history_row(item.created_at, item.level, item.answers) for item in past]
    return [*rows, history_row(now, level, answers)]
