"""Pain scores 0-10 ("6/10", "a 7", "about 6").

Limitations:
    A bare number 0-10 counts as a pain score only as "a 7", with pain words nearby or
    as (almost) the whole message ("about 6"): the dialogue decides what it answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate, candidate
from .numbers import parse_number

PAIN_CONTEXT = re.compile(
    r"\b(?:pain|hurts?|hurting|sore|soreness|score|rate|rating|scale|level|aches?|aching"
    r"|severity|painful|intensity|throb\w*|out of (?:10|ten)"
    r"|at (?:its |it's |the )?(?:worst|best|peak))\b"
)
_SCORE_NUM = r"(?:10|[0-9](?:\.5)?|zero|two|three|four|five|six|seven|eight|nine|ten|one)"
_EXPLICIT_SCORE_RX = re.compile(
    rf"(?<![\w.£$/])(?P<n>{_SCORE_NUM})(?: ?(?:-|to|or) ?(?P<n2>{_SCORE_NUM}))?"
    r" ?(?:/|out of|outta|oot of|oot o'?|of|from|form|on|over) ?(?:10|ten)(?![\w/]|\.\d)"
)
_BARE_SCORE_RX = re.compile(
    rf"(?<![\w.£$/:'-])(?:(?P<hedge>about|around|roughly|approx(?:imately)?) )?"
    rf"(?:(?P<det>a|an) )?(?P<n>{_SCORE_NUM})(?: ?(?:-|to|or) ?(?P<n2>{_SCORE_NUM}))?"
    r"(?![\w:/%]|\.\d|-\w)(?: ?ish\b)?"
)
_SCORE_OK_AFTER = re.compile(
    r"^(?: ?$| ?[.,!?;)]| (?:or|ish|at|on|when|during|while|after|if|but|and|in|most"
    r"|tops|max|maybe|now|today|i|i'd|id|probably|right|going|walking|running|usually"
    r"|normally|sometimes|then|by|first|the|before|pain|only|for\b(?! \w+ (?:weeks?|days?)))\b)"
)
_SCORE_BAD_BEFORE = re.compile(
    r"\b(?:at|for|in|since|every|page|number|no|top|x|than|last|past|next|those|these"
    r"|the|my|of|with|run|ran|do|did|doing|have|had|has|got|are|were|after"
    r"|week|wk|day|stage|round|lap)$"  # a programme's "week 6", not a score
)
#: Words that may surround a bare score in a message that is (almost) only the score.
_SCORE_FILLER_WORDS = """
    i i'd id i'm im say guess think it's its is it maybe probably prob like roughly pain
    um erm hmm honestly tbh right now currently at the moment most worst usually normally
    on a good bad day days score rate rating level would be prolly reckon ish hurts
    about around it'd thats that's so yeah yes er uh worst best its peak
"""
_SCORE_FILLERS = frozenset(_SCORE_FILLER_WORDS.split())


def _score_value(m: re.Match[str]) -> int | None:
    values = [parse_number(m.group("n"))]
    if m.group("n2"):
        values.append(parse_number(m.group("n2")))
    value = max(values)
    if not 0 <= value <= 10:
        return None
    return round(value + 0.01)  # 4.5 → 5 (round half up: err on the cautious side)


def find_pain_scores(text: str) -> Iterator[Candidate]:
    """Pain scores 0-10: explicit ("6/10") or bare where the context allows ("a 7")."""
    for m in _EXPLICIT_SCORE_RX.finditer(text):
        score = _score_value(m)
        if score is not None:
            yield candidate("pain_score", score, m.start(), m.end())
    pain_near = bool(PAIN_CONTEXT.search(text)) or bool(_EXPLICIT_SCORE_RX.search(text))
    pain_near = pain_near or bool(re.search(rf"\ban? {_SCORE_NUM}(?![\w.:/%])", text))
    for m in _BARE_SCORE_RX.finditer(text):
        score = _score_value(m)
        if score is not None and _is_bare_score(text, m, pain_near):
            yield candidate("pain_score", score, m.start(), m.end())


def _is_bare_score(text: str, m: re.Match[str], pain_near: bool) -> bool:
    """Whether a bare number 0-10 is a score: "a 7", with pain words near, or (almost) alone."""
    if not _SCORE_OK_AFTER.match(text[m.end() :]):
        return False
    if m.group("n") == "one" and not m.group("det"):
        return False  # "the right one"
    if not (m.group("hedge") or m.group("det")) and _SCORE_BAD_BEFORE.search(
        text[: m.start()].rstrip()
    ):
        return False
    rest = (text[: m.start()] + " " + text[m.end() :]).replace(",", " ").split()
    short = all(w.strip(".!?") in _SCORE_FILLERS for w in rest if w.strip(".!?"))
    return bool(m.group("det") or pain_near or short)
