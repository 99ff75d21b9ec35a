"""Knee-relevant measures per activity and view, summarised over strides or repetitions.

Each measure is computed at its key moment (foot strike, mid-stance, deepest point of a
repetition), once per event, and summarised as the median with the interquartile range as
spread. Per-side measures are ``{"left", "right", "unit", "confidence", ...}``, single ones
``{"value", "unit", "confidence", ...}``. A measure the view cannot support is not
computed: it goes to ``omitted`` with the reason.

Limitations: all angles are 2-D projections on the image plane. Frontal-plane angles agree
only moderately with 3-D motion capture, and they depend on the camera facing the person
squarely; side-view left/right labels can be swapped by the pose model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis_core import events
from analysis_core import geometry as g
from analysis_core.classify import step_rhythm
from analysis_core.filtering import robust_summary
from analysis_core.pose import ARM, L_ANKLE, L_HIP, L_SHOULDER, LEG, R_ANKLE, R_HIP, R_SHOULDER
from analysis_core.track import Track, nanmedian

LEVELS = ("low", "medium", "high")
OTHER = {"left": "right", "right": "left"}

# Which measures each view can support (anything else is omitted with a reason).
RUNNING_FRONTAL = ["cadence_spm", "knee_fppa_deg", "pelvic_drop_deg", "foot_progression_deg",
                   "step_width_hip_widths", "arm_swing_asymmetry_pct",
                   "trunk_rotation_asymmetry_deg"]
RUNNING_SIDE = ["cadence_spm", "knee_flexion_at_contact_deg", "overstride", "trunk_lean_deg",
                "vertical_oscillation_pct_leg", "stance_time_asymmetry_pct"]


@dataclass
class KeyMoment:
    """A moment worth a picture: which sample, which leg, which angle."""

    sample: int
    caption: str
    side: str | None
    measure: str
    value: float
    joints: tuple[int, int, int]


@dataclass
class MetricsResult:
    """Everything the metrics stage hands to the report."""

    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    omitted: dict[str, str] = field(default_factory=dict)
    key_moments: list[KeyMoment] = field(default_factory=list)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def confidence(n: int, n_min: int, n_good: int, cap: str = "high",
               downgrades: int = 0) -> str:
    """Confidence level from the number of events, a cap set by the method, and penalties."""
    if n < n_min:
        level = 0
    elif n < n_good:
        level = 1
    else:
        level = 2
    level = min(level, LEVELS.index(cap)) - downgrades
    return LEVELS[max(0, level)]


def _r(v: float | None, nd: int = 1) -> float | None:
    if v is None or not np.isfinite(v):
        return None
    return round(float(v), nd)


def per_side(values: dict[str, list[float]], unit: str, cap: str, n_min: int, n_good: int,
             method: str, downgrades: int = 0) -> dict[str, Any]:
    """Per-side measure entry from per-event values."""
    summary = {s: robust_summary(values.get(s, [])) for s in ("left", "right")}
    n = min(int(summary["left"]["n"] or 0), int(summary["right"]["n"] or 0))
    if n == 0:
        n = max(int(summary["left"]["n"] or 0), int(summary["right"]["n"] or 0))
    return {
        "left": _r(summary["left"]["median"]),
        "right": _r(summary["right"]["median"]),
        "unit": unit,
        "confidence": confidence(n, n_min, n_good, cap, downgrades),
        "spread_iqr": {s: _r(summary[s]["iqr"]) for s in ("left", "right")},
        "n": {s: summary[s]["n"] for s in ("left", "right")},
        "method": method,
    }


def single(values: list[float] | np.ndarray, unit: str, cap: str, n_min: int, n_good: int,
           method: str, downgrades: int = 0, nd: int = 1) -> dict[str, Any]:
    """Single-value measure entry from per-event values."""
    s = robust_summary(values)
    return {
        "value": _r(s["median"], nd),
        "unit": unit,
        "confidence": confidence(int(s["n"] or 0), n_min, n_good, cap, downgrades),
        "spread_iqr": _r(s["iqr"], nd),
        "n": s["n"],
        "method": method,
    }


def facing_sign(track: Track) -> float:
    """+1 when the person faces image-right, -1 when facing image-left (side view)."""
    d = []
    for side in ("left", "right"):
        leg = LEG[side]
        d.append(track.p(leg["foot"])[:, 0] - track.p(leg["heel"])[:, 0])
    val = nanmedian(np.concatenate(d))
    return 1.0 if (np.isfinite(val) and val >= 0) else -1.0


def fppa_series(track: Track, side: str) -> np.ndarray:
    """Knee FPPA over time for one leg (degrees, valgus positive)."""
    leg, other = LEG[side], LEG[OTHER[side]]
    return g.knee_fppa_deg(track.p(leg["hip"]), track.p(leg["knee"]), track.p(leg["ankle"]),
                           track.p(other["hip"]))


def knee_flexion_series(track: Track, side: str) -> np.ndarray:
    """Knee flexion over time for one leg (degrees)."""
    leg = LEG[side]
    return g.joint_flexion_deg(track.p(leg["hip"]), track.p(leg["knee"]), track.p(leg["ankle"]))


def _closest_to_median(samples: list[int], values: list[float]) -> int | None:
    pairs = [(s, v) for s, v in zip(samples, values, strict=True) if np.isfinite(v)]
    if not pairs:
        return None
    med = float(np.median([v for _, v in pairs]))
    return min(pairs, key=lambda p: abs(p[1] - med))[0]


def _omit(result: MetricsResult, names: list[str], reason: str) -> None:
    """Mark measures as omitted, keeping a more specific reason given earlier."""
    for name in names:
        if name not in result.metrics and name not in result.omitted:
            result.omitted[name] = reason


# --------------------------------------------------------------------------- running


def running_frontal(track: Track, fps_recorded: float) -> MetricsResult:
    """Running filmed from the front or the back."""
    res = MetricsResult()
    leg_len = track.leg_length()
    step_f, periodicity = events.dominant_frequency(track.mid_hip[:, 1] / leg_len, track.fs)
    la = track.p(L_ANKLE)[:, 1] / leg_len
    ra = track.p(R_ANKLE)[:, 1] / leg_len
    mids = events.front_view_midstance(la, ra, track.fs, step_f)
    steps = np.sort(np.concatenate([mids["left"], mids["right"]]))
    steps = events.regular_steps(steps, 1.0 / step_f if step_f > 0 else np.nan)
    res.counts = {"steps": len(steps), "left_stances": len(mids["left"]),
                  "right_stances": len(mids["right"])}
    cad = events.cadence_from_steps(steps)
    spectral = step_f * 60.0
    agree = np.isfinite(cad) and abs(cad - spectral) / spectral < 0.03
    res.metrics["cadence_spm"] = {
        "value": _r(cad if np.isfinite(cad) else spectral),
        "unit": "steps/min",
        "confidence": confidence(len(steps), 6, 12, "high" if agree else "medium",
                                 0 if periodicity > 0.3 else 1),
        "spectral_check_spm": _r(spectral),
        "n": len(steps),
        "method": "mid-stance events of alternating feet; checked against pelvis bounce spectrum",
    }
    hip_w = float(nanmedian(g.distance(track.p(L_HIP), track.p(R_HIP))))
    tilt_lr = g.line_tilt_deg(track.p(L_HIP), track.p(R_HIP))
    base = float(nanmedian(tilt_lr))
    shoulder_c = track.mid_shoulder
    vals: dict[str, dict[str, list[float]]] = {k: {"left": [], "right": []} for k in
                                               ("fppa", "drop", "fpa", "width")}
    samples: dict[str, list[int]] = {"left": [], "right": []}
    for side in ("left", "right"):
        leg, other = LEG[side], LEG[OTHER[side]]
        fppa = fppa_series(track, side)
        drop = g.pelvic_drop_deg(track.p(leg["hip"]), track.p(other["hip"]),
                                 base if side == "left" else -base)
        fpa = g.foot_progression_deg(track.p(leg["heel"]), track.p(leg["foot"]),
                                     track.p(other["heel"]))
        width = -g.medial_offset(track.p(leg["ankle"]), track.mid_hip, track.p(leg["hip"]),
                                 track.p(other["hip"]), hip_w)
        for t in mids[side]:
            i = track.sample(t)
            samples[side].append(i)
            vals["fppa"][side].append(float(fppa[i]))
            vals["drop"][side].append(float(drop[i]))
            vals["fpa"][side].append(float(fpa[i]))
            vals["width"][side].append(float(width[i]))
        res.series[f"knee_fppa_{side}"] = {"t": track.time, "y": fppa, "events": mids[side]}
        best = _closest_to_median(samples[side], vals["fppa"][side])
        if best is not None:
            res.key_moments.append(KeyMoment(
                best, f"Mid-stance on the {side} leg: knee angle seen from the front/back",
                side, "knee_fppa_deg", float(fppa[best]), (leg["hip"], leg["knee"], leg["ankle"])))
    res.series["pelvis_tilt"] = {"t": track.time, "y": tilt_lr - base, "events": steps}
    res.metrics["knee_fppa_deg"] = per_side(
        vals["fppa"], "deg", "medium", 3, 6,
        "angle between thigh and shank at mid-stance, positive = knee inward (valgus)")
    res.metrics["pelvic_drop_deg"] = per_side(
        vals["drop"], "deg", "medium", 3, 6,
        "hip line tilt at mid-stance on this leg, swing side lower = positive, "
        "relative to the clip's average tilt")
    res.metrics["foot_progression_deg"] = per_side(
        vals["fpa"], "deg", "low", 3, 6,
        "heel-to-toe line from the image vertical at mid-stance, toe-out positive (rough in 2-D)")
    res.metrics["step_width_hip_widths"] = per_side(
        vals["width"], "hip_widths", "medium", 3, 6,
        "stance ankle's distance outward from the pelvis centre; below 0 = crossing the midline")
    # Arm swing and trunk rotation over whole strides.
    excursion = {}
    for side in ("left", "right"):
        wrist_y = (track.p(ARM[side]["wrist"])[:, 1] - shoulder_c[:, 1]) / track.torso_length()
        if np.isfinite(wrist_y).sum() > track.fs:
            excursion[side] = float(np.nanpercentile(wrist_y, 95) - np.nanpercentile(wrist_y, 5))
    if len(excursion) == 2:
        res.metrics["arm_swing_asymmetry_pct"] = {
            "value": _r(g.asymmetry_pct(excursion["left"], excursion["right"])),
            "unit": "%",
            "left": _r(excursion["left"], 3),
            "right": _r(excursion["right"], 3),
            "confidence": confidence(len(steps), 6, 12, "medium"),
            "method": "vertical wrist excursion relative to the shoulders, |L-R|/mean",
        }
    z_l, z_r = track.lm[:, L_SHOULDER, 2], track.lm[:, R_SHOULDER, 2]
    dx = np.abs(track.p(L_SHOULDER)[:, 0] - track.p(R_SHOULDER)[:, 0])
    rot = np.degrees(np.arctan2(z_l - z_r, dx))
    if np.isfinite(rot).sum() > track.fs:
        rot = rot - nanmedian(rot)
        to_left, to_right = float(np.nanpercentile(rot, 95)), float(-np.nanpercentile(rot, 5))
        res.metrics["trunk_rotation_asymmetry_deg"] = {
            "value": _r(abs(to_left - to_right)),
            "unit": "deg",
            "left": _r(to_left),
            "right": _r(to_right),
            "confidence": "low",
            "method": "shoulder-line rotation from the pose model's relative depth; "
                      "peak each way, difference",
        }
    _omit(res, RUNNING_SIDE, "needs a side view")
    _omit(res, RUNNING_FRONTAL, "not enough clear strides to measure")
    return res


MIN_STANCES_PER_SIDE = 3


def _stance_problem(st: dict[str, list[float]], step_period: float) -> str:
    """Why contact times cannot be trusted, or "" when they can.

    Running has a flight phase, so a foot must leave the ground before the other lands:
    contact time below the step time. Contact times of a steady runner are also regular.
    """
    n = min(len(st["left"]), len(st["right"]))
    if n < MIN_STANCES_PER_SIDE:
        return "too few clear toe-off events on one side or both"
    med = {s: float(np.median(v)) for s, v in st.items()}
    iqr = {s: float(np.subtract(*np.percentile(v, [75, 25]))) for s, v in st.items()}
    if any(not 0.1 <= m <= 0.6 for m in med.values()):
        return "toe-off events were not reliable in this footage (implausible contact times)"
    if np.isfinite(step_period) and max(med.values()) >= 0.95 * step_period:
        return ("contact times came out as long as the step time (no flight phase), which "
                "cannot be right for running: foot-strike and toe-off moments are not "
                "precise enough in this footage")
    if any(iqr[s] > 0.25 * med[s] for s in med):
        return "contact times vary too much from step to step to compare the legs"
    return ""


def running_side(track: Track, fps_recorded: float) -> MetricsResult:
    """Running filmed from the side."""
    res = MetricsResult()
    leg_len = track.leg_length()
    face = facing_sign(track)
    hip_x = track.mid_hip[:, 0]
    step_f, periodicity = events.dominant_frequency(track.mid_hip[:, 1] / leg_len, track.fs)

    def fwd(idx: int) -> np.ndarray:
        return face * (track.p(idx)[:, 0] - hip_x) / leg_len

    ev = events.side_view_steps(fwd(LEG["left"]["heel"]), fwd(LEG["right"]["heel"]),
                                fwd(LEG["left"]["foot"]), fwd(LEG["right"]["foot"]),
                                track.fs, step_f)
    strikes = ev["strikes"]
    regular = events.regular_steps(strikes, 1.0 / step_f if step_f > 0 else np.nan)
    cad = events.cadence_from_steps(regular)
    spectral = step_f * 60.0
    agree = bool(np.isfinite(cad) and abs(cad - spectral) / spectral < 0.03)
    res.counts = {"steps": len(regular), "strikes_detected": len(strikes),
                  "toe_offs_detected": len(ev["toe_offs"])}
    res.metrics["cadence_spm"] = {
        "value": _r(cad if np.isfinite(cad) else spectral),
        "unit": "steps/min",
        "confidence": confidence(len(regular), 6, 12, "high" if agree else "medium",
                                 0 if periodicity > 0.3 else 1),
        "spectral_check_spm": _r(spectral),
        "n": len(regular),
        "method": "foot strikes (leading heel furthest ahead of the pelvis, Zeni 2008); "
                  "checked against the pelvis bounce spectrum",
    }
    flex = {s: knee_flexion_series(track, s) for s in ("left", "right")}
    kfc: dict[str, list[float]] = {"left": [], "right": []}
    over: list[float] = []
    samples: dict[str, list[int]] = {"left": [], "right": []}
    for t, side_i in zip(strikes, ev["strike_side"], strict=True):
        side = ("left", "right")[int(side_i)]
        i = track.sample(t)
        kfc[side].append(float(flex[side][i]))
        samples[side].append(i)
        over.append(float(fwd(LEG[side]["heel"])[i]))
    swap_note = 1 if track.notes else 0
    res.metrics["knee_flexion_at_contact_deg"] = per_side(
        kfc, "deg", "medium", 3, 6, "hip-knee-ankle flexion of the leading leg at foot strike",
        downgrades=swap_note)
    res.metrics["overstride"] = single(
        over, "leg_lengths", "medium", 4, 8,
        "heel ahead of the pelvis at foot strike, in leg lengths", nd=3)
    lean = g.segment_from_vertical_deg(track.mid_hip, track.mid_shoulder, face)
    res.metrics["trunk_lean_deg"] = single(
        lean[np.isfinite(lean)], "deg", "high", int(track.fs), int(3 * track.fs),
        "pelvis-to-shoulder line from vertical, forward positive, median over the clip")
    hip_y = track.mid_hip[:, 1]
    osc = []
    for a, b in itertools.pairwise(regular):
        seg = hip_y[track.sample(a): track.sample(b) + 1]
        if np.isfinite(seg).sum() >= 3:
            osc.append(float((np.nanmax(seg) - np.nanmin(seg)) / leg_len * 100.0))
    res.metrics["vertical_oscillation_pct_leg"] = single(
        osc, "% leg length", "medium", 4, 8, "pelvis rise and fall per step")
    step_period = 1.0 / step_f if step_f > 0 else float("nan")
    trail_toe = np.fmin(fwd(LEG["left"]["foot"]), fwd(LEG["right"]["foot"]))
    toe_offs = events.toe_off_per_step(trail_toe, strikes, track.fs, step_period)
    stance = toe_offs - strikes
    res.counts["toe_offs_detected"] = int(np.isfinite(toe_offs).sum())
    st: dict[str, list[float]] = {"left": [], "right": []}
    for s_i, val in zip(ev["strike_side"], stance, strict=True):
        if np.isfinite(val):
            st[("left", "right")[int(s_i)]].append(float(val))
    reason = _stance_problem(st, step_period)
    if reason:
        res.omitted["stance_time_asymmetry_pct"] = reason
    else:
        ls, rs = robust_summary(st["left"]), robust_summary(st["right"])
        timing_penalty = 1 if fps_recorded < 50 or track.fs < 50 else 0
        res.metrics["stance_time_asymmetry_pct"] = {
            "value": _r(g.asymmetry_pct(float(ls["median"] or 0), float(rs["median"] or 0))),
            "unit": "%",
            "left_s": _r(ls["median"], 3),
            "right_s": _r(rs["median"], 3),
            "confidence": confidence(min(int(ls["n"] or 0), int(rs["n"] or 0)), 3, 6, "medium",
                                     timing_penalty + swap_note),
            "method": "foot strike to toe-off (trailing toe furthest behind the pelvis, one "
                      "per step) per leg, |L-R|/mean of the medians",
        }
    for side in ("left", "right"):
        res.series[f"knee_flexion_{side}"] = {"t": track.time, "y": flex[side],
                                             "events": strikes}
        best = _closest_to_median(samples[side], kfc[side])
        if best is not None:
            leg = LEG[side]
            res.key_moments.append(KeyMoment(
                best, f"Foot strike on the {side} leg: knee bend at landing", side,
                "knee_flexion_at_contact_deg", float(flex[side][best]),
                (leg["hip"], leg["knee"], leg["ankle"])))
    _omit(res, RUNNING_FRONTAL, "needs a front or back view")
    _omit(res, RUNNING_SIDE, "not enough clear strides to measure")
    return res


def walking(track: Track, view: str) -> MetricsResult:
    """Walking: cadence only (the clinical references here are for running)."""
    res = MetricsResult()
    step_f, periodicity = step_rhythm(track)
    res.metrics["cadence_spm"] = {
        "value": _r(step_f * 60.0),
        "unit": "steps/min",
        "confidence": "medium" if periodicity > 0.3 else "low",
        "method": "pelvis bounce spectrum (one bounce per step), or the feet's alternation "
                  "when it is clearer (one cycle per two steps)",
    }
    res.notes.append("walking: only cadence is measured; film running for the running measures")
    _omit(res, RUNNING_FRONTAL + RUNNING_SIDE, "measured for running only")
    return res


# --------------------------------------------------------------------------- squats


def squat_depth_signal(track: Track) -> tuple[np.ndarray, float]:
    """Pelvis descent below standing (leg lengths) and the standing pelvis height (px)."""
    leg_len = track.leg_length()
    y = track.mid_hip[:, 1]
    standing = float(np.nanpercentile(y, 5))
    return (y - standing) / leg_len, standing


def _stance_leg(track: Track, i: int, single_leg: bool) -> list[str]:
    if not single_leg:
        return ["left", "right"]
    ly, ry = track.p(L_ANKLE)[i, 1], track.p(R_ANKLE)[i, 1]
    return ["left"] if np.nan_to_num(ly) >= np.nan_to_num(ry) else ["right"]


def squat(track: Track, view: str, single_leg: bool) -> MetricsResult:
    """Double- or single-leg squats, front/back or side view."""
    res = MetricsResult()
    depth, _ = squat_depth_signal(track)
    reps = events.detect_reps(depth, track.fs)
    res.counts = {"reps": len(reps)}
    res.series["pelvis_descent"] = {"t": track.time, "y": depth * 100.0,
                                    "events": np.array([r.bottom / track.fs for r in reps])}
    if not reps:
        res.omitted["all"] = "no squat repetition found"
        return res
    bottoms = [r.bottom for r in reps]
    res.metrics["squat_depth_pct_leg"] = single(
        [depth[b] * 100.0 for b in bottoms], "% leg length", "high", 2, 3,
        "pelvis descent at the deepest point of each repetition")
    deepest = max(reps, key=lambda r: r.depth).bottom
    frontal = view in ("front", "back")
    frontal_names = ["knee_fppa_deg", "knee_medial_shift_pct_shank", "knee_fppa_lr_difference_deg",
                     "pelvic_drop_deg" if single_leg else "hip_shift_hip_widths"]
    side_names = ["knee_flexion_at_depth_deg", "shank_angle_deg", "trunk_lean_deg"]
    if frontal:
        _squat_frontal(track, reps, single_leg, res)
        _omit(res, side_names, "needs a side view")
        _omit(res, frontal_names, "not enough clear repetitions")
    elif view == "side":
        _squat_side(track, reps, res)
        _omit(res, frontal_names, "needs a front or back view")
        _omit(res, side_names, "not enough clear repetitions")
    else:
        _omit(res, frontal_names + side_names, "camera view could not be recognised")
    if not res.key_moments:
        res.key_moments.append(KeyMoment(deepest, "Deepest point of the squat", None,
                                         "squat_depth_pct_leg", float(depth[deepest] * 100),
                                         (L_HIP, LEG["left"]["knee"], L_ANKLE)))
    return res


def _squat_frontal(track: Track, reps: list[events.Rep], single_leg: bool,
                   res: MetricsResult) -> None:
    hip_w = float(nanmedian(g.distance(track.p(L_HIP), track.p(R_HIP))))
    fppa = {s: fppa_series(track, s) for s in ("left", "right")}
    vals: dict[str, dict[str, list[float]]] = {k: {"left": [], "right": []}
                                               for k in ("fppa", "shift", "drop")}
    hip_shift: list[float] = []
    samples: dict[str, list[int]] = {"left": [], "right": []}
    tilt_lr = g.line_tilt_deg(track.p(L_HIP), track.p(R_HIP))
    for rep in reps:
        i = rep.bottom
        start_tilt = float(nanmedian(tilt_lr[max(0, rep.start - 2): rep.start + 3]))
        for side in _stance_leg(track, i, single_leg):
            leg, other = LEG[side], LEG[OTHER[side]]
            shank = float(g.distance(track.p(leg["knee"])[i], track.p(leg["ankle"])[i]))
            foot_ref = (track.p(leg["ankle"])[i] + track.p(leg["foot"])[i]) / 2.0
            vals["fppa"][side].append(float(fppa[side][i]))
            vals["shift"][side].append(float(g.medial_offset(
                track.p(leg["knee"])[i], foot_ref, track.p(leg["hip"])[i],
                track.p(other["hip"])[i], shank)) * 100.0)
            base = start_tilt if side == "left" else -start_tilt
            vals["drop"][side].append(float(g.pelvic_drop_deg(
                track.p(leg["hip"])[i], track.p(other["hip"])[i], base)))
            samples[side].append(i)
        feet_mid = (track.p(L_ANKLE)[i] + track.p(R_ANKLE)[i]) / 2.0
        to_left = np.sign(track.p(L_HIP)[i, 0] - track.p(R_HIP)[i, 0])
        hip_shift.append(float((track.mid_hip[i, 0] - feet_mid[0]) * to_left / hip_w))
    n_min, n_good = 2, 3
    res.metrics["knee_fppa_deg"] = per_side(
        vals["fppa"], "deg", "medium", n_min, n_good,
        "angle between thigh and shank at the deepest point, positive = knee inward (valgus)")
    res.metrics["knee_medial_shift_pct_shank"] = per_side(
        vals["shift"], "% shank length", "medium", n_min, n_good,
        "knee position inward of the middle of the foot at the deepest point")
    m = res.metrics["knee_fppa_deg"]
    if m["left"] is not None and m["right"] is not None:
        res.metrics["knee_fppa_lr_difference_deg"] = {
            "value": _r(abs(m["left"] - m["right"])), "unit": "deg",
            "confidence": m["confidence"], "method": "|left - right| of the median FPPA"}
    if single_leg:
        res.metrics["pelvic_drop_deg"] = per_side(
            vals["drop"], "deg", "medium", n_min, n_good,
            "lifted-leg side of the pelvis below the standing-leg side, at the deepest point, "
            "relative to the start of the repetition")
    else:
        res.metrics["hip_shift_hip_widths"] = single(
            hip_shift, "hip_widths", "medium", n_min, n_good,
            "pelvis centre sideways from the middle of the feet at the deepest point; "
            "positive = towards the left", nd=3)
    for side in ("left", "right"):
        best = _closest_to_median(samples[side], vals["fppa"][side])
        if best is not None:
            leg = LEG[side]
            res.key_moments.append(KeyMoment(
                best, f"Deepest point, {side} knee angle seen from the front/back", side,
                "knee_fppa_deg", float(fppa[side][best]), (leg["hip"], leg["knee"], leg["ankle"])))
        res.series[f"knee_fppa_{side}"] = {"t": track.time, "y": fppa[side],
                                           "events": np.array(samples[side]) / track.fs}


def _squat_side(track: Track, reps: list[events.Rep], res: MetricsResult) -> None:
    vis = {s: float(nanmedian(track.lm[:, LEG[s]["knee"], 3])) for s in ("left", "right")}
    side = "left" if vis["left"] >= vis["right"] else "right"
    leg = LEG[side]
    face = facing_sign(track)
    flex = knee_flexion_series(track, side)
    shank = g.segment_from_vertical_deg(track.p(leg["ankle"]), track.p(leg["knee"]), face)
    sh = (track.p(L_SHOULDER) + track.p(R_SHOULDER)) / 2.0
    trunk = g.segment_from_vertical_deg(track.mid_hip, sh, face)
    b = [r.bottom for r in reps]
    res.metrics["knee_flexion_at_depth_deg"] = single(
        [flex[i] for i in b], "deg", "high", 2, 3,
        f"hip-knee-ankle flexion at the deepest point ({side} leg, nearer the camera)")
    res.metrics["shank_angle_deg"] = single(
        [shank[i] for i in b], "deg", "high", 2, 3,
        "shank forward tilt from vertical at the deepest point (ankle dorsiflexion)")
    res.metrics["trunk_lean_deg"] = single(
        [trunk[i] for i in b], "deg", "high", 2, 3,
        "pelvis-to-shoulder line forward of vertical at the deepest point")
    res.series["knee_flexion"] = {"t": track.time, "y": flex, "events": np.array(b) / track.fs}
    best = _closest_to_median(b, [float(flex[i]) for i in b])
    if best is not None:
        res.key_moments.append(KeyMoment(best, "Deepest point of a typical repetition", side,
                                         "knee_flexion_at_depth_deg", float(flex[best]),
                                         (leg["hip"], leg["knee"], leg["ankle"])))


# Running is never slower than this; a slower rhythm means the clip's time is stretched
# (a slow-motion clip exported at normal speed, or a screen recording of one).
SLOWEST_RUNNING_SPM = 120.0
TIMING_MEASURES = ("cadence_spm", "stance_time_asymmetry_pct")


def _drop_stretched_timing(res: MetricsResult) -> MetricsResult:
    """Leave out the timing measures when the step rate cannot be real running."""
    cadence = res.metrics.get("cadence_spm", {}).get("value")
    if cadence is not None and cadence < SLOWEST_RUNNING_SPM:
        reason = (f"the steps came {cadence:.0f} a minute, slower than any running: the clip "
                  "seems to be slowed down")
        for name in TIMING_MEASURES:
            res.metrics.pop(name, None)
            res.omitted[name] = reason
        res.counts["stretched_rhythm_spm"] = round(cadence)
    return res


def compute(track: Track, activity: str, view: str, fps_recorded: float) -> MetricsResult:
    """Dispatch to the measures for this activity and view."""
    if activity == "running":
        if view in ("front", "back"):
            return _drop_stretched_timing(running_frontal(track, fps_recorded))
        if view == "side":
            return _drop_stretched_timing(running_side(track, fps_recorded))
        res = MetricsResult()
        _omit(res, RUNNING_FRONTAL + RUNNING_SIDE, "camera view could not be recognised")
        return res
    if activity == "walking":
        return walking(track, view)
    if activity in ("squat", "single_leg_squat"):
        return squat(track, view, activity == "single_leg_squat")
    res = MetricsResult()
    res.omitted["all"] = "the activity could not be recognised"
    return res
