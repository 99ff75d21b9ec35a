"""The runner's age in years, or an age band ("58 years old", "in my late fifties", "teen")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, candidate
from .distance import DISTANCE_UNIT
from .numbers import NUM_WORD, parse_number

_AGE_BANDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:over|above|older than|more than) (?:55|6\d|7\d|8\d)\b(?! ?(?:k|km|mi"
                r"|miles|%|weeks|days|minutes|mins)\b)|\b(?:55|6\d|7\d) ?(?:\+|plus)"),
     "55_plus"),
    (re.compile(r"\b(?:under|younger than|below) 18\b|\bteen(?:ager|age)?s?\b|\badolescent\b"
                r"|\bin (?:high )?school\b"), "under_18"),
    (re.compile(r"\bbetween 18 and 54\b|\b18 ?(?:-|to) ?54\b"), "18_54"),
]
_DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80, "teens": 10}  # fmt: skip
_DECADE_RX = re.compile(
    r"\bin (?:my|his|her|their) (?P<span>(?:(?P<q>early|mid|late)[ -])?"
    r"(?P<d>twenties|thirties|forties|fifties|sixties|seventies|eighties|teens|[2-8]0'?s))\b"
)
_AGE_RXS = [
    re.compile(
        rf"\b(?P<n>\d{{1,2}}|{NUM_WORD}) ?-? ?(?:years?|yrs?|y) ?-? ?(?:old|of age|o)\b"
    ),
    re.compile(r"\b(?P<n>\d{1,2}) ?(?:yo|y/o|y\.o\.?)(?![\w])"),
    re.compile(
        rf"\b(?:i'm|im|i am|aged|age|age is|i'm now|i turned|just turned) (?:a )?"
        rf"(?P<n>\d{{2}}|{NUM_WORD})\b(?! ?(?:{DISTANCE_UNIT}|%|/|x\b|times|out of|weeks?|days?"
        r"|months?|hours?|mins?|minutes|kg|lbs|st\b|stone|or so)\b)"
    ),
    # "I am 41 years", "I have 36 years" (non-native), "she's 13" (a parent typing)
    re.compile(
        rf"\b(?:i am|i'm|im|i have|i've|ive) (?P<n>\d{{2}}|{NUM_WORD}) (?:years?|yrs?)\b"
        r"(?! (?:ago|of|running|in|now (?:running|of)))"
    ),
    re.compile(
        r"\b(?:she's|shes|she is|he's|hes|he is|(?:my )?(?:son|daughter|kid|child|lad|boy|girl"
        r"|husband|wife|partner|hubby)(?: [a-z]+)?(?:'s| is| who is| who's| aged))"
        r" (?P<n>\d{1,2})\b(?! ?(?:k\b|km|kms|mi\b|miles?|%|/|x\b|times|weeks?|days?|months?"
        r"|mins?|minutes|kg|lbs))"
    ),
    # "my husband Dave (46)", "one of my runners (19)"
    re.compile(
        r"\b(?:husband|wife|partner|son|daughter|lad|boy|girl|runner|runners|athlete|client"
        r"|patient|guy|guys|mum|mom|dad)(?: [a-z]+)? \((?P<n>\d{2})\)"
    ),
    # French, Spanish, Portuguese, German: "55 ans", "tengo 40 años" (not "depuis 20 ans")
    re.compile(
        r"(?<!depuis )(?<!hace )(?<!seit )(?<!faz )(?<!for )\b(?P<n>\d{2}) (?:ans|años|anos"
        r"|jahre)\b"
    ),
    # clinical shorthand: "client: 52F", "46M, L knee"
    re.compile(
        r"(?:^|[:;,(] ?|\b(?:client|patient|pt|runner|athlete),? )(?P<n>\d{2})[fm]\b(?![/.\d])"
    ),
]


def find_ages(text: str) -> Iterator[Candidate]:
    """Ages in years ("58 years old", "I'm 41") and age bands ("over 60", "late fifties")."""
    for pattern, band in _AGE_BANDS:
        for m in pattern.finditer(text):
            yield candidate("age", band, m.start(), m.end())
    for m in _DECADE_RX.finditer(text):
        band = _decade_band(m.group("d"), m.group("q"))
        yield candidate("age", band, m.start("span"), m.end("span"), (m.start(), m.end()))
    for pattern in _AGE_RXS:
        for m in pattern.finditer(text):
            age = int(parse_number(m.group("n")))
            if 5 <= age <= 100:
                yield candidate("age", age, m.start("n"), m.end("n"), (m.start(), m.end()))


def _decade_band(decade: str, quarter: str | None) -> str:
    """The age band of "(early|mid|late) fifties" or "50s"."""
    base = _DECADES.get(decade) or int(decade[0]) * 10
    if base == 10:
        return "under_18"
    if base < 50 or (base == 50 and quarter == "early"):
        return "18_54"
    return "55_plus"  # "mid/late 50s" and plain "50s": err on the cautious side
