"""From an analysis report to what the runner reads and what the clinic receives."""

from __future__ import annotations

from typing import Any

import pytest

from actions.video_findings import (
    answers_from_video,
    clip_description,
    findings_messages,
    media_url,
    needs_clarification,
    plan_findings,
    unusable_messages,
    video_summary,
)

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
