"""The clinic's calendar: "today" is the clinic's day in its time zone, and dates are typed in the clinic's
format (31/12/2025, 12/31/2025 or 2025-12-31), ISO always accepted. Times are stored in UTC everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from taut.clinic.errors import RecordValidationError

PATTERNS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}
EXAMPLES = {"dmy": "31/12/2025", "mdy": "12/31/2025", "ymd": "2025-12-31"}


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def today(timezone: str | None, now: datetime | None = None) -> date:
    """The clinic's date at ``now`` (default: this instant): an evening in Vancouver is still that day."""
    at = now or datetime.now(UTC)
    return at.astimezone(zone(timezone)).date()


def day_bounds(day: date, timezone: str | None) -> tuple[datetime, datetime]:
    """The UTC instants where the clinic's ``day`` starts and the next one starts (23 or 25 hours apart
    across a daylight-saving change)."""
    z = zone(timezone)
    start = datetime.combine(day, time(), z)
    end = datetime.combine(day + timedelta(days=1), time(), z)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_day(text: str, date_format: str = "ymd", *, field: str) -> date | None:
    """A date typed in the clinic's format, or ISO; None for blank; a RecordValidationError naming the field."""
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    pattern = PATTERNS.get(date_format)
    if pattern:
        try:
            return datetime.strptime(value.replace(".", "/").replace("-", "/"), pattern).date()
        except ValueError:
            pass
    also = f" or {EXAMPLES[date_format]}" if date_format in PATTERNS else ""
    raise RecordValidationError(field, f"must be a date like 2025-12-31{also}, not {value!r}")
