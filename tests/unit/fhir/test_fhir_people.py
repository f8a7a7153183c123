"""The record's people in FHIR (issue 17.11): the Patient's contacts and occupation extension are written and
read back; a bad value in a Bundle is refused naming the Patient's element."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.unit.fhir.demo_course import demo_course

from taut.fhir import codes as c
from taut.fhir.export import bundle
from taut.fhir.importer import read_bundle
from taut.fhir.validate import FhirImportError

PEOPLE = {
    "occupation": "Cellist",
    "emergency_name": "Ben Keller",
    "emergency_relation": "Brother",
    "emergency_phone": "+41 79 555 77 88",
    "referrer_name": "Dr Anna Meier",
    "referrer_practice": "Praxis am See",
    "referrer_address": "Seeweg 1, 8000 Zürich",
    "referrer_phone": "+41 44 555 11 22",
    "referrer_email": "anna.meier@praxis.example",
}
AT = datetime(2025, 5, 1, tzinfo=UTC)


def _with_people(**people: Any) -> dict[str, Any]:
    course = demo_course()
    chart = replace(course.chart, client=replace(course.chart.client, **people))
    return bundle(replace(course, chart=chart), at=AT)


def _patient(b: dict[str, Any]) -> dict[str, Any]:
    return next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")


def test_the_people_are_patient_contacts_and_come_back() -> None:
    b = _with_people(**PEOPLE)
    p = _patient(b)
    assert p["extension"] == [{"url": c.EXT_OCCUPATION, "valueString": "Cellist"}]
    emergency, referrer = p["contact"]
    assert emergency["relationship"][0]["coding"][0]["code"] == "C"
    assert emergency["relationship"][0]["text"] == "Brother" and emergency["name"] == {"text": "Ben Keller"}
    assert referrer["relationship"][0]["coding"][0] == c.taut("referring-provider")
    assert referrer["extension"] == [{"url": c.EXT_PRACTICE, "valueString": "Praxis am See"}]
    assert {t["system"] for t in referrer["telecom"]} == {"phone", "email"}
    assert read_bundle(b).chart.client.people == PEOPLE


def test_no_people_no_contacts() -> None:
    p = _patient(bundle(demo_course(), at=AT))
    assert "contact" not in p and "extension" not in p


def test_an_unknown_contact_is_not_read_and_a_bad_phone_is_refused_by_its_element() -> None:
    b = _with_people(**PEOPLE)
    p = _patient(b)
    p["contact"].insert(0, {"relationship": [{"text": "neighbour"}], "name": {"text": "Somebody"}})
    assert read_bundle(b).chart.client.people == PEOPLE
    bad = copy.deepcopy(b)
    _patient(bad)["contact"][1]["telecom"] = [{"system": "phone", "value": "ring Ben"}]
    with pytest.raises(
        FhirImportError, match=r"^Patient at entry\[0\] .*: contact\[1\]\.telecom: may hold only"
    ):
        read_bundle(bad)
