"""The appointment book's pure domain: windows, free slots, series across daylight-saving changes, the
cancellation policy, money and clock parsing (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.clinic import appointments as ap
from taut.clinic.appointments import AppointmentType, BookingSettings, ScheduleException, WorkingHours
from taut.clinic.errors import RecordValidationError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
T60 = AppointmentType(id=1, name="Treatment 60", minutes=60, buffer_minutes=15)
WEEK = [WorkingHours(weekday=d, start=9 * 60, end=17 * 60) for d in range(5)]


def at(day: date, hh: int, mm: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz).astimezone(UTC)


def test_day_windows_with_time_off_and_extra_hours() -> None:
    monday = date(2027, 3, 8)
    assert ap.day_windows(monday, BERLIN, WEEK, []) == [(at(monday, 9), at(monday, 17))]
    lunch = ScheduleException(practitioner_id=1, day=monday, kind="off", start=12 * 60, end=13 * 60)
    assert ap.day_windows(monday, BERLIN, WEEK, [lunch]) == [
        (at(monday, 9), at(monday, 12)),
        (at(monday, 13), at(monday, 17)),
    ]
    evening = ScheduleException(practitioner_id=1, day=monday, kind="extra", start=17 * 60, end=19 * 60)
    assert ap.day_windows(monday, BERLIN, WEEK, [evening]) == [(at(monday, 9), at(monday, 19))]
    whole = ScheduleException(practitioner_id=1, day=monday, kind="off")
    assert ap.day_windows(monday, BERLIN, WEEK, [whole, evening]) == []
    assert ap.day_windows(date(2027, 3, 13), BERLIN, WEEK, []) == []  # Saturday


def test_the_spring_forward_day_is_an_hour_shorter_in_utc() -> None:
    sunday = date(2027, 3, 28)  # Berlin: 02:00 -> 03:00
    hours = [WorkingHours(weekday=6, start=1 * 60, end=5 * 60)]
    [(start, end)] = ap.day_windows(sunday, BERLIN, hours, [])
    assert end - start == timedelta(hours=3)


def test_free_starts_respect_buffer_grid_and_the_past() -> None:
    monday = date(2027, 3, 8)
    windows = ap.day_windows(monday, BERLIN, WEEK, [])
    busy = [(at(monday, 10), at(monday, 11, 15))]
    starts = ap.free_starts(windows, busy, T60, step_minutes=15, not_before=at(monday, 8), tz=BERLIN)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in starts]
    # 09:00 + 60 min + 15 min buffer blocks until 10:15, past the 10:00 booking: the first free start is 11:15
    assert local[0] == "11:15" and local[-1] == "16:00" and len(local) == 20
    short = AppointmentType(name="Treatment 30", minutes=30)
    local = [
        s.astimezone(BERLIN).strftime("%H:%M")
        for s in ap.free_starts(windows, busy, short, step_minutes=15, not_before=at(monday, 8), tz=BERLIN)
    ]
    assert local[:3] == ["09:00", "09:15", "09:30"] and "09:45" not in local and "11:15" in local
    later = ap.free_starts(windows, busy, T60, step_minutes=15, not_before=at(monday, 13, 7), tz=BERLIN)
    assert later[0] == at(monday, 13, 15)
    assert ap.free_starts(
        windows, busy, T60, step_minutes=30, not_before=at(monday, 8), tz=BERLIN, limit=2
    ) == [at(monday, 11, 30), at(monday, 12)]


@settings(max_examples=150, deadline=None)
@given(
    booked=st.lists(st.tuples(st.integers(0, 9 * 12), st.integers(1, 30)), max_size=8),
    minutes=st.sampled_from([30, 45, 60, 90]),
    buffer=st.sampled_from([0, 10, 15]),
)
def test_no_free_start_overlaps_a_booking_or_leaves_the_hours(
    booked: list[tuple[int, int]], minutes: int, buffer: int
) -> None:
    day = date(2027, 3, 9)
    windows = ap.day_windows(day, BERLIN, WEEK, [])
    busy = [
        (at(day, 8) + timedelta(minutes=5 * a), at(day, 8) + timedelta(minutes=5 * (a + n)))
        for a, n in booked
    ]
    kind = AppointmentType(name="x", minutes=minutes, buffer_minutes=buffer)
    for s in ap.free_starts(windows, busy, kind, step_minutes=15, not_before=at(day, 0), tz=BERLIN):
        end, blocks = ap.timed(s, kind)
        assert any(w0 <= s and end <= w1 for w0, w1 in windows)
        assert not any(ap.overlaps(s, blocks, b0, b1) for b0, b1 in busy)
        assert s.astimezone(BERLIN).minute % 15 == 0


@pytest.mark.parametrize(
    ("tz", "first", "utc_hours"),
    [
        (BERLIN, datetime(2027, 3, 15, 9, tzinfo=BERLIN), [8, 8, 7, 7, 7, 7]),  # spring forward 28 March
        (BERLIN, datetime(2027, 10, 18, 9, tzinfo=BERLIN), [7, 7, 8, 8, 8, 8]),  # fall back 31 October
        (NEW_YORK, datetime(2027, 3, 1, 9, tzinfo=NEW_YORK), [14, 14, 13, 13, 13, 13]),  # 14 March
    ],
)
def test_a_weekly_series_keeps_its_local_time(tz: ZoneInfo, first: datetime, utc_hours: list[int]) -> None:
    starts = ap.series_starts(first, tz, count=6)
    assert [s.astimezone(tz).strftime("%a %H:%M") for s in starts] == [first.strftime("%a %H:%M")] * 6
    assert [s.hour for s in starts] == utc_hours
    assert [s.astimezone(tz).date() for s in starts] == [first.date() + timedelta(weeks=k) for k in range(6)]


def test_series_bounds_and_fortnightly() -> None:
    first = datetime(2027, 3, 1, 9, tzinfo=BERLIN)
    assert len(ap.series_starts(first, BERLIN, count=3, interval_weeks=2)) == 3
    assert ap.series_starts(first, BERLIN, count=3, interval_weeks=2)[2].astimezone(BERLIN).date() == date(
        2027, 3, 29
    )
    with pytest.raises(RecordValidationError, match=r"repeat.count"):
        ap.series_starts(first, BERLIN, count=0)


def test_the_cancellation_window() -> None:
    start = datetime(2027, 3, 8, 9, tzinfo=UTC)
    assert ap.cancellation_status(start - timedelta(hours=24), start, 24) == ap.CANCELLED
    assert ap.cancellation_status(start - timedelta(hours=23, minutes=59), start, 24) == ap.LATE_CANCELLED
    assert ap.cancellation_status(start - timedelta(hours=1), start, 0) == ap.CANCELLED


def test_marks_follow_the_flow() -> None:
    ap.check_transition(ap.BOOKED, ap.ARRIVED)
    ap.check_transition(ap.ARRIVED, ap.IN_SESSION)
    with pytest.raises(RecordValidationError, match="cannot become no-show"):
        ap.check_transition(ap.ATTENDED, ap.NO_SHOW)
    with pytest.raises(RecordValidationError, match="cancelled cannot become arrived"):
        ap.check_transition(ap.CANCELLED, ap.ARRIVED)


def test_money_and_clock() -> None:
    assert ap.parse_money("amount", "90") == 9000 and ap.parse_money("amount", "70,5") == 7050
    for bad in ("ninety", "1.234", "-5", ""):
        with pytest.raises(RecordValidationError, match="amount"):
            ap.parse_money("amount", bad)
    assert ap.money(10735, "CAD") == "CAD 107.35"
    assert BookingSettings(tax_basis_points=1300).tax_of(9500) == 1235
    assert (
        BookingSettings(tax_basis_points=750).tax_of(1) == 0
        and BookingSettings(tax_basis_points=5000).tax_of(1) == 1
    )
    assert ap.parse_clock("day0", "09:30") == 570 and ap.parse_clock("day0", "24:00") == 1440
    for bad in ("9", "25:00", "09:75", "nine"):
        with pytest.raises(RecordValidationError, match="day0"):
            ap.parse_clock("day0", bad)


def test_bad_types_and_settings_name_the_field() -> None:
    with pytest.raises(RecordValidationError, match=r"type.minutes"):
        AppointmentType(name="x", minutes=0).validate()
    with pytest.raises(RecordValidationError, match=r"type.colour"):
        AppointmentType(name="x", minutes=30, colour="red").validate()
    with pytest.raises(RecordValidationError, match=r"settings.slot_minutes"):
        BookingSettings(slot_minutes=25).validate()
    with pytest.raises(RecordValidationError, match=r"clinic.timezone"):
        ap.zone("Mars/Olympus")
    with pytest.raises(RecordValidationError, match=r"exception.start"):
        ScheduleException(practitioner_id=1, day=date(2027, 1, 1), kind="extra").validate()
