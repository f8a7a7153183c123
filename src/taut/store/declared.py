"""Columns for the ordinary fields a record declares (``taut.clinic.fields``): a sign is a required boolean, a
whole-number score a small integer, a measurement a float; measurements are NULL when not taken; a line of text is a VARCHAR of its longest length, NULL when blank."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Float, SmallInteger, String

from taut.clinic.fields import RecordField, RecordFields

_TYPES: dict[str, Any] = {"flag": Boolean, "whole": SmallInteger, "number": Float}


def column(f: RecordField) -> Column[Any]:
    if f.kind == "text":
        return Column(f.name, String(f.max_len))
    return Column(f.name, _TYPES[f.kind], nullable=f.kind != "flag")


def columns(fields: RecordFields) -> tuple[Column[Any], ...]:
    """One column per declared field, in the declaration's order."""
    return tuple(column(f) for f in fields)
