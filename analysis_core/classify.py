"""Automatic detection of the activity and the camera view.

Activity cues (all from the cleaned track, lengths in leg lengths):
    * squat / single-leg squat: large slow up-and-down movement of the pelvis while the
      feet stay in place; single-leg when one ankle is held clearly above the other.
    * running vs walking: step frequency of the pelvis bounce, knee bend of the swinging
      leg and elbow bend. Walking cadence is rarely above ~135 steps/min and walking keeps
      the arms fairly straight; running cadence is rarely below ~145.
View cues: the apparent shoulder and hip width compared with the torso length (narrow =
side view); in a front view the person's left side appears on the image's right.

These are heuristics on 2-D landmarks and are reported with a confidence; the caller can
override both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis_core import events
from analysis_core import geometry as g
from analysis_core.pose import (
    ARM,
    L_ANKLE,
    L_HIP,
    L_SHOULDER,
    LEG,
    R_ANKLE,
    R_HIP,
    R_SHOULDER,
)
from analysis_core.track import Track, nanmedian

ACTIVITIES = ("running", "squat", "single_leg_squat", "walking", "unknown")
VIEWS = ("front", "back", "side", "unknown")


@dataclass(frozen=True)
class Classification:
    """A label with the evidence that produced it."""

    label: str
    confidence: str
    evidence: dict[str, float]


def detect_view(track: Track) -> Classification:
    """Front, back or side from shoulder/hip width and left/right order."""
    torso = track.torso_length()
    sh_dx = track.p(L_SHOULDER)[:, 0] - track.p(R_SHOULDER)[:, 0]
    hip_dx = track.p(L_HIP)[:, 0] - track.p(R_HIP)[:, 0]
    width = (np.abs(sh_dx) + 1.5 * np.abs(hip_dx)) / 2.0
    ratio = float(nanmedian(width / torso)) if torso > 0 else float("nan")
    order = float(nanmedian(np.sign(sh_dx + hip_dx)))
    order_share = float(np.nanmean(np.sign(sh_dx + hip_dx) > 0))
    evidence = {"width_to_torso": round(ratio, 3),
                "left_on_image_right_share": round(order_share, 3)}
    if not np.isfinite(ratio):
        return Classification("unknown", "low", evidence)
    if ratio < 0.28:
        return Classification("side", "high" if ratio < 0.2 else "medium", evidence)
    if ratio < 0.38:
        return Classification("unknown", "low", evidence)
    if order_share > 0.65 or order_share < 0.35:
        label = "front" if order > 0 else "back"
        return Classification(label, "high" if ratio > 0.5 else "medium", evidence)
    return Classification("unknown", "low", evidence)


def _pelvis_depth(track: Track, leg: float) -> np.ndarray:
    y = track.mid_hip[:, 1]
    standing = np.nanpercentile(y, 10) if np.isfinite(y).any() else np.nan
    return (y - standing) / leg


MIN_GAIT_SECONDS = 2.5  # shorter clips cannot show a steady gait


def detect_activity(track: Track, view: str = "unknown") -> Classification:
    """Running, walking, squat, single-leg squat or unknown.

    Args:
        track: The cleaned track.
        view: Camera view; in a side view the far ankle looks higher through perspective,
            so a single-leg stance needs a larger height difference to count.
    """
    leg = track.leg_length()
    if not np.isfinite(leg) or leg <= 0 or track.n < track.fs * 1.5:
        return Classification("unknown", "low", {})
    depth = _pelvis_depth(track, leg)
    hip_range = float(np.nanpercentile(depth, 95) - np.nanpercentile(depth, 5))
    ankles = np.stack([track.p(L_ANKLE), track.p(R_ANKLE)])
    foot_travel = float(np.nanmax(np.nanpercentile(ankles[..., 0], 95, axis=1)
                                  - np.nanpercentile(ankles[..., 0], 5, axis=1)) / leg)
    lift = (track.p(R_ANKLE)[:, 1] - track.p(L_ANKLE)[:, 1]) / leg  # >0: left foot higher
    lift_med = float(nanmedian(lift))
    step_f, periodicity = events.dominant_frequency(track.mid_hip[:, 1] / leg, track.fs)
    cadence = step_f * 60.0 if np.isfinite(step_f) else float("nan")
    swing_flex = []
    for side in ("left", "right"):
        lg = LEG[side]
        flex = g.joint_flexion_deg(track.p(lg["hip"]), track.p(lg["knee"]), track.p(lg["ankle"]))
        swing_flex.append(np.nanpercentile(flex, 95) if np.isfinite(flex).any() else np.nan)
    elbow: list[float] = []
    for side in ("left", "right"):
        a = ARM[side]
        bend = g.joint_flexion_deg(track.p(a["shoulder"]), track.p(a["elbow"]),
                                   track.p(a["wrist"]))
        elbow.append(float(nanmedian(bend)))
    evidence = {
        "pelvis_range_leg": round(hip_range, 3),
        "foot_travel_leg": round(foot_travel, 3),
        "ankle_height_difference_leg": round(lift_med, 3),
        "step_frequency_spm": round(cadence, 1) if np.isfinite(cadence) else float("nan"),
        "periodicity": round(periodicity, 3),
        "knee_flexion_p95_deg": round(float(np.nanmax(swing_flex)), 1),
        "elbow_flexion_median_deg": round(float(np.nanmean(elbow)), 1),
    }
    ly, ry = track.p(L_ANKLE)[:, 1], track.p(R_ANKLE)[:, 1]
    both = np.isfinite(ly) & np.isfinite(ry)
    in_phase = float(np.corrcoef(ly[both], ry[both])[0, 1]) if both.sum() > 10 else float("nan")
    evidence["ankle_height_correlation"] = round(in_phase, 3)
    reps = events.detect_reps(depth, track.fs)
    if hip_range > 0.15 and len(reps) >= 1 and foot_travel < 0.6:
        if abs(lift_med) > (0.25 if view == "side" else 0.12):
            return Classification("single_leg_squat", "medium", evidence)
        return Classification("squat", "high" if len(reps) >= 3 else "medium", evidence)
    if (periodicity < 0.3 or not np.isfinite(cadence) or track.n < track.fs * MIN_GAIT_SECONDS
            or not in_phase < 0.3):  # gait alternates the feet; jumps move them together
        return Classification("unknown", "low", evidence)
    run_votes = 0
    run_votes += 2 if cadence >= 150 else (0 if cadence < 135 else 1)
    run_votes += 1 if evidence["knee_flexion_p95_deg"] >= 70 else 0
    run_votes += 1 if evidence["elbow_flexion_median_deg"] >= 45 else 0
    if run_votes >= 3:
        return Classification("running", "high" if run_votes == 4 else "medium", evidence)
    if cadence < 140 and run_votes <= 1:
        return Classification("walking", "medium", evidence)
    return Classification("unknown", "low", evidence)
