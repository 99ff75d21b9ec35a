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

#: Measures whose raw numbers the clinic receives (``measures``), when the report has them.
KEY_MEASURES = (
    "cadence_spm",
    "knee_fppa_deg",
    "pelvic_drop_deg",
    "foot_progression_deg",
    "knee_flexion_at_contact_deg",
    "overstride",
    "trunk_lean_deg",
)
#: Quality warnings that change what the numbers mean, so the runner is told them.
TOLD_WARNINGS = ("incomplete", "too_few_reps", "several_people", "time_limit", "slow_motion")
VIEW_WORDS = {"front": "front", "back": "back", "side": "side"}
ACTIVITY_WORDS = {
    "running": "running",
    "squat": "squat",
    "single_leg_squat": "single-leg squat",
    "walking": "walking",
}


def media_url(job_id: str, relative_path: str) -> str:
    """The URL the chat shows for one of the job's pictures (served by the upload connector)."""
    name = relative_path.rsplit("/", 1)[-1]
    return f"/webhooks/video/media/{job_id}/{name}"


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


def _counted(report: Mapping[str, Any]) -> str:
    """"14 steps" or "2 repetitions": what the measures rest on."""
    counts = report.get("counts") or {}
    for key, one, many in (("reps", "repetition", "repetitions"), ("steps", "step", "steps")):
        if counts.get(key):
            return f"{counts[key]} {one if counts[key] == 1 else many}"
    return ""


def measures_text(report: Mapping[str, Any]) -> str:
    """Every measure of the report in one message: value, usual range and how sure."""
    rows = report.get("measures") or []
    if not rows:
        return ""
    lines = [text("video", "measures_intro", counted=_counted(report) or "the whole clip")]
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


def video_summary(job_id: str, report: Mapping[str, Any]) -> dict[str, Any]:
    """The ``triage.video`` block of the clinic summary."""
    metrics = report.get("metrics", {})
    return {
        "job_id": job_id,
        "activity": report.get("activity"),
        "view": report.get("view"),
        "usable": bool(report.get("quality", {}).get("usable")),
        "measures": {name: metrics[name] for name in KEY_MEASURES if name in metrics},
        "counted": _counted(report),
        "measures_in_words": [
            {k: row.get(k) for k in ("measure", "label", "value", "typical", "confidence",
                                     "severity")}
            for row in report.get("measures") or []
        ],
        "findings": [
            {
                k: f.get(k)
                for k in ("id", "measure", "side", "severity", "contributor", "confidence")
            }
            for f in report.get("findings", [])
        ],
        "images": [media_url(job_id, image["path"]) for image in report.get("images", [])],
    }


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
