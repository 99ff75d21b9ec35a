"""Changes in training load as a percentage ("doubled", "upped it by 20%", "30% less")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, candidate

_PCT = r"(?P<pct>\d+(?:\.\d+)?) ?(?:%|percent|per ?cent)"
_FRACTIONS = {"half": 50.0, "a half": 50.0, "a third": 33.3, "a quarter": 25.0}
_OBJ = r"(?: (?:it|them|my mileage|mileage|my distance|the distance|my volume|my training"
_OBJ += r"|my kms?|my miles|things))?"
_LOAD_PATTERNS: list[tuple[re.Pattern[str], float | None]] = [
    (re.compile(r"\b(?:doubled|doubling)\b"), 100.0),
    (re.compile(r"\b(?:tripled|tripling)\b"), 200.0),
    (re.compile(r"\b(?:quadrupled)\b"), 300.0),
    (re.compile(r"\b(?:halved|halving|cut (?:it |my mileage )?in half)\b"), -50.0),
    (re.compile(
        r"\b(?:increased|upped|raised|bumped(?: it| them)?(?: up)?|jumped|went up|gone up"
        rf"|added|ramped(?: it)?(?: up)?|increase){_OBJ} by (?:about |around |roughly )?"
        rf"(?:{_PCT}|(?P<frac>half|a half|a third|a quarter))"
    ), 1.0),
    (re.compile(
        r"\b(?:reduced|cut|dropped|decreased|lowered|cut back|dropped back)"
        rf"{_OBJ} by (?:about |around |roughly )?(?:{_PCT}|(?P<frac>half|a third|a quarter))"
    ), -1.0),
    (re.compile(rf"\b{_PCT} (?:more|increase|higher|up|jump|extra)\b"), 1.0),
    (re.compile(rf"\b{_PCT} (?:less|fewer|decrease|lower|down|drop|reduction)\b"), -1.0),
    (re.compile(rf"\b(?:up|increased|upped|jumped|went up)(?: by)? {_PCT}"), 1.0),
]


def find_load_changes(text: str) -> Iterator[Candidate]:
    """Load changes in percent: +100 for "doubled", -30 for "30% less"."""
    for pattern, sign_or_value in _LOAD_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            if groups.get("pct"):
                value = float(groups["pct"])
            elif groups.get("frac"):
                value = _FRACTIONS[groups["frac"]]
            else:
                yield candidate("load_change", sign_or_value, m.start(), m.end())
                continue
            yield candidate("load_change", value * (sign_or_value or 1.0), m.start(), m.end())
