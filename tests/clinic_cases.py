"""Clinic summaries of every triage level, made by the real engine (actions/summary.py), and
a video analysis's result folder with real PNG pictures and a report.json, for the tests of
kneeapp/clinic (the PDF, the helpdesk note, the words they share)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from actions.guidance import build_plan
from actions.summary import build_summary
from actions.triage import assess
from actions.video_findings import plan_findings
from kneeapp.clinic.video_summary import video_summary

JOB_ID = "0f" * 16

#: Answers that end at each level (checked in the tests, not assumed).
BASE_ANSWERS: dict[str, Any] = {
    "side": "right", "location": "inner_surface", "onset": "gradual", "injury": "none",
    "distance_before_km": 30.0, "distance_now_km": 32.0, "weeks_since_change": 4,
    "swelling": False, "pain_triggers": ["during_runs", "stairs"], "pain_score": 3,
    "settles_by_next_day": True, "age_band": "18_54", "limp": False, "red_flags": [],
    "consent": True, "emergency_check": False, "urgent_check": False,
}
LEVEL_ANSWERS: dict[str, dict[str, Any]] = {
    "self_care": BASE_ANSWERS,
    "clinician": {**BASE_ANSWERS, "swelling": True, "distance_before_km": 20 * 1.609344,
                  "distance_now_km": 35 * 1.609344, "tried": ["exercises"],
                  "tried_outcome": "worse", "tried_exercises": ["mini squats"],
                  "settles_by_next_day": "unknown", "pain_score": 5,
                  "unclear_answers": {"pain_duration_weeks": "since the spring block"}},
    "urgent": {**BASE_ANSWERS, "injury": "twist", "swelling": True, "urgent_check": True},
    "emergency": {**BASE_ANSWERS, "injury": "fall", "emergency_check": True,
                  "red_flags": ["cannot_bear_weight"]},
}
LEVELS = tuple(LEVEL_ANSWERS)


def analysis_report() -> dict[str, Any]:
    """An analysis report as analysis_core writes it (the keys the summary reads)."""
    return {
        "activity": "running",
        "view": "back",
        "quality": {"usable": True, "issues": [], "retake_tip": None},
        "metrics": {
            "cadence_spm": {"value": 158.0, "confidence": "high"},
            "knee_fppa_deg": {"left": 6.0, "right": 14.0, "unit": "deg",
                              "confidence": "medium"},
        },
        "findings": [
            {"id": "valgus_right", "measure": "knee_fppa_deg", "side": "right",
             "severity": "marked", "contributor": "hip_core", "confidence": "medium",
             "text": "Your right knee moves inward when that foot is on the ground."},
            {"id": "cadence_low", "measure": "cadence_spm", "side": None, "severity": "mild",
             "contributor": "form", "confidence": "high", "text": "Cadence is a bit low."},
        ],
        "measures": [
            {"measure": "cadence_spm", "label": "Step rate (cadence)", "value": "158 steps/min",
             "typical": "165 steps/min or more", "confidence": "high", "severity": "mild"},
            {"measure": "knee_fppa_deg", "label": "Knee angle seen from the front",
             "value": "left 6°, right 14°", "typical": "below 10°", "confidence": "low",
             "severity": "marked"},
            {"measure": "pelvic_drop_deg", "label": "Pelvic drop", "value": "left 3°, right 4°",
             "typical": None, "confidence": "medium", "severity": "none"},
        ],
        "counts": {"steps": 14},
        "images": [
            {"path": "plot_knee_fppa.png", "caption": "Knee angle over time", "kind": "plot"},
            {"path": "keyframe_1_cadence_spm.png", "caption": "A step at landing",
             "kind": "keyframe"},
            {"path": "keyframe_2_knee_fppa_deg_right.png",
             "caption": "Mid-stance on the right leg: knee angle seen from behind",
             "kind": "keyframe"},
            {"path": "keyframe_3_knee_fppa_deg_left.png",
             "caption": "Mid-stance on the left leg: knee angle seen from behind",
             "kind": "keyframe"},
        ],
    }


def _picture(path: Path, size: tuple[int, int], colour: str, number: int) -> None:
    """A PNG unlike the others (``number`` moves its bar): a PDF keeps one copy of equals."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 8, 3 * size[0] // 4, 7 * size[1] // 8),
                   fill=colour)
    draw.line((0, 40 * number, size[0], size[1]), fill="black", width=6)
    image.save(path)


def write_results(results_dir: Path, report: dict[str, Any] | None = None) -> Path:
    """The job's result folder: report.json and one PNG per picture the report names."""
    report = report or analysis_report()
    folder = results_dir / JOB_ID
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    for number, image in enumerate(report["images"]):
        portrait = image["kind"] == "keyframe"
        _picture(folder / image["path"], (540, 960) if portrait else (1400, 500),
                 "#3a7bd5" if portrait else "#d58a3a", number)
    return folder


@dataclass(frozen=True)
class StoredAssessment:
    """An earlier assessment as the store gives it (what the history reads)."""

    created_at: dt.datetime
    level: str
    answers: dict[str, Any]


#: When the summaries of these tests are made.
MADE_AT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.timezone.utc)
_CONTEXT = {"days_since": 14, "level": "clinician", "pain_score": 6, "plan": []}
#: Earlier assessments of a conversation, oldest first: the first assessment, then check-ins
#: (one with answers the runner was not sure of).
EARLIER = (
    StoredAssessment(MADE_AT - dt.timedelta(days=42), "clinician",
                     {"pain_score": 6, "distance_now_km": 56.3, "checkin_trend": None}),
    StoredAssessment(MADE_AT - dt.timedelta(days=28), "clinician",
                     {"pain_score": 5, "distance_now_km": 40.0, "checkin_trend": "better",
                      "checkin_pain_now": 3, "checkin_exercises": "most_days",
                      "checkin": _CONTEXT}),
    StoredAssessment(MADE_AT - dt.timedelta(days=14), "clinician",
                     {"pain_score": 5, "distance_now_km": None, "checkin_trend": "same",
                      "checkin_exercises": "few_times_week", "checkin": _CONTEXT,
                      "unknown": ["distance_now_km", "checkin_pain_now"]}),
)
#: What the runner says at the check-in that the summary is made for.
CHECKIN_ANSWERS = {"checkin_trend": "better", "checkin_pain_now": 1,
                   "checkin_exercises": "most_days", "checkin": _CONTEXT}


def level_summary(level: str, video: bool = False, earlier: int = 0) -> dict[str, Any]:
    """The clinic summary the engine makes for answers that end at ``level``; with
    ``earlier`` > 0 it is a check-in's, with that many of :data:`EARLIER` before it (its
    history has ``earlier`` + 1 rows)."""
    answers = dict(LEVEL_ANSWERS[level]) | (CHECKIN_ANSWERS if earlier else {})
    report = analysis_report() if video else None
    result = assess(answers)
    plan = build_plan(answers, result, video_findings=plan_findings(report) if report else ())
    block = video_summary(JOB_ID, report) if report else None
    return build_summary(answers, result, plan, video=block, earlier=EARLIER[:earlier],
                         now=MADE_AT)
