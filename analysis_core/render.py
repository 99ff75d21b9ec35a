"""Pictures: annotated keyframes (skeleton + measured angle) and time-series plots.

All drawing is off-screen: OpenCV for keyframes, matplotlib's Agg backend for plots.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis_core.pose import SKELETON
from analysis_core.reference import load
from analysis_core.summary import KeyMoment
from content_schema.vocabulary import SQUAT_ACTIVITIES

SIDE_COLOUR = {"left": (255, 160, 0), "right": (0, 140, 255), None: (0, 220, 0)}  # BGR


def draw_keyframe(frame: np.ndarray, landmarks: np.ndarray, moment: KeyMoment) -> np.ndarray:
    """Skeleton plus the measured joint angle drawn on a copy of ``frame``.

    Args:
        frame: BGR image of the same size the landmarks refer to.
        landmarks: (33, 4) landmarks of that frame (pixels).
        moment: What to highlight.
    """
    img = frame.copy()
    h = img.shape[0]
    thick = max(2, h // 300)
    pts = landmarks[:, :2]

    def ok(i: int) -> bool:
        return bool(np.all(np.isfinite(pts[i])))

    for a, b in SKELETON:
        if ok(a) and ok(b):
            cv2.line(img, tuple(map(int, pts[a])), tuple(map(int, pts[b])), (230, 230, 230),
                     thick, cv2.LINE_AA)
    colour = SIDE_COLOUR.get(moment.side, (0, 220, 0))
    a, k, c = moment.joints
    if ok(a) and ok(k) and ok(c):
        pa, pk, pc = (tuple(map(int, pts[i])) for i in (a, k, c))
        cv2.line(img, pa, pk, colour, thick * 2, cv2.LINE_AA)
        cv2.line(img, pk, pc, colour, thick * 2, cv2.LINE_AA)
        # dashed continuation of the thigh: the angle is measured from it
        d = np.asarray(pts[k]) - np.asarray(pts[a])
        end = np.asarray(pts[k]) + 0.6 * d
        for s in np.linspace(0, 1, 8)[::2]:
            p0 = np.asarray(pts[k]) + s * (end - np.asarray(pts[k]))
            p1 = np.asarray(pts[k]) + (s + 1 / 8) * (end - np.asarray(pts[k]))
            cv2.line(img, tuple(map(int, p0)), tuple(map(int, p1)), colour, thick, cv2.LINE_AA)
        cv2.circle(img, pk, thick * 3, colour, -1, cv2.LINE_AA)
        label = f"{moment.value:.0f} deg" if "deg" in moment.measure else f"{moment.value:.0f}"
        cv2.putText(img, label, (pk[0] + 10, pk[1]), cv2.FONT_HERSHEY_SIMPLEX, h / 900,
                    (0, 0, 0), thick + 2, cv2.LINE_AA)
        cv2.putText(img, label, (pk[0] + 10, pk[1]), cv2.FONT_HERSHEY_SIMPLEX, h / 900, colour,
                    thick, cv2.LINE_AA)
    return img


def plot_series(path: Path, title: str, series: dict[str, dict[str, Any]], ylabel: str) -> None:
    """One PNG with one or more time series and their event markers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=100)
    for name, s in series.items():
        line = ax.plot(s["t"], s["y"], label=name, linewidth=1.4)[0]
        ev = np.asarray(s.get("events", []), dtype=float)
        if len(ev):
            yi = np.interp(ev, s["t"], np.nan_to_num(s["y"], nan=np.nanmedian(s["y"])))
            ax.plot(ev, yi, "o", color=line.get_color(), markersize=4)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_labels(plot: str) -> tuple[str, str]:
    """Title and vertical-axis label of a plot, from ``data/video_reference.yml``."""
    labels = load()["plots"][plot]
    return labels["title"], labels["axis"]


def dots_meaning(plot: str, activity: str) -> str:
    """What the dots on a plot mark, in words, for this activity."""
    if activity in SQUAT_ACTIVITIES:
        return "the dots mark the deepest point of each repetition"
    if plot == "knee_flexion":
        return "the dots mark each foot landing"
    return "the dots mark the middle of each foot's ground contact"


def group_series(series: dict[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Group ``knee_fppa_left``/``knee_fppa_right`` etc. into one plot each."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for name, s in series.items():
        for key in load()["plots"]:
            if name == key or name.startswith(key + "_"):
                label = name[len(key) + 1:] or key
                groups.setdefault(key, {})[label] = s
    return groups
