"""Before/after comparison of two analysis reports: which measures really changed.

``compare_reports(before, after)`` reads two ``report.json`` dicts (as ``analyze`` returns
them) and says, per measure made in both clips, how it changed and whether the change is
larger than the method's error. Per-leg measures are compared per leg and, where both legs
were measured, on their left-right difference too.

Each measure's smallest real change (``noise``), its better direction and the source of both
are in ``data/video_reference.yml`` under ``measures.<key>.change``; the sentences a runner
reads are under ``comparison``. A change counts as real when it is at least ``noise``
(cadence: at least that many per cent of the earlier value).

Two clips are compared only when both passed the quality checks and show the same activity
filmed from the same view (the angles depend on where the camera stood); otherwise
``reason`` says why in words. Pure: no I/O, no framework; the picture is in
``analysis_core.compare_picture``.

Limitations: the noise bands are per measure, not per clip: two clips filmed differently
(distance, height, a camera not square to the runner) can differ by more than the band
without the runner having changed. Left and right can be swapped by the pose model in side
views, which shows up as a change on both legs in opposite directions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analysis_core.measures import ANY_VIEW, MEASURES, MeasureDefinition, in_reference_order
from analysis_core.reference import load

#: The direction words of a change.
IMPROVED, WORSE, CHANGED, NO_REAL_CHANGE = "improved", "worse", "changed", "no real change"
#: The part of a per-leg measure compared on its own: a leg or the left-right difference.
LEFT, RIGHT, DIFFERENCE = "left", "right", "difference"


@dataclass(frozen=True)
class Pair:
    """One value of a measure in both clips.

    Attributes:
        part: ``left``, ``right``, ``difference`` (between the legs), or None for a
            measure given once.
        before: The value in the earlier clip.
        after: The value in the later clip.
    """

    part: str | None
    before: float
    after: float

    @property
    def change(self) -> float:
        """After minus before, in the measure's unit."""
        return self.after - self.before

    @property
    def change_pct(self) -> float | None:
        """The change in per cent of the earlier value (None when that is 0)."""
        return 100.0 * self.change / abs(self.before) if self.before else None


@dataclass(frozen=True)
class Rule:
    """How a change is read (``change`` in the reference file, or the rule for a left-right
    difference: same noise, smaller is better)."""

    noise: float
    better: str
    relative: bool = False
    better_up_to: float | None = None

    @classmethod
    def of(cls, spec: dict[str, Any], part: str | None) -> Rule:
        """The rule for ``part`` of a measure with reference entry ``spec``."""
        change = spec["change"]
        relative = bool(change.get("relative", False))
        if part == DIFFERENCE:
            return cls(float(change["noise"]), "lower", relative)
        return cls(float(change["noise"]), change["better"], relative,
                   change.get("better_up_to"))

    def size(self, pair: Pair) -> float:
        """How large the change is in the rule's terms (per cent when relative)."""
        if not self.relative:
            return abs(pair.change)
        pct = pair.change_pct
        return abs(pct) if pct is not None else (math.inf if pair.change else 0.0)

    def beyond_noise(self, pair: Pair) -> bool:
        """Whether the change is at least the smallest real change."""
        return round(self.size(pair), 6) >= self.noise

    def is_better(self, pair: Pair) -> bool | None:
        """Whether the change goes the better way (None: the measure has no better way)."""
        if self.better == "lower":
            return pair.after < pair.before
        if self.better == "higher":
            return pair.after > pair.before
        if self.better == "closer_to_zero":
            return abs(pair.after) < abs(pair.before)
        return None

    def outcome(self, pair: Pair) -> tuple[str, str]:
        """The direction word and the key of the sentence that says it."""
        if not self.beyond_noise(pair):
            return NO_REAL_CHANGE, "no_real_change"
        better = self.is_better(pair)
        if better is None:
            return CHANGED, "changed"
        if not better:
            return WORSE, "worse"
        if self.better_up_to is not None and self.size(pair) > self.better_up_to:
            return CHANGED, "past_aim"
        return IMPROVED, "improved"


# --------------------------------------------------------------------------- values


def number(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is missing, not a number, NaN or ±inf."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _entry(report: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The report's ``metrics`` entry of ``key``, or None when it has none (or no metrics)."""
    metrics = report.get("metrics")
    entry = metrics.get(key) if isinstance(metrics, dict) else None
    return entry if isinstance(entry, dict) else None


def _sides(entry: dict[str, Any]) -> tuple[float | None, float | None]:
    return number(entry.get(LEFT)), number(entry.get(RIGHT))


def pairs(definition: MeasureDefinition, before: dict[str, Any], after: dict[str, Any],
          with_difference: bool = True) -> list[Pair]:
    """The values of one measure found in both clips' entries, in a fixed order.

    Args:
        definition: The measure.
        before: Its entry in the earlier report's ``metrics``.
        after: Its entry in the later report's ``metrics``.
        with_difference: Also compare the left-right difference of a per-leg measure.
    """
    if not definition.per_side:
        b, a = number(before.get("value")), number(after.get("value"))
        return [] if b is None or a is None else [Pair(None, b, a)]
    legs_before, legs_after = _sides(before), _sides(after)
    found = [Pair(side, b, a) for side, b, a in zip((LEFT, RIGHT), legs_before, legs_after,
                                                   strict=True) if b is not None and a is not None]
    difference = _difference(legs_before, legs_after)
    if with_difference and difference is not None:
        found.append(difference)
    return found


def _difference(before: tuple[float | None, float | None],
                after: tuple[float | None, float | None]) -> Pair | None:
    """The left-right difference in both clips, when both legs were measured in both."""
    (bl, br), (al, ar) = before, after
    if bl is None or br is None or al is None or ar is None:
        return None
    return Pair(DIFFERENCE, abs(bl - br), abs(al - ar))


# --------------------------------------------------------------------------- words


def decimals(noise: float) -> int:
    """Decimals that show a tenth of ``noise``: values and changes are written with them."""
    return max(0, -math.floor(math.log10(noise))) + 1 if noise > 0 else 1


def amount(value: float, places: int = 1) -> str:
    """A number as a runner reads it: ``places`` decimals, trailing zeros dropped."""
    text = f"{value:.{places}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Wording:
    """How the values of one compared measure are written."""

    spec: dict[str, Any]
    rule: Rule
    texts: dict[str, Any]

    @property
    def places(self) -> int:
        """Decimals of values and changes (per cent values keep one)."""
        return 1 if self.rule.relative else decimals(self.rule.noise)

    def value(self, value: float) -> str:
        """A value with its unit (``12.5°``, ``168.6 steps/min``)."""
        return f"{amount(value, self.places)}{self.spec['unit_text']}"

    def limit(self, value: float | None) -> str:
        """A band (the noise, the largest better change) with its unit."""
        if value is None:
            return ""
        return f"{amount(value)} %" if self.rule.relative else self.value(value)

    def change(self, pair: Pair) -> str:
        """``up 6.1 steps/min, +3.6 %``, ``down 9°`` or ``the same``."""
        moved = amount(abs(pair.change), self.places)
        if moved == "0":
            return str(self.texts["same"])
        moved = self.value(abs(pair.change))
        pct = pair.change_pct
        if self.rule.relative and pct is not None:
            moved = f"{moved}, {'+' if pct >= 0 else '-'}{amount(abs(pct))} %"
        return str(self.texts["up" if pair.change > 0 else "down"].format(amount=moved))

    def sentence(self, key: str, pair: Pair) -> str:
        """The sentence ``key`` (``improved``, ``no_real_change``...) about ``pair``."""
        return str(self.texts["sentences"][key].format(
            what=what(self.spec, pair.part, self.texts), before=self.value(pair.before),
            after=self.value(pair.after), change=self.change(pair),
            noise=self.limit(self.rule.noise), limit=self.limit(self.rule.better_up_to)))


def what(spec: dict[str, Any], part: str | None, texts: dict[str, Any]) -> str:
    """The measure (and leg, or difference between the legs) in words."""
    return f"{spec['label']}, {texts['sides'][part]}" if part else str(spec["label"])


def _low_confidence_note(confidence: dict[str, str], texts: dict[str, Any]) -> str | None:
    low = [when for when in ("before", "after") if confidence[when] == "low"]
    if not low:
        return None
    return str(texts["low_confidence"]["both" if len(low) == 2 else low[0]])


# --------------------------------------------------------------------------- one change


def describe(definition: MeasureDefinition, spec: dict[str, Any], pair: Pair,
             confidence: dict[str, str], texts: dict[str, Any]) -> dict[str, Any]:
    """One compared value as it goes into the comparison's ``changes``.

    Args:
        definition: The measure.
        spec: Its entry in the reference file.
        pair: Its values in both clips.
        confidence: The measure's confidence in each clip (``before``, ``after``).
        texts: The reference file's ``comparison`` section.
    """
    rule = Rule.of(spec, pair.part)
    direction, sentence_key = rule.outcome(pair)
    pct = pair.change_pct
    return {
        "measure": definition.key,
        "label": spec["label"],
        "side": pair.part,
        "before": round(pair.before, 3),
        "after": round(pair.after, 3),
        "unit": definition.unit,
        "change": round(pair.change, 3),
        "change_pct": round(pct, 1) if rule.relative and pct is not None else None,
        "noise": rule.noise,
        "noise_unit": "%" if rule.relative else definition.unit,
        "beyond_noise": rule.beyond_noise(pair),
        "direction": direction,
        "sentence": Wording(spec, rule, texts).sentence(sentence_key, pair),
        "confidence": confidence,
        "low_confidence_note": _low_confidence_note(confidence, texts),
    }


# --------------------------------------------------------------------------- comparable?


def _view_matters(activity: str) -> bool:
    """Whether some measure of ``activity`` depends on the camera view (walking: no)."""
    return any(d.views(activity) != ANY_VIEW for d in MEASURES if activity in d.activities)


def not_comparable_reason(before: dict[str, Any], after: dict[str, Any],
                          texts: dict[str, Any]) -> str | None:
    """Why the two reports cannot be compared, in words, or None when they can."""
    reports = {"before": before, "after": after}
    words = texts["not_comparable"]
    for when, report in reports.items():
        if not (report.get("quality") or {}).get("usable"):
            return str(words["not_usable"].format(which=texts["which"][when]))
    for when, report in reports.items():
        if report.get("activity") not in texts["activities"]:
            return str(words["unknown_activity"].format(which=texts["which"][when]))
    activities = [str(report["activity"]) for report in reports.values()]
    if activities[0] != activities[1]:
        return str(words["different_activity"].format(
            before=texts["activities"][activities[0]], after=texts["activities"][activities[1]]))
    if not _view_matters(activities[0]):
        return None
    views = [report.get("view") for report in reports.values()]
    for when, view in zip(reports, views, strict=True):
        if view not in texts["views"]:
            return str(words["unknown_view"].format(which=texts["which"][when]))
    if views[0] != views[1]:
        return str(words["different_view"].format(
            before=texts["views"][views[0]], after=texts["views"][views[1]]))
    return None


# --------------------------------------------------------------------------- all changes


def _compared(before: dict[str, Any], after: dict[str, Any], ref: dict[str, Any]
              ) -> Iterator[tuple[MeasureDefinition, dict[str, Any], list[Pair]]]:
    """Each measure made in either clip with the values found in both (maybe none)."""
    differences = {d.difference_of for d in MEASURES
                   if d.difference_of and (_entry(before, d.key) or _entry(after, d.key))}
    for definition, spec in in_reference_order(ref):
        b, a = _entry(before, definition.key), _entry(after, definition.key)
        if b is None and a is None:
            continue
        found = [] if b is None or a is None else pairs(
            definition, b, a, with_difference=definition.key not in differences)
        yield definition, spec, found


def _confidence(before: dict[str, Any], after: dict[str, Any], key: str) -> dict[str, str]:
    return {when: str((_entry(report, key) or {}).get("confidence", "low"))
            for when, report in (("before", before), ("after", after))}


def _not_changed_labels(changes: list[dict[str, Any]], texts: dict[str, Any]) -> list[str]:
    """Measures with no real change: the label alone when no part of it changed, else the
    parts that did not."""
    labels: list[str] = []
    for key in dict.fromkeys(c["measure"] for c in changes):
        parts = [c for c in changes if c["measure"] == key]
        steady = [c for c in parts if not c["beyond_noise"]]
        if len(steady) == len(parts):
            labels.append(parts[0]["label"])
        else:
            labels.extend(f"{c['label']} ({texts['sides'][c['side']]})" for c in steady)
    return labels


def summary_lines(changes: list[dict[str, Any]], not_compared: list[str],
                  texts: dict[str, Any]) -> list[str]:
    """A few sentences: the real changes first, a word of care when one rests on an
    uncertain measurement, then what did not change and what was not compared (each in
    the order of ``changes``, which is the reference file's)."""
    words = texts["summary"]
    real = [c for c in changes if c["beyond_noise"]]
    lines = [c["sentence"] for c in real] or [words["nothing_beyond_noise"]]
    if any(c["low_confidence_note"] for c in real):
        lines.append(words["low_confidence"])
    steady = _not_changed_labels(changes, texts)
    if steady:
        lines.append(words["no_real_change"].format(labels=", ".join(steady)))
    if not_compared:
        lines.append(words["only_in_one"].format(labels=", ".join(not_compared)))
    return [str(line) for line in lines]


def _not_comparable(reason: str, before: dict[str, Any], after: dict[str, Any]
                    ) -> dict[str, Any]:
    return {"comparable": False, "reason": reason, "activity": before.get("activity"),
            "views": [before.get("view"), after.get("view")], "changes": [],
            "not_compared": [], "summary_lines": [reason]}


def compare_reports(before: dict[str, Any], after: dict[str, Any],
                    reference: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compare an earlier and a later analysis report of the same kind of clip.

    Args:
        before: The earlier ``report.json`` as a dict.
        after: The later one.
        reference: The reference data (default: ``data/video_reference.yml``).

    Returns:
        A JSON-able dict: ``comparable`` (bool); ``reason`` (words) when not comparable;
        ``activity``; ``views`` (before, after); ``changes``, one per value found in
        both clips (``measure``, ``label``, ``side`` (left/right/difference/None),
        ``before``, ``after``, ``unit``, ``change``, ``change_pct`` (relative measures),
        ``noise``, ``noise_unit``, ``beyond_noise``, ``direction`` (improved / worse /
        changed / no real change), ``sentence``, ``confidence``, ``low_confidence_note``),
        real changes first; ``not_compared`` (measures made in only one clip: ``measure``,
        ``label``); ``summary_lines``.
    """
    ref = reference or load()
    texts = ref["comparison"]
    reason = not_comparable_reason(before, after, texts)
    if reason is not None:
        return _not_comparable(reason, before, after)
    changes: list[dict[str, Any]] = []
    not_compared: list[dict[str, str]] = []
    for definition, spec, found in _compared(before, after, ref):
        if not found:
            not_compared.append({"measure": definition.key, "label": spec["label"]})
        confidence = _confidence(before, after, definition.key)
        changes.extend(describe(definition, spec, pair, confidence, texts) for pair in found)
    if not changes:
        return _not_comparable(texts["not_comparable"]["nothing_in_common"], before, after)
    lines = summary_lines(changes, [n["label"] for n in not_compared], texts)
    return {
        "comparable": True,
        "activity": before["activity"],
        "views": [before.get("view"), after.get("view")],
        "changes": sorted(changes, key=lambda c: not c["beyond_noise"]),
        "not_compared": not_compared,
        "summary_lines": lines,
    }
