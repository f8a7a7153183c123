"""The clinic's day and its time zone at the day boundary (America/Vancouver, Australia/Sydney, across a
daylight-saving change), dates typed in the clinic's format, the SOAP heading in local time, the password rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taut.clinic.dates import day_bounds, parse_day, today
from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import date_time, short_date
from taut.clinic.passwords import check_password, is_common
from taut.clinic.people import Clinic

VANCOUVER, SYDNEY = "America/Vancouver", "Australia/Sydney"


def test_an_evening_in_vancouver_is_still_that_day_there() -> None:
    evening = datetime(2025, 3, 4, 3, 30, tzinfo=UTC)  # 19:30 on 3 March in Vancouver (PST, UTC-8)
    assert today(VANCOUVER, evening) == date(2025, 3, 3)
    assert today("UTC", evening) == date(2025, 3, 4)
    assert date_time(evening, ZoneInfo(VANCOUVER)) == "3 Mar 2025, 19:30"
    assert short_date(evening, ZoneInfo(VANCOUVER)) == "3 Mar 2025"


def test_a_morning_in_sydney_is_already_the_next_day_there() -> None:
    late_utc = datetime(2025, 6, 30, 14, 30, tzinfo=UTC)  # 00:30 on 1 July in Sydney (AEST, UTC+10)
    assert today(SYDNEY, late_utc) == date(2025, 7, 1)
    assert today(SYDNEY, late_utc - timedelta(hours=1)) == date(2025, 6, 30)
    assert date_time(late_utc, ZoneInfo(SYDNEY)) == "1 Jul 2025, 00:30"


def test_midnight_moves_with_daylight_saving() -> None:
    # Vancouver springs forward on 9 March 2025: midnight is 08:00 UTC before, 07:00 UTC after.
    assert day_bounds(date(2025, 3, 8), VANCOUVER)[0] == datetime(2025, 3, 8, 8, tzinfo=UTC)
    start, end = day_bounds(date(2025, 3, 9), VANCOUVER)
    assert start == datetime(2025, 3, 9, 8, tzinfo=UTC) and end == datetime(2025, 3, 10, 7, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    assert today(VANCOUVER, datetime(2025, 3, 10, 6, 59, tzinfo=UTC)) == date(2025, 3, 9)
    assert today(VANCOUVER, datetime(2025, 3, 10, 7, 0, tzinfo=UTC)) == date(2025, 3, 10)
    # Sydney falls back on 6 April 2025: that day has 25 hours.
    start, end = day_bounds(date(2025, 4, 6), SYDNEY)
    assert end - start == timedelta(hours=25)
    assert today(SYDNEY, datetime(2025, 4, 6, 13, 30, tzinfo=UTC)) == date(2025, 4, 6)  # 23:30 AEST
    assert today(SYDNEY, datetime(2025, 4, 6, 14, 0, tzinfo=UTC)) == date(2025, 4, 7)


def test_dates_are_typed_in_the_clinic_s_format_and_iso_always() -> None:
    assert parse_day("31/12/2025", "dmy", field="since") == date(2025, 12, 31)
    assert parse_day("12/31/2025", "mdy", field="since") == date(2025, 12, 31)
    assert parse_day("2025-12-31", "mdy", field="since") == date(2025, 12, 31)
    assert parse_day("  ", "dmy", field="since") is None
    with pytest.raises(RecordValidationError, match=r"since: must be a date like 2025-12-31 or 31/12/2025"):
        parse_day("12/31/2025", "dmy", field="since")


def test_a_clinic_needs_a_real_time_zone_and_says_when_it_is_a_demo() -> None:
    assert Clinic(name="Harbour", timezone=VANCOUVER).timezone == VANCOUVER
    for bad in ("Moon/Base", "PST", "", "../../etc/passwd"):
        with pytest.raises(RecordValidationError, match=r"clinic\.timezone"):
            Clinic(name="Harbour", timezone=bad)
    assert Clinic(name="Harbour", demo=True).display_name == "Harbour (demo)"
    assert Clinic(name="Taut Demo Clinic", demo=True).display_name == "Taut Demo Clinic"
    with pytest.raises(RecordValidationError, match=r"clinic\.idle_minutes"):
        Clinic(name="Harbour", idle_minutes=5)


def test_the_password_rule() -> None:
    assert check_password("quiet harbour lantern 7") == "quiet harbour lantern 7"
    assert is_common("Password123") and is_common("qwertyuiop")
    for bad, words in (
        ("short", "at least 12"),
        ("password1234", "commonly used"),
        ("aaaaaaaaaaaaaa", "too easy"),
        ("x" * 201, "at most 200"),
    ):
        with pytest.raises(RecordValidationError, match=words):
            check_password(bad)
    with pytest.raises(RecordValidationError, match="your name or e-mail"):
        check_password("alice adler alice", personal=("Alice Adler", "alice@a.example"))
