"""Reading form fields into domain values, with errors that name the field (RecordValidationError)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import RecordField

T = TypeVar("T")


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


class FormErrors(RecordValidationError):
    """Every problem of one submission, so the form can report them all at once (issue 17 item 15). It is a
    RecordValidationError naming the first field, so a handler of one error handles it too."""

    def __init__(self, problems: Sequence[RecordValidationError]) -> None:
        if not problems:
            raise ValueError("FormErrors needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(self.problems[0].field, self.problems[0].rule)
        self.args = ("; ".join(f"{p.field}: {p.rule}" for p in self.problems),)


class Collect:
    """Reads fields and keeps every RecordValidationError instead of stopping at the first:
    ``born = c(forms.a_date, form, "date_of_birth", required=True)`` gives None for a bad field, and
    ``c.check()`` raises FormErrors with all of them (a field named twice is reported once)."""

    def __init__(self) -> None:
        self.problems: list[RecordValidationError] = []

    def __call__(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return read(*args, **kwargs)
        except FormErrors as e:
            for p in e.problems:
                self.add(p.field, p.rule)
        except RecordValidationError as e:
            self.add(e.field, e.rule)
        return None

    def add(self, field: str, rule: str) -> None:
        if all(p.field != field for p in self.problems):
            self.problems.append(RecordValidationError(field, rule))

    def check(self) -> None:
        if self.problems:
            raise FormErrors(self.problems)


def problems(error: object) -> list[RecordValidationError]:
    """The problems of an error a page shows: all of a FormErrors, the one of a RecordValidationError, none
    of anything else (a page shows that as its text)."""
    if isinstance(error, FormErrors):
        return list(error.problems)
    if isinstance(error, RecordValidationError):
        return [error]
    return []


def error_map(error: object) -> dict[str, str]:
    """Field name -> what is wrong with it, for marking each field (aria-invalid, aria-describedby). A dotted
    name of the domain (``plan.goals``) also marks the form's field (``goals``)."""
    out: dict[str, str] = {}
    for p in problems(error):
        out.setdefault(p.field, p.rule)
        out.setdefault(_plain(p.field), p.rule)
    return out


def _plain(field: str) -> str:
    """The form's own name of a field the domain names with a dot (``plan.goals`` -> ``goals``); row names
    (``trp:upper_trapezius.1:right:status``) are kept whole."""
    return field if ":" in field else field.rpartition(".")[2]


def field_words(field: str) -> str:
    """A field's name in words when the page gives no label: ``date_of_birth`` -> ``Date of birth``."""
    words = _plain(field).replace("_", " ").replace(":", " ").strip()
    return words[:1].upper() + words[1:]


def field_id(field: str) -> str:
    """The id of a field's input: ``f-<name>`` for plain names; rows (``rom:0:degrees``) use the name itself."""
    field = _plain(field)
    return field if ":" in field else f"f-{field}"


@pass_context
def invalid(ctx: Context, name: str, hint: str | None = None) -> Markup:
    """The attributes that mark a hand-written field as wrong (``aria-invalid``, ``aria-describedby`` to its
    message, and to its hint when it has one), from the page's ``error``. A function rather than a template
    macro: a form such as the examination calls it for every cell, hundreds of times a page."""
    error = ctx.get("error")
    if error is not None and name in error_map(error):
        return Markup(' aria-invalid="true" aria-describedby="e-{}{}"').format(
            name, f" {hint}" if hint else ""
        )
    if hint:
        return Markup(' aria-describedby="{}"').format(hint)
    return Markup("")


@pass_context
def field_error(ctx: Context, name: str) -> Markup:
    """The message under a hand-written field that is wrong (``<small id="e-NAME">``), or nothing."""
    error = ctx.get("error")
    if error is not None and name in (errs := error_map(error)):
        return Markup('<small id="e-{}" class="field-error">{}</small>').format(name, errs[name])
    return Markup("")


JINJA_GLOBALS = {
    "invalid": invalid,
    "field_error": field_error,
    "form_problems": problems,
    "error_map": error_map,
    "field_words": field_words,
    "field_id": field_id,
    "plain_field": _plain,
}
