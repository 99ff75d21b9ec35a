"""The shape of ``data/video_reference.yml`` (video measures, their bands and texts).

The one place to extend when a measure gains a key: add a field to :class:`Measure` (with a
default if not every measure has it), or to :class:`VideoReferenceFile` for a new section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .vocabulary import Contributor, MeasuredActivity

#: How a value is graded against its bands (see ``analysis_core.findings.grade``).
Direction = Literal["high", "low", "abs_high", "asymmetry"]
#: A band limit, once for every activity or per activity.
BandLimit = float | dict[MeasuredActivity, float]


@dataclass(frozen=True)
class GradeTexts:
    """What the runner reads for each grade (placeholders: ``{side}``, ``{value}``)."""

    none: str
    mild: str
    marked: str


@dataclass(frozen=True)
class Measure:
    """One measure taken from the video.

    Attributes:
        label: Its name as the runner reads it.
        unit_text: The unit as the runner reads it.
        asked_as: Words a runner may use to ask about it.
        activities: The activities it is measured in.
        direction: Which values are worse.
        mild: Lower bound of the mild band.
        marked: Lower bound of the marked band.
        contributor: The contributor a finding points to (per activity, or once).
        source: Where the bands come from.
        text: The finding's wording per grade.
        keyframe: Caption of its picture (placeholder ``{side}``), per activity or once.
    """

    label: str
    unit_text: str
    asked_as: tuple[str, ...]
    activities: tuple[MeasuredActivity, ...]
    direction: Direction
    mild: BandLimit
    marked: BandLimit
    contributor: Contributor | dict[MeasuredActivity, Contributor]
    source: str
    text: GradeTexts
    keyframe: str | dict[MeasuredActivity, str] | None = None


@dataclass(frozen=True)
class Plot:
    """A plot of a measure over time: its title and the y axis's unit."""

    title: str
    axis: str


@dataclass(frozen=True)
class VideoReferenceFile:
    """``data/video_reference.yml``."""

    version: int
    limits: tuple[str, ...]
    measures: dict[str, Measure]
    plots: dict[str, Plot]
    retake_tips: dict[str, str]
