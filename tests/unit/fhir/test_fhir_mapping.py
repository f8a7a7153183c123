"""The FHIR mapping without a database: the demo course to a Bundle and back, every resource valid against the
R4 models, the codes and structures a receiving system relies on, and the equivalence rule."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from tests.unit.fhir.demo_course import demo_chart, demo_course

from taut.anatomy.crosswalk import snomed_site
from taut.anatomy.regions import RegionRef, Side
from taut.fhir import codes as c
from taut.fhir.equivalence import differences, equivalent
from taut.fhir.export import bundle, urn
from taut.fhir.importer import read_bundle

AT = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return bundle(demo_course(), at=AT)


def resources(b: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype]


def by_url(b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in b["entry"]}


def test_reading_the_export_gives_the_course_back(demo: dict[str, Any]) -> None:
    course = demo_course()
    back = read_bundle(demo)
    assert back.staff == course.staff
    assert back.clinic.name == "Golden Clinic"
    # Each note comes back with its Provenance: the system it was written in, its author and signer.
    for n in back.chart.notes:
        assert n.provenance is not None and n.provenance.system == "Golden Clinic"
        staff = {s.id: s.name for s in course.staff}
        assert n.provenance.author.name == staff[n.author_id]
        assert (n.provenance.signer and n.provenance.signer.name) == (n.signed_by and staff[n.signed_by])
    notes = tuple(replace(n, provenance=None) for n in back.chart.notes)
    assert replace(back.chart, notes=notes) == replace(
        course.chart, client=replace(course.chart.client, id=None)
    )


def test_every_resource_validates_against_the_r4_models(demo: dict[str, Any]) -> None:
    Bundle.model_validate(demo)
    for e in demo["entry"]:
        r = e["resource"]
        get_fhir_model_class(r["resourceType"]).model_validate(r)
    kinds = {e["resource"]["resourceType"] for e in demo["entry"]}
    assert kinds == {
        "Patient",
        "Organization",
        "Practitioner",
        "BodyStructure",
        "Consent",
        "EpisodeOfCare",
        "Condition",
        "QuestionnaireResponse",
        "Observation",
        "DetectedIssue",
        "ClinicalImpression",
        "CarePlan",
        "Goal",
        "ServiceRequest",
        "Encounter",
        "Procedure",
        "DocumentReference",
        "Provenance",
    }


def test_full_urls_are_stable_unique_and_every_reference_resolves(demo: dict[str, Any]) -> None:
    assert bundle(demo_course(), at=AT) == demo
    urls = [e["fullUrl"] for e in demo["entry"]]
    assert len(urls) == len(set(urls))
    assert all(
        u.startswith("urn:uuid:") and e["resource"]["id"] == u[9:]
        for u, e in zip(urls, demo["entry"], strict=True)
    )
    assert urn("session/1/hold/0") == urn("session/1/hold/0") != urn("session/1/hold/1")
    text = json.dumps(demo)
    for ref in {r.split('"')[0] for r in text.split('"reference": "')[1:]}:
        assert ref in urls


def test_pain_regions_carry_loinc_72514_3_and_the_body_site_with_laterality(demo: dict[str, Any]) -> None:
    structures = by_url(demo)
    pain = [
        r for r in resources(demo, "Observation") if r["code"]["coding"][0]["code"] == c.LOINC_PAIN_SEVERITY
    ]
    temple = next(r for r in pain if r["bodySite"]["coding"][0]["code"] == "head.temple")
    assert temple["code"]["coding"] == [
        {
            "system": "http://loinc.org",
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
    assert temple["valueQuantity"] == {
        "value": 6,
        "unit": "{score}",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    site = snomed_site(RegionRef("head.temple", Side.RIGHT))
    assert site is not None
    assert {"system": "http://snomed.info/sct", "code": site.code} in temple["bodySite"]["coding"]
    ext = temple["bodySite"]["extension"][0]
    assert ext["url"] == "http://hl7.org/fhir/StructureDefinition/bodySite"
    body = structures[ext["valueReference"]["reference"]]
    assert body["resourceType"] == "BodyStructure"
    assert body["locationQualifier"][0]["coding"][0]["code"] == "24028007"  # right
    assert temple["component"][0]["code"]["coding"][0]["code"] == "56823-8"
    vertex = next(r for r in pain if r["bodySite"]["coding"][0]["code"] == "head.vertex")
    assert "valueQuantity" not in vertex and vertex["dataAbsentReason"]["coding"][0]["code"] == "not-asked"
    midline = structures[vertex["bodySite"]["extension"][0]["valueReference"]["reference"]]
    assert midline["locationQualifier"][0]["coding"][0]["code"] == "260528009"


def test_one_body_structure_per_site_and_side_is_reused(demo: dict[str, Any]) -> None:
    structures = resources(demo, "BodyStructure")
    keys = [
        (json.dumps(s.get("location"), sort_keys=True), json.dumps(s.get("locationQualifier")))
        for s in structures
    ]
    assert len(keys) == len(set(keys))
    right_trap = next(
        s
        for s in structures
        if s.get("description", "").startswith("Upper trapezius") and s["description"].endswith("right")
    )
    url = f"urn:uuid:{right_trap['id']}"
    users = [e for e in demo["entry"] if url in json.dumps(e["resource"]) and e["fullUrl"] != url]
    assert {u["resource"]["resourceType"] for u in users} == {"Observation", "ServiceRequest", "Procedure"}
    assert {"system": "http://snomed.info/sct", "code": "31764008"} in right_trap["location"]["coding"]


def test_trigger_point_findings_are_exam_observations_with_components(demo: dict[str, Any]) -> None:
    findings = [
        r for r in resources(demo, "Observation") if r["code"]["coding"][0].get("code") == "trigger-point"
    ]
    assert len(findings) == 4
    first = findings[0]
    assert first["category"][0]["coding"][0]["code"] == "exam"
    assert first["valueCodeableConcept"]["coding"][0]["code"] == "active"
    comps = {x["code"]["coding"][0]["code"]: x for x in first["component"]}
    assert comps["taut-band"]["valueBoolean"] is True and comps["local-twitch"]["valueBoolean"] is False
    assert comps["tenderness"]["valueInteger"] == 7
    assert comps["pressure-pain-threshold"]["valueQuantity"]["code"] == "kPa"
    assert comps["pressure-pain-threshold"]["valueQuantity"]["value"] == 180.5
    (condition,) = resources(demo, "Condition")
    assert condition["code"]["coding"][0]["code"] == "726531007"  # not 24026003 (babesiosis)
    assert len(condition["evidence"][0]["detail"]) == 1  # the one active finding
    assert (
        condition["clinicalStatus"]["coding"][0]["code"] == "resolved"
    )  # the later assessment found none active


def test_range_of_motion_is_in_degrees_with_the_normal_value(demo: dict[str, Any]) -> None:
    rom = [r for r in resources(demo, "Observation") if r["code"]["coding"][0]["system"] == c.CS_ROM_MOVEMENT]
    assert [r["valueQuantity"]["value"] for r in rom] == [55, 35, 70]
    assert all(r["valueQuantity"]["code"] == "deg" and r["valueQuantity"]["system"] == c.UCUM for r in rom)
    assert rom[0]["referenceRange"][0]["text"].startswith("normal 60 deg (AAOS")


def test_sessions_are_encounters_with_procedures_and_hold_observations(demo: dict[str, Any]) -> None:
    first, second, third = resources(demo, "Encounter")
    assert first["status"] == "finished"
    assert first["period"] == {"start": "2025-03-03T14:00:00+00:00", "end": "2025-03-03T14:45:00+00:00"}
    assert second["status"] == "finished" and "end" not in second["period"]
    assert third["status"] == "in-progress" and third["period"] == {"start": "2025-04-07T07:30:00+00:00"}
    assert first["class"]["code"] == "AMB"
    procedures = [p for p in resources(demo, "Procedure") if p["encounter"]["reference"] == urn("session/1")]
    assert [p["code"]["coding"][0]["code"] for p in procedures] == ["ischemic_compression", "pin_and_stretch"]
    holds = [
        r for r in resources(demo, "Observation") if r["code"]["coding"][0].get("code") == "pressure-hold"
    ]
    assert len(holds) == 4
    h = {x["code"]["coding"][-1]["code"]: x for x in holds[0]["component"]}
    assert h["hold-number"]["valueInteger"] == 1
    assert h["hold-duration"]["valueQuantity"] == {"value": 20, "unit": "s", "system": c.UCUM, "code": "s"}
    assert (
        h["discomfort"]["valueInteger"] == 8
        and holds[0]["component"][3]["code"]["coding"][0]["code"] == "72514-3"
    )
    assert h["pressure-change"]["valueCodeableConcept"]["coding"][0]["code"] == "down"
    assert h["released"]["valueBoolean"] is True
    assert holds[0]["partOf"] == [{"reference": urn("session/1/procedure/0")}]
    # the interleaved holds keep their order through the numbers
    second_proc = [x for x in holds if x["partOf"][0]["reference"] == urn("session/1/procedure/0")]
    assert [x["component"][0]["valueInteger"] for x in second_proc] == [1, 3]


def test_outcomes_are_questionnaire_responses_with_a_score(demo: dict[str, Any]) -> None:
    forms = [
        r for r in resources(demo, "QuestionnaireResponse") if r["questionnaire"] != c.questionnaire("intake")
    ]
    ndi = next(f for f in forms if f["questionnaire"].endswith("/ndi"))
    assert ndi["item"][2] == {"linkId": "3"}  # the unanswered item stays in its place
    scores = [
        r for r in resources(demo, "Observation") if r["code"]["coding"][-1]["system"] == c.CS_INSTRUMENT
    ]
    assert [s["valueQuantity"]["value"] for s in scores] == [6.0, 13.3, 5.0, 25.0, 2.0]
    assert scores[0]["code"]["coding"][0]["code"] == "72514-3"  # NPRS
    assert all(s["derivedFrom"][0]["reference"].startswith("urn:uuid:") for s in scores)


def test_notes_plans_consent_and_decisions(demo: dict[str, Any]) -> None:
    first, amendment, draft = resources(demo, "DocumentReference")
    assert first["docStatus"] == "final" and draft["docStatus"] == "preliminary"
    assert amendment["relatesTo"] == [{"code": "appends", "target": {"reference": urn("note/1")}}]
    assert first["extension"][0] == {"url": c.EXT_SIGNED_AT, "valueDateTime": "2025-03-03T15:30:00+00:00"}
    plan = resources(demo, "CarePlan")[0]
    assert plan["status"] == "completed" and len(plan["goal"]) == 2
    assert {s["scope"]["coding"][0]["code"] for s in resources(demo, "Consent")} == {
        "treatment",
        "patient-privacy",
    }
    referred, override = resources(demo, "DetectedIssue")
    assert referred["mitigation"][0]["extension"][0]["valueString"] == "GP Dr. Weber"
    assert override["mitigation"][0]["author"] == {"reference": urn("user/1")}


def test_sex_maps_to_administrative_gender_and_back() -> None:
    for sex, gender in (
        ("female", "female"),
        ("male", "male"),
        ("intersex", "other"),
        ("unknown", "unknown"),
    ):
        course = demo_course()
        course = replace(course, chart=replace(course.chart, client=replace(course.chart.client, sex=sex)))
        b = bundle(course, at=AT)
        assert resources(b, "Patient")[0]["gender"] == gender
        assert read_bundle(b).chart.client.sex == sex


def test_a_course_without_records_exports_and_reads_back() -> None:
    chart = demo_chart()
    bare = replace(
        chart, intakes=(), assessments=(), plans=(), sessions=(), outcomes=(), notes=(), decisions=()
    )
    course = replace(demo_course(), chart=bare, staff=())
    b = bundle(course, at=AT)
    Bundle.model_validate(b)
    assert {e["resource"]["resourceType"] for e in b["entry"]} == {
        "Patient",
        "Organization",
        "Consent",
        "EpisodeOfCare",
    }
    assert read_bundle(b).chart == replace(bare, client=replace(bare.client, id=None))


def renamed(b: dict[str, Any]) -> dict[str, Any]:
    """The same Bundle with every fullUrl and id replaced by a fresh one (as an import into another
    database gives)."""
    new = {e["fullUrl"]: f"urn:uuid:{uuid.uuid4()}" for e in b["entry"]}
    text = json.dumps(b)
    for old, fresh in new.items():
        text = text.replace(old[9:], fresh[9:])
    out: dict[str, Any] = json.loads(text)
    out["timestamp"] = "2030-01-01T00:00:00+00:00"
    return out


def test_equivalence_ignores_ids_full_urls_and_timestamp(demo: dict[str, Any]) -> None:
    other = renamed(demo)
    assert other != demo
    assert equivalent(demo, other)
    assert differences(demo, other) == []


def test_equivalence_sees_a_changed_value_a_moved_reference_and_the_order(demo: dict[str, Any]) -> None:
    changed = copy.deepcopy(demo)
    obs = next(
        e["resource"] for e in changed["entry"] if e["resource"].get("valueQuantity", {}).get("value") == 6
    )
    obs["valueQuantity"]["value"] = 7
    assert not equivalent(demo, changed)
    assert any("valueQuantity.value: 6 != 7" in d for d in differences(demo, changed))

    moved = copy.deepcopy(demo)
    enc = [e["resource"] for e in moved["entry"] if e["resource"]["resourceType"] == "Encounter"]
    enc[1]["participant"][0]["individual"] = enc[0]["participant"][0]["individual"]
    assert not equivalent(demo, moved)
    assert equivalent(demo, moved, same_clinic=False)  # who treated is the receiving clinic's staff

    swapped = copy.deepcopy(demo)
    swapped["entry"][0], swapped["entry"][1] = swapped["entry"][1], swapped["entry"][0]
    assert not equivalent(demo, swapped)


def test_equivalence_across_clinics_ignores_the_organization_and_the_staff(demo: dict[str, Any]) -> None:
    other = copy.deepcopy(demo)
    for e in other["entry"]:
        r = e["resource"]
        if r["resourceType"] == "Organization":
            r["name"] = "Clinic B"
        if r["resourceType"] == "Practitioner":
            r["name"] = [{"text": "Carol Conti"}]
    assert not equivalent(demo, other)
    assert equivalent(demo, other, same_clinic=False)


def test_codes_pinned_to_their_sources() -> None:
    assert c.SCT_MYOFASCIAL_PAIN == "726531007"
    assert c.LOINC_PAIN_SEVERITY == "72514-3"
    assert (c.SCT_RIGHT, c.SCT_LEFT, c.SCT_MEDIAN) == ("24028007", "7771000", "260528009")
    site = snomed_site(RegionRef("head.temple", Side.LEFT))
    assert site is not None and site.laterality == c.SCT_LEFT  # the crosswalk and the export agree
    names = c.muscle_names()
    assert set(c.MUSCLE_SNOMED) <= set(names)
    assert c.trigger_point_display("upper_trapezius.trp1").startswith("Upper trapezius TrP1")
    assert set(c.GENDER) == {"female", "male", "intersex", "unknown"}
    assert date(2025, 1, 1).isoformat() == "2025-01-01"
