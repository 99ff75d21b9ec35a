"""Gait events for running/walking and repetition detection for squats.

Pure functions on cleaned 1-D signals sampled at ``fs`` Hz. Event times are refined below
one sample by fitting a parabola through each peak and its two neighbours.

Methods:
    * Side view: foot strike = the most forward position of the leading foot relative to
      the pelvis, toe-off = the most backward position of the trailing toe (Zeni et al.
      2008). Working on the envelope of both feet makes the step times immune to MediaPipe
      swapping left and right labels in a side view.
    * Front/back view: mid-stance of a foot = the moment it sits lowest in the image
      relative to the other (swinging) foot.
    * Squats: a repetition is a prominent peak of pelvis descent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

STEP_FREQ_BAND_HZ = (0.9, 4.5)  # 54–270 steps/min


@dataclass(frozen=True)
class Rep:
    """One squat repetition, as sample indices."""

    start: int
    bottom: int
    end: int
    depth: float


def refine_peak(x: np.ndarray, i: int) -> float:
    """Sub-sample position of a peak at index ``i`` by parabolic interpolation."""
    if i <= 0 or i >= len(x) - 1:
        return float(i)
    a, b, c = x[i - 1], x[i], x[i + 1]
    denom = a - 2 * b + c
    if not np.isfinite(denom) or denom == 0:
        return float(i)
    return float(i + 0.5 * (a - c) / denom)


def _fill_for_peaks(x: np.ndarray) -> np.ndarray:
    y = np.asarray(x, dtype=float).copy()
    if np.all(np.isnan(y)):
        return np.zeros_like(y)
    y[np.isnan(y)] = np.nanmin(y)  # missing samples can never be peaks
    return y


def dominant_frequency(x: np.ndarray, fs: float,
                       band: tuple[float, float] = STEP_FREQ_BAND_HZ,
                       resolution_hz: float = 0.002) -> tuple[float, float]:
    """Strongest frequency of a signal inside ``band``, on a fine grid (zero-padded DFT).

    Returns:
        (frequency in Hz, share of the band's power in a ±0.1 Hz neighbourhood of the peak,
        0..1, a measure of how clearly periodic the signal is). (nan, 0) when unusable.
    """
    y = np.asarray(x, dtype=float)
    t = np.arange(len(y)) / fs
    ok = np.isfinite(y)
    if ok.sum() < max(8, fs * 1.5):
        return float("nan"), 0.0
    t, y = t[ok], y[ok]
    y = y - np.polyval(np.polyfit(t, y, 1), t)  # remove drift (approach, treadmill belt)
    freqs = np.arange(band[0], band[1], resolution_hz)
    phase = np.exp(-2j * np.pi * np.outer(freqs, t))
    power = np.abs(phase @ y) ** 2
    k = int(np.argmax(power))
    near = np.abs(freqs - freqs[k]) <= 0.1
    share = float(power[near].sum() / power.sum()) if power.sum() > 0 else 0.0
    return float(freqs[k]), share


def peak_times(x: np.ndarray, fs: float, min_period_s: float,
               prominence: float | None = None) -> np.ndarray:
    """Sub-sample times (s) of the peaks of ``x`` at least ``min_period_s`` apart."""
    y = _fill_for_peaks(x)
    distance = max(1, int(min_period_s * fs))
    idx, _ = find_peaks(y, distance=distance, prominence=prominence)
    return np.array([refine_peak(y, int(i)) / fs for i in idx])


def side_view_steps(fwd_left: np.ndarray, fwd_right: np.ndarray, toe_left: np.ndarray,
                    toe_right: np.ndarray, fs: float, step_freq_hz: float,
                    prominence: float = 0.05) -> dict[str, np.ndarray]:
    """Foot strikes and toe-offs from a side view.

    Args:
        fwd_left, fwd_right: Heel position ahead of the pelvis along the direction of
            travel, in leg lengths.
        toe_left, toe_right: Toe position ahead of the pelvis, in leg lengths.
        fs: Sampling rate (Hz).
        step_freq_hz: Expected step frequency (from ``dominant_frequency``).
        prominence: Minimum peak prominence, leg lengths.

    Returns:
        ``strikes`` and ``toe_offs`` times (s), and ``strike_side`` (0 = left, 1 = right
        label leading at the strike).
    """
    min_period = 0.6 / step_freq_hz if np.isfinite(step_freq_hz) and step_freq_hz > 0 else 0.2
    lead = np.fmax(fwd_left, fwd_right)
    trail = np.fmin(toe_left, toe_right)
    strikes = peak_times(lead, fs, min_period, prominence)
    toe_offs = peak_times(-trail, fs, min_period, prominence)
    sides = []
    for t in strikes:
        i = min(len(lead) - 1, round(t * fs))
        left, right = fwd_left[i], fwd_right[i]
        sides.append(0 if (np.nan_to_num(left, nan=-1e9) >= np.nan_to_num(right, nan=-1e9))
                     else 1)
    return {"strikes": strikes, "toe_offs": toe_offs, "strike_side": np.array(sides, dtype=int)}


def toe_off_per_step(trail_toe: np.ndarray, strikes: np.ndarray, fs: float,
                     step_period_s: float, window: tuple[float, float] = (0.3, 1.3)) -> np.ndarray:
    """Toe-off of the foot that struck at each strike, one per step.

    The foot that lands at strike ``i`` leaves the ground around the next strike: shortly
    before it when running (flight phase), after it when walking. Its toe-off is taken as
    the lowest point of the trailing-toe envelope (toe furthest behind the pelvis, Zeni
    2008) inside ``window`` (in step periods after the strike). Searching one window per step
    keeps the other foot's toe-off, which happens near strike ``i``, out of the search, and
    gives exactly one candidate per step instead of every wiggle of the signal.

    Args:
        trail_toe: Position of the rearmost toe ahead of the pelvis (leg lengths), per sample.
        strikes: Foot-strike times (s).
        fs: Sampling rate (Hz).
        step_period_s: Typical time between strikes.
        window: Search window, in step periods after the strike.

    Returns:
        Toe-off time (s) per strike; NaN when the lowest point sits on the window's edge (no
        clear minimum), data are missing, or the step period is unknown.
    """
    out = np.full(len(strikes), np.nan)
    if not np.isfinite(step_period_s) or step_period_s <= 0:
        return out
    y = np.asarray(trail_toe, dtype=float)
    for k, s in enumerate(strikes):
        a = int(np.ceil((s + window[0] * step_period_s) * fs))
        b = int(np.floor((s + window[1] * step_period_s) * fs))
        if a < 0 or b >= len(y) or b - a < 2:
            continue
        seg = y[a: b + 1]
        if np.isnan(seg).any():
            continue
        j = int(np.argmin(seg))
        if j == 0 or j == len(seg) - 1:
            continue
        out[k] = refine_peak(-y, a + j) / fs
    return out


def stance_times(strikes: np.ndarray, toe_offs: np.ndarray) -> np.ndarray:
    """Contact time of each strike: the first toe-off before the next strike.

    Strikes with no toe-off before the next strike (walking double support is not modelled
    here; missing events) get NaN.
    """
    out = np.full(len(strikes), np.nan)
    for i, s in enumerate(strikes):
        nxt = strikes[i + 1] if i + 1 < len(strikes) else np.inf
        cand = toe_offs[(toe_offs > s) & (toe_offs < nxt)]
        if len(cand) and np.isfinite(nxt):
            out[i] = cand[0] - s
    return out


def front_view_midstance(ankle_left_y: np.ndarray, ankle_right_y: np.ndarray, fs: float,
                         step_freq_hz: float, prominence: float = 0.04) -> dict[str, np.ndarray]:
    """Mid-stance times of each foot from a front or back view.

    Args:
        ankle_left_y, ankle_right_y: Ankle heights in leg lengths (y down: larger = lower).
        fs: Sampling rate (Hz).
        step_freq_hz: Expected step frequency.
        prominence: Minimum prominence in leg lengths.

    Returns:
        ``left`` and ``right`` mid-stance times (s).
    """
    stride_period = 2.0 / step_freq_hz if np.isfinite(step_freq_hz) and step_freq_hz > 0 else 0.6
    d = ankle_left_y - ankle_right_y
    return {
        "left": peak_times(d, fs, 0.6 * stride_period, prominence),
        "right": peak_times(-d, fs, 0.6 * stride_period, prominence),
    }


def cadence_from_steps(step_times: np.ndarray) -> float:
    """Steps per minute over the span of the detected steps: 60·(N−1)/(t_N − t_1).

    Using the whole span rather than a median of intervals avoids the quantisation of
    single intervals to whole frames.
    """
    t = np.sort(np.asarray(step_times, dtype=float))
    if len(t) < 3 or t[-1] <= t[0]:
        return float("nan")
    return 60.0 * (len(t) - 1) / (t[-1] - t[0])


def regular_steps(step_times: np.ndarray, expected_period_s: float,
                  tolerance: float = 0.35) -> np.ndarray:
    """Keep the longest run of steps whose intervals stay within ±tolerance of expected."""
    t = np.sort(np.asarray(step_times, dtype=float))
    if len(t) < 2 or not np.isfinite(expected_period_s):
        return t
    good = np.abs(np.diff(t) / expected_period_s - 1.0) <= tolerance
    best: tuple[int, int] = (0, 1)
    start = 0
    for i, g in enumerate(np.append(good, False)):
        if not g:
            if i + 1 - start > best[1] - best[0]:
                best = (start, i + 1)
            start = i + 1
    return t[best[0]: best[1]]


def detect_reps(depth: np.ndarray, fs: float, min_depth: float = 0.12,
                min_period_s: float = 0.8, include_cut: bool = False) -> list[Rep]:
    """Squat repetitions from pelvis descent (leg lengths, positive = lower).

    Args:
        depth: Pelvis height below its standing level, in leg lengths.
        fs: Sampling rate (Hz).
        min_depth: Minimum prominence of a repetition, leg lengths.
        min_period_s: Minimum time between two bottoms.
        include_cut: Also count a repetition the clip cuts off at its start or end (its
            deepest point is then the clip's edge, so it serves to recognise a squat, not
            to measure one).

    Returns:
        Repetitions in time order.
    """
    y = _fill_for_peaks(depth)
    if include_cut and len(y):
        floor = float(np.min(y))
        y = np.concatenate([[floor], y, [floor]])
        return [Rep(max(0, r.start - 1), min(len(depth) - 1, r.bottom - 1),
                    min(len(depth) - 1, r.end - 1), r.depth)
                for r in detect_reps(y, fs, min_depth, min_period_s)]
    idx, props = find_peaks(y, prominence=min_depth, distance=max(1, int(min_period_s * fs)))
    reps = []
    for i, left, right in zip(idx, props["left_bases"], props["right_bases"], strict=True):
        reps.append(Rep(int(left), int(i), int(right), float(y[i])))
    return reps
