"""FHIR for the declared fields of a record (``taut.clinic.fields``): each field is an Observation component
coded in Taut's CodeSystem, and read back from it. A sign is a boolean, a score an integer, a measurement a
quantity in its unit, a choice a coding in the CodeSystem named after the field (``CS_RELIEF``)."""

from __future__ import annotations

from typing import Any

from taut.clinic.fields import RecordField, RecordFields
from taut.fhir import codes as c
from taut.fhir.elements import Json
from taut.fhir.reading import whole
from taut.fhir.validate import Entry


def component(field: RecordField, value: Any) -> Json:
    """A declared field as an Observation component."""
    code = c.concept(c.taut(field.fhir))
    if field.kind == "flag":
        return {"code": code, "valueBoolean": value}
    if field.kind == "whole":
        return {"code": code, "valueInteger": value}
    if field.kind == "choice":
        return {"code": code, "valueCodeableConcept": c.concept(c.coding(c.choice_system(field.fhir), value))}
    return {"code": code, "valueQuantity": c.quantity(value, field.unit)}


def components(fields: RecordFields, record: object) -> list[Json]:
    """The components of a record's declared fields, in order; a measurement not taken has none."""
    values = ((f, getattr(record, f.name)) for f in fields)
    return [component(f, value) for f, value in values if value is not None]


def value(o: Entry, f: RecordField, found: Any) -> Any:
    """A declared field from its component's value (as ``Reader.components`` gives it): an absent sign is false,
    an absent measurement none; the record itself checks the type and range."""
    if found is None:
        return False if f.kind == "flag" else None
    if f.kind == "whole":
        return whole(o, found, f"component[{f.fhir}].value")
    if f.kind == "number" and isinstance(found, int | float) and not isinstance(found, bool):
        return float(found)
    return found


def values(o: Entry, fields: RecordFields, found: dict[str, Any]) -> dict[str, Any]:
    """Every declared field of a record by name, from its components by code."""
    return {f.name: value(o, f, found.get(f.fhir)) for f in fields}
