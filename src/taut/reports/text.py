"""How the reports write dates, sides and scores (shared by the PDF templates and the web's printable pages)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from taut.anatomy.regions import Side

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(d: date | None) -> str:
    """3 March 2025 (day, month in words, year: the same on A4 and Letter, never ambiguous)."""
    if d is None:
        return ""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def short_date(d: date | None) -> str:
    """3 Mar 2025."""
    if d is None:
        return ""
    return f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}"


def sides_text(sides: Iterable[Side | None]) -> str:
    """ "right side", "left side", "both sides", or "" for the midline (sides are the patient's)."""
    s = {x for x in sides if x is not None}
    if len(s) == 2:
        return "both sides"
    if s:
        return f"{next(iter(s)).value} side"
    return ""


def side_text(side: Side | None) -> str:
    return side.value if side is not None else "midline"


def score(value: float | None) -> str:
    """6.0 -> "6", 4.333 -> "4.3"; None -> "–"."""
    if value is None:
        return "–"
    v = round(float(value), 1)
    return f"{v:g}"


def signed(value: float | None) -> str:
    """A change with its sign, using a true minus: −3, +2.5, 0."""
    if value is None:
        return "–"
    v = round(float(value), 1)
    if v == 0:
        return "0"
    return f"+{v:g}" if v > 0 else f"−{-v:g}"
