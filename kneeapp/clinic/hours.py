"""The clinic's opening hours (``CLINIC_HOURS``): is it open now, and when does it next open.

Format: rules separated by ``;``, each ``<days> <HH:MM>-<HH:MM>``, where days are ``Mon`` ..
``Sun``, a range (``Mon-Fri``) or a list (``Mon,Wed``), e.g. ``Mon-Fri 08:00-18:00; Sat
09:00-12:00``. Times are in ``CLINIC_TIMEZONE``. Pure: no settings are read here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RULE_RE = re.compile(r"^\s*([A-Za-z,\- ]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """``CLINIC_HOURS`` or ``CLINIC_TIMEZONE`` cannot be read."""


@dataclasses.dataclass(frozen=True)
class Opening:
    """Open on ``weekday`` (0 = Monday) from ``opens`` to ``closes`` (same day)."""

    weekday: int
    opens: dt.time
    closes: dt.time


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        try:
            start = DAYS.index(first[:3])
            end = DAYS.index(last[:3]) if last else start
        except ValueError as exc:
            raise HoursError(f"unknown day in {text!r}") from exc
        days.extend(DAYS.index(DAYS[(start + i) % 7]) for i in range((end - start) % 7 + 1))
    return days


def _time(hours: str, minutes: str) -> dt.time:
    try:
        return dt.time(int(hours) % 24 if int(hours) == 24 else int(hours), int(minutes))
    except ValueError as exc:
        raise HoursError(f"not a time: {hours}:{minutes}") from exc


def parse_hours(spec: str) -> list[Opening]:
    """The openings ``spec`` describes (empty for an empty spec).

    Raises:
        HoursError: A rule that does not fit the format.
    """
    openings: list[Opening] = []
    for rule in filter(str.strip, spec.split(";")):
        match = _RULE_RE.match(rule)
        if not match:
            raise HoursError(f"cannot read opening hours {rule.strip()!r}")
        days, h1, m1, h2, m2 = match.groups()
        opens, closes = _time(h1, m1), _time(h2, m2)
        if closes <= opens and closes != dt.time(0, 0):
            raise HoursError(f"closing time before opening time in {rule.strip()!r}")
        openings.extend(Opening(day, opens, closes) for day in _days(days))
    return openings


def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (an IANA name).

    Raises:
        HoursError: Unknown zone.
    """
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HoursError(f"unknown time zone {name!r}") from exc


def _closes_at(day: dt.date, opening: Opening, tz: ZoneInfo) -> dt.datetime:
    end_day = day + dt.timedelta(days=1) if opening.closes == dt.time(0, 0) else day
    return dt.datetime.combine(end_day, opening.closes, tz)


def is_open(openings: list[Opening], now: dt.datetime, tz: ZoneInfo) -> bool:
    """True when ``now`` falls in one of the openings."""
    local = now.astimezone(tz)
    return any(
        opening.weekday == local.weekday()
        and dt.datetime.combine(local.date(), opening.opens, tz) <= local
        < _closes_at(local.date(), opening, tz)
        for opening in openings
    )


def next_opening(openings: list[Opening], now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """The next time the clinic opens after ``now`` (None without openings)."""
    local = now.astimezone(tz)
    starts = [
        dt.datetime.combine(local.date() + dt.timedelta(days=ahead), opening.opens, tz)
        for ahead in range(8)
        for opening in openings
        if opening.weekday == (local.weekday() + ahead) % 7
    ]
    later = [start for start in starts if start > local]
    return min(later) if later else None


def when_words(moment: dt.datetime, now: dt.datetime, tz: ZoneInfo) -> str:
    """``today at 08:00``, ``tomorrow at 08:00`` or ``on Monday at 08:00``."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    ahead = (local.date() - today).days
    if ahead == 0:
        return f"today at {clock}"
    if ahead == 1:
        return f"tomorrow at {clock}"
    return f"on {DAY_NAMES[local.weekday()]} at {clock}"
