"""Small readers of Bundle elements: each takes the entry it reads, so that a problem names the resource
and the element."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from taut.anatomy.pain import PainDrawingError
from taut.clinic.errors import RecordValidationError
from taut.fhir.elements import Json
from taut.fhir.validate import Entry, FhirImportError


@contextmanager
def at(entry: Entry, path: str | None = None) -> Iterator[None]:
    """Turn a rule broken while reading ``entry`` into an error naming the resource (and ``path``)."""
    try:
        yield
    except RecordValidationError as e:
        raise FhirImportError(f"{entry.where}: {e}") from None
    except PainDrawingError as e:
        raise FhirImportError(f"{entry.where}: {path or 'bodySite'}: {e}") from None


def required(entry: Entry, obj: Json, key: str, kind: type | tuple[type, ...] = object) -> Any:
    """A required element of a resource."""
    value = obj.get(key)
    if value is None or (isinstance(value, list) and not value):
        raise entry.error(key, "is required by Taut")
    if not isinstance(value, kind):
        raise entry.error(key, f"has the wrong type ({type(value).__name__})")
    return value


def whole(entry: Entry, value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise entry.error(path, f"must be a whole number, not {value!r}")
    return int(value)


def a_date(entry: Entry, value: object, path: str) -> date:
    if not isinstance(value, str) or len(value) < 10:
        raise entry.error(path, f"needs a full date (YYYY-MM-DD), not {value!r}")
    if len(value) == 10:
        return date.fromisoformat(value)
    return a_datetime(entry, value, path).date()


def a_datetime(entry: Entry, value: object, path: str) -> datetime:
    if not isinstance(value, str) or len(value) <= 10:
        raise entry.error(path, f"needs a date and time with a time zone, not {value!r}")
    try:
        out = datetime.fromisoformat(value)
    except ValueError:
        raise entry.error(path, f"is not a date and time: {value!r}") from None
    if out.tzinfo is None:
        raise entry.error(path, "needs a time zone")
    return out


def code_of(entry: Entry, cc: object, path: str, system: str) -> tuple[str, str]:
    """(code, path of the code) of the first coding of ``system`` in a CodeableConcept."""
    if isinstance(cc, dict):
        for k, coding in enumerate(cc.get("coding") or []):
            if coding.get("system") == system and isinstance(coding.get("code"), str):
                return coding["code"], f"{path}.coding[{k}].code"
    raise entry.error(path, f"needs a code of {system}")


def has_code(cc: object, system: str, code: str | None = None) -> str | None:
    if isinstance(cc, dict):
        for coding in cc.get("coding") or []:
            if coding.get("system") == system and (code is None or coding.get("code") == code):
                return str(coding.get("code"))
    return None


def answers(item: Json) -> list[Json]:
    return list(item.get("answer") or [])


def one_answer(entry: Entry, item: Json, path: str, key: str) -> Any:
    answers = item.get("answer") or []
    if len(answers) != 1 or answers[0].get(key) is None:
        raise entry.error(f"{path}.answer", f"needs exactly one answer with {key}")
    return answers[0][key]
