"""Columns for the ordinary fields a record declares (``taut.clinic.fields``): a sign is a required boolean, a
whole-number score a small integer, a measurement a float, a choice a string of its declared width, a line of text
a VARCHAR of its longest length; a measurement, a choice or a text that is not required is NULL when not given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Float, SmallInteger, String

from taut.clinic.fields import RecordField, RecordFields

_TYPES: dict[str, Any] = {"flag": Boolean, "whole": SmallInteger, "number": Float}


def column(f: RecordField) -> Column[Any]:
    if f.kind == "text":
        return Column(f.name, String(f.max_len))
    kind = String(f.width) if f.kind == "choice" else _TYPES[f.kind]
    return Column(f.name, kind, nullable=f.kind != "flag" and not f.required)


def columns(fields: RecordFields) -> tuple[Column[Any], ...]:
    """One column per declared field, in the declaration's order."""
    return tuple(column(f) for f in fields)
