"""One place that refuses input no record can hold, before any route sees it, with a 422 naming the field.

Every request passes ``check_input`` (an application-wide dependency):

- a whole number declared by the route (a path or query parameter such as ``client_id`` or ``offset``), or
  anywhere in a JSON body, must fit the database's 64-bit integers (|n| < 2^63);
- a number in a JSON body must be finite (``NaN`` and ``Infinity`` are not JSON);
- text anywhere (path, query, form fields, JSON strings and keys) may not contain a NUL character (PostgreSQL
  cannot store one) or a lone surrogate (not Unicode text; no database can store it).

The body is read here, once, before anything parses it, so a route that reads the raw body after the form was
parsed (or the other way round) still gets it. Ranges narrower than the storage's (a version is a 32-bit
integer, a pressure 1-5) are the records' own rules (``taut.clinic.rules``, ``taut.store``)."""

from __future__ import annotations

import json
import math
from typing import Any, get_args

from fastapi import Request
from fastapi.exceptions import RequestValidationError

INT64_MAX = 2**63 - 1
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

Loc = tuple[str | int, ...]


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, or None."""
    if "\x00" in value:
        return "must not contain a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it contains a lone surrogate)"
    return None


def int_problem(value: int) -> str | None:
    if -INT64_MAX - 1 <= value <= INT64_MAX:
        return None
    return f"must be a whole number between {-INT64_MAX - 1} and {INT64_MAX}"


def json_problem(value: Any, loc: Loc = ()) -> tuple[Loc, str] | None:
    """The first value of a parsed JSON document that no record can hold: (where, why)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        why = int_problem(value)
        return None if why is None else (loc, why)
    if isinstance(value, float):
        return None if math.isfinite(value) else (loc, "must be a finite number")
    if isinstance(value, str):
        why = text_problem(value)
        return None if why is None else (loc, why)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := json_problem(item, (*loc, i)):
                return found
        return None
    if isinstance(value, dict):
        for k, item in value.items():
            if (why := text_problem(str(k))) is not None:
                return (*loc, str(k)), why
            if found := json_problem(item, (*loc, k)):
                return found
    return None


_declared: dict[int, tuple[Any, frozenset[str]]] = {}


def _int_parameters(route: Any) -> frozenset[str]:
    """The path and query parameters a route (with its dependencies) declares as whole numbers."""
    known = _declared.get(id(route))
    if known is not None and known[0] is route:
        return known[1]
    names = _find_int_parameters(route)
    _declared[id(route)] = (route, names)
    return names


def _find_int_parameters(route: Any) -> frozenset[str]:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return frozenset()
    names: set[str] = set()
    pending = [dependant]
    while pending:
        d = pending.pop()
        for field in (*d.path_params, *d.query_params):
            annotation = field.field_info.annotation
            if annotation is int or int in get_args(annotation):
                names.add(field.alias)
        pending.extend(d.dependencies)
    return frozenset(names)


def _shown(part: str | int) -> str | int:
    """A field name as it can be shown in an answer (a lone surrogate escaped)."""
    return part if isinstance(part, int) else part.encode("utf-8", "backslashreplace").decode("utf-8")


def _refuse(where: str, loc: Loc, why: str) -> None:
    shown = tuple(_shown(p) for p in loc)
    raise RequestValidationError([{"loc": (where, *shown), "msg": why, "type": "value_error"}])


async def check_input(request: Request) -> None:
    """Refuse (422, the field named) a request carrying a value that no record can hold."""
    ints = _int_parameters(request.scope.get("route"))
    params = [("path", k, v) for k, v in request.path_params.items()]
    params += [("query", k, v) for k, v in request.query_params.multi_items()]
    for where, name, value in params:
        if (why := text_problem(name)) is not None:
            _refuse(where, (name,), why)
        if (why := text_problem(value)) is not None:
            _refuse(where, (name,), why)
        if name in ints:
            try:
                number = int(value)
            except ValueError:
                continue  # not a number at all: the route's own validation says so
            if (why := int_problem(number)) is not None:
                _refuse(where, (name,), why)
    if request.method in SAFE_METHODS:
        return
    try:
        body = await request.body()  # read once: later readers (form, JSON, raw bytes) all get it
    except RuntimeError:  # the framework parsed the route's form fields from the stream already
        body = b""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return  # not JSON: the route's own parsing says so
        if found := json_problem(document):
            _refuse("body", *found)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for name, value in form.multi_items():
            if (why := text_problem(name)) is not None:
                _refuse("body", (name,), why)
            if isinstance(value, str) and (why := text_problem(value)) is not None:
                _refuse("body", (name,), why)
