"""The schema the knowledge base's data files are checked against: a frozen pydantic model (unknown fields refused)
for each record class of ``taut.knowledge.model``, made from the record's fields, their types and the constraints
in their ``metadata``, plus the checks that span fields. Only the loader and editing tools import this module:
the records themselves, and the cached copy of the knowledge base, need no pydantic.

``validate(Muscle, data)`` checks ``data`` (raising pydantic's ``ValidationError``, every problem with its place)
and gives the ``Muscle`` record; ``schema(Muscle)`` is the pydantic model itself."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from taut.knowledge import model
from taut.knowledge.model import CONDITION_FIELDS, MISSING, Frozen, fields

R = TypeVar("R", bound=Frozen)


def _lower(cls: Any, v: str) -> str:
    if v != v.strip().lower():
        raise ValueError("the canonical name is written in lower case without surrounding spaces")
    return v


def _coherent(self: Any) -> Any:
    if not any(getattr(self, f) not in (None, (), False) for f in CONDITION_FIELDS):
        raise ValueError("a 'when' alternative needs at least one condition")
    if (self.felt_as or self.both_sides) and not self.any_regions:
        raise ValueError("felt_as and both_sides need any_regions (the regions they apply to)")
    if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
        raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
    if self.min_days is not None and self.max_days is not None and self.min_days > self.max_days:
        raise ValueError(f"min_days {self.min_days} is above max_days {self.max_days}")
    if self.risk_factors and self.min_risk_factors > len(self.risk_factors):
        raise ValueError(
            f"min_risk_factors {self.min_risk_factors} is more than the {len(self.risk_factors)} listed"
        )
    if self.min_risk_factors != 1 and not self.risk_factors:
        raise ValueError("min_risk_factors needs risk_factors")
    return self


# The checks beyond one field's type and constraints, by record class.
_VALIDATORS: dict[type[Frozen], dict[str, Any]] = {
    model.Muscle: {"_lower": field_validator("name")(classmethod(_lower))},  # type: ignore[arg-type]
    model.RuleWhen: {"_coherent": model_validator(mode="after")(_coherent)},
}


def _swap(tp: Any) -> Any:
    """A record's field type with every record class in it replaced by that class's schema."""
    if isinstance(tp, type) and issubclass(tp, Frozen):
        return schema(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is None or origin is Literal or not args:
        return tp
    swapped = tuple(a if a is Ellipsis else _swap(a) for a in args)
    if origin in (Union, types.UnionType):
        return Union[swapped]  # noqa: UP007 (built from a tuple of types)
    return origin[swapped]


def schema(record: type[Frozen]) -> type[BaseModel]:
    """The pydantic model that checks data for ``record`` (the same name, fields, defaults and constraints)."""
    made = _SCHEMAS.get(record)
    if made is None:
        made = _SCHEMAS[record] = _make(record)
    return made


def _make(record: type[Frozen]) -> type[BaseModel]:
    hints = typing.get_type_hints(record, vars(model))
    defs: dict[str, Any] = {}
    for f in fields(record):
        default = ... if f.default is MISSING else f.default
        defs[f.name] = (_swap(hints[f.name]), Field(default, **f.metadata))
    made: type[BaseModel] = create_model(  # type: ignore[call-overload]
        record.__name__,
        __config__=ConfigDict(frozen=True, extra="forbid"),
        __validators__=_VALIDATORS.get(record, {}),
        __module__=__name__,
        **defs,
    )
    _RECORDS[made] = record
    return made


_SCHEMAS: dict[type[Frozen], type[BaseModel]] = {}
_RECORDS: dict[type[BaseModel], type[Frozen]] = {}


def _record(value: Any) -> Any:
    if isinstance(value, BaseModel):
        kind = _RECORDS[type(value)]
        return kind(**{name: _record(getattr(value, name)) for name in type(value).model_fields})
    if isinstance(value, tuple):
        return tuple(_record(v) for v in value)
    return value


def record(checked: BaseModel) -> Any:
    """The record for data ``schema(...)`` has checked."""
    return _record(checked)


def validate(kind: type[R], data: Any) -> R:
    """``data`` checked against ``kind``'s schema, as a ``kind`` record; pydantic's ValidationError otherwise."""
    found: R = _record(schema(kind).model_validate(data))
    return found
