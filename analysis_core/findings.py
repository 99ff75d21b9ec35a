"""Findings: each measure compared with its reference band, in plain language.

Bands, contributors, texts and sources live in ``data/video_reference.yml``. Directions:
``high`` (larger is worse), ``low`` (smaller is worse), ``abs_high`` (larger magnitude is
worse), ``asymmetry`` (the left–right difference of a per-side measure is graded).
A finding's confidence is the measure's confidence.
"""

from __future__ import annotations

from typing import Any

from analysis_core.measures import MeasureDefinition, in_reference_order
from analysis_core.reference import by_activity, load

SEVERITIES = ("none", "mild", "marked")


def grade(value: float, direction: str, mild: float, marked: float) -> str:
    """Severity of one value against its band."""
    if direction in ("high", "asymmetry"):
        return "marked" if value >= marked else "mild" if value >= mild else "none"
    if direction == "abs_high":
        v = abs(value)
        return "marked" if v >= marked else "mild" if v >= mild else "none"
    if direction == "low":
        return "marked" if value <= marked else "mild" if value <= mild else "none"
    raise ValueError(f"unknown direction {direction!r}")


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.0f}"


def with_unit(value: float, measure: str, reference: dict[str, Any] | None = None) -> str:
    """A measured value as a runner reads it: ``"12°"``, ``"168 steps/min"``."""
    spec = (reference or load())["measures"].get(measure, {})
    return f"{_fmt(value)}{spec.get('unit_text', '')}"


_NORMAL = {
    "high": "below {mild}",
    "low": "{mild} or more",
    "abs_high": "within ±{mild} either way",
    "asymmetry": "sides within {mild} of each other",
}


def _value_text(m: dict[str, Any], measure: str, ref: dict[str, Any]) -> str | None:
    if m.get("value") is not None:
        return with_unit(float(m["value"]), measure, ref)
    sides = [f"{side} {with_unit(float(m[side]), measure, ref)}" for side in ("left", "right")
             if m.get(side) is not None]
    return ", ".join(sides) or None


def measure_table(metrics: dict[str, dict[str, Any]], activity: str,
                  findings: list[dict[str, Any]],
                  reference: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every measure that was made, in words: label, value with unit, typical range,
    confidence and the worst severity of its findings (``none`` when it has no band).

    The order is the reference file's, so the same measures always come in the same order.
    """
    ref = reference or load()
    rows: list[dict[str, Any]] = []
    for definition, spec in in_reference_order(ref):
        m = metrics.get(definition.key)
        value = _value_text(m, definition.key, ref) if m else None
        if m is None or value is None:
            continue
        rows.append({
            "measure": definition.key,
            "label": spec["label"],
            "value": value,
            "typical": typical_range(definition.key, spec, activity, ref),
            "confidence": m.get("confidence", "low"),
            "severity": worst_severity(findings, definition.key),
        })
    return rows


def typical_range(measure: str, spec: dict[str, Any], activity: str,
                  reference: dict[str, Any] | None = None) -> str | None:
    """The range not graded as a finding, in words (``"165 steps/min or more"``), or None
    when the measure has no band for ``activity``."""
    mild = by_activity(spec.get("mild"), activity)
    if mild is None or activity not in spec.get("activities", []):
        return None
    return _NORMAL[spec["direction"]].format(mild=with_unit(float(mild), measure, reference))


def worst_severity(findings: list[dict[str, Any]], measure: str) -> str:
    """The worst severity among the findings on ``measure`` (``none`` without any)."""
    severities = [f["severity"] for f in findings if f["measure"] == measure]
    return max(severities, key=SEVERITIES.index, default="none")


def _finding(fid: str, measure: str, side: str | None, severity: str, spec: dict[str, Any],
             activity: str, value: float, conf: str) -> dict[str, Any]:
    contributor = by_activity(spec["contributor"], activity)
    text = spec["text"][severity].format(side=side or "", value=_fmt(value))
    return {
        "id": fid,
        "measure": measure,
        "side": side,
        "severity": severity,
        "contributor": contributor,
        "text": text,
        "value": round(value, 3),
        "confidence": conf,
        "source": spec.get("source"),
    }


def _graded_values(m: dict[str, Any], definition: MeasureDefinition,
                   direction: str) -> list[tuple[str, str | None, float]]:
    """The values a measure's findings grade: ``(id, side, value)`` each."""
    key = definition.key
    if direction == "asymmetry":
        left, right = m.get("left"), m.get("right")
        if left is None or right is None:
            return []
        return [(key, None, abs(float(left) - float(right)))]
    if definition.per_side:
        return [(f"{key}.{side}", side, float(m[side])) for side in ("left", "right")
                if m.get(side) is not None]
    return [] if m.get("value") is None else [(key, None, float(m["value"]))]


def make_findings(metrics: dict[str, dict[str, Any]], activity: str,
                  reference: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One finding per measured value that has a reference band for this activity."""
    ref = reference or load()
    out: list[dict[str, Any]] = []
    for definition, spec in in_reference_order(ref):
        if definition.key not in metrics or activity not in spec.get("activities", []):
            continue
        m = metrics[definition.key]
        mild = by_activity(spec["mild"], activity)
        marked = by_activity(spec["marked"], activity)
        if mild is None or marked is None:
            continue
        direction = spec["direction"]
        for fid, side, value in _graded_values(m, definition, direction):
            out.append(_finding(fid, definition.key, side, grade(value, direction, mild, marked),
                                spec, activity, value, m.get("confidence", "low")))
    out.sort(key=lambda f: -SEVERITIES.index(f["severity"]))
    return out
