"""Findings against the reference data, and the quality gate, on constructed inputs."""

import numpy as np
import pytest

from analysis_core import findings, quality
from analysis_core.reference import load
from content_schema.vocabulary import CONTRIBUTORS


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
        assert set(values) <= set(CONTRIBUTORS), name


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


def test_one_squat_repetition_is_measured_with_a_warning_none_is_blocking():
    q = quality.Quality()
    quality.activity_checks(q, "squat", "front", {"reps": 1})
    assert q.usable and q.issues[0]["code"] == "too_few_reps"
    assert "Only 1 repetition was found" in q.issues[0]["message"]
    assert "repetitions" in q.retake_tip()
    q = quality.Quality()
    quality.activity_checks(q, "single_leg_squat", "front", {"reps": 0})
    assert not q.usable and "part-way" in q.issues[0]["message"]
    q = quality.Quality()
    quality.activity_checks(q, "squat", "side", {"reps": 3})
    assert q.usable and not q.issues


def test_an_issue_can_be_put_first_and_its_tip_wins():
    q = quality.Quality()
    q.add("low_fps", "warning", "Low fps.")
    q.add("incomplete", "warning", "Cut off.", first=True)
    assert [i["code"] for i in q.issues] == ["incomplete", "low_fps"]
    assert "again" in q.retake_tip()


def test_every_measure_has_a_label_and_a_unit_a_runner_reads():
    for name, spec in load()["measures"].items():
        assert spec["label"] and spec["label"][0].isupper(), name
        assert "unit_text" in spec and "_" not in spec["unit_text"], name


def test_measure_table_lists_every_measure_with_unit_usual_range_and_severity():
    metrics = {
        "cadence_spm": {"value": 158.4, "unit": "steps/min", "confidence": "high"},
        "knee_flexion_at_contact_deg": {"left": 12.2, "right": 17.0, "confidence": "low"},
        "overstride": {"value": 0.123, "confidence": "medium"},
        "hip_shift_hip_widths": {"value": -0.2, "confidence": "medium"},
        "foot_progression_deg": {"left": 5.0, "right": None, "confidence": "low"},
        "stance_time_asymmetry_pct": {"value": None, "confidence": "low"},
    }
    out = findings.make_findings(metrics, "running")
    rows = {r["measure"]: r for r in findings.measure_table(metrics, "running", out)}
    assert rows["cadence_spm"] == {
        "measure": "cadence_spm", "label": "Step rate (cadence)", "value": "158 steps/min",
        "typical": "165 steps/min or more", "confidence": "high", "severity": "mild"}
    assert rows["knee_flexion_at_contact_deg"]["value"] == "left 12°, right 17°"
    assert rows["knee_flexion_at_contact_deg"]["severity"] == "mild"  # the worse side
    assert rows["overstride"]["value"] == "0.12 leg lengths"
    assert rows["overstride"]["typical"] == "below 0.18 leg lengths"
    assert rows["foot_progression_deg"]["value"] == "left 5°"
    assert rows["foot_progression_deg"]["typical"] == "sides within 8° of each other"
    assert rows["hip_shift_hip_widths"]["typical"] is None  # a squat measure: no running band
    assert "stance_time_asymmetry_pct" not in rows  # nothing measured, nothing claimed
    assert list(rows) == [m for m in load()["measures"] if m in rows]  # reference order
