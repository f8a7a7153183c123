"""How the reports write scores (shared by the PDF templates and the web's printable pages). Dates and sides are
named by ``taut.clinic.naming`` (re-exported here for the report templates' filters)."""

from __future__ import annotations

from taut.clinic.naming import long_date, short_date, side_text, sides_text

__all__ = ["long_date", "score", "short_date", "side_text", "sides_text", "signed"]


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
