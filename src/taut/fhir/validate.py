"""Checking a Bundle before anything is read from it: the Bundle itself, every resource against the FHIR R4
models of ``fhir.resources.R4B`` (their pydantic errors name the element), and every reference.

Each error is one line that names the resource and the path of the bad element, e.g.
``Observation at entry[12] (urn:uuid:...): component[1].valueInteger: Input should be a valid integer``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


class FhirImportError(ValueError):
    """A Bundle that cannot be imported; the message names the resource and the element."""


@dataclass(frozen=True)
class Entry:
    """One resource of the Bundle, with where it is (for error messages)."""

    index: int
    url: str
    type: str
    resource: Json

    @property
    def where(self) -> str:
        return f"{self.type} at entry[{self.index}] ({self.url})"

    def error(self, path: str, message: str) -> FhirImportError:
        return FhirImportError(f"{self.where}: {path}: {message}")


def parse_json(text: str | bytes) -> object:
    """JSON text to Python; a syntax error names the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FhirImportError(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except UnicodeDecodeError as e:
        raise FhirImportError(f"not JSON: the file is not UTF-8 text ({e.reason})") from None
    except RecursionError:
        raise FhirImportError("not a FHIR Bundle: the JSON is nested too deeply") from None


def loc_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a FHIR element path: ``component[1].valueInteger``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(resource)"


def _first_error(e: Any) -> tuple[str, str]:
    errors = e.errors()
    first = errors[0]
    message = str(first["msg"]).split("\n")[0]
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return loc_path(tuple(first["loc"])), message


def checked_entries(data: object) -> list[Entry]:
    """The Bundle's entries, each resource valid against its R4 model and every reference resolved inside
    the Bundle. Raises FhirImportError on the first problem."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise FhirImportError(f"not a FHIR Bundle: a JSON object is expected, not {type(data).__name__}")
    kind = data.get("resourceType")
    if kind != "Bundle":
        raise FhirImportError(f"not a FHIR Bundle: resourceType is {kind!r}")
    raw = data.get("entry", [])
    if not isinstance(raw, list):
        raise FhirImportError("Bundle.entry: must be a list")
    try:
        Bundle.model_validate({**data, "entry": []})
    except ValidationError as e:
        path, message = _first_error(e)
        raise FhirImportError(f"Bundle.{path}: {message}") from None
    if data.get("type") != "collection":
        raise FhirImportError(f"Bundle.type: Taut imports a 'collection' Bundle, not {data.get('type')!r}")

    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        at = f"Bundle.entry[{i}]"
        if not isinstance(item, dict):
            raise FhirImportError(f"{at}: must be an object")
        url = item.get("fullUrl")
        resource = item.get("resource")
        if not isinstance(url, str) or not url:
            raise FhirImportError(f"{at}.fullUrl: every entry needs its fullUrl (references point at it)")
        if url in seen:
            raise FhirImportError(f"{at}.fullUrl: {url} is also the fullUrl of entry[{seen[url]}]")
        seen[url] = i
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirImportError(f"{at}.resource: a resource with a resourceType is required")
        rtype = resource["resourceType"]
        try:
            model = get_fhir_model_class(rtype)
        except (KeyError, ValueError, AttributeError):
            raise FhirImportError(
                f"{at}.resource.resourceType: {rtype!r} is not a FHIR R4 resource"
            ) from None
        entry = Entry(i, url, rtype, resource)
        try:
            model.model_validate(resource)
        except ValidationError as e:
            path, message = _first_error(e)
            raise entry.error(path, message) from None
        entries.append(entry)
    _check_references(entries)
    return entries


def _references(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every (path, reference) inside a resource."""
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else k
            if k == "reference" and isinstance(v, str):
                yield sub, v
            else:
                yield from _references(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _references(v, f"{path}[{i}]")


def index(entries: list[Entry]) -> dict[str, Entry]:
    """Entries by fullUrl and by ``Type/id``."""
    out: dict[str, Entry] = {}
    for e in entries:
        out[e.url] = e
        rid = e.resource.get("id")
        if isinstance(rid, str):
            out.setdefault(f"{e.type}/{rid}", e)
    return out


def _check_references(entries: list[Entry]) -> None:
    known = index(entries)
    for e in entries:
        for path, target in _references(e.resource, ""):
            if target.startswith("#"):
                raise e.error(path, "contained resources are not used by Taut")
            if target not in known:
                raise e.error(path, f"{target} is not in the Bundle")
