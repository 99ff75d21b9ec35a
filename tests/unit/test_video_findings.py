"""From an analysis report to what the runner reads and what the clinic receives."""

from __future__ import annotations

from typing import Any

import pytest

from actions.video_findings import (
    answer_about_measures,
    answers_from_video,
    clip_description,
    findings_messages,
    needs_clarification,
    plan_findings,
    unusable_messages,
)
from kneeapp.clinic.video_summary import media_url, video_summary

JOB = "a" * 32


def report(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "activity": "running",
        "view": "back",
        "quality": {"usable": True, "issues": [], "retake_tip": None},
        "metrics": {
            "cadence_spm": {"value": 158.0, "confidence": "high"},
            "knee_fppa_deg": {"left": 6.0, "right": 14.0, "unit": "deg", "confidence": "medium"},
            "not_a_key_measure": {"value": 1.0},
        },
        "findings": [
            {
                "id": "valgus_right",
                "measure": "knee_fppa_deg",
                "side": "right",
                "severity": "marked",
                "contributor": "hip_core",
                "confidence": "medium",
                "text": "Your right knee moves inward when that foot is on the ground.",
            },
            {
                "id": "cadence_ok",
                "measure": "cadence_spm",
                "side": None,
                "severity": "none",
                "contributor": "form",
                "confidence": "high",
                "text": "Cadence is typical.",
            },
        ],
        "measures": [
            {
                "measure": "cadence_spm",
                "label": "Step rate (cadence)",
                "value": "158 steps/min",
                "typical": "165 steps/min or more",
                "confidence": "high",
                "severity": "mild",
            },
            {
                "measure": "knee_fppa_deg",
                "label": "Knee angle seen from the front",
                "value": "left 6°, right 14°",
                "typical": None,
                "confidence": "medium",
                "severity": "marked",
            },
        ],
        "counts": {"steps": 14},
        "images": [
            {"path": "keyframe_right.png", "caption": "Right mid-stance", "kind": "keyframe"}
        ],
    }
    return base | overrides


def test_media_url_names_only_the_file() -> None:
    assert media_url(JOB, "sub/keyframe.png") == f"/webhooks/video/media/{JOB}/keyframe.png"


@pytest.mark.parametrize(
    ("activity", "view", "expected"),
    [
        ("running", "back", False),
        ("unknown", "back", True),
        ("running", "unknown", True),
        (None, "side", True),
    ],
)
def test_needs_clarification(activity: str | None, view: str, expected: bool) -> None:
    assert needs_clarification(report(activity=activity, view=view)) is expected


def test_findings_messages_skip_typical_values_and_say_how_sure() -> None:
    messages = findings_messages(JOB, report())
    texts = [m.get("text", "") for m in messages]
    assert "running video, filmed from the back" in texts[0]
    assert any("right knee moves inward" in t and "moderately sure" in t for t in texts)
    assert not any("Cadence is typical" in t for t in texts)
    assert messages[-2]["image"] == f"/webhooks/video/media/{JOB}/keyframe_right.png"
    assert "2D" in texts[-1]


def test_every_measure_is_told_with_its_usual_range_and_what_it_rests_on() -> None:
    texts = [m.get("text", "") for m in findings_messages(JOB, report())]
    table = next(t for t in texts if t.startswith("Everything I measured"))
    assert "from 14 steps" in table.splitlines()[0]
    assert "• Step rate (cadence): 158 steps/min (usual: 165 steps/min or more) — fairly sure" in (
        table.splitlines())
    assert "• Knee angle seen from the front: left 6°, right 14° — moderately sure" in (
        table.splitlines())


def test_warnings_that_change_the_numbers_are_told() -> None:
    issues = [
        {"code": "low_fps", "severity": "warning", "message": "Low fps."},
        {"code": "too_few_reps", "severity": "warning", "message": "Only 1 repetition was found."},
    ]
    squat = report(counts={"reps": 1}, quality={"usable": True, "issues": issues})
    texts = [m.get("text", "") for m in findings_messages(JOB, squat)]
    assert any(t.startswith("Everything I measured, from 1 repetition:") for t in texts)
    assert any("Only 1 repetition was found" in t for t in texts)
    assert not any("Low fps" in t for t in texts)


def test_an_old_report_without_the_measure_list_still_reads() -> None:
    texts = [m.get("text", "") for m in findings_messages(JOB, report(measures=None))]
    assert not any(t.startswith("Everything I measured") for t in texts)
    assert any("right knee moves inward" in t for t in texts)


def test_nothing_notable_is_said_plainly() -> None:
    quiet = report(findings=[report()["findings"][1]])
    assert any("Nothing stood out" in m.get("text", "") for m in findings_messages(JOB, quiet))


def test_unusable_footage_quotes_the_blocking_issue_and_the_tip() -> None:
    quality = {
        "usable": False,
        "retake_tip": "Film from behind at hip height.",
        "issues": [
            {"code": "low_fps", "severity": "warning", "message": "Low fps."},
            {
                "code": "no_person",
                "severity": "blocking",
                "message": "Nobody was found in most frames.",
            },
        ],
    }
    texts = [m["text"] for m in unusable_messages(report(quality=quality))]
    assert "Nobody was found" in texts[0] and "Low fps" not in texts[0]
    assert "hip height" in texts[1]


def test_video_summary_for_the_clinic() -> None:
    summary = video_summary(JOB, report())
    assert summary["job_id"] == JOB and summary["usable"] is True
    assert set(summary["measures"]) == {"cadence_spm", "knee_fppa_deg"}
    assert summary["counted"] == "14 steps"
    assert summary["measures_in_words"][0] == report()["measures"][0]
    assert [m["measure"] for m in summary["measures_in_words"]] == [
        "cadence_spm",
        "knee_fppa_deg",
    ]
    assert summary["findings"][0] == {
        "id": "valgus_right",
        "measure": "knee_fppa_deg",
        "side": "right",
        "severity": "marked",
        "contributor": "hip_core",
        "confidence": "medium",
    }
    assert "text" not in summary["findings"][0]
    assert summary["images"] == [media_url(JOB, "keyframe_right.png")]


def test_plan_findings_ignore_unusable_footage_and_typical_values() -> None:
    assert [f["id"] for f in plan_findings(report())] == ["valgus_right"]
    assert plan_findings(report(quality={"usable": False})) == ()
    assert plan_findings(None) == ()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("it's me running filmed from behind", ("running", "back")),
        ("a single-leg squat facing the camera", ("single_leg_squat", "front")),
        ("squats, side on", ("squat", "side")),
        ("jogging on the treadmill", ("running", None)),
        ("no idea", (None, None)),
    ],
)
def test_clip_description(typed: str, expected: tuple[str | None, str | None]) -> None:
    assert clip_description(typed) == expected


def _stance(severity: str, confidence: str) -> dict[str, Any]:
    return {
        "id": "stance",
        "measure": "stance_time_asymmetry_pct",
        "side": None,
        "severity": severity,
        "contributor": "training_load",
        "confidence": confidence,
        "text": "You spend longer on one leg.",
    }


def test_a_marked_limp_on_video_adds_a_warning_sign() -> None:
    assert answers_from_video(report(findings=[_stance("marked", "medium")])) == {"limp": True}


@pytest.mark.parametrize(("severity", "confidence"), [("mild", "high"), ("marked", "low")])
def test_weak_or_mild_gait_findings_add_nothing(severity: str, confidence: str) -> None:
    assert answers_from_video(report(findings=[_stance(severity, confidence)])) == {}


def test_a_video_never_removes_a_warning_sign() -> None:
    assert "limp" not in answers_from_video(report())
    assert answers_from_video(None) == {}


ASKED_AS = {
    "cadence_spm": ["cadence", "step rate"],
    "knee_fppa_deg": ["knee angle", "cave"],
    "pelvic_drop_deg": ["pelvic drop", "hip drop"],
    "trunk_lean_deg": ["lean"],
}


def test_a_question_about_one_measure_gets_that_measure() -> None:
    answers = answer_about_measures("what was my cadence??", report(), ASKED_AS)
    assert answers == ["From your video, your step rate (cadence) was 158 steps/min (usual: "
                       "165 steps/min or more). I'm fairly sure about it."]
    both = answer_about_measures("my step rate and did my knees cave", report(), ASKED_AS)
    assert len(both) == 2 and "left 6°, right 14°" in both[1]


def test_a_measure_that_was_not_made_says_why() -> None:
    side = report(metrics_omitted={"pelvic_drop_deg": "needs a front or back view"})
    assert answer_about_measures("how much hip drop?", side, ASKED_AS) == [
        "I couldn't measure that from this clip: needs a front or back view."]


def test_a_general_question_gets_every_measure() -> None:
    (answer,) = answer_about_measures("what did the video show?", report(), ASKED_AS)
    assert answer.startswith("Everything I measured, from 14 steps:")
    (none,) = answer_about_measures("what did it show?", report(measures=[]), ASKED_AS)
    assert "could not be measured" in none


def test_every_measure_can_be_asked_about_in_words() -> None:
    from analysis_core.reference import load

    for name, spec in load()["measures"].items():
        assert spec.get("asked_as"), name
