"""Dates and times as the clinic's locale reads them (issue 13): month first and a 12-hour clock in en-US and
en-CA, "3 Mar 2025, 14:05" everywhere else; always on the clinic's day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from taut.clinic.naming import date_time, short_date, time_of_day
from taut.clinic.people import LOCALES

EVENING = datetime(2025, 3, 4, 3, 5, tzinfo=UTC)  # 19:05 on 3 March in Vancouver
VANCOUVER = ZoneInfo("America/Vancouver")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_writes_an_unambiguous_day(locale: str) -> None:
    shown = short_date(date(2025, 3, 3), locale=locale)
    assert shown == ("Mar 3, 2025" if locale in ("en-US", "en-CA") else "3 Mar 2025")


def test_time_and_day_in_the_clinics_zone_and_locale() -> None:
    assert date_time(EVENING, VANCOUVER, "en-US") == "Mar 3, 2025, 7:05 PM"
    assert date_time(EVENING, VANCOUVER, "en-GB") == "3 Mar 2025, 19:05"
    assert date_time(EVENING, VANCOUVER) == "3 Mar 2025, 19:05"
    assert time_of_day(datetime(2025, 3, 3, 0, 30, tzinfo=UTC), UTC, "en-CA") == "12:30 AM"
    assert time_of_day(datetime(2025, 3, 3, 12, 0, tzinfo=UTC), UTC, "en-US") == "12:00 PM"
