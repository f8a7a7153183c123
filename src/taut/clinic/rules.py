"""Small validation helpers: each raises RecordValidationError naming the field and the rule."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from taut.clinic.errors import RecordValidationError

PHONE = re.compile(r"[0-9+()./ -]{5,40}")  # a phone number as people write it
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # an e-mail address (lower-cased before the match)


def whole_number(field: str, value: object, lo: int, hi: int | None = None) -> int:
    """A whole number in lo..hi (hi None: no upper bound)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordValidationError(field, f"must be a whole number, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        bound = f"{lo}-{hi}" if hi is not None else f"at least {lo}"
        raise RecordValidationError(field, f"must be {bound}, not {value}")
    return value


def optional_whole_number(field: str, value: object, lo: int, hi: int | None = None) -> int | None:
    return None if value is None else whole_number(field, value, lo, hi)


def number(field: str, value: object, lo: float, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordValidationError(field, f"must be a number, not {value!r}")
    if not math.isfinite(value):  # NaN passes every comparison below; infinity is no measurement
        raise RecordValidationError(field, f"must be a finite number, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        bound = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise RecordValidationError(field, f"must be {bound}, not {value:g}")
    return float(value)


def text(field: str, value: object, *, required: bool = True, max_len: int = 10_000) -> str:
    if not isinstance(value, str):
        raise RecordValidationError(field, f"must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise RecordValidationError(field, "is required and may not be blank")
    if len(value) > max_len:
        raise RecordValidationError(field, f"must be at most {max_len} characters, not {len(value)}")
    if "\x00" in value:
        raise RecordValidationError(field, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordValidationError(
            field, "must be valid Unicode text (it contains a lone surrogate)"
        ) from None
    return value


def one_of(field: str, value: object, choices: Iterable[str]) -> str:
    options = tuple(choices)
    if value not in options:
        raise RecordValidationError(field, f"must be one of {', '.join(options)}, not {value!r}")
    return str(value)


def aware(field: str, value: object) -> datetime:
    """A datetime with a time zone (all stored times are UTC)."""
    if not isinstance(value, datetime):
        raise RecordValidationError(field, f"must be a date and time, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise RecordValidationError(field, "must carry a time zone (times are stored in UTC)")
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RecordValidationError(
            field, "is out of range: the time in UTC must fall in the years 1-9999"
        ) from None
    return value


def a_date(field: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise RecordValidationError(field, f"must be a calendar date, not {value!r}")
    return value


def not_after(field: str, value: date, limit: date, what: str = "today") -> date:
    if value > limit:
        raise RecordValidationError(field, f"may not be after {what} ({limit.isoformat()}), not {value}")
    return value


def unique(field: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise RecordValidationError(field, f"lists {v!r} more than once")
        seen.add(v)
