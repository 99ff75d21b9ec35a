"""Knee-relevant measures per activity and view, summarised over strides or repetitions.

Each measure is computed at its key moment (foot strike, mid-stance, deepest point of a
repetition), once per event, and summarised as the median with the interquartile range as
spread. Which measures an activity and view allow, and the function computing each, come
from the registry in ``analysis_core.measures``; this module finds the events once
(``running.FrontalStrides``, ``running.SideStrides``, ``squats.SquatReps``) and runs every
measure's method over them. A measure the view cannot support is not computed: it goes to
``omitted`` with the reason.

Limitations: all angles are 2-D projections on the image plane. Frontal-plane angles agree
only moderately with 3-D motion capture, and they depend on the camera facing the person
squarely; side-view left/right labels can be swapped by the pose model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analysis_core import measures
from analysis_core.measures import ANY_VIEW, FRONTAL, SIDE
from analysis_core.running import FrontalStrides, SideStrides
from analysis_core.squats import SquatReps, deepest_moment, pelvis_descent_picture
from analysis_core.summary import KeyMoment, MeasureOmitted
from analysis_core.track import Track
from content_schema.vocabulary import SQUAT_ACTIVITIES

__all__ = ["KeyMoment", "MetricsResult", "compute"]


@dataclass
class MetricsResult:
    """Everything the metrics stage hands to the report."""

    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    omitted: dict[str, str] = field(default_factory=dict)
    key_moments: list[KeyMoment] = field(default_factory=list)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def omit(self, names: list[str], reason: str) -> None:
        """Mark measures as omitted, keeping a more specific reason given earlier."""
        for name in names:
            if name not in self.metrics and name not in self.omitted:
                self.omitted[name] = reason


def measure_all(found: Any, activity: str, views: tuple[str, ...],
                result: MetricsResult) -> MetricsResult:
    """Run every measure made for ``activity`` from ``views`` over the events ``found``."""
    for definition, method in measures.measured(activity, views):
        try:
            entry = method.compute(found, definition.unit)
        except MeasureOmitted as omitted:
            result.omitted[definition.key] = omitted.reason
        else:
            if entry is not None:
                result.metrics[definition.key] = entry
        if method.illustrate is not None:
            shown = method.illustrate(found, definition)
            result.series.update(shown.series)
            result.key_moments.extend(shown.key_moments)
    return result


def omit_by_view(result: MetricsResult, activity: str, view: str, too_few: str) -> None:
    """Give the reason for each measure of ``activity`` that was not made: the view cannot
    show it, or it could but the events were too few (``too_few``)."""
    frontal, side = measures.keys(activity, FRONTAL), measures.keys(activity, SIDE)
    if view in FRONTAL:
        result.omit(side, "needs a side view")
        result.omit(frontal, too_few)
    elif view in SIDE:
        result.omit(frontal, "needs a front or back view")
        result.omit(side, too_few)
    else:
        result.omit(frontal + side, "camera view could not be recognised")


# --------------------------------------------------------------------------- running


def running_frontal(track: Track, fps_recorded: float, view: str = "front") -> MetricsResult:
    """Running filmed from the front or the back."""
    return _running(FrontalStrides.find(track), view)


def running_side(track: Track, fps_recorded: float) -> MetricsResult:
    """Running filmed from the side."""
    return _running(SideStrides.find(track, fps_recorded), "side")


def _running(strides: FrontalStrides | SideStrides, view: str) -> MetricsResult:
    res = measure_all(strides, "running", (view,), MetricsResult(counts=strides.counts()))
    omit_by_view(res, "running", view, "not enough clear strides to measure")
    return res


def walking(track: Track, view: str) -> MetricsResult:
    """Walking: cadence only (the clinical references here are for running)."""
    res = measure_all(track, "walking", (view,), MetricsResult())
    res.notes.append("walking: only cadence is measured; film running for the running measures")
    res.omit(measures.keys("running", ANY_VIEW), "measured for running only")
    return res


# --------------------------------------------------------------------------- squats


def squat(track: Track, view: str, single_leg: bool) -> MetricsResult:
    """Double- or single-leg squats, front/back or side view."""
    reps = SquatReps.find(track, single_leg)
    activity = reps.activity
    depth = measures.get("squat_depth_pct_leg")
    res = MetricsResult(counts=reps.counts())
    if not reps.reps:
        res.series.update(pelvis_descent_picture(reps, depth).series)
        res.omitted["all"] = "no squat repetition found"
        return res
    measure_all(reps, activity, (view,), res)
    omit_by_view(res, activity, view, "not enough clear repetitions")
    if not res.key_moments:
        res.key_moments.append(deepest_moment(reps, depth))
    return res


# Running is never slower than this; a slower rhythm means the clip's time is stretched
# (a slow-motion clip exported at normal speed, or a screen recording of one).
SLOWEST_RUNNING_SPM = 120.0


def _drop_stretched_timing(res: MetricsResult) -> MetricsResult:
    """Leave out the timing measures when the step rate cannot be real running."""
    cadence = res.metrics.get("cadence_spm", {}).get("value")
    if cadence is not None and cadence < SLOWEST_RUNNING_SPM:
        reason = (f"the steps came {cadence:.0f} a minute, slower than any running: the clip "
                  "seems to be slowed down")
        for name in measures.timing_keys():
            res.metrics.pop(name, None)
            res.omitted[name] = reason
        res.counts["stretched_rhythm_spm"] = round(cadence)
    return res


def compute(track: Track, activity: str, view: str, fps_recorded: float) -> MetricsResult:
    """Dispatch to the measures for this activity and view."""
    if activity == "running":
        if view in FRONTAL:
            return _drop_stretched_timing(running_frontal(track, fps_recorded, view))
        if view in SIDE:
            return _drop_stretched_timing(running_side(track, fps_recorded))
        res = MetricsResult()
        omit_by_view(res, "running", view, "")
        return res
    if activity == "walking":
        return walking(track, view)
    if activity in SQUAT_ACTIVITIES:
        return squat(track, view, activity == "single_leg_squat")
    res = MetricsResult()
    res.omitted["all"] = "the activity could not be recognised"
    return res
