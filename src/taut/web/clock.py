"""The clinic's clock for the web app: "today" is the signed-in clinic's day in its time zone.

Each request gets a small holder (set by the session middleware, before any dependency runs); the signed-in
user's dependency puts the clinic's zone in it; ``today()`` reads it anywhere in that request, also in the
worker threads plain routes run in (they share the holder). Outside a request, or before sign-in: UTC.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from taut.clinic import dates


@dataclass
class _Zone:
    name: str | None = None
    date_format: str = "ymd"


_current: ContextVar[_Zone | None] = ContextVar("taut_clinic_zone", default=None)


def begin_request() -> Token[_Zone | None]:
    return _current.set(_Zone())


def end_request(token: Token[_Zone | None]) -> None:
    _current.reset(token)


def set_zone(name: str, date_format: str = "ymd") -> None:
    holder = _current.get()
    if holder is not None:
        holder.name = name
        holder.date_format = date_format


def date_format() -> str:
    """How the signed-in clinic types dates ("dmy", "mdy" or "ymd"); ISO is accepted whatever it is."""
    holder = _current.get()
    return holder.date_format if holder else "ymd"


def zone() -> ZoneInfo:
    holder = _current.get()
    return dates.zone(holder.name if holder else None)


def today(now: datetime | None = None) -> date:
    """The clinic's date now (UTC outside a signed-in request)."""
    holder = _current.get()
    return dates.today(holder.name if holder else None, now)
