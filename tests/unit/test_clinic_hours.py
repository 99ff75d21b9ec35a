"""The clinic's opening hours: parsing, open now, next opening, in words."""

from __future__ import annotations

import datetime as dt

import pytest

from kneeapp.clinic.hours import (
    HoursError,
    is_open,
    next_opening,
    parse_hours,
    when_words,
    zone,
)

LONDON = zone("Europe/London")
WEEK = parse_hours("Mon-Fri 08:00-18:00; Sat 09:00-12:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in London in the week of Monday 2026-11-30 (day 0 = Monday)."""
    return dt.datetime(2026, 11, 30, hour, minute, tzinfo=LONDON) + dt.timedelta(days=day)


def test_days_ranges_and_lists_expand() -> None:
    assert sorted({o.weekday for o in WEEK}) == [0, 1, 2, 3, 4, 5]
    assert [o.weekday for o in parse_hours("mon,wed 10:00-11:00")] == [0, 2]
    assert [o.weekday for o in parse_hours("Sat-Mon 10:00-11:00")] == [5, 6, 0]


@pytest.mark.parametrize("spec", ["Mon 8-18", "Funday 08:00-10:00", "Mon 18:00-08:00",
                                  "Mon 25:00-26:00"])
def test_unreadable_hours_are_refused(spec: str) -> None:
    with pytest.raises(HoursError):
        parse_hours(spec)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(HoursError):
        zone("Mars/Olympus")


@pytest.mark.parametrize(("moment", "expected"), [
    (at(0, 8), True), (at(0, 17, 59), True), (at(0, 18), False), (at(0, 7, 59), False),
    (at(5, 10), True), (at(5, 12), False), (at(6, 10), False),
])
def test_open_now(moment: dt.datetime, expected: bool) -> None:
    assert is_open(WEEK, moment, LONDON) is expected


def test_next_opening_skips_closed_days() -> None:
    assert next_opening(WEEK, at(0, 19), LONDON) == at(1, 8)
    assert next_opening(WEEK, at(5, 13), LONDON) == at(7, 8)  # Saturday afternoon -> Monday
    assert next_opening([], at(0, 19), LONDON) is None


def test_times_in_words_follow_the_clinic_zone() -> None:
    assert when_words(at(0, 9), at(0, 7), LONDON) == "today at 09:00"
    assert when_words(at(1, 8), at(0, 19), LONDON) == "tomorrow at 08:00"
    assert when_words(at(7, 8), at(5, 13), LONDON) == "on Monday at 08:00"
    utc_evening = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone.utc)
    assert is_open(WEEK, utc_evening, zone("Asia/Tokyo"))  # 08:30 on Tuesday in Tokyo
