"""Numbers as runners type them: digits or English words ("twenty-five", "a couple of").

``NUM`` and ``NUM_WORD`` are regex fragments the other finders build on; :func:`parse_number`
turns what they matched into a float.
"""

from __future__ import annotations

import re

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_FUZZY_COUNTS = {"a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2,
                 "a few": 3, "few": 3, "several": 3,
                 "too": 2, "won": 1}  # dictated before a time unit ("too weeks")  # fmt: skip

_ONES_RX = "|".join(sorted(_UNITS_WORDS, key=len, reverse=True))
_DIGIT_WORDS_RX = "one|two|three|four|five|six|seven|eight|nine"
_TENS_RX = "|".join(_TENS_WORDS)
NUM_WORD = rf"(?:(?:{_TENS_RX})(?:[ -](?:{_DIGIT_WORDS_RX}))?|hundred|{_ONES_RX})"
NUM = rf"(?:\d+(?:\.\d+)?|{NUM_WORD})"


def parse_number(text: str) -> float:
    """Parse digits or an English number word ("twenty-five", "a couple of") as a float."""
    text = text.strip().lower()
    if text in _FUZZY_COUNTS:
        return float(_FUZZY_COUNTS[text])
    try:
        return float(text)
    except ValueError:
        pass
    if text == "hundred":
        return 100.0
    total = 0
    for word in re.split(r"[ -]+", text):
        total += _TENS_WORDS.get(word, 0) + _UNITS_WORDS.get(word, 0)
    return float(total)
