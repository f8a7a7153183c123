"""JSON API schemas from the declared fields of a record (``taut.clinic.fields``): each field with its type, its
default and its range, so OpenAPI shows them; the record itself checks the rest and names the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, create_model

from taut.clinic.fields import RecordField, RecordFields

M = TypeVar("M", bound=BaseModel)
CHOICE_LENGTH = 20  # a choice's code is checked by the record; this only bounds what is read


def pydantic_field(f: RecordField) -> tuple[Any, Any]:
    """The pydantic type and default of a declared field: a sign defaults to false, a measurement or a choice
    that is not required to none; a required one has no default."""
    if f.kind == "flag":
        return bool, False
    kind: Any = str if f.kind == "choice" else int if f.kind == "whole" else float
    limits: dict[str, Any] = (
        {"max_length": CHOICE_LENGTH, "examples": [f.codes[0]]}
        if f.kind == "choice"
        else {"ge": f.low, "le": f.high}
    )
    if f.required:
        return kind, Field(**limits)
    return kind | None, Field(default=None, **limits)


def with_fields(name: str, base: type[M], fields: RecordFields) -> type[M]:
    """The model ``base`` followed by one field per declaration, in the declaration's order."""
    definitions: dict[str, Any] = {f.name: pydantic_field(f) for f in fields}
    return create_model(name, __base__=base, **definitions)
