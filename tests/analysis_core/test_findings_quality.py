"""Findings against the reference data, and the quality gate, on constructed inputs."""

import numpy as np
import pytest

from analysis_core import findings, quality
from analysis_core.reference import load


def test_grade_directions():
    assert findings.grade(17, "high", 13.5, 16.8) == "marked"
    assert findings.grade(14, "high", 13.5, 16.8) == "mild"
    assert findings.grade(150, "low", 165, 155) == "marked"
    assert findings.grade(-0.2, "abs_high", 0.15, 0.3) == "mild"
    with pytest.raises(ValueError):
        findings.grade(1, "sideways", 1, 2)


def test_reference_has_sources_texts_and_valid_contributors():
    ref = load()
    for name, spec in ref["measures"].items():
        assert spec["source"], name
        assert set(spec["text"]) == {"none", "mild", "marked"}, name
        contributors = spec["contributor"]
        values = contributors.values() if isinstance(contributors, dict) else [contributors]
        assert set(values) <= set(findings.CONTRIBUTORS), name


def test_findings_for_a_valgus_squat():
    metrics = {
        "knee_fppa_deg": {"left": 18.0, "right": 6.0, "unit": "deg", "confidence": "medium"},
        "squat_depth_pct_leg": {"value": 40.0, "unit": "%", "confidence": "high"},
        "cadence_spm": {"value": 150.0, "unit": "steps/min", "confidence": "high"},
    }
    out = findings.make_findings(metrics, "single_leg_squat")
    by_id = {f["id"]: f for f in out}
    assert by_id["knee_fppa_deg.left"]["severity"] == "marked"
    assert by_id["knee_fppa_deg.left"]["contributor"] == "hip_core"
    text = by_id["knee_fppa_deg.left"]["text"]
    assert "left" in text and "18" in text
    assert by_id["knee_fppa_deg.right"]["severity"] == "none"
    assert "cadence_spm" not in by_id  # cadence is graded for running only
    assert out[0]["severity"] == "marked"  # sorted worst first
    for f in out:
        assert {"id", "measure", "side", "severity", "contributor", "text", "confidence"} <= set(f)


def test_asymmetry_direction_grades_difference():
    metrics = {"foot_progression_deg": {"left": 2.0, "right": 20.0, "confidence": "low"}}
    (f,) = findings.make_findings(metrics, "running")
    assert f["severity"] == "marked" and f["side"] is None and f["value"] == pytest.approx(18.0)


def _raw(n=60, y_feet=900.0):
    raw = np.full((n, 33, 4), 0.95)
    raw[..., 0] = 300.0
    raw[..., 1] = 500.0
    raw[:, 0, 1] = 100.0
    raw[:, [27, 28, 29, 30, 31, 32], 1] = y_feet
    return raw


def test_quality_passes_good_frames_and_flags_cut_off_feet():
    q = quality.frame_checks(_raw(), np.ones(60, bool), 720, 1280, 720, 60.0)
    assert q.usable and q.retake_tip() is None
    q = quality.frame_checks(_raw(y_feet=1400.0), np.ones(60, bool), 720, 1280, 720, 60.0)
    assert not q.usable and q.issues[0]["code"] == "body_cut_off"
    assert "feet" in (q.retake_tip() or "")


def test_quality_no_person_and_low_fps():
    raw = np.full((30, 33, 4), np.nan)
    q = quality.frame_checks(raw, np.ones(30, bool), 720, 1280, 720, 30.0)
    assert not q.usable and q.issues[0]["code"] == "not_a_person"
    q = quality.frame_checks(_raw(), np.ones(60, bool), 720, 1280, 720, 30.0)
    assert q.usable and [i["code"] for i in q.issues] == ["low_fps"]


def test_activity_checks():
    q = quality.Quality()
    quality.activity_checks(q, "running", "side", {"steps": 3})
    assert not q.usable and q.issues[0]["code"] == "too_few_steps"
