"""The clinic summary (docs/clinic_summary.md) in words, one function per part.

Pure: a summary dict in, words out; the words come from ``data/`` (each file read once and
checked against its schema):
``summary_words.yml`` (answer labels, value words, the document's texts), ``guidance.yml``
(each level's label and advice, as the web widget shows them), ``red_flags.yml`` (how a
warning sign reads, and its source), ``triage_rules.yml`` and ``video_reference.yml``
(sources). The check-in history (``triage.history``) reads with the same value words
(``values``, ``formats``) and level cards. The PDF (:mod:`kneeapp.clinic.summary_pdf`) and
the helpdesk note (:mod:`kneeapp.clinic.summary_note`) lay out what these functions return;
neither shows a raw value, an id or JSON.

Every function takes the whole summary (``{"triage": {...}}``) or one of its parts and
tolerates missing keys: a stored summary may be older or partial.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from content_schema import load
from content_schema.schemas import DocumentTexts, SummaryWordsFile
from content_schema.vocabulary import KM_PER_MILE, LEVELS
from kneeapp.settings import REPO_ROOT

DATA_DIR = REPO_ROOT / "data"


@dataclass(frozen=True)
class Row:
    """One line of a two-column table: what, and its value in words."""

    label: str
    value: str


@dataclass(frozen=True)
class LevelWords:
    """The triage level as the runner was told it."""

    level: str
    label: str
    advice: str


@dataclass(frozen=True)
class PlanRow:
    """One exercise of the plan: its name, dose and why it was chosen."""

    name: str
    dose: str
    why: str


@dataclass(frozen=True)
class MeasureRow:
    """One video measure: its name, value with unit, usual range ("" when the measure has
    none), reading and confidence."""

    label: str
    value: str
    usual: str
    reading: str
    confidence: str


@dataclass(frozen=True)
class HistoryRow:
    """One assessment or check-in of the history, every cell in words."""

    date: str
    kind: str
    level: str
    pain_worst: str
    pain_now: str
    distance: str
    trend: str
    exercises: str


@dataclass(frozen=True)
class PainSeries:
    """The pain scores over the history, for a chart: one entry per row, oldest first,
    None where the score is not known (or was not asked)."""

    dates: tuple[str, ...]
    worst: tuple[int | None, ...]
    now: tuple[int | None, ...]


@dataclass(frozen=True)
class SourceRow:
    """Where one reason, exercise or video range comes from."""

    topic: str
    source: str


# --------------------------------------------------------------------------- the data


@cache
def _data(name: str) -> Any:
    """The file ``name`` of ``data/``, checked against its schema (read once)."""
    return load(DATA_DIR / name)


def words() -> SummaryWordsFile:
    """``data/summary_words.yml``."""
    return cast(SummaryWordsFile, _data("summary_words.yml"))


def document_texts() -> DocumentTexts:
    """The document's own texts: title, headings, disclaimer."""
    return words().document


def _triage(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    triage = summary.get("triage")
    return triage if isinstance(triage, Mapping) else {}


def humanise(value: Any) -> str:
    """``"foam_rolling"`` -> ``"Foam rolling"``: the fallback for values without words."""
    text = str(value).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _number(value: float) -> str:
    """A number as a person writes it: ``56``, ``32.2``."""
    return f"{value:g}"


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


# --------------------------------------------------------------------------- level, reasons


def _level_words(level: str) -> LevelWords:
    if level not in LEVELS:
        return LevelWords(level, humanise(level or "unknown"), "")
    card = getattr(_data("guidance.yml").level_cards, level)
    return LevelWords(level, card.label, card.advice)


def level_words(summary: Mapping[str, Any]) -> LevelWords:
    """The level's label and advice (``data/guidance.yml`` ``level_cards``)."""
    return _level_words(str(_triage(summary).get("level") or ""))


def reasons(summary: Mapping[str, Any]) -> list[str]:
    """What the runner was told about why, worst first (the reasons' own texts)."""
    found = []
    for reason in _triage(summary).get("reasons") or []:
        if isinstance(reason, Mapping) and reason.get("text"):
            found.append(" ".join(str(reason["text"]).split()))
    return found


# --------------------------------------------------------------------------- answers


def warning_signs(answers: Mapping[str, Any]) -> str:
    """The warning signs that applied, as the checklist words them, or "No warning signs"."""
    flags = answers.get("red_flags") or []
    if not flags:
        return words().empty_lists["red_flags"]
    labels = {flag.id: flag.label for flag in _data("red_flags.yml").red_flags}
    return "; ".join(labels.get(str(flag), humanise(flag)) for flag in flags)


def _weeks(value: float) -> str:
    formats = words().formats
    if value < 1:
        return formats.less_than_a_week
    if value < 3 and abs(value - round(value)) > 0.05:
        return formats.days.format(days=_round_half_up(value * 7))
    weeks = round(value, 1)
    return formats.one_week if weeks == 1 else formats.weeks.format(weeks=_number(weeks))


def _number_words(key: str, value: float) -> str:
    formats = words().formats
    if key.endswith("_km"):
        miles = _round_half_up(value / KM_PER_MILE)
        return formats.distance.format(km=_number(value), miles=miles)
    if key.endswith("_pct"):
        return formats.percent.format(signed=("+" if value > 0 else "") + _number(value))
    if key.endswith("_weeks") or key.startswith("weeks_"):
        return _weeks(value)
    return _number(value)


def answer_value(key: str, value: Any) -> str | None:
    """One answer's value in words, or None when there is nothing to say.

    Args:
        key: The answer key (``distance_now_km``).
        value: Its stored value.

    Returns:
        Words such as "56.3 km a week (35 miles)", "Yes", "After runs, On stairs",
        "No warning signs"; None for an unknown (null) value, an empty list that says
        nothing, or a structure that has no words (never shown as JSON).
    """
    if value is None or isinstance(value, Mapping):
        return None
    if isinstance(value, (list, tuple)):
        if key == "red_flags":
            return warning_signs({"red_flags": value})
        if not value:
            return words().empty_lists.get(key)
        parts = [answer_value(key, item) for item in value]
        return ", ".join(part for part in parts if part) or None
    if isinstance(value, bool):
        return words().formats.yes if value else words().formats.no
    if isinstance(value, (int, float)):
        return _number_words(key, float(value))
    text = str(value)
    return words().values.get(key, {}).get(text) or humanise(text)


def answer_label(key: str) -> str:
    """What an answer is called ("Which knee"); the key in words for one without a label."""
    labels = {item.key: item.label for item in words().answers}
    return labels.get(key) or humanise(key)


def answer_rows(answers: Mapping[str, Any]) -> list[Row]:
    """Every answer worth reading, in a fixed order, then any other answer.

    An answer the runner did not know reads "Not known" in its place; one the assistant
    could not understand is added in the runner's own words.
    """
    unknown = {str(key) for key in answers.get("unknown") or []}
    listed = [item.key for item in words().answers]
    others = [key for key in answers if key not in listed and key not in words().hidden_answers]
    rows = []
    for key in [*listed, *others]:
        value = words().formats.not_known if key in unknown else answer_value(key,
                                                                              answers.get(key))
        if value is not None:
            rows.append(Row(answer_label(key), value))
    unclear = answers.get("unclear_answers")
    if isinstance(unclear, Mapping):
        for key, said in unclear.items():
            label = words().formats.own_words.format(label=answer_label(str(key)))
            rows.append(Row(label, " ".join(str(said).split())))
    return rows


def summary_answer_rows(summary: Mapping[str, Any]) -> list[Row]:
    """:func:`answer_rows` of a whole summary."""
    answers = _triage(summary).get("answers")
    return answer_rows(answers if isinstance(answers, Mapping) else {})


# --------------------------------------------------------------------------- plan


def plan_rows(summary: Mapping[str, Any]) -> list[PlanRow]:
    """The exercises given, in order, with the dose and why (``plan_details``)."""
    triage = _triage(summary)
    details = {str(item.get("id")): item for item in triage.get("plan_details") or []
               if isinstance(item, Mapping)}
    rows = []
    for exercise_id in triage.get("plan") or []:
        item = details.get(str(exercise_id), {})
        rows.append(PlanRow(
            name=str(item.get("name") or humanise(exercise_id)),
            dose=" ".join(str(item.get("dose") or "").split()),
            why=" ".join(str(item.get("why") or "").split()),
        ))
    return rows


# --------------------------------------------------------------------------- video


def video_block(summary: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The summary's video block, or None when no video was analysed."""
    video = _triage(summary).get("video")
    return video if isinstance(video, Mapping) else None


def video_facts(video: Mapping[str, Any]) -> list[Row]:
    """What was filmed and what the measures rest on ("Running, side view", "14 steps")."""
    text = words().video
    rows = []
    activity = video.get("activity")
    if activity:
        view = video.get("view")
        activity_words = text.activities.get(str(activity)) or humanise(activity)
        filmed = text.filmed.format(activity=activity_words,
                                    view=text.views.get(str(view)) or str(view))
        rows.append(Row(text.filmed_label, filmed if view else activity_words))
    if video.get("usable") is False:
        rows.append(Row(text.not_measured_label, text.not_measured))
    if video.get("counted"):
        rows.append(Row(text.counted_label, str(video["counted"])))
    return rows


def measure_rows(video: Mapping[str, Any]) -> list[MeasureRow]:
    """Every measure made, in words: value with its unit, usual range, reading, confidence."""
    text = words().video
    rows = []
    for measure in video.get("measures_in_words") or []:
        if not isinstance(measure, Mapping) or not measure.get("label") or not measure.get(
                "value"):
            continue
        rows.append(MeasureRow(
            label=str(measure["label"]),
            value=str(measure["value"]),
            usual=str(measure.get("typical") or ""),
            reading=_reading(measure),
            confidence=getattr(text.confidence, str(measure.get("confidence")), ""),
        ))
    return rows


def _reading(measure: Mapping[str, Any]) -> str:
    """How the value compares with the usual range ("" when there is no range to compare)."""
    severity = str(measure.get("severity"))
    if severity == "none" and not measure.get("typical"):
        return ""
    return str(getattr(words().video.readings, severity, ""))


# --------------------------------------------------------------------------- history

#: A history is shown from this many rows on (an earlier assessment and this one).
MIN_HISTORY_ROWS = 2
#: Row values only a check-in asks: "Not asked" on an assessment's row, not "Not known".
_CHECKIN_ONLY = ("pain_now", "trend", "exercises")
_PAIN = ("pain_worst", "pain_now")


def history_block(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The summary's history rows (``triage.history``), oldest first; empty when it has
    fewer than :data:`MIN_HISTORY_ROWS` (a first assessment has none)."""
    rows = [row for row in _triage(summary).get("history") or [] if isinstance(row, Mapping)]
    return rows if len(rows) >= MIN_HISTORY_ROWS else []


def _score(value: Any) -> int | None:
    """A pain score 0–10, or None (unknown, not a number, out of range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return round(value) if 0 <= value <= 10 else None


def _history_cell(row: Mapping[str, Any], key: str, answer_key: str) -> str:
    """One value of a history row in words ("Not known", or "Not asked" at an assessment)."""
    value = row.get(key)
    if key in _PAIN:
        value = _score(value)  # a stored summary may be hand-made or older: 0–10 or unknown
    elif key == "distance_km" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        value = None
    if value is None:
        asked = key not in _CHECKIN_ONLY or row.get("kind") != "assessment"
        return words().formats.not_known if asked else words().history.not_asked
    return answer_value(answer_key, value) or words().formats.not_known


def _history_row(row: Mapping[str, Any]) -> HistoryRow:
    kinds = words().history.kinds
    return HistoryRow(
        date=str(row.get("date") or words().formats.not_known),
        kind=kinds.check_in if row.get("kind") == "check-in" else kinds.assessment,
        level=_level_words(str(row.get("level") or "")).label,
        pain_worst=_history_cell(row, "pain_worst", "pain_score"),
        pain_now=_history_cell(row, "pain_now", "checkin_pain_now"),
        distance=_history_cell(row, "distance_km", "distance_now_km"),
        trend=_history_cell(row, "trend", "checkin_trend"),
        exercises=_history_cell(row, "exercises", "checkin_exercises"),
    )


def history_rows(summary: Mapping[str, Any]) -> list[HistoryRow]:
    """The history in words, oldest first (empty when there is no history to show)."""
    return [_history_row(row) for row in history_block(summary)]




def pain_series(summary: Mapping[str, Any]) -> PainSeries:
    """The pain at its worst and on a normal day at each row of the history (0–10)."""
    rows = history_block(summary)
    return PainSeries(dates=tuple(str(row.get("date") or "") for row in rows),
                      worst=tuple(_score(row.get("pain_worst")) for row in rows),
                      now=tuple(_score(row.get("pain_now")) for row in rows))


# --------------------------------------------------------------------------- sources


def _reason_sources() -> dict[str, str]:
    """Source of every red flag and triage rule, by id."""
    found = {flag.id: flag.source for flag in _data("red_flags.yml").red_flags}
    found |= {rule.id: rule.source for rule in _data("triage_rules.yml").rules}
    return found


def source_rows(summary: Mapping[str, Any]) -> list[SourceRow]:
    """Where each reason (by its number in :func:`reasons`), exercise and video range comes
    from; a source shared by several is listed once, with their topics joined."""
    triage = _triage(summary)
    by_id = _reason_sources()
    topic = document_texts().reason_topic
    told = [reason for reason in triage.get("reasons") or []
            if isinstance(reason, Mapping) and reason.get("text")]
    rows: list[SourceRow] = []
    for number, reason in enumerate(told, start=1):  # numbered as :func:`reasons` lists them
        if reason.get("id") in by_id:
            rows.append(SourceRow(topic.format(number=number), by_id[reason["id"]]))
    for item in triage.get("plan_details") or []:
        if isinstance(item, Mapping) and item.get("name") and item.get("sources"):
            rows.append(SourceRow(str(item["name"]), " ".join(str(item["sources"]).split())))
    rows += _measure_sources(video_block(summary) or {})
    return _each_source_once(rows)


def _measure_sources(video: Mapping[str, Any]) -> list[SourceRow]:
    reference = _data("video_reference.yml").measures
    rows = []
    for measure in video.get("measures_in_words") or []:
        if not isinstance(measure, Mapping) or measure.get("measure") not in reference:
            continue
        rows.append(SourceRow(str(measure.get("label") or reference[measure["measure"]].label),
                              " ".join(reference[measure["measure"]].source.split())))
    return rows


def _each_source_once(rows: Sequence[SourceRow]) -> list[SourceRow]:
    """Rows with the same source become one, their topics joined."""
    topics: dict[str, list[str]] = {}
    for row in rows:
        named = topics.setdefault(row.source, [])
        if row.topic not in named:
            named.append(row.topic)
    return [SourceRow("; ".join(named), source) for source, named in topics.items()]

