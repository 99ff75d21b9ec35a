"""Weekly running distances in km, and which is before and which is now.

Limitations:
    * A number with no unit ("from 20 to 30") counts as a distance only in a few
      before/now structures; with no unit anywhere in the message it is taken as km.
    * "5k three times a week" yields a 5 km ``distance``; a single race ("a 10k") is
      ignored on purpose.
    * "15 to 25 miles" is before -> now only with an arrow ("30 -> 45 km"), "from", or an
      increase verb / "over N weeks" in the sentence; otherwise it is one range (midpoint).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from content_schema.vocabulary import KM_PER_MILE

from .candidates import PRIORITY, Candidate, candidate
from .numbers import NUM, parse_number
from .pain_score import PAIN_CONTEXT

#: The units a distance may carry ("30km", "20 miles", "40 kpw"), with the slips runners
#: type most ("mikes", "miels", "kilometrs").
DISTANCE_UNIT = (
    r"(?:kilom\w*|klicks|kays|kms?|ks|k|miles?|mi|mls|mpw|kpw"
    r"|mikes|miels|milse|miiles|mlies|milez)"
)
_MILE_UNITS = ("mile", "miles", "mi", "mls", "mpw")
_PER_WEEK = r"(?: ?(?:a|per|/|each|every|one|the) ?(?:week|wk|w)\b| ?weekly\b| ?pw\b)"
#: An arrow between two numbers ("50k -> 70k", "30 → 45 km") always means before → now.
_ARROW = r"(?:-+>|=+>|\u2192|\u21d2|\u27a1)"
_DIST_RX = re.compile(
    rf"(?<![\w.£$/])(?P<num>{NUM})"
    rf"(?:(?P<join> ?{_ARROW} ?| ?- ?| to | up to | or )(?P<num2>{NUM}))?"
    r"(?P<half> and a half)?"
    rf"(?: ?(?P<unit>{DISTANCE_UNIT})(?![\w']))?(?P<per>{_PER_WEEK})?"
)
_NOT_DISTANCE_AFTER = re.compile(
    r"^ ?(?:%|percent|/|out of|outta|of 10|x\b|times|weeks?|wks?|days?|months?|years?|yrs?"
    r"|yo\b|y/o|am\b|pm\b|min|mins|minutes|hours?|hrs?|kg|kgs|lbs?|stone|sec|secs|seconds"
    r"|or so weeks|k\w|runs?\b|sessions?\b)"
)
#: "about 9" after a distance: the hedge belongs to the distance, not to a pain score.
#: A hedge just before a number ("about 30", "like 25 miles").
_HEDGE = r"(?:(?:about|around|roughly|like|~) ?)"
_HEDGE_BEFORE = re.compile(r"(?:about|around|roughly|approx(?:imately)?|like|~) ?$")
_RACE_BEFORE = re.compile(
    r"(?:\b(?:a|an|the|my first|first|my|this|that|next)) $"
    r"|\btraining for (?:the |a |my )?(?:[a-z]+ ){0,2}$"  # "training for TCS 10k"
    r"|\b(?:couch|sofa|c|zero|0) ?(?:-|to|2) ?$"  # a beginners' programme: "couch to 5k"
)
#: "still doing my 40 miles (up from 30)": "my" + a change cue is weekly load, not a race.
_CHANGE_AFTER = re.compile(
    r"^(?: ?(?:a week|per week|weekly|now|these days|currently))*[ ,(]*"
    rf"(?:(?:up|down) from|(?:it )?(?:was|were|used to be)(?: only| just| about| around)? {NUM})\b"
)
#: A bare "was" / "used to be" introducing an earlier distance ("40 km a week, was 30");
#: "pain was 6" and "I was 10" do not qualify.
_BARE_WAS = (
    r"(?:^ ?|[,;(] ?|\b(?:and|but|it|that|which|this|mileage|volume|distance) )"
    r"(?:was|used to be|had been)(?: (?:only|just))?"
)
_RACE_AFTER = re.compile(r"^ ?(?:race|run|event|pb|time|parkrun|loop|route|course)\b")
_BEFORE_CUE = re.compile(
    rf"(?:{_BARE_WAS}|"
    r"\b(?:from|used to(?: run| do| be(?: running| doing| at)?)?|was (?:running|doing|at)|were"
    r"|previously|before|usually|normally|originally|started at|last (?:month|year|block)"
    r"|pre-?onset|pre-?injury|before (?:the )?(?:pain|onset|injury)"
    r"|before(?: (?:that|this|the pain|it started))?,? (?:i|we)"
    r" (?:ran|run|did|do|was (?:running|doing))))"
    rf" {_HEDGE}?$"
)
_NOW_CUE = re.compile(
    r"\b(?:now|currently|these days|at the moment|this (?:week|month|block)|today"
    r"|up to|increased (?:it )?to|jumped to|bumped (?:it )?(?:up )?to|went up to|to)"
    r"(?: i(?:'m| am)?)?(?: (?:run(?:ning)?|do(?:ing)?|at))?(?: (?:only|just))?"
    rf" {_HEDGE}?$"
)
_NOW_AFTER = re.compile(r"^(?:a week|per week|weekly)? ?(?:now|currently|these days)\b")
_BEFORE_AFTER = re.compile(r"^(?:a week|per week|weekly)? ?(?:before|previously|last month)\b")
_UNITLESS_CUE = re.compile(
    rf"(?:{_BARE_WAS}|"
    r"\b(?:(?:up|down) from|from|to|now|previously|used to (?:run|do|be)|was (?:running|doing)"
    r"|currently))(?: i(?:'m| am)?)?(?: (?:run(?:ning)?|do(?:ing)?|at))?"
    rf" {_HEDGE}?$"
)
_DISTANCE_CONTEXT = re.compile(
    r"\b(?:mileage|distance|volume|km|kms|miles|kilom\w+|running|training|weekly|a week"
    r"|per week)\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?]|\bbut\b|\band\b")


def _clause_before(text: str, pos: int, limit: int = 40) -> str:
    window = text[max(0, pos - limit) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


@dataclass
class _Mention:
    start: int
    end: int
    claim_end: int
    value: float  # in the mention's own unit until converted
    unit: str | None
    claim_start: int = -1  # with a hedge before it ("about 9"), else ``start``
    role: str = "distance"
    fixed: bool = False  # role settled by the structure ("15 to 25 miles over 3 weeks")
    pair_first: bool = False  # first number of a before → now pair


def find_distances(text: str) -> Iterator[Candidate]:
    """Weekly distances in km as ``distance``, ``distance_before`` or ``distance_now``.

    A single race or run ("a 10k") yields an empty candidate that only claims its text.
    """
    mentions, races = _collect_mentions(text)
    for start, end in races:
        yield Candidate(start, end, PRIORITY["distance"], ())
    if not mentions:
        return
    _pair_changes(text, mentions)
    has_unit = any(mn.unit for mn in mentions)
    _assign_roles(text, mentions)
    previous: tuple[_Mention, str, float] | None = None
    for i, mn in enumerate(mentions):
        unit = mn.unit or _inherited_unit(mentions, i) or _assumed_unit(text, mn, has_unit)
        if unit is None:
            continue
        km = mn.value * (KM_PER_MILE if unit in _MILE_UNITS else 1.0)
        claim_start = mn.claim_start if mn.claim_start >= 0 else mn.start
        converted = previous is not None and _same_distance_converted(text, previous, mn, unit, km)
        previous = (mn, unit, km)
        if converted:  # "20 miles a week now, about 32 km": one distance in two units
            yield Candidate(claim_start, mn.claim_end, PRIORITY["distance"], ())
            continue
        yield candidate(mn.role, round(km, 3), mn.start, mn.end, (claim_start, mn.claim_end))


#: Between a distance and the same distance in the other unit: ", about", " (", " or ".
_CONVERSION_GAP = re.compile(
    r"[\s,(=~]*(?:(?:now|currently)[\s,]*)?"
    r"(?:about|abut|approx\.?|approximately|roughly|around|or|i\.?e\.?|so|that'?s)?"
    r"[\s(~]*"
)


def _same_distance_converted(text: str, previous: tuple[_Mention, str, float], mention: _Mention,
                             unit: str, km: float) -> bool:  # fmt: skip
    """Whether ``mention`` repeats the distance before it in the other unit."""
    before, before_unit, before_km = previous
    other_unit = (unit in _MILE_UNITS) != (before_unit in _MILE_UNITS)
    start = mention.claim_start if mention.claim_start >= 0 else mention.start
    gap = text[before.claim_end : start]
    return (other_unit and mention.role in ("distance", before.role) and before_km > 0
            and abs(km - before_km) / before_km < 0.06
            and bool(_CONVERSION_GAP.fullmatch(gap)))


def _collect_mentions(text: str) -> tuple[list[_Mention], list[tuple[int, int]]]:
    """Distance-like numbers in ``text``, and the spans of single races ("a 10k")."""
    mentions: list[_Mention] = []
    races: list[tuple[int, int]] = []
    for m, pair_first in _iter_distance_matches(text):
        unit = m.group("unit")
        end = m.end("unit") if unit else m.end("num")
        before = text[max(0, m.start() - 20) : m.start()]
        if unit is None:
            after = text[m.end("num2") if m.group("num2") else m.end("num") :]
            if _NOT_DISTANCE_AFTER.match(after):
                continue
            if not (pair_first or _UNITLESS_CUE.search(before)):
                continue
            claim_end = end
        elif _is_single_race(text, m, before, end):
            races.append((m.start(), end))  # a single race or run, not weekly load
            continue
        else:
            claim_end = m.end("per") if m.group("per") else end
        value = _mention_value(m)
        hedge = _HEDGE_BEFORE.search(before)
        claim_start = m.start() - len(hedge.group(0)) if hedge else m.start()
        mentions.append(_Mention(m.start(), end, claim_end, value, unit, claim_start,
                                 pair_first=pair_first))
    return mentions, races


def _mention_value(m: re.Match[str]) -> float:
    """The number of a distance match in its own unit: a range gives its midpoint."""
    unit = m.group("unit")
    values = [parse_number(m.group("num"))]
    if m.group("num2") and unit:
        values.append(parse_number(m.group("num2")))
    return sum(values) / len(values) + (0.5 if m.group("half") and unit else 0.0)


def _is_single_race(text: str, m: re.Match[str], before: str, end: int) -> bool:
    """"a 10k", "my first half", "training for the TCS 10k": one race, not weekly load."""
    if _RACE_AFTER.match(text[end:]):
        return True
    if not _RACE_BEFORE.search(before) or m.group("per"):
        return False
    return not (before.endswith("my ") and _CHANGE_AFTER.match(text[end:]))


def _assumed_unit(text: str, mention: _Mention, has_unit: bool) -> str | None:
    """"km" for a before/now number when no number in a running message has a unit."""
    if has_unit or not _DISTANCE_CONTEXT.search(text) or mention.role == "distance":
        return None
    if PAIN_CONTEXT.search(_clause_before(text, mention.start, 60)):
        return None
    return "km"  # no unit anywhere: assume kilometres (documented limitation)


_FROM_BEFORE = re.compile(rf"\bfrom {_HEDGE}?$")


#: An increase verb anywhere in the sentence marks "15 to 25 miles" as a change ...
_CHANGE_VERB = re.compile(
    r"\b(?:increas(?:e|ed|ing)|upp(?:ed|ing)|rais(?:ed|ing)|jump(?:ed|ing)|bump(?:ed|ing)"
    r"|ramp(?:ed|ing)|built up|build(?:ing)? up|step(?:ped|ping) up|climb(?:ed|ing)"
    r"|progress(?:ed|ing)|doubl(?:ed|ing)|push(?:ed|ing) up|went up|gone up)\b"
)
#: ... and so do a weaker verb or "over N weeks" in the same clause (up to a comma).
_CHANGE_NEAR = re.compile(
    r"\b(?:went|gone|moved|grew|grown|added)\b"
    r"|\b(?:over|across|within|in) (?:the )?(?:(?:last|past|space of) )?(?:about |around )?"
    rf"(?:(?:{NUM}|a few|a couple of|a couple|couple of|several|few) ?(?:days|weeks?|wks?"
    r"|months?|fortnights?)|a (?:month|fortnight))\b"
)
#: "40 to 50 km a week, over a month": the period of the change right after the numbers.
_CHANGE_FOLLOWS = re.compile(r"^,? (?:over|across|within) ")


def _text_around(text: str, start: int, end: int, stops: str) -> str:
    """The stretch of ``text`` around ``start:end`` up to the nearest ``stops`` characters."""
    left = max(text.rfind(c, 0, start) for c in stops)
    rights = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    return text[left + 1 : min(rights) if rights else len(text)]


def _is_change_range(text: str, m: re.Match[str]) -> bool:
    """"15 to 25 miles over 3 weeks" and "30 → 45 km" are before → now, not a range."""
    join = m.group("join").strip()
    if join in ("-", "or"):
        return False
    if join not in ("to", "up to"):
        return True  # an arrow
    sentence = _text_around(text, m.start(), m.end(), ".;!?").replace(m.group(), " ")
    clause = _text_around(text, m.start(), m.end(), ".;!?,").replace(m.group(), " ")
    follows = text[m.end() :]
    return bool(
        _CHANGE_VERB.search(sentence)
        or _CHANGE_NEAR.search(clause)
        or (_CHANGE_FOLLOWS.match(follows) and _CHANGE_NEAR.match(follows.lstrip(", ")))
    )


def _iter_distance_matches(text: str) -> Iterator[tuple[re.Match[str], bool]]:
    """Number (+ range) (+ unit) matches; "from 20 to 35" is two numbers, not a range.

    Yields each match with a flag: True for the first number of a before → now pair
    ("15" in "15 to 25 miles a week over three weeks"), whose partner is the next match.
    """
    pos = 0
    while True:
        m = _DIST_RX.search(text, pos)
        if m is None:
            return
        if m.group("num2"):
            change = bool(m.group("unit")) and _is_change_range(text, m)
            if (
                change
                or not m.group("unit")
                or _FROM_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
            ):
                single = _DIST_RX.match(text, m.start(), m.end("num"))
                if single:
                    yield single, change
                pos = m.end("num")
                continue
        yield m, False
        pos = max(m.end(), m.start() + 1)


def _pair_changes(text: str, mentions: list[_Mention]) -> None:
    """Fix before/now for a split change range and for "50k -> 70k" (an arrow between)."""
    for i, mn in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is None or nxt.fixed:
            continue
        gap = text[mn.claim_end : nxt.start]
        if mn.pair_first or re.fullmatch(rf" ?{_ARROW} ?", gap):
            mn.role, nxt.role = "distance_before", "distance_now"
            mn.fixed = nxt.fixed = True
    # A first number whose partner was not found ("15 to 25 miles race") is dropped.
    mentions[:] = [mn for mn in mentions if mn.fixed or not mn.pair_first]


def _assign_roles(text: str, mentions: list[_Mention]) -> None:
    for i, mn in enumerate(mentions):
        if mn.fixed:
            continue
        before = _clause_before(text, mn.start, 30)
        after = text[mn.claim_end : mn.claim_end + 20].lstrip(" ")
        to_cue = re.search(rf"\bto {_HEDGE}?$", before)
        if to_cue and not (i > 0 and mentions[i - 1].role == "distance_before"):
            _assign_to_pair(text, mentions, i)
            continue
        if _BEFORE_CUE.search(before):
            mn.role = "distance_before"
        elif _NOW_CUE.search(before):
            mn.role = "distance_now"
        elif _BEFORE_AFTER.match(after):
            mn.role = "distance_before"
        elif _NOW_AFTER.match(after):
            mn.role = "distance_now"
    # "25 miles a week, used to be 15": next to a "before", a plain distance is the "now".
    if any(mn.role == "distance_before" for mn in mentions):
        for mn in mentions:
            if mn.role == "distance" and mn.unit:
                mn.role = "distance_now"
    # A unitless number that is still a plain "distance" is dropped by the caller.


_VERB_TO = re.compile(
    r"\b(?:increased|upped|raised|jumped|bumped|went up|gone up|built up|up) (?:it |my \w+ )?"
    rf"(?:up )?to {_HEDGE}?$"
)


def _assign_to_pair(text: str, mentions: list[_Mention], i: int) -> None:
    """"jumped to 60km" is the current distance; "10k to 30k" is before and now."""
    mention = mentions[i]
    if _VERB_TO.search(_clause_before(text, mention.start, 30)):
        mention.role = "distance_now"
        return
    previous = mentions[i - 1] if i > 0 else None
    if previous and previous.role == "distance" and mention.start - previous.claim_end <= 6:
        previous.role, mention.role = "distance_before", "distance_now"


def _inherited_unit(mentions: list[_Mention], index: int) -> str | None:
    """The unit of the nearest mention after ``index``, else before it."""
    for mn in mentions[index + 1 :]:
        if mn.unit:
            return mn.unit
    for mn in reversed(mentions[:index]):
        if mn.unit:
            return mn.unit
    return None
