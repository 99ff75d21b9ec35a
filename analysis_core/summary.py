"""Per-event values summarised into report entries, and what a measure hands to the pictures.

Per-side entries are ``{"left", "right", "unit", "confidence", ...}``, single ones
``{"value", "unit", "confidence", ...}``; both give the median over the events with the
interquartile range as spread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis_core.filtering import robust_summary
from analysis_core.track import Track, leg_joints

CONFIDENCE_LEVELS = ("low", "medium", "high")
SIDES = ("left", "right")

Entry = dict[str, Any]
"""One measure's entry in ``report["metrics"]``."""


class MeasureOmitted(Exception):
    """A measure cannot be trusted on this clip; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
class Illustration:
    """What one measure adds to the pictures: time series to plot and keyframes."""

    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_moments: list[KeyMoment] = field(default_factory=list)


def confidence(n: int, n_min: int, n_good: int, cap: str = "high",
               downgrades: int = 0) -> str:
    """Confidence level from the number of events, a cap set by the method, and penalties."""
    if n < n_min:
        level = 0
    elif n < n_good:
        level = 1
    else:
        level = 2
    level = min(level, CONFIDENCE_LEVELS.index(cap)) - downgrades
    return CONFIDENCE_LEVELS[max(0, level)]


def rounded(v: float | None, nd: int = 1) -> float | None:
    """``v`` rounded for the report, or None when it is missing or not finite."""
    if v is None or not np.isfinite(v):
        return None
    return round(float(v), nd)


def per_side(values: dict[str, list[float]], unit: str, cap: str, n_min: int, n_good: int,
             method: str, downgrades: int = 0) -> Entry:
    """Per-side measure entry from per-event values."""
    summary = {s: robust_summary(values.get(s, [])) for s in SIDES}
    n = min(int(summary["left"]["n"] or 0), int(summary["right"]["n"] or 0))
    if n == 0:
        n = max(int(summary["left"]["n"] or 0), int(summary["right"]["n"] or 0))
    return {
        "left": rounded(summary["left"]["median"]),
        "right": rounded(summary["right"]["median"]),
        "unit": unit,
        "confidence": confidence(n, n_min, n_good, cap, downgrades),
        "spread_iqr": {s: rounded(summary[s]["iqr"]) for s in SIDES},
        "n": {s: summary[s]["n"] for s in SIDES},
        "method": method,
    }


def single(values: list[float] | np.ndarray, unit: str, cap: str, n_min: int, n_good: int,
           method: str, downgrades: int = 0, nd: int = 1) -> Entry:
    """Single-value measure entry from per-event values."""
    s = robust_summary(values)
    return {
        "value": rounded(s["median"], nd),
        "unit": unit,
        "confidence": confidence(int(s["n"] or 0), n_min, n_good, cap, downgrades),
        "spread_iqr": rounded(s["iqr"], nd),
        "n": s["n"],
        "method": method,
    }


def closest_to_median(samples: list[int], values: list[float]) -> int | None:
    """The sample whose value is nearest the median of the finite values (a typical event)."""
    pairs = [(s, v) for s, v in zip(samples, values, strict=True) if np.isfinite(v)]
    if not pairs:
        return None
    med = float(np.median([v for _, v in pairs]))
    return min(pairs, key=lambda p: abs(p[1] - med))[0]


def knee_angle_pictures(track: Track, measure: str, series_name: str, caption: str,
                        angle: dict[str, np.ndarray], samples: dict[str, list[int]],
                        events: dict[str, np.ndarray]) -> Illustration:
    """A knee angle over time per leg, and a keyframe of each leg's typical event.

    Args:
        track: The person's landmarks.
        measure: Key of the measure the keyframes illustrate.
        series_name: Plot the series go to (``<series_name>_left`` / ``_right``).
        caption: Keyframe caption with a ``{side}`` slot.
        angle: Per leg, the angle at every sample.
        samples: Per leg, the samples where the measure was taken.
        events: Per leg, the event times marked on the plot.
    """
    shown = Illustration()
    for side in SIDES:
        shown.series[f"{series_name}_{side}"] = {"t": track.time, "y": angle[side],
                                                 "events": events[side]}
        values = [float(angle[side][i]) for i in samples[side]]
        best = closest_to_median(samples[side], values)
        if best is not None:
            shown.key_moments.append(KeyMoment(best, caption.format(side=side), side, measure,
                                               float(angle[side][best]), leg_joints(side)))
    return shown
