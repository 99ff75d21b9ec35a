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
from content_schema import vocabulary

#: What the classifier may answer: a known activity or view, or "unknown".
ACTIVITIES = (*vocabulary.ACTIVITIES, "unknown")
VIEWS = (*vocabulary.VIEWS, "unknown")


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


def _per_torso(track: Track, y: np.ndarray) -> np.ndarray:
    """Heights relative to the pelvis in torso lengths of the same frame, so a person who
    grows in the picture while approaching the camera keeps the same numbers."""
    torso = g.distance(track.mid_shoulder, track.mid_hip)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (y - track.mid_hip[:, 1]) / torso


def step_rhythm(track: Track) -> tuple[float, float]:
    """(steps per second, periodicity 0..1) of the clip's gait.

    The pelvis bounces once per step; when that bounce is blurred (a person walking towards
    the camera sinks in the picture) the feet, which take turns being lower, still show the
    rhythm: once per stride, that is every second step.
    """
    leg = track.leg_length()
    step_f, periodicity = events.dominant_frequency(track.mid_hip[:, 1] / leg, track.fs)
    alternation = _per_torso(track, track.p(R_ANKLE)[:, 1]) - _per_torso(
        track, track.p(L_ANKLE)[:, 1])
    band = events.STEP_FREQ_BAND_HZ
    stride_f, stride_periodicity = events.dominant_frequency(
        alternation, track.fs, band=(band[0] / 2, band[1] / 2))
    if stride_periodicity >= CLEAR_RHYTHM and stride_periodicity > periodicity + 0.1:
        return 2 * stride_f, stride_periodicity
    return step_f, periodicity


CLEAR_RHYTHM = 0.5  # periodicity of a foot-alternation signal that is clearly a gait
MIN_GAIT_SECONDS = 2.5  # shorter clips cannot show a steady gait
# In gait the feet take turns being high and low; in a squat both stay planted (or, in a
# single-leg squat, one stays lifted), so their height difference barely changes.
FEET_ALTERNATE_LEG = 0.2
# A planted foot moves less than this (leg lengths) in the picture; a person walking or
# running towards or away from the camera moves both feet much further.
PLANTED_FOOT_LEG = 0.35


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
    # A squat keeps at least one foot planted: it barely moves in the picture, either way.
    planted_travel = float(np.nanmin(np.nanmax(
        np.nanpercentile(ankles, 95, axis=1) - np.nanpercentile(ankles, 5, axis=1), axis=-1))
        / leg)
    lift = (track.p(R_ANKLE)[:, 1] - track.p(L_ANKLE)[:, 1]) / leg  # >0: left foot higher
    lift_med = float(nanmedian(lift))
    step_f, periodicity = step_rhythm(track)
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
        "planted_foot_travel_leg": round(planted_travel, 3),
        "ankle_height_difference_leg": round(lift_med, 3),
        "step_frequency_spm": round(cadence, 1) if np.isfinite(cadence) else float("nan"),
        "periodicity": round(periodicity, 3),
        "knee_flexion_p95_deg": round(float(np.nanmax(swing_flex)), 1),
        "elbow_flexion_median_deg": round(float(np.nanmean(elbow)), 1),
    }
    ly = _per_torso(track, track.p(L_ANKLE)[:, 1])
    ry = _per_torso(track, track.p(R_ANKLE)[:, 1])
    both = np.isfinite(ly) & np.isfinite(ry)
    in_phase = float(np.corrcoef(ly[both], ry[both])[0, 1]) if both.sum() > 10 else float("nan")
    evidence["ankle_height_correlation"] = round(in_phase, 3)
    alternation = float(np.nanpercentile(lift, 95) - np.nanpercentile(lift, 5))
    evidence["ankle_alternation_leg"] = round(alternation, 3)
    feet_alternate = in_phase < 0 and alternation > FEET_ALTERNATE_LEG
    reps = events.detect_reps(depth, track.fs, include_cut=True)
    planted = foot_travel < 0.6 and planted_travel < PLANTED_FOOT_LEG
    if hip_range > 0.15 and reps and planted and not feet_alternate:
        if abs(lift_med) > (0.25 if view == "side" else 0.12):
            return Classification("single_leg_squat", "medium", evidence)
        return Classification("squat", "high" if len(reps) >= 3 else "medium", evidence)
    return _gait(track, evidence, cadence, periodicity, in_phase)


def _gait(track: Track, evidence: dict[str, float], cadence: float, periodicity: float,
          in_phase: float) -> Classification:
    """Running, walking or unknown for a clip that is not a squat.

    The rhythm (cadence) and the posture (swing-knee and elbow bend) vote. A clear running
    posture wins even when the rhythm is unreadable, as in slow motion, a screen recording
    with frozen frames, or a clip with cuts; a clear rhythm needs some posture support.
    """
    if not in_phase < 0.3 or track.n < track.fs * MIN_GAIT_SECONDS:
        return Classification("unknown", "low", evidence)  # jumps move the feet together
    knee, elbow = evidence["knee_flexion_p95_deg"], evidence["elbow_flexion_median_deg"]
    posture = (2 if knee >= 100 else 1 if knee >= 70 else 0) + (
        2 if elbow >= 70 else 1 if elbow >= 45 else 0)
    rhythm_clear = periodicity >= 0.3 and np.isfinite(cadence)
    rhythm = (2 if cadence >= 150 else 1 if cadence >= 135 else 0) if rhythm_clear else 0
    if posture >= 4 and in_phase < 0:
        return Classification("running", "high" if rhythm == 2 else "medium", evidence)
    if rhythm_clear and rhythm + posture >= 3 and rhythm >= 1:
        return Classification("running", "high" if rhythm + posture >= 4 else "medium",
                              evidence)
    if rhythm_clear and cadence < 140 and rhythm + posture <= 1:
        return Classification("walking", "medium", evidence)
    return Classification("unknown", "low", evidence)
