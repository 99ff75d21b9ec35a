"""Findings: each measure compared with its reference band, in plain language.

Bands, contributors, texts and sources live in ``data/video_reference.yml``. Directions:
``high`` (larger is worse), ``low`` (smaller is worse), ``abs_high`` (larger magnitude is
worse), ``asymmetry`` (the left–right difference of a per-side measure is graded).
A finding's confidence is the measure's confidence.
"""

from __future__ import annotations

from typing import Any

from analysis_core.reference import by_activity, load

SEVERITIES = ("none", "mild", "marked")
CONTRIBUTORS = ("hip_core", "foot_ankle", "quads", "form", "training_load")


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
    order = {sev: i for i, sev in enumerate(SEVERITIES)}
    rows: list[dict[str, Any]] = []
    for measure, spec in ref["measures"].items():
        m = metrics.get(measure)
        value = _value_text(m, measure, ref) if m else None
        if m is None or value is None:
            continue
        mild = by_activity(spec.get("mild"), activity)
        normal = (_NORMAL[spec["direction"]].format(mild=with_unit(float(mild), measure, ref))
                  if mild is not None and activity in spec.get("activities", []) else None)
        severities = [f["severity"] for f in findings if f["measure"] == measure]
        rows.append({
            "measure": measure,
            "label": spec["label"],
            "value": value,
            "typical": normal,
            "confidence": m.get("confidence", "low"),
            "severity": max(severities, key=order.__getitem__, default="none"),
        })
    return rows


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


def make_findings(metrics: dict[str, dict[str, Any]], activity: str,
                  reference: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One finding per measured value that has a reference band for this activity."""
    ref = reference or load()
    out: list[dict[str, Any]] = []
    for measure, spec in ref["measures"].items():
        if measure not in metrics or activity not in spec.get("activities", []):
            continue
        m = metrics[measure]
        mild = by_activity(spec["mild"], activity)
        marked = by_activity(spec["marked"], activity)
        if mild is None or marked is None:
            continue
        direction = spec["direction"]
        conf = m.get("confidence", "low")
        if direction == "asymmetry":
            left, right = m.get("left"), m.get("right")
            if left is None or right is None:
                continue
            diff = abs(float(left) - float(right))
            out.append(_finding(measure, measure, None, grade(diff, direction, mild, marked),
                                spec, activity, diff, conf))
        elif spec.get("per_side"):
            for side in ("left", "right"):
                v = m.get(side)
                if v is None:
                    continue
                sev = grade(float(v), direction, mild, marked)
                out.append(_finding(f"{measure}.{side}", measure, side, sev, spec, activity,
                                    float(v), conf))
        else:
            v = m.get("value")
            if v is None:
                continue
            out.append(_finding(measure, measure, None, grade(float(v), direction, mild, marked),
                                spec, activity, float(v), conf))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    out.sort(key=lambda f: -order[f["severity"]])
    return out
