"""Bad Bundles: each gets one line naming the resource (type, entry, fullUrl) and the element."""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.unit.fhir.demo_course import demo_course

from taut.fhir import codes as c
from taut.fhir.export import bundle, urn
from taut.fhir.importer import read_bundle
from taut.fhir.validate import FhirImportError, loc_path, parse_json

Json = dict[str, Any]
DEMO = bundle(demo_course(), at=datetime(2025, 5, 1, tzinfo=UTC))


def broken(change: Callable[[Json], None]) -> Json:
    b = copy.deepcopy(DEMO)
    change(b)
    return b


def entry(b: Json, url: str) -> tuple[int, Json]:
    for i, e in enumerate(b["entry"]):
        if e["fullUrl"] == url:
            return i, e["resource"]
    raise KeyError(url)


def refused(b: object) -> str:
    with pytest.raises(FhirImportError) as err:
        read_bundle(b)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_not_json() -> None:
    with pytest.raises(FhirImportError, match=r"^not JSON: Expecting property name .* at line 1 column 2$"):
        parse_json("{not json")


def test_not_a_bundle() -> None:
    assert refused([1, 2]) == "not a FHIR Bundle: a JSON object is expected, not list"
    assert refused({"resourceType": "Patient"}) == "not a FHIR Bundle: resourceType is 'Patient'"
    b = broken(lambda b: b.update(type="searchset"))
    assert refused(b) == "Bundle.type: Taut imports a 'collection' Bundle, not 'searchset'"
    b = broken(lambda b: b.update(timestamp="yesterday"))
    assert refused(b).startswith("Bundle.timestamp: ")


def test_a_wrong_type_in_an_element_names_the_resource_and_the_path() -> None:
    hold = urn("session/1/hold/0")

    def change(b: Json) -> None:
        entry(b, hold)[1]["component"][2]["valueInteger"] = "seven"

    i, _ = entry(DEMO, hold)
    assert refused(broken(change)) == (
        f"Observation at entry[{i}] ({hold}): component[2].valueInteger: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_a_missing_required_element() -> None:
    enc = urn("session/2")
    i, _ = entry(DEMO, enc)
    message = refused(broken(lambda b: entry(b, enc)[1].pop("status")))
    assert message.startswith(f"Encounter at entry[{i}] ({enc}): status: ")


def test_an_unknown_region_code() -> None:
    pain = urn("intake/1/pain/head.temple:right")

    def change(b: Json) -> None:
        entry(b, pain)[1]["bodySite"]["coding"][0]["code"] = "head.nowhere"

    i, _ = entry(DEMO, pain)
    assert refused(broken(change)) == (
        f"Observation at entry[{i}] ({pain}): bodySite.coding[0].code: unknown region id 'head.nowhere'"
    )


def test_a_reference_that_points_nowhere() -> None:
    enc = urn("session/1")
    i, _ = entry(DEMO, enc)

    def change(b: Json) -> None:
        entry(b, enc)[1]["participant"][0]["individual"]["reference"] = (
            "urn:uuid:00000000-0000-0000-0000-000000000000"
        )

    assert refused(broken(change)) == (
        f"Encounter at entry[{i}] ({enc}): participant[0].individual.reference: "
        "urn:uuid:00000000-0000-0000-0000-000000000000 is not in the Bundle"
    )


def test_a_reference_to_the_wrong_kind_of_resource() -> None:
    enc = urn("session/1")

    def change(b: Json) -> None:
        entry(b, enc)[1]["participant"][0]["individual"]["reference"] = urn("client/1")

    assert refused(broken(change)).endswith(
        "participant[0].individual.reference: must point at a Practitioner, not a Patient"
    )


@pytest.mark.parametrize(
    ("url", "change", "expected"),
    [
        (
            "assessment/1/finding/0",
            lambda r: r["bodySite"]["coding"][0].update(code="upper_trapezius.trp9"),
            "bodySite.coding[0].code: 'upper_trapezius.trp9' is not a trigger point of upper_trapezius",
        ),
        (
            "session/1/procedure/0",
            lambda r: r["code"]["coding"][0].update(code="karate_chop"),
            "code.coding[0].code: unknown technique 'karate_chop'",
        ),
        (
            "intake/1",
            lambda r: r["item"][4]["answer"][0]["valueCoding"].update(code="juggling"),
            "item[4].answer[0].valueCoding.code: 'juggling' is not a term of the symptom vocabulary",
        ),
        (
            "intake/1/pain/head.temple:right",
            lambda r: r["valueQuantity"].update(value=11),
            "bodySite: intensity for head.temple:right must be 0-10, not 11",
        ),
        (
            "session/1/hold/2",
            lambda r: r["component"][0].update(valueInteger=7),
            "the holds are numbered [1, 2, 7]; expected 1 to 3",
        ),
        (
            "note/2",
            lambda r: r["relatesTo"][0].update(target={"reference": urn("note/3")}),
            "relatesTo[0].target: only a signed (final) note is amended",
        ),
        (
            "outcome/2",
            lambda r: r["item"][0]["answer"][0].update(valueInteger=9),
            "outcome.items[0]: must be 0-5, not 9",
        ),
        (
            "assessment/1/rom/0",
            lambda r: r["valueQuantity"].update(code="rad", unit="rad"),
            "valueQuantity.code: range of motion is in degrees (deg), not 'rad'",
        ),
    ],
)
def test_a_broken_rule_names_the_resource_and_the_element(
    url: str, change: Callable[[Json], None], expected: str
) -> None:
    message = refused(broken(lambda b: change(entry(b, urn(url))[1])))
    assert re.match(r"^\w+ at entry\[\d+\] \(urn:uuid:[0-9a-f-]+\): ", message), message
    assert expected in message


def test_the_pain_before_treatment_is_required() -> None:
    pain = urn("session/2/pain-before")
    b = broken(lambda b: b["entry"].pop(entry(b, pain)[0]))
    assert refused(b).endswith("the pain before treatment (an Observation of the encounter) is missing")


def test_resources_taut_does_not_hold_are_refused() -> None:
    def add(resource: Json) -> Json:
        return broken(lambda b: b["entry"].append({"fullUrl": "urn:uuid:1", "resource": resource}))

    allergy = {"resourceType": "AllergyIntolerance", "patient": {"reference": urn("client/1")}}
    assert refused(add(allergy)).endswith("resourceType: Taut does not import AllergyIntolerance resources")
    assert "is not a FHIR R4 resource" in refused(add({"resourceType": "Unicorn"}))
    loose = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [c.taut("posture-finding")]},
        "valueString": "slouching",
    }
    assert refused(add(loose)).endswith("this posture-finding observation is not part of any record")


def test_two_entries_with_one_full_url() -> None:
    b = broken(lambda b: b["entry"].append(copy.deepcopy(b["entry"][0])))
    last = len(b["entry"]) - 1
    assert (
        refused(b)
        == f"Bundle.entry[{last}].fullUrl: {b['entry'][0]['fullUrl']} is also the fullUrl of entry[0]"
    )


def test_loc_path() -> None:
    assert loc_path(("component", 1, "valueInteger")) == "component[1].valueInteger"
    assert loc_path(()) == "(resource)"


def test_the_demo_bundle_itself_is_accepted() -> None:
    assert read_bundle(json.loads(json.dumps(DEMO))).chart.client.full_name == "Maria Keller"


def test_any_damage_gets_a_clear_error_never_a_crash() -> None:
    """Damage the demo Bundle at random places (seeded): reading it either works or raises FhirImportError;
    no other exception (a KeyError, a TypeError) escapes."""
    rng = random.Random(7)

    def places(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
        out = [path]
        if isinstance(value, dict):
            for k, v in value.items():
                out += places(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out += places(v, (*path, i))
        return out

    deep = [p for p in places(DEMO) if len(p) > 3]
    for _ in range(40):
        b = copy.deepcopy(DEMO)
        *parents, last = rng.choice(deep)
        node: Any = b
        for k in parents:
            node = node[k]
        if rng.random() < 0.4:
            del node[last]
        else:
            node[last] = rng.choice(["zz", 3, -1, 2.5, True, None, [], {}])
        try:
            read_bundle(b)
        except FhirImportError as e:
            assert "\n" not in str(e)


def test_nothing_is_dropped_silently() -> None:
    goal = urn("plan/1/goal/0")
    b = broken(lambda b: entry(b, urn("plan/1"))[1]["goal"].pop(0))
    assert refused(b).startswith(
        f"Goal at entry[{entry(DEMO, goal)[0]}] ({goal}): (resource): this Goal is not part"
    )

    def no_holds(b: Json) -> None:
        for url in (urn("session/1/hold/1"),):
            b["entry"].pop(entry(b, url)[0])

    proc = urn("session/1/procedure/1")
    assert refused(broken(no_holds)).endswith(
        f"({proc}): (resource): a treatment without holds (Observations partOf it)"
    )

    def twice(b: Json) -> None:
        entry(b, urn("plan/2"))[1]["goal"].append({"reference": goal})

    assert refused(broken(twice)).endswith(f"({goal}): (resource): is part of two records")
