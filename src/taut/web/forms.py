"""Reading form fields into domain values, with errors that name the field (RecordValidationError)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request

from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import RecordField


def text(form: dict[str, str], name: str, *, required: bool = False) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        raise RecordValidationError(name, "is required")
    return value


def optional_text(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def a_date(form: dict[str, str], name: str, *, required: bool = False) -> date | None:
    value = form.get(name, "").strip()
    if not value:
        if required:
            raise RecordValidationError(name, "is required (a date like 2025-03-03)")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    from taut.clinic.dates import parse_day
    from taut.web import clock

    fmt = clock.date_format()  # the clinic's own format is accepted too
    try:
        if fmt != "ymd":
            return parse_day(value, fmt, field=name)
    except RecordValidationError:
        pass
    also = " or 03/03/2025" if fmt != "ymd" else ""
    raise RecordValidationError(name, f"must be a date like 2025-03-03{also}, not {value!r}") from None


def whole(form: dict[str, str], name: str, lo: int, hi: int, *, required: bool = False) -> int | None:
    value = form.get(name, "").strip()
    if not value:
        if required:
            raise RecordValidationError(name, f"is required (a whole number {lo}-{hi})")
        return None
    try:
        n = int(value)
    except ValueError:
        raise RecordValidationError(name, f"must be a whole number {lo}-{hi}, not {value!r}") from None
    if not lo <= n <= hi:
        raise RecordValidationError(name, f"must be between {lo} and {hi}, not {n}")
    return n


def number(form: dict[str, str], name: str, what: str = "a number") -> float | None:
    """An optional decimal number, a comma allowed as the decimal mark (``what`` names it in the error:
    "a number of kPa"). Not-a-number and infinity are refused."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        n = float(value.replace(",", "."))
    except ValueError:
        n = math.nan
    if not math.isfinite(n):
        raise RecordValidationError(name, f"must be {what}, not {value!r}")
    return n


def lines(form: dict[str, str], name: str) -> tuple[str, ...]:
    """The non-blank lines of a text area, stripped."""
    return tuple(x.strip() for x in form.get(name, "").splitlines() if x.strip())


def checked(form: dict[str, str], name: str) -> bool:
    return form.get(name, "") in ("on", "true", "1", "yes")


def declared(form: dict[str, str], name: str, f: RecordField) -> Any:
    """The value of a declared field (``taut.clinic.fields``) from the form's input ``name``: a checkbox, a
    number box or a choice of radio buttons or a select. The record checks a choice's code."""
    if f.kind == "flag":
        return checked(form, name)
    if f.kind == "choice":
        value = form.get(name, "").strip()
        if not value and f.required:
            raise RecordValidationError(
                name, f"is required: choose one of {', '.join(label for _, label in f.choices)}"
            )
        return value or None
    assert f.low is not None and f.high is not None
    if f.kind == "whole":
        return whole(form, name, int(f.low), int(f.high), required=f.required)
    n = number(form, name, f"a number of {f.unit}" if f.unit else "a number")
    if n is None and f.required:
        raise RecordValidationError(name, f"is required ({f.label.lower()})")
    return n


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted fields as plain strings (the last value of a repeated field wins). As a dependency it
    lets a plain (threaded) route read the form: ``form: FormFields``."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def form_lists(request: Request) -> dict[str, list[str]]:
    """Every submitted value of every field, in order (for repeated fields and checkboxes)."""
    form = await request.form()
    out: dict[str, list[str]] = {}
    for k, v in form.multi_items():
        if isinstance(v, str):
            out.setdefault(k, []).append(v)
    return out


FormFields = Annotated[dict[str, str], Depends(form_fields)]
FormLists = Annotated[dict[str, list[str]], Depends(form_lists)]
