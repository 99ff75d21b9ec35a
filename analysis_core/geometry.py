"""Pure 2-D formulas on image points (x right, y down, in pixels).

Every function accepts single points of shape (2,) or stacks of shape (T, 2) and returns
floats or arrays; NaN in gives NaN out. No I/O and no state: this is the one place where
the angles used by the report are defined.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def _xy(p: Array) -> Array:
    return np.asarray(p, dtype=float)[..., :2]


def angle_between_deg(u: Array, v: Array) -> Array:
    """Unsigned angle between two vectors, in degrees (0..180)."""
    u, v = _xy(u), _xy(v)
    dot = np.sum(u * v, axis=-1)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def joint_flexion_deg(proximal: Array, joint: Array, distal: Array) -> Array:
    """Flexion at a joint: 0 when the three points are in line, growing as it bends.

    For the knee: proximal = hip, joint = knee, distal = ankle.
    """
    return angle_between_deg(_xy(joint) - _xy(proximal), _xy(distal) - _xy(joint))


def knee_fppa_deg(hip: Array, knee: Array, ankle: Array, other_hip: Array) -> Array:
    """Knee frontal-plane projection angle, positive when the knee moves inward (valgus).

    The magnitude is the angle between the thigh (hip→knee) and the shank (knee→ankle), as
    in Herrington 2014 (180° minus the hip–knee–ankle angle). The sign comes from which side
    of the hip–ankle line the knee lies: towards the other hip (the body's midline) is
    positive, away from it (varus) negative. Using the other hip for "medial" makes the
    formula the same for front and back views.

    Args:
        hip: Hip of the measured leg.
        knee: Knee of the measured leg.
        ankle: Ankle of the measured leg.
        other_hip: Hip of the other leg (defines the medial direction).
    """
    h, k, a, o = _xy(hip), _xy(knee), _xy(ankle), _xy(other_hip)
    magnitude = angle_between_deg(k - h, a - k)
    line = a - h
    length2 = np.sum(line * line, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.sum((k - h) * line, axis=-1) / length2
    foot_of_perp = h + t[..., None] * line
    offset = k - foot_of_perp
    medial = o - h
    side = np.sign(np.sum(offset * medial, axis=-1))
    return magnitude * np.where(side == 0, 1.0, side)


def line_tilt_deg(p_from: Array, p_to: Array) -> Array:
    """Angle of the segment p_from→p_to below the horizontal, in degrees.

    Positive when ``p_to`` is lower in the image than ``p_from`` (y grows downwards),
    whatever the horizontal order of the two points.
    """
    d = _xy(p_to) - _xy(p_from)
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))


def pelvic_drop_deg(stance_hip: Array, swing_hip: Array, baseline_deg: float = 0.0) -> Array:
    """Contralateral pelvic drop: how far the swing-side hip sits below the stance-side hip.

    Args:
        stance_hip: Hip of the leg on the ground.
        swing_hip: Hip of the leg in the air (or lifted, in a single-leg squat).
        baseline_deg: Tilt of the same line when standing on both legs (camera roll and
            posture), subtracted from the result.

    Returns:
        Degrees, positive = swing side lower (drop).
    """
    return line_tilt_deg(stance_hip, swing_hip) - baseline_deg


def segment_from_vertical_deg(lower: Array, upper: Array, forward_sign: float = 1.0) -> Array:
    """Signed angle of the segment lower→upper from the image vertical.

    Positive when the upper point lies ahead of the lower one in the direction of travel
    (``forward_sign`` = +1 when the person faces image-right, -1 when facing image-left).
    Used for trunk lean (hip→shoulder) and shank angle (ankle→knee).
    """
    d = _xy(upper) - _xy(lower)
    return np.degrees(np.arctan2(forward_sign * d[..., 0], -d[..., 1]))


def foot_progression_deg(heel: Array, toe: Array, other_heel: Array) -> Array:
    """Approximate toe-out angle from a front or back view (2-D, low confidence).

    Angle of the heel→toe segment from the image vertical; positive when the toe points away
    from the body's midline (toe-out). The other heel defines which way is medial.
    """
    h, t, o = _xy(heel), _xy(toe), _xy(other_heel)
    d = t - h
    lateral_dir = np.sign(h[..., 0] - o[..., 0])
    lateral = d[..., 0] * np.where(lateral_dir == 0, 1.0, lateral_dir)
    return np.degrees(np.arctan2(lateral, np.abs(d[..., 1])))


def medial_offset(point: Array, reference: Array, this_hip: Array, other_hip: Array,
                  scale: Array | float) -> Array:
    """Horizontal offset of ``point`` from ``reference`` towards the midline, in ``scale`` units.

    Positive = medial (towards the other hip). Used for knee-over-foot shift and step width.
    """
    p, r, h, o = _xy(point), _xy(reference), _xy(this_hip), _xy(other_hip)
    medial_dir = np.sign(o[..., 0] - h[..., 0])
    return (p[..., 0] - r[..., 0]) * medial_dir / scale


def asymmetry_pct(left: float, right: float) -> float:
    """Symmetry index |L − R| / mean(|L|, |R|) × 100; NaN when both are zero or missing."""
    mean = (abs(left) + abs(right)) / 2.0
    if not np.isfinite(mean) or mean == 0:
        return float("nan")
    return abs(left - right) / mean * 100.0


def distance(p: Array, q: Array) -> Array:
    """Euclidean distance between points."""
    d = _xy(p) - _xy(q)
    return np.sqrt(np.sum(d * d, axis=-1))
