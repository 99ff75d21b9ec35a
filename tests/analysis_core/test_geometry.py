"""Every formula of analysis_core.geometry on constructed landmarks (y grows downwards)."""

import math

import numpy as np
import pytest

from analysis_core import geometry as g


def _leg(knee_dx: float):
    """A left leg seen from the front: left hip on image right (x=110), right hip at x=90.

    The knee is moved by ``knee_dx`` pixels horizontally; negative = towards the midline.
    """
    hip = np.array([110.0, 100.0])
    knee = np.array([110.0 + knee_dx, 200.0])
    ankle = np.array([110.0, 300.0])
    other_hip = np.array([90.0, 100.0])
    return hip, knee, ankle, other_hip


def test_fppa_straight_leg_is_zero():
    assert g.knee_fppa_deg(*_leg(0.0)) == pytest.approx(0.0, abs=1e-9)


def test_fppa_knee_towards_midline_is_positive_with_right_magnitude():
    hip, knee, ankle, other = _leg(-10.0)
    expected = 2 * math.degrees(math.atan(10 / 100))  # thigh and shank each tilt atan(0.1)
    assert g.knee_fppa_deg(hip, knee, ankle, other) == pytest.approx(expected, rel=1e-6)


def test_fppa_knee_away_from_midline_is_negative():
    assert g.knee_fppa_deg(*_leg(12.0)) < -5


def test_fppa_same_sign_from_back_view():
    # Back view: the left hip appears on image left; knee moving towards the right hip.
    hip, knee, ankle, other = (np.array([90.0, 100.0]), np.array([100.0, 200.0]),
                               np.array([90.0, 300.0]), np.array([110.0, 100.0]))
    assert g.knee_fppa_deg(hip, knee, ankle, other) > 5


def test_fppa_vectorised_and_nan():
    hips = np.array([[110.0, 100.0], [np.nan, np.nan]])
    out = g.knee_fppa_deg(hips, np.array([[100.0, 200.0]] * 2), np.array([[110.0, 300.0]] * 2),
                          np.array([[90.0, 100.0]] * 2))
    assert out[0] > 0 and np.isnan(out[1])


def test_joint_flexion():
    assert g.joint_flexion_deg([0, 0], [0, 10], [0, 20]) == pytest.approx(0.0)
    assert g.joint_flexion_deg([0, 0], [0, 10], [10, 10]) == pytest.approx(90.0)


def test_pelvic_drop_sign_and_baseline():
    stance = np.array([100.0, 100.0])
    swing = np.array([140.0, 100.0 + 40 * math.tan(math.radians(6))])
    assert g.pelvic_drop_deg(stance, swing) == pytest.approx(6.0, rel=1e-6)
    assert g.pelvic_drop_deg(stance, swing, baseline_deg=2.0) == pytest.approx(4.0, rel=1e-6)
    # swing side higher -> negative, whatever the horizontal order
    assert g.pelvic_drop_deg(np.array([140.0, 104.0]), np.array([100.0, 100.0])) < 0


def test_segment_from_vertical_forward_sign():
    hip, shoulder = np.array([100.0, 200.0]), np.array([110.0, 100.0])
    lean = math.degrees(math.atan(10 / 100))
    assert g.segment_from_vertical_deg(hip, shoulder, 1.0) == pytest.approx(lean)
    assert g.segment_from_vertical_deg(hip, shoulder, -1.0) == pytest.approx(-lean)


def test_foot_progression_toe_out_positive_for_each_foot():
    # left heel on image right of right heel (front view); toe pointing further right = out
    left = g.foot_progression_deg([110, 300], [115, 310], [90, 300])
    right = g.foot_progression_deg([90, 300], [85, 310], [110, 300])
    assert left == pytest.approx(right) and left == pytest.approx(math.degrees(math.atan(0.5)))
    assert g.foot_progression_deg([110, 300], [105, 310], [90, 300]) < 0


def test_medial_offset_and_asymmetry():
    # knee 5 px towards the other hip, shank length 50 -> 0.1
    offset = g.medial_offset([105, 200], [110, 300], [110, 100], [90, 100], 50.0)
    assert offset == pytest.approx(0.1)
    assert g.asymmetry_pct(10.0, 12.0) == pytest.approx(2 / 11 * 100)
    assert math.isnan(g.asymmetry_pct(0.0, 0.0))
