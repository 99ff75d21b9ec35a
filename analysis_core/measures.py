"""One definition per video measure: the registry metrics, findings and pictures read.

A ``MeasureDefinition`` holds what the code needs to know about a measure: its key (the name
in ``report["metrics"]``), the unit of its values there, whether it is given per leg,
whether it depends on the clip's time being real, the plot that shows it, and for each
activity and camera view the function that computes it. What a runner reads (label, unit
as written, reference bands with their sources, finding texts, plot titles) lives in
``data/video_reference.yml`` under the same key; the definition reads it from there.

``MEASURES`` is in the order the measures are computed, which is the order of
``report["metrics"]``; the runner-facing table (``report["measures"]``) and the findings
follow the reference file's order. ``docs/analysis_core.md`` shows a table generated from
these definitions (``scripts/build_measure_docs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from analysis_core import running, squats
from analysis_core.reference import by_activity, load
from analysis_core.summary import Entry, Illustration
from content_schema.vocabulary import SQUAT_ACTIVITIES

FRONTAL = ("front", "back")
SIDE = ("side",)
ANY_VIEW = ("front", "back", "side", "unknown")
RUNNING = ("running",)

Compute = Callable[[Any, str], Entry | None]
"""``compute(events, unit)``: the measure's report entry, or None when it cannot be made.
May raise ``summary.MeasureOmitted`` with a specific reason."""
Illustrate = Callable[[Any, "MeasureDefinition"], Illustration]
"""``illustrate(events, definition)``: the series and keyframes that show the measure."""


@dataclass(frozen=True)
class Method:
    """How a measure is computed for some activities filmed from some views.

    Attributes:
        activities: Activities this method applies to.
        views: Camera views it needs.
        compute: Computes the report entry from the events the activity's stage found
            (``running.FrontalStrides``, ``running.SideStrides``, ``squats.SquatReps``, or
            the track for walking).
        illustrate: Adds plots and keyframes, if the measure has any.
    """

    activities: tuple[str, ...]
    views: tuple[str, ...]
    compute: Compute
    illustrate: Illustrate | None = None

    def applies(self, activity: str, views: tuple[str, ...]) -> bool:
        """Whether this method measures ``activity`` from any of ``views``."""
        return activity in self.activities and any(v in self.views for v in views)


@dataclass(frozen=True)
class MeasureDefinition:
    """Everything the code knows about one measure; its texts are in the reference file.

    Attributes:
        key: Name in ``report["metrics"]`` and in ``data/video_reference.yml``.
        unit: Unit of the values in ``report["metrics"]``.
        methods: How it is computed, per activity and view.
        per_side: One value per leg (``left``/``right``) rather than one ``value``.
        plot: Key of its plot in the reference file's ``plots``, if it has one.
        timing: Depends on the clip's time being real (left out for slowed-down clips).
        difference_of: The per-leg measure whose left-right difference this measure is
            (a before/after comparison then does not work out that difference again).
    """

    key: str
    unit: str
    methods: tuple[Method, ...]
    per_side: bool = False
    plot: str | None = None
    timing: bool = False
    difference_of: str | None = None

    def method(self, activity: str, views: tuple[str, ...]) -> Method | None:
        """The method for this activity and view, or None when it is not measured there."""
        return next((m for m in self.methods if m.applies(activity, views)), None)

    def views(self, activity: str) -> tuple[str, ...]:
        """Camera views from which this measure is made for ``activity``."""
        return tuple(v for m in self.methods if activity in m.activities for v in m.views)

    @property
    def activities(self) -> tuple[str, ...]:
        """Activities this measure is made for, in the order of its methods."""
        return tuple(dict.fromkeys(a for m in self.methods for a in m.activities))

    @property
    def reference(self) -> dict[str, Any]:
        """Its entry in ``data/video_reference.yml``: label, unit text, bands, source, texts."""
        return dict(load()["measures"][self.key])

    def keyframe_caption(self, activity: str) -> str:
        """Caption of its keyframe for ``activity``, with a ``{side}`` slot where it names
        the leg (``keyframe`` in the reference file)."""
        return str(by_activity(self.reference["keyframe"], activity))

    @property
    def series_name(self) -> str:
        """Name of its plot's series (``<plot>`` or ``<plot>_<side>``).

        Raises:
            ValueError: When the measure has no plot.
        """
        if self.plot is None:
            raise ValueError(f"measure {self.key} has no plot")
        return self.plot


def _running_frontal(compute: Compute, illustrate: Illustrate | None = None) -> Method:
    return Method(RUNNING, FRONTAL, compute, illustrate)


def _running_side(compute: Compute, illustrate: Illustrate | None = None) -> Method:
    return Method(RUNNING, SIDE, compute, illustrate)


MEASURES: tuple[MeasureDefinition, ...] = (
    MeasureDefinition(
        "cadence_spm", "steps/min", timing=True, methods=(
            _running_frontal(running.frontal_cadence),
            _running_side(running.side_cadence),
            Method(("walking",), ANY_VIEW, running.walking_cadence))),
    MeasureDefinition(
        "squat_depth_pct_leg", "% leg length", plot="pelvis_descent", methods=(
            Method(SQUAT_ACTIVITIES, ANY_VIEW, squats.squat_depth,
                   squats.pelvis_descent_picture),)),
    MeasureDefinition(
        "knee_fppa_deg", "deg", per_side=True, plot="knee_fppa", methods=(
            _running_frontal(running.frontal_knee_fppa, running.frontal_knee_fppa_pictures),
            Method(SQUAT_ACTIVITIES, FRONTAL, squats.squat_knee_fppa,
                   squats.squat_knee_fppa_pictures))),
    MeasureDefinition(
        "knee_medial_shift_pct_shank", "% shank length", per_side=True, methods=(
            Method(SQUAT_ACTIVITIES, FRONTAL, squats.knee_medial_shift),)),
    MeasureDefinition(
        "knee_fppa_lr_difference_deg", "deg", difference_of="knee_fppa_deg", methods=(
            Method(SQUAT_ACTIVITIES, FRONTAL, squats.knee_fppa_lr_difference),)),
    MeasureDefinition(
        "pelvic_drop_deg", "deg", per_side=True, plot="pelvis_tilt", methods=(
            _running_frontal(running.frontal_pelvic_drop, running.pelvis_tilt_picture),
            Method(("single_leg_squat",), FRONTAL, squats.squat_pelvic_drop))),
    MeasureDefinition(
        "hip_shift_hip_widths", "hip_widths", methods=(
            Method(("squat",), FRONTAL, squats.hip_shift),)),
    MeasureDefinition(
        "foot_progression_deg", "deg", per_side=True, methods=(
            _running_frontal(running.foot_progression),)),
    MeasureDefinition(
        "step_width_hip_widths", "hip_widths", per_side=True, methods=(
            _running_frontal(running.step_width),)),
    MeasureDefinition(
        "arm_swing_asymmetry_pct", "%", methods=(
            _running_frontal(running.arm_swing_asymmetry),)),
    MeasureDefinition(
        "trunk_rotation_asymmetry_deg", "deg", methods=(
            _running_frontal(running.trunk_rotation_asymmetry),)),
    MeasureDefinition(
        "knee_flexion_at_contact_deg", "deg", per_side=True, plot="knee_flexion", methods=(
            _running_side(running.knee_flexion_at_contact,
                          running.knee_flexion_at_contact_pictures),)),
    MeasureDefinition(
        "overstride", "leg_lengths", methods=(_running_side(running.overstride),)),
    MeasureDefinition(
        "knee_flexion_at_depth_deg", "deg", plot="knee_flexion", methods=(
            Method(SQUAT_ACTIVITIES, SIDE, squats.knee_flexion_at_depth,
                   squats.knee_flexion_at_depth_pictures),)),
    MeasureDefinition(
        "shank_angle_deg", "deg", methods=(Method(SQUAT_ACTIVITIES, SIDE, squats.shank_angle),)),
    MeasureDefinition(
        "trunk_lean_deg", "deg", methods=(
            _running_side(running.running_trunk_lean),
            Method(SQUAT_ACTIVITIES, SIDE, squats.squat_trunk_lean))),
    MeasureDefinition(
        "vertical_oscillation_pct_leg", "% leg length", methods=(
            _running_side(running.vertical_oscillation),)),
    MeasureDefinition(
        "stance_time_asymmetry_pct", "%", timing=True, methods=(
            _running_side(running.stance_time_asymmetry),)),
)

BY_KEY = {d.key: d for d in MEASURES}


def get(key: str) -> MeasureDefinition:
    """The definition of one measure.

    Raises:
        KeyError: For a name that is not a measure.
    """
    return BY_KEY[key]


def measured(activity: str, views: tuple[str, ...]) -> Iterator[tuple[MeasureDefinition, Method]]:
    """Measures made for ``activity`` from ``views``, with their method, in computing order."""
    for definition in MEASURES:
        method = definition.method(activity, views)
        if method is not None:
            yield definition, method


def keys(activity: str, views: tuple[str, ...]) -> list[str]:
    """Keys of the measures made for ``activity`` from any of ``views``."""
    return [definition.key for definition, _ in measured(activity, views)]


def timing_keys() -> list[str]:
    """Keys of the measures that need the clip's time to be real."""
    return [d.key for d in MEASURES if d.timing]


def in_reference_order(reference: dict[str, Any] | None = None
                       ) -> Iterator[tuple[MeasureDefinition, dict[str, Any]]]:
    """Each definition with its reference entry, in the reference file's order."""
    ref = reference or load()
    for key, spec in ref["measures"].items():
        yield get(key), spec
