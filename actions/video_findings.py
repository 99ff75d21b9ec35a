"""Turning an analysis report into what the runner reads and what the clinic receives.

Pure logic (no Rasa import). The report is ``analysis_core``'s report.json (see
docs/analysis_core.md); the findings' ``contributor`` and ``severity`` feed the plan in
:mod:`actions.guidance`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from actions.messages import text
from analysis_core.compare import compare_reports
from analysis_core.compare_picture import side_by_side
from kneeapp.clinic.video_summary import counted, media_url
from kneeapp.store.media import result_dir

#: Quality warnings that change what the numbers mean, so the runner is told them.
TOLD_WARNINGS = ("incomplete", "too_few_reps", "several_people", "time_limit", "slow_motion")
VIEW_WORDS = {"front": "front", "back": "back", "side": "side"}
ACTIVITY_WORDS = {
    "running": "running",
    "squat": "squat",
    "single_leg_squat": "single-leg squat",
    "walking": "walking",
}


def needs_clarification(report: Mapping[str, Any]) -> bool:
    """True when the analysis could not tell what the clip shows."""
    return report.get("activity") in (None, "unknown") or report.get("view") in (None, "unknown")


def findings_messages(job_id: str, report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Chat messages presenting a usable report: intro, each finding, pictures, limits."""
    activity = ACTIVITY_WORDS.get(str(report.get("activity")), "movement")
    view = VIEW_WORDS.get(str(report.get("view")), "camera's angle")
    messages: list[dict[str, Any]] = [
        {"text": text("video", "findings_intro", activity=activity, view=view)}
    ]
    table = measures_text(report)
    if table:
        messages.append({"text": table})
    notes = [i["message"] for i in report.get("quality", {}).get("issues") or []
             if i.get("code") in TOLD_WARNINGS]
    if notes:
        messages.append({"text": text("video", "note", notes=" ".join(notes))})
    relevant = [f for f in report.get("findings", []) if f.get("severity") != "none"]
    for finding in relevant:
        messages.append({"text": f"• {finding['text']} (I'm {_sure(finding)} about this one.)"})
    if not relevant:
        messages.append({"text": text("video", "no_findings")})
    for image in report.get("images", []):
        messages.append(
            {"image": media_url(job_id, image["path"]), "text": image.get("caption", "")}
        )
    messages.append({"text": text("video", "limits")})
    return messages


def _sure(item: Mapping[str, Any]) -> str:
    return {"high": "fairly sure", "medium": "moderately sure", "low": "not very sure"}.get(
        str(item.get("confidence")), "unsure"
    )


def measures_text(report: Mapping[str, Any]) -> str:
    """Every measure of the report in one message: value, usual range and how sure."""
    rows = report.get("measures") or []
    if not rows:
        return ""
    lines = [text("video", "measures_intro", counted=counted(report) or "the whole clip")]
    for row in rows:
        usual = text("video", "measure_usual", typical=row["typical"]) if row.get("typical") else ""
        lines.append(text("video", "measure_line", label=row["label"], value=row["value"],
                          usual=usual, sure=_sure(row)))
    return "\n".join(lines)


def _mentions(question: str, words: Sequence[str]) -> bool:
    return any(re.search(rf"\b{re.escape(word)}", question, re.I) for word in words)


def answer_about_measures(
    question: str, report: Mapping[str, Any], asked_as: Mapping[str, Sequence[str]]
) -> list[str]:
    """Answers to "what was my cadence?" from a stored report.

    Args:
        question: The runner's words.
        report: The conversation's analysis report.
        asked_as: Per measure, words a runner may use for it (data/video_reference.yml).

    Returns:
        One sentence per measure the question names (its value, or why it was not
        measured), or the whole measure list when it names none.
    """
    rows = {row["measure"]: row for row in report.get("measures") or []}
    omitted = report.get("metrics_omitted") or {}
    answers = []
    for measure, words in asked_as.items():
        if not _mentions(question, words):
            continue
        if measure in rows:
            row = rows[measure]
            usual = text("video", "measure_usual", typical=row["typical"]) if row.get(
                "typical") else ""
            answers.append(text("video", "measure_answer", label=row["label"].lower(),
                                value=row["value"], usual=usual, sure=_sure(row)))
        elif measure in omitted:
            answers.append(text("video", "measure_not_made", reason=omitted[measure]))
    return answers or [measures_text(report) or text("video", "no_measures")]


def unusable_messages(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Why the footage could not be measured, and how to film it next time."""
    quality = report.get("quality", {})
    blocking = [i for i in quality.get("issues") or [] if i.get("severity") == "blocking"]
    reason = blocking[0].get("message") if blocking else "the footage is not clear enough."
    messages = [{"text": text("video", "unusable", reason=reason)}]
    if quality.get("retake_tip"):
        messages.append({"text": text("video", "retake", tip=quality["retake_tip"])})
    return messages


def plan_findings(report: Mapping[str, Any] | None) -> Sequence[Mapping[str, Any]]:
    """The findings that may refine the plan (none from unusable footage)."""
    if not report or not report.get("quality", {}).get("usable"):
        return ()
    return [f for f in report.get("findings", []) if f.get("severity") != "none"]


#: Typed descriptions of a clip ("me running from behind"), first match wins.
_ACTIVITY_PATTERNS = (
    ("single_leg_squat", re.compile(r"single[- ]?leg|one[- ]leg(ged)?", re.I)),
    ("squat", re.compile(r"squat", re.I)),
    ("walking", re.compile(r"\bwalk", re.I)),
    ("running", re.compile(r"\brun|jog|treadmill", re.I)),
)
_VIEW_PATTERNS = (
    ("back", re.compile(r"behind|\bback\b|rear", re.I)),
    ("front", re.compile(r"front|facing|towards the camera", re.I)),
    ("side", re.compile(r"side", re.I)),
)
#: A marked stance-time difference between legs: the pain changes how they run.
GAIT_CHANGE_MEASURE = "stance_time_asymmetry_pct"


def clip_description(text_in: str) -> tuple[str | None, str | None]:
    """(activity, view) from a typed description of a clip; None where it does not say."""
    activity = next((a for a, pattern in _ACTIVITY_PATTERNS if pattern.search(text_in)), None)
    view = next((v for v, pattern in _VIEW_PATTERNS if pattern.search(text_in)), None)
    return activity, view


def answers_from_video(report: Mapping[str, Any] | None) -> dict[str, Any]:
    """Answers a video adds to the triage. It can only add warning signs, never remove one."""
    for finding in plan_findings(report):
        if (
            finding.get("measure") == GAIT_CHANGE_MEASURE
            and finding.get("severity") == "marked"
            and finding.get("confidence") != "low"
        ):
            return {"limp": True}
    return {}


#: The before/after picture's name in the later job's results folder.
COMPARE_PICTURE = "compare_before_after.png"


def comparison_messages(
    before: tuple[str, Mapping[str, Any]], after: tuple[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The earlier clip against this one: each change in words, and the two side by side.

    Args:
        before: (job id, report) of the earlier analysis.
        after: (job id, report) of this one; the picture is written into its results.
    """
    result = compare_reports(dict(before[1]), dict(after[1]))
    if not result["comparable"]:
        return [{"text": text("video", "compare_not", reason=result["reason"])}]
    messages = [{"text": "\n".join([text("video", "compare_intro"),
                                     *(f"• {line}" for line in result["summary_lines"])])}]
    steady = [c["sentence"] for c in result["changes"] if not c["beyond_noise"]]
    if steady:  # every measure with its numbers, not only the ones that changed
        messages.append({"text": "\n".join(f"• {line}" for line in steady)})
    picture = side_by_side(result_dir(before[0]), result_dir(after[0]), dict(before[1]),
                           dict(after[1]), result_dir(after[0]) / COMPARE_PICTURE)
    if picture:
        messages.append({"image": media_url(after[0], COMPARE_PICTURE),
                         "text": text("video", "compare_picture")})
    return messages
