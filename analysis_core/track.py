"""The cleaned landmark track of the main subject, with derived body signals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from analysis_core import geometry as g
from analysis_core.pose import L_HIP, L_SHOULDER, LEG, R_HIP, R_SHOULDER


def nanmedian(x: np.ndarray, axis: int | None = None) -> np.ndarray | float:
    """``np.nanmedian`` without the all-NaN warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(x, axis=axis)


@dataclass
class Track:
    """Landmarks of the main subject sampled at a constant rate.

    Attributes:
        lm: (T, 33, 4) cleaned landmarks in pixels of the analysed (downscaled) frames.
        fs: Pose sampling rate in Hz (recorded fps / stride).
        frame_index: (T,) index of each sample in the recorded video.
        width: Width of the analysed frames in pixels.
        height: Height of the analysed frames in pixels.
        raw: (T, 33, 4) landmarks before cleaning (for quality checks).
    """

    lm: np.ndarray
    fs: float
    frame_index: np.ndarray
    width: int
    height: int
    raw: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of samples."""
        return len(self.lm)

    @property
    def time(self) -> np.ndarray:
        """Sample times in seconds."""
        return np.arange(self.n) / self.fs

    def p(self, index: int) -> np.ndarray:
        """(T, 2) pixel positions of one landmark."""
        return self.lm[:, index, :2]

    def mid(self, a: int, b: int) -> np.ndarray:
        """Midpoint of two landmarks over time."""
        return (self.p(a) + self.p(b)) / 2.0

    @property
    def mid_hip(self) -> np.ndarray:
        """Pelvis centre."""
        return self.mid(L_HIP, R_HIP)

    @property
    def mid_shoulder(self) -> np.ndarray:
        """Shoulder centre."""
        return self.mid(L_SHOULDER, R_SHOULDER)

    def leg_length(self) -> float:
        """Typical hip-to-ankle length in pixels (longer of the two legs, robust median)."""
        lengths = []
        for side in ("left", "right"):
            leg = LEG[side]
            thigh = g.distance(self.p(leg["hip"]), self.p(leg["knee"]))
            shank = g.distance(self.p(leg["knee"]), self.p(leg["ankle"]))
            lengths.append(float(nanmedian(thigh + shank)))
        finite = [v for v in lengths if np.isfinite(v)]
        return max(finite) if finite else float("nan")

    def torso_length(self) -> float:
        """Typical shoulder-centre to hip-centre distance in pixels."""
        return float(nanmedian(g.distance(self.mid_shoulder, self.mid_hip)))

    def at(self, signal: np.ndarray, t: float) -> np.ndarray:
        """Value of a per-sample signal at time ``t`` (nearest sample)."""
        i = int(np.clip(round(t * self.fs), 0, self.n - 1))
        return signal[i]

    def sample(self, t: float) -> int:
        """Nearest sample index for time ``t``."""
        return int(np.clip(round(t * self.fs), 0, self.n - 1))


def build_track(raw: np.ndarray, fs: float, frame_index: np.ndarray, width: int, height: int,
                keep: np.ndarray | None = None, fix_swaps: bool = False) -> Track:
    """Clean raw landmarks into a ``Track``.

    Args:
        raw: (T, 33, 4) landmarks from the pose pass (NaN rows where nobody was found).
        fs: Pose sampling rate (Hz).
        frame_index: Recorded frame index per sample.
        width: Analysed frame width.
        height: Analysed frame height.
        keep: Samples belonging to the main subject; others are blanked.
        fix_swaps: Repair left/right leg label exchanges (side views).
    """
    from analysis_core.filtering import clean_landmarks
    from analysis_core.main_subject import fix_leg_swaps

    data = raw.copy()
    if keep is not None:
        data[~keep] = np.nan
    notes = []
    if fix_swaps:
        data, fixed = fix_leg_swaps(data)
        if fixed:
            notes.append(f"left/right leg labels repaired in {fixed} samples")
    lm = clean_landmarks(data, fs)
    return Track(lm=lm, fs=fs, frame_index=frame_index, width=width, height=height, raw=data,
                 notes=notes)


OTHER = {"left": "right", "right": "left"}


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


def leg_joints(side: str) -> tuple[int, int, int]:
    """Hip, knee and ankle landmarks of one leg: the joints a knee angle is drawn on."""
    leg = LEG[side]
    return (leg["hip"], leg["knee"], leg["ankle"])
