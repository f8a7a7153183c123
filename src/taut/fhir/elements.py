"""JSON building blocks of the exported resources: stable ``urn:uuid:`` fullUrls, references, dates and
times, questionnaire items."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from taut.fhir import codes as c

Json = dict[str, Any]
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, c.BASE)


def urn(key: str) -> str:
    """The stable ``urn:uuid:`` of one exported thing, from its kind and Taut id (``session/12/hold/3``)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def resource_id(url: str) -> str:
    """The resource id that goes with a ``urn:uuid:`` fullUrl: the UUID itself."""
    return url.removeprefix("urn:uuid:")


def ref(url: str) -> Json:
    return {"reference": url}


def dt(value: datetime) -> str:
    """A dateTime in UTC with its offset: ``2025-03-03T14:00:00+00:00``."""
    return value.astimezone(UTC).isoformat()


def day(value: date) -> str:
    return value.isoformat()


def item(link: str, answers: list[Json]) -> Json:
    """A QuestionnaireResponse item with its answers."""
    return {"linkId": link, "answer": answers}


def text_item(link: str, text: str) -> Json:
    return item(link, [{"valueString": text}])
