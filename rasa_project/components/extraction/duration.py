"""How long the pain has lasted, in weeks ("3 months", "a fortnight", "the past month").

Limitations:
    Durations without a number: "the past month", "since last week" count one unit,
    a bare plural ("for years", "in weeks") two units; the dialogue decides what they mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, candidate
from .numbers import NUM, parse_number

WEEKS_PER_MONTH = 52.0 / 12.0
_DUR_UNITS = {
    "day": 1 / 7, "week": 1.0, "wk": 1.0, "month": WEEKS_PER_MONTH, "mth": WEEKS_PER_MONTH,
    "mo": WEEKS_PER_MONTH, "year": 52.0, "yr": 52.0, "fortnight": 2.0, "d": 1 / 7, "w": 1.0,
    "da": 1 / 7, "dy": 1 / 7, "dya": 1 / 7,  # "12 das", "3 dys": "days" typed with a slip
    "/52": 1.0,  # a clinician's "6/52" ("5/7" and "3/12" are also dates: not read)
}  # fmt: skip
_DUR_RX = re.compile(
    rf"(?<![\w.£$/])(?P<num>{NUM}|a couple of|a couple|couple of|couple|a few|few|several|an|a"
    # dictated: "too weeks", "won week"
    r"|(?:too|won)(?= (?:days?|weeks?|months?)\b))"
    rf"(?: ?(?:-|to|or) ?(?P<num2>{NUM}))?(?P<half1> and a half)?"
    r" ?(?P<unit>days?|weeks?|wks?|months?|mths?|mos?|years?|yrs?|fortnights?"
    r"|(?<=\d)[dw](?! ?print)|(?<=\d )(?:das|dys|dyas)|(?<=\d)/52(?![\d/]))(?![\w'])"
    r"(?P<half2> and a half)?(?P<bit> and a bit)?"
)
_DUR_UNIT_WORDS = r"(?:days?|weeks?|months?|fortnights?|years?)"
#: No number: "over the last month", "the past week", "since last week" (one unit) and
#: "for years", "in months" (a bare plural: at least two units, which is already long).
#: "for weeks" and "for days" give no value: two of them would be a guess below the
#: long-pain threshold, so the question is asked.
_DUR_IMPLICIT_RXS = [
    re.compile(
        r"\b(?:over|in|for|during|within|throughout|across|through) the "
        rf"(?P<span>(?:last|past) (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"
    ),
    re.compile(rf"\bsince (?P<span>last (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"),
    re.compile(rf"\b(?:the|this) (?P<span>past (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"),
    # "just this last week"
    re.compile(rf"\bthis (?P<span>last (?P<unit>{_DUR_UNIT_WORDS}))(?![\w'])"),
    re.compile(
        r"\b(?:for|in|over) (?:(?:many|so many|some) )?"
        r"(?P<span>(?P<unit>months|years))(?![\w'])(?! (?:ago|before|later|old)\b)"
    ),
]
#: A day said by name: "since yesterday" is one day; "since this morning" half of one.
_SINCE_DAY = re.compile(
    r"\bsince (?P<span>the day before yesterday|yesterday|last night|this morning|earlier today"
    r"|today)\b"
)
_NOT_THE_KNEE_BEFORE = re.compile(
    r"\b(?:breath\w*|chest|calf|calves|fever|temperature|feverish)\b[^.!?,;]*$"
)
_SINCE_DAY_WEEKS = {
    "the day before yesterday": 0.29, "yesterday": 0.14, "last night": 0.14,
    "this morning": 0.07, "earlier today": 0.07, "today": 0.07,
}  # fmt: skip
#: "(sore for 2 days) after a run / after running / afterwards": how long it lingers.
_LASTS_AFTER_RUNS = re.compile(
    r"^,? (?:afterwards|after(?:wards)? (?:a |each |every |my |the )?(?:long )?"
    r"(?:runs?|running|races?|workouts?|sessions?|training))\b"
)
_RATE_BEFORE = re.compile(
    r"(?:\d ?[a-z]*|\b(?:times|time|x|once|twice|thrice|days|runs|sessions|hours|hrs"
    r"|minutes|mins|miles|mile|km|kms|k|ks|kilomet\w+|one|two|three|four|five|six|seven"
    r"|per|each|every))$"
)


def find_durations(text: str) -> Iterator[Candidate]:
    """Durations in weeks, with a number ("3 months") or without ("the past month")."""
    for m in _DUR_RX.finditer(text):
        if not _is_other_use(text, m):
            yield candidate("duration", _counted_weeks(m), m.start(), m.end())
    for m in _SINCE_DAY.finditer(text.lower()):
        if _NOT_THE_KNEE_BEFORE.search(text[: m.start()].lower()):
            continue  # "breathless since yesterday": how long another complaint has lasted
        yield candidate("duration", _SINCE_DAY_WEEKS[m.group("span")], m.start("span"),
                        m.end("span"))  # fmt: skip
    for rx in _DUR_IMPLICIT_RXS:
        for m in rx.finditer(text):
            unit = m.group("unit")
            count = 2.0 if unit.endswith("s") else 1.0
            weeks = round(count * _DUR_UNITS[unit.rstrip("s")], 2)
            yield candidate("duration", weeks, m.start("span"), m.end("span"))


def _is_other_use(text: str, m: re.Match[str]) -> bool:
    """True where a counted span of time is an age, a frequency or how long pain lingers."""
    after = text[m.end() :]
    if re.match(r"^(?:-| )?old\b|^ of age\b", after):
        return True  # "58 years old" is an age
    if re.match(r"^ ?(?:a|per|/|each|every) ?(?:week|month)\b", after):
        return True  # "5 days a week" is a frequency
    if m.group("unit").startswith("day") and _LASTS_AFTER_RUNS.match(after):
        return True  # "sore for 2 days after a run": how long it lingers, not since when
    if m.group(0) == "one day" and re.match(r"^,? (?:i|we|he|she|my|the)\b", after):
        return True  # "only one day I had to give way to a matatu": once, not how long
    if re.match(r"^ (?:is|was) (?:when|what|the|for)\b", after):
        return True  # "2 months is when I start the marathon training": another time
    # "40k a week", "3 times a month"
    return m.group("num") in ("a", "an") and bool(_RATE_BEFORE.search(text[: m.start()].rstrip()))


def _counted_weeks(m: re.Match[str]) -> float:
    """Weeks in a counted span ("2-3 months", "a year and a half", "a month and a bit")."""
    values = [parse_number(m.group("num"))]
    if m.group("num2"):
        values.append(parse_number(m.group("num2")))
    count = sum(values) / len(values) + (0.5 if m.group("half1") or m.group("half2") else 0)
    count += 0.25 if m.group("bit") else 0  # "a month and a bit"
    return round(count * _DUR_UNITS[m.group("unit").rstrip("s")], 2)
