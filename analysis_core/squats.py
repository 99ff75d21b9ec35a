"""Squat and single-leg squat measures: the repetitions found once, one function per measure.

``SquatReps`` finds the repetitions from the pelvis descent; each measure function of
``analysis_core.measures`` reads its values at the deepest point of every repetition (on the
standing leg for single-leg squats). A measure function takes the repetitions and the
measure's unit and returns its report entry, or None when the clip does not allow it.

Limitations: 2-D projections; front/back measures need the camera square to the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from analysis_core import events
from analysis_core import geometry as g
from analysis_core.pose import L_ANKLE, L_HIP, LEG, R_ANKLE, R_HIP
from analysis_core.summary import (
    SIDES,
    Entry,
    Illustration,
    KeyMoment,
    closest_to_median,
    knee_angle_pictures,
    per_side,
    rounded,
    single,
)
from analysis_core.track import (
    OTHER,
    Track,
    facing_sign,
    fppa_series,
    knee_flexion_series,
    leg_joints,
    nanmedian,
)

if TYPE_CHECKING:
    from analysis_core.measures import MeasureDefinition

MIN_REPS, GOOD_REPS = 2, 3
T = TypeVar("T")


def squat_depth_signal(track: Track) -> tuple[np.ndarray, float]:
    """Pelvis descent below standing (leg lengths) and the standing pelvis height (px)."""
    leg_len = track.leg_length()
    y = track.mid_hip[:, 1]
    standing = float(np.nanpercentile(y, 5))
    return (y - standing) / leg_len, standing


@dataclass
class SquatReps:
    """The repetitions of a squat set.

    Attributes:
        track: The person's landmarks.
        single_leg: Single-leg squats (measured on the standing leg only).
        descent: Pelvis descent below standing over time, in leg lengths.
        reps: The repetitions found.
    """

    track: Track
    single_leg: bool
    descent: np.ndarray
    reps: list[events.Rep]

    @classmethod
    def find(cls, track: Track, single_leg: bool) -> SquatReps:
        """Repetitions as prominent peaks of the pelvis descent."""
        descent, _ = squat_depth_signal(track)
        return cls(track, single_leg, descent, events.detect_reps(descent, track.fs))

    @property
    def activity(self) -> str:
        """``single_leg_squat`` or ``squat``."""
        return "single_leg_squat" if self.single_leg else "squat"

    def counts(self) -> dict[str, int]:
        """Repetition count for the report."""
        return {"reps": len(self.reps)}

    @property
    def bottoms(self) -> list[int]:
        """Sample of the deepest point of each repetition."""
        return [r.bottom for r in self.reps]

    def stance_legs(self, i: int) -> list[str]:
        """The legs standing at sample ``i``: both, or the lower foot's in single-leg squats."""
        if not self.single_leg:
            return list(SIDES)
        ly, ry = self.track.p(L_ANKLE)[i, 1], self.track.p(R_ANKLE)[i, 1]
        return ["left"] if np.nan_to_num(ly) >= np.nan_to_num(ry) else ["right"]

    def per_stance_leg(self, value: Callable[[events.Rep, str], T]) -> dict[str, list[T]]:
        """Per standing leg, ``value(rep, side)`` at each repetition."""
        out: dict[str, list[T]] = {"left": [], "right": []}
        for rep in self.reps:
            for side in self.stance_legs(rep.bottom):
                out[side].append(value(rep, side))
        return out

    def stance_samples(self) -> dict[str, list[int]]:
        """Per standing leg, the deepest sample of each repetition."""
        return self.per_stance_leg(lambda rep, _side: rep.bottom)

    @cached_property
    def knee_fppa(self) -> dict[str, np.ndarray]:
        """Knee FPPA over time per leg (degrees, valgus positive)."""
        return {side: fppa_series(self.track, side) for side in SIDES}

    @cached_property
    def camera_side(self) -> str:
        """The leg nearer the camera in a side view (its knee is the more visible)."""
        vis = {s: float(nanmedian(self.track.lm[:, LEG[s]["knee"], 3])) for s in SIDES}
        return "left" if vis["left"] >= vis["right"] else "right"

    def at_bottoms(self, series: np.ndarray) -> list[float]:
        """A signal at the deepest point of each repetition."""
        return [series[i] for i in self.bottoms]



def squat_depth(reps: SquatReps, unit: str) -> Entry:
    """Pelvis descent at the deepest point, in % of leg length."""
    return single([reps.descent[b] * 100.0 for b in reps.bottoms], unit, "high", MIN_REPS,
                  GOOD_REPS, "pelvis descent at the deepest point of each repetition")


def pelvis_descent_picture(reps: SquatReps, measure: MeasureDefinition) -> Illustration:
    """Pelvis descent over time with the deepest points marked."""
    track = reps.track
    descent = {"t": track.time, "y": reps.descent * 100.0,
               "events": np.array([r.bottom / track.fs for r in reps.reps])}
    return Illustration(series={measure.series_name: descent})


def deepest_moment(reps: SquatReps, measure: MeasureDefinition) -> KeyMoment:
    """The deepest repetition, for a picture when no other measure chose one."""
    deepest = max(reps.reps, key=lambda r: r.depth).bottom
    return KeyMoment(deepest, measure.keyframe_caption(reps.activity), None, measure.key,
                     float(reps.descent[deepest] * 100), leg_joints("left"))


# --------------------------------------------------------------------------- front / back


def squat_knee_fppa(reps: SquatReps, unit: str) -> Entry:
    """Knee FPPA at the deepest point, per standing leg."""
    return per_side(
        reps.per_stance_leg(lambda rep, side: float(reps.knee_fppa[side][rep.bottom])),
        unit, "medium", MIN_REPS, GOOD_REPS,
        "angle between thigh and shank at the deepest point, positive = knee inward (valgus)")


def knee_medial_shift(reps: SquatReps, unit: str) -> Entry:
    """Knee inward of the middle of the foot at the deepest point, in % of shank length."""
    track = reps.track

    def shift(rep: events.Rep, side: str) -> float:
        i = rep.bottom
        leg, other = LEG[side], LEG[OTHER[side]]
        shank = float(g.distance(track.p(leg["knee"])[i], track.p(leg["ankle"])[i]))
        foot_ref = (track.p(leg["ankle"])[i] + track.p(leg["foot"])[i]) / 2.0
        return float(g.medial_offset(track.p(leg["knee"])[i], foot_ref, track.p(leg["hip"])[i],
                                     track.p(other["hip"])[i], shank)) * 100.0

    return per_side(reps.per_stance_leg(shift), unit, "medium", MIN_REPS, GOOD_REPS,
                    "knee position inward of the middle of the foot at the deepest point")


def knee_fppa_lr_difference(reps: SquatReps, unit: str) -> Entry | None:
    """Difference of the two knees' median FPPA; None unless both knees were measured."""
    fppa = squat_knee_fppa(reps, unit)
    if fppa["left"] is None or fppa["right"] is None:
        return None
    return {"value": rounded(abs(fppa["left"] - fppa["right"])), "unit": unit,
            "confidence": fppa["confidence"], "method": "|left - right| of the median FPPA"}


def squat_pelvic_drop(reps: SquatReps, unit: str) -> Entry:
    """Lifted-leg side of the pelvis below the standing side, relative to the rep's start."""
    track = reps.track
    tilt = g.line_tilt_deg(track.p(L_HIP), track.p(R_HIP))

    def drop(rep: events.Rep, side: str) -> float:
        i = rep.bottom
        start_tilt = float(nanmedian(tilt[max(0, rep.start - 2): rep.start + 3]))
        base = start_tilt if side == "left" else -start_tilt
        return float(g.pelvic_drop_deg(track.p(LEG[side]["hip"])[i],
                                       track.p(LEG[OTHER[side]]["hip"])[i], base))

    return per_side(
        reps.per_stance_leg(drop), unit, "medium", MIN_REPS, GOOD_REPS,
        "lifted-leg side of the pelvis below the standing-leg side, at the deepest point, "
        "relative to the start of the repetition")


def hip_shift(reps: SquatReps, unit: str) -> Entry:
    """Pelvis centre sideways from the middle of the feet at the deepest point."""
    track = reps.track
    hip_w = float(nanmedian(g.distance(track.p(L_HIP), track.p(R_HIP))))
    shifts = []
    for i in reps.bottoms:
        feet_mid = (track.p(L_ANKLE)[i] + track.p(R_ANKLE)[i]) / 2.0
        to_left = np.sign(track.p(L_HIP)[i, 0] - track.p(R_HIP)[i, 0])
        shifts.append(float((track.mid_hip[i, 0] - feet_mid[0]) * to_left / hip_w))
    return single(shifts, unit, "medium", MIN_REPS, GOOD_REPS,
                  "pelvis centre sideways from the middle of the feet at the deepest point; "
                  "positive = towards the left", nd=3)


def squat_knee_fppa_pictures(reps: SquatReps, measure: MeasureDefinition) -> Illustration:
    """Knee FPPA over time per leg, and the typical deepest point of each standing leg."""
    samples = reps.stance_samples()
    return knee_angle_pictures(
        reps.track, measure.key, measure.series_name,
        measure.keyframe_caption(reps.activity), reps.knee_fppa, samples,
        {side: np.array(samples[side]) / reps.track.fs for side in SIDES})


# --------------------------------------------------------------------------- side


def _knee_flexion_near_camera(reps: SquatReps) -> np.ndarray:
    return knee_flexion_series(reps.track, reps.camera_side)


def knee_flexion_at_depth(reps: SquatReps, unit: str) -> Entry:
    """Knee flexion of the leg nearer the camera at the deepest point."""
    return single(
        reps.at_bottoms(_knee_flexion_near_camera(reps)), unit, "high", MIN_REPS, GOOD_REPS,
        f"hip-knee-ankle flexion at the deepest point ({reps.camera_side} leg, nearer the camera)")


def shank_angle(reps: SquatReps, unit: str) -> Entry:
    """Shank forward tilt from vertical at the deepest point (ankle dorsiflexion)."""
    leg = LEG[reps.camera_side]
    shank = g.segment_from_vertical_deg(reps.track.p(leg["ankle"]), reps.track.p(leg["knee"]),
                                        facing_sign(reps.track))
    return single(reps.at_bottoms(shank), unit, "high", MIN_REPS, GOOD_REPS,
                  "shank forward tilt from vertical at the deepest point (ankle dorsiflexion)")


def squat_trunk_lean(reps: SquatReps, unit: str) -> Entry:
    """Pelvis-to-shoulder line forward of vertical at the deepest point."""
    track = reps.track
    trunk = g.segment_from_vertical_deg(track.mid_hip, track.mid_shoulder, facing_sign(track))
    return single(reps.at_bottoms(trunk), unit, "high", MIN_REPS, GOOD_REPS,
                  "pelvis-to-shoulder line forward of vertical at the deepest point")


def knee_flexion_at_depth_pictures(reps: SquatReps,
                                   measure: MeasureDefinition) -> Illustration:
    """Knee flexion over time and the typical deepest point."""
    flex = _knee_flexion_near_camera(reps)
    bottoms = reps.bottoms
    shown = Illustration(series={measure.series_name: {
        "t": reps.track.time, "y": flex, "events": np.array(bottoms) / reps.track.fs}})
    best = closest_to_median(bottoms, [float(flex[i]) for i in bottoms])
    if best is not None:
        shown.key_moments.append(KeyMoment(best, measure.keyframe_caption(reps.activity),
                                           reps.camera_side, measure.key, float(flex[best]),
                                           leg_joints(reps.camera_side)))
    return shown
