"""Running measures: the strides found once per clip, and one function per measure.

``FrontalStrides`` (front or back view: mid-stance of each foot) and ``SideStrides`` (side
view: foot strikes and toe-offs) find the events once; each measure function of
``analysis_core.measures`` then reads its values at those events. A measure function takes
the strides and the measure's unit and returns its report entry, or None when the clip
does not allow it; ``MeasureOmitted`` carries a more specific reason. Walking's only
measure, its cadence, is at the end.

Limitations: all angles are 2-D projections on the image plane; side-view left/right labels
can be swapped by the pose model (repaired by continuity, with less confidence).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from analysis_core import events
from analysis_core import geometry as g
from analysis_core.classify import step_rhythm
from analysis_core.filtering import robust_summary
from analysis_core.pose import ARM, L_ANKLE, L_HIP, L_SHOULDER, LEG, R_ANKLE, R_HIP, R_SHOULDER
from analysis_core.summary import (
    SIDES,
    Entry,
    Illustration,
    MeasureOmitted,
    confidence,
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
    nanmedian,
)

if TYPE_CHECKING:
    from analysis_core.measures import MeasureDefinition

MIN_STANCES_PER_SIDE = 3
PerSide = dict[str, np.ndarray]


@dataclass(frozen=True)
class Rhythm:
    """The step frequency from the pelvis bounce and how periodic the bounce is."""

    step_f: float
    periodicity: float

    @classmethod
    def of(cls, track: Track) -> Rhythm:
        """Dominant frequency of the pelvis height, in leg lengths."""
        step_f, periodicity = events.dominant_frequency(
            track.mid_hip[:, 1] / track.leg_length(), track.fs)
        return cls(step_f, periodicity)

    @property
    def step_period(self) -> float:
        """Seconds per step (NaN without a rhythm)."""
        return 1.0 / self.step_f if self.step_f > 0 else float("nan")


def cadence_entry(steps: np.ndarray, rhythm: Rhythm, unit: str, method: str) -> Entry:
    """Cadence over the regular steps, checked against the pelvis bounce spectrum."""
    cad = events.cadence_from_steps(steps)
    spectral = rhythm.step_f * 60.0
    agree = bool(np.isfinite(cad) and abs(cad - spectral) / spectral < 0.03)
    return {
        "value": rounded(cad if np.isfinite(cad) else spectral),
        "unit": unit,
        "confidence": confidence(len(steps), 6, 12, "high" if agree else "medium",
                                 0 if rhythm.periodicity > 0.3 else 1),
        "spectral_check_spm": rounded(spectral),
        "n": len(steps),
        "method": method,
    }


# --------------------------------------------------------------------------- front / back


@dataclass
class FrontalStrides:
    """Running filmed from the front or the back: mid-stance moments of each foot.

    Attributes:
        track: The runner's landmarks.
        rhythm: Step frequency from the pelvis bounce.
        midstances: Per side, times (s) when that foot was lowest relative to the other.
        steps: Times of the regular steps of both feet together.
    """

    track: Track
    rhythm: Rhythm
    midstances: dict[str, np.ndarray]
    steps: np.ndarray

    @classmethod
    def find(cls, track: Track) -> FrontalStrides:
        """Mid-stance events of alternating feet and the regular steps among them."""
        leg_len = track.leg_length()
        rhythm = Rhythm.of(track)
        mids = events.front_view_midstance(track.p(L_ANKLE)[:, 1] / leg_len,
                                           track.p(R_ANKLE)[:, 1] / leg_len, track.fs,
                                           rhythm.step_f)
        steps = np.sort(np.concatenate([mids["left"], mids["right"]]))
        return cls(track, rhythm, mids, events.regular_steps(steps, rhythm.step_period))

    def counts(self) -> dict[str, int]:
        """Event counts for the report."""
        return {"steps": len(self.steps), "left_stances": len(self.midstances["left"]),
                "right_stances": len(self.midstances["right"])}

    def samples(self, side: str) -> list[int]:
        """Sample index of each mid-stance on one leg."""
        return [self.track.sample(t) for t in self.midstances[side]]

    def at_midstance(self, series: PerSide) -> dict[str, list[float]]:
        """Each leg's signal at that leg's mid-stances."""
        return {side: [float(series[side][i]) for i in self.samples(side)] for side in SIDES}

    @cached_property
    def knee_fppa(self) -> PerSide:
        """Knee FPPA over time per leg (degrees, valgus positive)."""
        return {side: fppa_series(self.track, side) for side in SIDES}

    @cached_property
    def hip_tilt(self) -> np.ndarray:
        """Tilt of the left-to-right hip line over time (degrees)."""
        return g.line_tilt_deg(self.track.p(L_HIP), self.track.p(R_HIP))

    @cached_property
    def hip_tilt_average(self) -> float:
        """The clip's median hip-line tilt: the camera's share of the tilt."""
        return float(nanmedian(self.hip_tilt))

    @cached_property
    def pelvic_drop(self) -> PerSide:
        """Hip-line tilt towards the swing side, relative to the clip's average tilt."""
        base = self.hip_tilt_average
        return {side: g.pelvic_drop_deg(self._p(side, "hip"), self._p(OTHER[side], "hip"),
                                        base if side == "left" else -base)
                for side in SIDES}

    @cached_property
    def foot_progression(self) -> PerSide:
        """Heel-to-toe line from the image vertical, toe-out positive."""
        return {side: g.foot_progression_deg(self._p(side, "heel"), self._p(side, "foot"),
                                             self._p(OTHER[side], "heel"))
                for side in SIDES}

    @cached_property
    def step_width(self) -> PerSide:
        """Ankle's distance outward from the pelvis centre, in hip widths."""
        hip_w = float(nanmedian(g.distance(self.track.p(L_HIP), self.track.p(R_HIP))))
        return {side: -g.medial_offset(self._p(side, "ankle"), self.track.mid_hip,
                                       self._p(side, "hip"), self._p(OTHER[side], "hip"), hip_w)
                for side in SIDES}

    def _p(self, side: str, joint: str) -> np.ndarray:
        return self.track.p(LEG[side][joint])


def frontal_cadence(strides: FrontalStrides, unit: str) -> Entry:
    """Steps per minute from mid-stance events."""
    return cadence_entry(
        strides.steps, strides.rhythm, unit,
        "mid-stance events of alternating feet; checked against pelvis bounce spectrum")


def frontal_knee_fppa(strides: FrontalStrides, unit: str) -> Entry:
    """Knee FPPA at mid-stance, per leg."""
    return per_side(
        strides.at_midstance(strides.knee_fppa), unit, "medium", 3, 6,
        "angle between thigh and shank at mid-stance, positive = knee inward (valgus)")


def frontal_pelvic_drop(strides: FrontalStrides, unit: str) -> Entry:
    """Pelvic drop at mid-stance, per stance leg."""
    return per_side(
        strides.at_midstance(strides.pelvic_drop), unit, "medium", 3, 6,
        "hip line tilt at mid-stance on this leg, swing side lower = positive, "
        "relative to the clip's average tilt")


def foot_progression(strides: FrontalStrides, unit: str) -> Entry:
    """Toe-out angle at mid-stance, per foot."""
    return per_side(
        strides.at_midstance(strides.foot_progression), unit, "low", 3, 6,
        "heel-to-toe line from the image vertical at mid-stance, toe-out positive (rough in 2-D)")


def step_width(strides: FrontalStrides, unit: str) -> Entry:
    """Stance ankle outward of the pelvis centre at mid-stance, per foot."""
    return per_side(
        strides.at_midstance(strides.step_width), unit, "medium", 3, 6,
        "stance ankle's distance outward from the pelvis centre; below 0 = crossing the midline")


def arm_swing_asymmetry(strides: FrontalStrides, unit: str) -> Entry | None:
    """Left-right difference of the vertical wrist excursion; None without both arms."""
    track = strides.track
    excursion = {}
    for side in SIDES:
        wrist_y = ((track.p(ARM[side]["wrist"])[:, 1] - track.mid_shoulder[:, 1])
                   / track.torso_length())
        if np.isfinite(wrist_y).sum() > track.fs:
            excursion[side] = float(np.nanpercentile(wrist_y, 95) - np.nanpercentile(wrist_y, 5))
    if len(excursion) < 2:
        return None
    return {
        "value": rounded(g.asymmetry_pct(excursion["left"], excursion["right"])),
        "unit": unit,
        "left": rounded(excursion["left"], 3),
        "right": rounded(excursion["right"], 3),
        "confidence": confidence(len(strides.steps), 6, 12, "medium"),
        "method": "vertical wrist excursion relative to the shoulders, |L-R|/mean",
    }


def trunk_rotation_asymmetry(strides: FrontalStrides, unit: str) -> Entry | None:
    """Difference between the peak shoulder-line rotations each way; None when unseen."""
    track = strides.track
    z_l, z_r = track.lm[:, L_SHOULDER, 2], track.lm[:, R_SHOULDER, 2]
    dx = np.abs(track.p(L_SHOULDER)[:, 0] - track.p(R_SHOULDER)[:, 0])
    rot = np.degrees(np.arctan2(z_l - z_r, dx))
    if np.isfinite(rot).sum() <= track.fs:
        return None
    rot = rot - nanmedian(rot)
    to_left, to_right = float(np.nanpercentile(rot, 95)), float(-np.nanpercentile(rot, 5))
    return {
        "value": rounded(abs(to_left - to_right)),
        "unit": unit,
        "left": rounded(to_left),
        "right": rounded(to_right),
        "confidence": "low",
        "method": "shoulder-line rotation from the pose model's relative depth; "
                  "peak each way, difference",
    }


def frontal_knee_fppa_pictures(strides: FrontalStrides,
                               measure: MeasureDefinition) -> Illustration:
    """Knee FPPA over time per leg, and the typical mid-stance of each leg."""
    return knee_angle_pictures(
        strides.track, measure.key, measure.series_name,
        measure.keyframe_caption("running"),
        strides.knee_fppa, {side: strides.samples(side) for side in SIDES}, strides.midstances)


def pelvis_tilt_picture(strides: FrontalStrides, measure: MeasureDefinition) -> Illustration:
    """Hip-line tilt over time relative to its average, with the steps marked."""
    tilt = {"t": strides.track.time, "y": strides.hip_tilt - strides.hip_tilt_average,
            "events": strides.steps}
    return Illustration(series={measure.series_name: tilt})


# --------------------------------------------------------------------------- side


def ahead_of_pelvis(track: Track, facing: float, index: int) -> np.ndarray:
    """How far a landmark is ahead of the pelvis centre, in leg lengths, over time."""
    return facing * (track.p(index)[:, 0] - track.mid_hip[:, 0]) / track.leg_length()


@dataclass
class SideStrides:
    """Running filmed from the side: foot strikes, their legs, and the regular steps.

    Attributes:
        track: The runner's landmarks (leg swaps repaired).
        fps_recorded: The clip's recorded frame rate (timing precision).
        rhythm: Step frequency from the pelvis bounce.
        facing: +1 when the runner faces image-right, -1 when facing image-left.
        strikes: Times (s) of the foot strikes.
        strike_sides: The leg of each strike.
        steps: Times of the regular strikes.
    """

    track: Track
    fps_recorded: float
    rhythm: Rhythm
    facing: float
    strikes: np.ndarray
    strike_sides: list[str]
    steps: np.ndarray

    @classmethod
    def find(cls, track: Track, fps_recorded: float) -> SideStrides:
        """Foot strikes of both feet (Zeni 2008) and the regular steps among them."""
        rhythm = Rhythm.of(track)
        facing = facing_sign(track)
        heel = {side: ahead_of_pelvis(track, facing, LEG[side]["heel"]) for side in SIDES}
        toe = {side: ahead_of_pelvis(track, facing, LEG[side]["foot"]) for side in SIDES}
        ev = events.side_view_steps(heel["left"], heel["right"], toe["left"], toe["right"],
                                    track.fs, rhythm.step_f)
        strikes = ev["strikes"]
        return cls(track, fps_recorded, rhythm, facing, strikes,
                   [SIDES[int(s)] for s in ev["strike_side"]],
                   events.regular_steps(strikes, rhythm.step_period))

    def ahead(self, index: int) -> np.ndarray:
        """How far a landmark is ahead of the pelvis, in leg lengths, over time."""
        return ahead_of_pelvis(self.track, self.facing, index)

    def counts(self) -> dict[str, int]:
        """Event counts for the report."""
        return {"steps": len(self.steps), "strikes_detected": len(self.strikes),
                "toe_offs_detected": int(np.isfinite(self.toe_offs).sum())}

    @property
    def swap_downgrade(self) -> int:
        """One confidence level less when leg labels had to be repaired."""
        return 1 if self.track.notes else 0

    def strike_samples(self, side: str) -> list[int]:
        """Sample index of each strike of one leg."""
        return [self.track.sample(t)
                for t, s in zip(self.strikes, self.strike_sides, strict=True) if s == side]

    def at_strikes(self, series: PerSide) -> dict[str, list[float]]:
        """Each leg's signal at that leg's strikes."""
        return {side: [float(series[side][i]) for i in self.strike_samples(side)]
                for side in SIDES}

    @cached_property
    def knee_flexion(self) -> PerSide:
        """Knee flexion over time per leg (degrees)."""
        return {side: knee_flexion_series(self.track, side) for side in SIDES}

    @cached_property
    def toe_offs(self) -> np.ndarray:
        """Toe-off time after each strike (NaN where none was found)."""
        trail_toe = np.fmin(self.ahead(LEG["left"]["foot"]), self.ahead(LEG["right"]["foot"]))
        return events.toe_off_per_step(trail_toe, self.strikes, self.track.fs,
                                       self.rhythm.step_period)

    def contact_times(self) -> dict[str, list[float]]:
        """Per leg, the seconds from each strike to its toe-off."""
        contact: dict[str, list[float]] = {"left": [], "right": []}
        for side, seconds in zip(self.strike_sides, self.toe_offs - self.strikes, strict=True):
            if np.isfinite(seconds):
                contact[side].append(float(seconds))
        return contact


def side_cadence(strides: SideStrides, unit: str) -> Entry:
    """Steps per minute from foot strikes."""
    return cadence_entry(
        strides.steps, strides.rhythm, unit,
        "foot strikes (leading heel furthest ahead of the pelvis, Zeni 2008); "
        "checked against the pelvis bounce spectrum")


def knee_flexion_at_contact(strides: SideStrides, unit: str) -> Entry:
    """Knee flexion of the landing leg at foot strike, per leg."""
    return per_side(
        strides.at_strikes(strides.knee_flexion), unit, "medium", 3, 6,
        "hip-knee-ankle flexion of the leading leg at foot strike",
        downgrades=strides.swap_downgrade)


def overstride(strides: SideStrides, unit: str) -> Entry:
    """Heel ahead of the pelvis at foot strike, over all strikes."""
    heel_ahead = {side: strides.ahead(LEG[side]["heel"]) for side in SIDES}
    over = [float(heel_ahead[side][strides.track.sample(t)])
            for t, side in zip(strides.strikes, strides.strike_sides, strict=True)]
    return single(over, unit, "medium", 4, 8,
                  "heel ahead of the pelvis at foot strike, in leg lengths", nd=3)


def running_trunk_lean(strides: SideStrides, unit: str) -> Entry:
    """Forward trunk lean over the whole clip."""
    track = strides.track
    lean = g.segment_from_vertical_deg(track.mid_hip, track.mid_shoulder, strides.facing)
    return single(lean[np.isfinite(lean)], unit, "high", int(track.fs), int(3 * track.fs),
                  "pelvis-to-shoulder line from vertical, forward positive, median over the clip")


def vertical_oscillation(strides: SideStrides, unit: str) -> Entry:
    """Pelvis rise and fall within each regular step, in % of leg length."""
    track = strides.track
    hip_y = track.mid_hip[:, 1]
    leg_len = track.leg_length()
    osc = []
    for a, b in itertools.pairwise(strides.steps):
        seg = hip_y[track.sample(a): track.sample(b) + 1]
        if np.isfinite(seg).sum() >= 3:
            osc.append(float((np.nanmax(seg) - np.nanmin(seg)) / leg_len * 100.0))
    return single(osc, unit, "medium", 4, 8, "pelvis rise and fall per step")


def contact_time_problem(contact: dict[str, list[float]], step_period: float) -> str:
    """Why contact times cannot be trusted, or "" when they can.

    Running has a flight phase, so a foot must leave the ground before the other lands:
    contact time below the step time. Contact times of a steady runner are also regular.
    """
    n = min(len(contact["left"]), len(contact["right"]))
    if n < MIN_STANCES_PER_SIDE:
        return "too few clear toe-off events on one side or both"
    med = {s: float(np.median(v)) for s, v in contact.items()}
    iqr = {s: float(np.subtract(*np.percentile(v, [75, 25]))) for s, v in contact.items()}
    if any(not 0.1 <= m <= 0.6 for m in med.values()):
        return "toe-off events were not reliable in this footage (implausible contact times)"
    if np.isfinite(step_period) and max(med.values()) >= 0.95 * step_period:
        return ("contact times came out as long as the step time (no flight phase), which "
                "cannot be right for running: foot-strike and toe-off moments are not "
                "precise enough in this footage")
    if any(iqr[s] > 0.25 * med[s] for s in med):
        return "contact times vary too much from step to step to compare the legs"
    return ""


def stance_time_asymmetry(strides: SideStrides, unit: str) -> Entry:
    """Left-right difference of the median contact times.

    Raises:
        MeasureOmitted: When the contact times are implausible, irregular or too few.
    """
    contact = strides.contact_times()
    problem = contact_time_problem(contact, strides.rhythm.step_period)
    if problem:
        raise MeasureOmitted(problem)
    ls, rs = robust_summary(contact["left"]), robust_summary(contact["right"])
    timing_penalty = 1 if strides.fps_recorded < 50 or strides.track.fs < 50 else 0
    return {
        "value": rounded(g.asymmetry_pct(float(ls["median"] or 0), float(rs["median"] or 0))),
        "unit": unit,
        "left_s": rounded(ls["median"], 3),
        "right_s": rounded(rs["median"], 3),
        "confidence": confidence(min(int(ls["n"] or 0), int(rs["n"] or 0)), 3, 6, "medium",
                                 timing_penalty + strides.swap_downgrade),
        "method": "foot strike to toe-off (trailing toe furthest behind the pelvis, one "
                  "per step) per leg, |L-R|/mean of the medians",
    }


def knee_flexion_at_contact_pictures(strides: SideStrides,
                                     measure: MeasureDefinition) -> Illustration:
    """Knee flexion over time per leg, and the typical landing of each leg."""
    return knee_angle_pictures(
        strides.track, measure.key, measure.series_name,
        measure.keyframe_caption("running"),
        strides.knee_flexion, {side: strides.strike_samples(side) for side in SIDES},
        {side: strides.strikes for side in SIDES})


# --------------------------------------------------------------------------- walking


def walking_cadence(track: Track, unit: str) -> Entry:
    """Walking cadence from the step rhythm (no step events are detected for walking)."""
    step_f, periodicity = step_rhythm(track)
    return {
        "value": rounded(step_f * 60.0),
        "unit": unit,
        "confidence": "medium" if periodicity > 0.3 else "low",
        "method": "pelvis bounce spectrum (one bounce per step), or the feet's alternation "
                  "when it is clearer (one cycle per two steps)",
    }
