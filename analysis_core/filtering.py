"""Signal cleaning for landmark trajectories: gap filling, outlier removal, low-pass.

Defaults follow Sports2D / Pose2Sim practice (see CLINICAL.md §6): fill gaps shorter than
10 frames, Hampel outlier filter, 4th-order zero-phase Butterworth low-pass at ~6 Hz.
Every function takes and returns a 1-D float array with NaN for missing samples; longer
gaps stay NaN so that no value is invented where the person was not seen.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.signal import butter, filtfilt

MAX_GAP_FRAMES = 10  # frames; longer gaps stay missing
HAMPEL_HALF_WINDOW = 3  # samples each side
HAMPEL_N_SIGMA = 3.0
CUTOFF_HZ = 6.0  # Hz, low-pass cut-off for running and squats
FILTER_ORDER = 4


def nan_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start (inclusive) and end (exclusive) of each run of True values."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.diff(m.astype(np.int8))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def fill_gaps(x: np.ndarray, max_gap: int = MAX_GAP_FRAMES) -> np.ndarray:
    """Linearly interpolate interior NaN runs of at most ``max_gap`` samples."""
    y = np.asarray(x, dtype=float).copy()
    n = len(y)
    for start, end in nan_runs(np.isnan(y)):
        if start == 0 or end == n or end - start > max_gap:
            continue
        left, right = y[start - 1], y[end]
        y[start:end] = np.linspace(left, right, end - start + 2)[1:-1]
    return y


def hampel(x: np.ndarray, half_window: int = HAMPEL_HALF_WINDOW,
           n_sigma: float = HAMPEL_N_SIGMA) -> np.ndarray:
    """Replace outliers by the local median (Hampel identifier).

    A sample is an outlier when it is further than ``n_sigma`` scaled median absolute
    deviations from the median of its window. NaN samples are ignored.
    """
    y = np.asarray(x, dtype=float).copy()
    n = len(y)
    if n < 3:
        return y
    k = 1.4826  # MAD to standard deviation for Gaussian noise
    padded = np.concatenate([np.full(half_window, np.nan), y, np.full(half_window, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_window + 1)
    counts = np.sum(~np.isnan(windows), axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows
        med = np.nanmedian(windows, axis=1)
        mad = k * np.nanmedian(np.abs(windows - med[:, None]), axis=1)
    outlier = (counts >= 3) & (mad > 0) & (np.abs(y - med) > n_sigma * mad)
    y[outlier] = med[outlier]
    return y


def lowpass(x: np.ndarray, fs: float, cutoff_hz: float = CUTOFF_HZ,
            order: int = FILTER_ORDER) -> np.ndarray:
    """Zero-phase Butterworth low-pass applied to each NaN-free segment.

    Segments too short for ``filtfilt``'s padding are left unfiltered. When the cut-off is
    at or above Nyquist the signal is returned unchanged.
    """
    y = np.asarray(x, dtype=float).copy()
    nyquist = fs / 2.0
    if cutoff_hz >= nyquist * 0.95:
        return y
    b, a = butter(order // 2 if order > 2 else order, cutoff_hz / nyquist)
    # filtfilt doubles the order: a 2nd-order design run forwards and backwards is 4th order.
    padlen = 3 * max(len(a), len(b))
    for start, end in nan_runs(~np.isnan(y)):
        if end - start > padlen:
            y[start:end] = filtfilt(b, a, y[start:end], padlen=padlen)
    return y


def clean(x: np.ndarray, fs: float, cutoff_hz: float = CUTOFF_HZ,
          max_gap: int = MAX_GAP_FRAMES) -> np.ndarray:
    """Outlier removal, gap filling and zero-phase low-pass, in that order."""
    return lowpass(fill_gaps(hampel(x), max_gap), fs, cutoff_hz)


def clean_landmarks(landmarks: np.ndarray, fs: float, min_visibility: float = 0.3,
                    cutoff_hz: float = CUTOFF_HZ) -> np.ndarray:
    """Clean x, y and z of every landmark of a (T, 33, 4) array.

    Samples whose visibility is below ``min_visibility`` are treated as missing first.
    Visibility itself is gap-filled but not filtered.
    """
    out = landmarks.astype(float).copy()
    low = out[..., 3] < min_visibility
    for c in range(3):
        out[..., c][low] = np.nan
    _t, n, _ = out.shape
    for j in range(n):
        for c in range(3):
            out[:, j, c] = clean(out[:, j, c], fs, cutoff_hz)
        out[:, j, 3] = fill_gaps(out[:, j, 3])
    return out


def robust_summary(values: np.ndarray | list[float]) -> dict[str, float | int | None]:
    """Median, interquartile range and count of the finite values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return {"median": None, "iqr": None, "n": 0}
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {"median": float(med), "iqr": float(q3 - q1), "n": len(v)}
