"""Quality gate: decides whether the footage can support numbers, and which.

Each issue has a ``code`` (a key of ``retake_tips`` in the reference file), a severity
(``blocking`` stops all measures, ``warning`` lowers confidence) and a plain message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis_core.reference import load
from content_schema.vocabulary import SQUAT_ACTIVITIES

MIN_PERSON_SHARE = 0.6  # of analysed frames
MIN_FULL_BODY_SHARE = 0.7  # of frames with the person
MIN_VISIBILITY = 0.6  # median landmark visibility of the legs and hips
MIN_SHORT_SIDE_PX = 360
WARN_SHORT_SIDE_PX = 480
TIMING_FPS = 50.0
MIN_FPS = 20.0
MIN_STEPS = 6
MIN_REPS = 1  # one clear repetition is measured, with low confidence
GOOD_REPS = 3
KEY_POINTS = [11, 12, 23, 24, 25, 26, 27, 28]
EDGE_POINTS = [0, 27, 28, 29, 30, 31, 32]


@dataclass
class Quality:
    """Result of the quality gate."""

    issues: list[dict[str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def add(self, code: str, severity: str, message: str, first: bool = False) -> None:
        """Record an issue once; ``first`` puts it ahead of the others (and of their tips)."""
        if not any(i["code"] == code for i in self.issues):
            issue = {"code": code, "severity": severity, "message": message}
            self.issues.insert(0 if first else len(self.issues), issue)

    @property
    def usable(self) -> bool:
        """True when no blocking issue was found."""
        return not any(i["severity"] == "blocking" for i in self.issues)

    def retake_tip(self) -> str | None:
        """Tip for the most important issue (blocking first), or None when all is well."""
        tips = load()["retake_tips"]
        for severity in ("blocking", "warning"):
            for issue in self.issues:
                if issue["severity"] == severity and issue["code"] in tips:
                    return str(tips[issue["code"]])
        return None


def frame_checks(raw: np.ndarray, keep: np.ndarray, width: int, height: int,
                 short_side_px: int, fps: float) -> Quality:
    """Checks that need only the raw landmarks and the video's facts.

    Args:
        raw: (T, 33, 4) raw landmarks in analysed-frame pixels.
        keep: Samples of the main subject.
        width: Analysed frame width.
        height: Analysed frame height.
        short_side_px: Shorter side of the recorded video.
        fps: Recorded frame rate.
    """
    q = Quality()
    n = len(raw)
    person = keep & ~np.isnan(raw[:, 23, 0]) if n else np.zeros(0, dtype=bool)
    share = float(person.mean()) if n else 0.0
    q.stats["frames_with_person"] = int(person.sum())
    q.stats["person_share"] = round(share, 3)
    if n == 0 or person.sum() == 0:
        q.add("not_a_person", "blocking", "No person was found in the video.")
        return q
    if share < MIN_PERSON_SHARE:
        q.add("person_too_rarely", "blocking",
              f"The person was found in only {share:.0%} of the frames.")
    pts = raw[person][:, EDGE_POINTS, :2]
    margin = 0.01
    inside = ((pts[..., 0] > -margin * width) & (pts[..., 0] < (1 + margin) * width)
              & (pts[..., 1] > -margin * height) & (pts[..., 1] < (1 + margin) * height))
    full = float(np.all(inside, axis=1).mean())
    q.stats["full_body_share"] = round(full, 3)
    if full < MIN_FULL_BODY_SHARE:
        q.add("body_cut_off", "blocking",
              f"Head and feet were both inside the picture in only {full:.0%} of the frames.")
    vis = float(np.nanmedian(raw[person][:, KEY_POINTS, 3]))
    q.stats["median_visibility"] = round(vis, 3)
    if vis < MIN_VISIBILITY:
        q.add("low_visibility", "blocking",
              "The hips, knees and ankles were hard to see (low landmark visibility).")
    if short_side_px < MIN_SHORT_SIDE_PX:
        q.add("low_resolution", "blocking",
              f"The video is only {short_side_px} pixels on its short side.")
    elif short_side_px < WARN_SHORT_SIDE_PX:
        q.add("low_resolution", "warning",
              f"The video is only {short_side_px} pixels on its short side; "
              "joints may be imprecise.")
    if fps < MIN_FPS:
        q.add("low_fps", "blocking",
              f"The frame rate ({fps:.0f} fps) is too low to follow movement.")
    elif fps < TIMING_FPS:
        q.add("low_fps", "warning",
              f"At {fps:.0f} frames per second, timing measures (contact times, event timing) "
              "are approximate; 60 fps or more is better.")
    return q


def activity_checks(q: Quality, activity: str, view: str, counts: dict[str, int]) -> None:
    """Checks that depend on what the clip shows."""
    if activity == "unknown":
        q.add("activity_unknown", "blocking",
              "The activity could not be recognised as running, walking or a squat test.")
        return
    if view == "unknown":
        q.add("view_unknown", "blocking",
              "The camera angle is neither clearly front, back nor side.")
    if activity == "running" and counts.get("stretched_rhythm_spm"):
        q.add("slow_motion", "warning",
              f"The steps came only {counts['stretched_rhythm_spm']} a minute, slower than "
              "any running, so the clip looks slowed down (slow motion played at normal "
              "speed?); step rate and contact times are left out.", first=True)
    if activity == "running" and counts.get("steps", 0) < MIN_STEPS:
        q.add("too_few_steps", "blocking",
              f"Only {counts.get('steps', 0)} clear steps were found; "
              f"at least {MIN_STEPS} are needed.")
    if activity in SQUAT_ACTIVITIES:
        reps = counts.get("reps", 0)
        if reps < MIN_REPS:
            q.add("too_few_reps", "blocking",
                  "No complete repetition was found; the clip may stop part-way through one.")
        elif reps < GOOD_REPS:
            q.add("too_few_reps", "warning",
                  f"Only {reps} repetition{'s were' if reps > 1 else ' was'} found, so the "
                  f"numbers are less certain; {GOOD_REPS} or more give steadier ones.",
                  first=True)
