"""The shape of ``data/video_reference.yml`` (video measures, their bands and texts).

The one place to extend when a measure gains a key: add a field to :class:`Measure` (with a
default if not every measure has it), or to :class:`VideoReferenceFile` for a new section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .vocabulary import Activity, Contributor, MeasuredActivity, View

#: How a value is graded against its bands (see ``analysis_core.findings.grade``).
Direction = Literal["high", "low", "abs_high", "asymmetry"]
#: A band limit, once for every activity or per activity.
BandLimit = float | dict[MeasuredActivity, float]
#: Which way a change between two clips is an improvement (``none``: no better way).
Better = Literal["lower", "higher", "closer_to_zero", "none"]


@dataclass(frozen=True)
class GradeTexts:
    """What the runner reads for each grade (placeholders: ``{side}``, ``{value}``)."""

    none: str
    mild: str
    marked: str


@dataclass(frozen=True)
class ChangeRule:
    """How a change of the measure between two clips is read (``analysis_core.compare``).

    Attributes:
        noise: The smallest real change, in the measure's unit, or in per cent of the
            earlier value when ``relative``; smaller changes are within the method's error.
        better: Which way is an improvement (``none``: a real change is only "changed").
        source: Where ``noise`` and ``better`` come from (or that they are a heuristic).
        relative: ``noise`` and ``better_up_to`` are per cent of the earlier value.
        better_up_to: The largest change in the ``better`` direction still called better.
    """

    noise: float
    better: Better
    source: str
    relative: bool = False
    better_up_to: float | None = None


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
        change: How a change between two clips is read.
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
    change: ChangeRule
    keyframe: str | dict[MeasuredActivity, str] | None = None


@dataclass(frozen=True)
class Plot:
    """A plot of a measure over time: its title and the y axis's unit."""

    title: str
    axis: str


@dataclass(frozen=True)
class ChangeSentences:
    """One sentence per kind of change (placeholders: ``{what}``, ``{before}``, ``{after}``,
    ``{change}``, ``{noise}``, ``{limit}``)."""

    improved: str
    worse: str
    changed: str
    past_aim: str
    no_real_change: str


@dataclass(frozen=True)
class LowConfidenceNotes:
    """The note added when the earlier, the later or both measurements were less certain."""

    before: str
    after: str
    both: str


@dataclass(frozen=True)
class ComparisonSummary:
    """Lines of a comparison's summary (placeholder ``{labels}``: measures listed)."""

    nothing_beyond_noise: str
    no_real_change: str
    only_in_one: str
    low_confidence: str


@dataclass(frozen=True)
class NotComparable:
    """Why two clips are not compared (placeholders: ``{which}`` clip, ``{before}`` and
    ``{after}`` activities or views), or that they have no measure in common."""

    not_usable: str
    unknown_activity: str
    different_activity: str
    different_view: str
    unknown_view: str
    nothing_in_common: str


@dataclass(frozen=True)
class ComparisonTexts:
    """What a runner reads about a before/after comparison (``comparison``)."""

    activities: dict[Activity, str]
    views: dict[View, str]
    sides: dict[Literal["left", "right", "difference"], str]
    up: str
    down: str
    same: str
    sentences: ChangeSentences
    low_confidence: LowConfidenceNotes
    summary: ComparisonSummary
    not_comparable: NotComparable
    which: dict[Literal["before", "after"], str]


@dataclass(frozen=True)
class VideoReferenceFile:
    """``data/video_reference.yml``."""

    version: int
    limits: tuple[str, ...]
    measures: dict[str, Measure]
    plots: dict[str, Plot]
    comparison: ComparisonTexts
    retake_tips: dict[str, str]
