"""Reading what is found: the intake form with the pain drawing, red-flag decisions, assessments."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, body_map
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.factors import group as group_of
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.intake import (
    Biochemical,
    Biomechanical,
    Factors,
    Intake,
    Psychosocial,
    ScreenAnswer,
    ScreeningAnswer,
)
from taut.clinic.rom import rom_norms
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.fhir import codes as c
from taut.fhir import declared
from taut.fhir.elements import Json
from taut.fhir.reading import (
    a_date,
    a_datetime,
    answers,
    at,
    code_of,
    has_code,
    one_answer,
    required,
    whole,
)
from taut.fhir.validate import Entry

if TYPE_CHECKING:
    from taut.fhir.importer import Reader

EXAM_KINDS = ("trigger-point", "range-of-motion", "posture-finding", "gait-finding", "entrapment-test")
FACTOR_GROUPS: dict[str, type[Biomechanical | Biochemical | Psychosocial]] = {
    "biomechanical": Biomechanical,
    "biochemical": Biochemical,
    "psychosocial": Psychosocial,
}


_KINDS = {"mechanisms": ("mechanism",), "aggravators": ("aggravator",), "symptoms": ("quality", "associated")}


def intake(rd: Reader, e: Entry, local: int) -> Intake:
    """One intake form with the Observations of its pain drawing (``derivedFrom`` the form)."""
    r = e.resource
    v: dict[str, Any] = {
        "mechanisms": (),
        "aggravators": (),
        "symptoms": (),
        "medications": (),
        "screening": (),
        "answers": (),
    }
    factors: dict[str, dict[str, Any]] = {"biomechanical": {}, "biochemical": {}, "psychosocial": {}}
    for k, item in enumerate(r.get("item") or []):
        _intake_item(rd, e, item, f"item[{k}]", v, factors)
    if "chief_complaint" not in v:
        raise e.error("item", "the chief complaint (linkId chief-complaint) is required")
    recorded_on = a_date(e, required(e, r, "authored"), "authored")
    marks = _pain_marks(rd, e)
    with at(e, "item"):
        fs = _factors_of(e, factors)
        intake = Intake(
            id=local, recorded_on=recorded_on, pain_drawing=PainDrawing.of(marks), factors=fs, **v
        )
        return intake.validate(rd.cat)


def _intake_item(
    rd: Reader, e: Entry, item: Json, p: str, v: dict[str, Any], factors: dict[str, dict[str, Any]]
) -> None:
    """Read one item of the intake form into the intake's values ``v`` (or its ``factors``)."""
    link = item.get("linkId")
    if link in ("chief-complaint", "history"):
        v[link.replace("-", "_")] = one_answer(e, item, p, "valueString")
    elif link == "onset":
        coding = one_answer(e, item, p, "valueCoding")
        v["onset"], _ = code_of(e, {"coding": [coding]}, f"{p}.answer[0].valueCoding", c.CS_ONSET)
    elif link == "began-on":
        v["began_on"] = a_date(e, one_answer(e, item, p, "valueDate"), f"{p}.answer[0].valueDate")
    elif link in ("duration-weeks", "duration-days"):
        v[link.replace("-", "_")] = one_answer(e, item, p, "valueInteger")
    elif link == "safety-screen":
        v["answers"] = tuple(
            _screen_answer(e, a, f"{p}.item[{j}]") for j, a in enumerate(item.get("item") or [])
        )
    elif link in _KINDS:
        v[link] = tuple(
            _term(rd, e, a, f"{p}.answer[{j}]", _KINDS[link]) for j, a in enumerate(answers(item))
        )
    elif link == "medications":
        v["medications"] = tuple(_string(rd, e, a, f"{p}.answer[{j}]") for j, a in enumerate(answers(item)))
    elif link == "screening":
        v["screening"] = tuple(_screening(rd, e, a, f"{p}.answer[{j}]") for j, a in enumerate(answers(item)))
    elif link == "factors":
        for g, group in enumerate(item.get("item") or []):
            _factor_group(rd, e, group, f"{p}.item[{g}]", factors)
    else:
        raise e.error(f"{p}.linkId", f"{link!r} is not an item of Taut's intake form")


def _pain_marks(rd: Reader, e: Entry) -> list[PainMark]:
    """The pain drawing: the Observations ``derivedFrom`` the form, each taken so it is not read twice."""
    marks = []
    for o in rd.derived_from.get(e.url, []):
        if rd.kind[o.url] != "pain-region":
            raise o.error("derivedFrom[0]", "an intake form has pain-drawing observations, not scores")
        marks.append(_mark(rd, o))
        rd.take(o)
    return marks


def _factors_of(e: Entry, factors: dict[str, dict[str, Any]]) -> Factors:
    """The three groups of factors read from the form."""
    try:
        return Factors(
            biomechanical=Biomechanical(**factors["biomechanical"]),
            biochemical=Biochemical(**factors["biochemical"]),
            psychosocial=Psychosocial(**factors["psychosocial"]),
        )
    except TypeError as err:
        raise e.error("item", f"bad factors: {err}") from None


def _term(rd: Reader, e: Entry, answer: Json, path: str, kinds: tuple[str, ...]) -> str:
    coding = answer.get("valueCoding")
    if not isinstance(coding, dict) or coding.get("system") != c.CS_VOCABULARY:
        raise e.error(f"{path}.valueCoding", f"needs a code of {c.CS_VOCABULARY}")
    with at(e):
        return rd.cat.check_term(f"{path}.valueCoding.code", str(coding.get("code")), kinds)


def _string(rd: Reader, e: Entry, answer: Json, path: str) -> str:
    if "valueString" not in answer:
        raise e.error(path, "needs valueString")
    return str(answer["valueString"])


def _screening(rd: Reader, e: Entry, answer: Json, path: str) -> ScreeningAnswer:
    term = _term(rd, e, answer, path, ("redflag", "caution"))
    nested = answer.get("item") or []
    present = next((i for i in nested if i.get("linkId") == "screening.present"), None)
    if present is None:
        raise e.error(f"{path}.item", "the answer (linkId screening.present, yes or no) is missing")
    value = one_answer(e, present, f"{path}.item[0]", "valueBoolean")
    return ScreeningAnswer(term=term, present=value)


def _screen_answer(e: Entry, item: Json, path: str) -> ScreenAnswer:
    link = str(item.get("linkId", ""))
    if not link.startswith("safety-screen."):
        raise e.error(
            f"{path}.linkId", f"{link!r} is not a question of the safety screen (safety-screen.<id>)"
        )
    coding = one_answer(e, item, path, "valueCoding")
    answer, _ = code_of(e, {"coding": [coding]}, f"{path}.answer[0].valueCoding", c.CS_SCREEN_ANSWER)
    return ScreenAnswer(question=link.removeprefix("safety-screen."), answer=answer)


def _factor_group(rd: Reader, e: Entry, group: Json, path: str, out: dict[str, dict[str, Any]]) -> None:
    name = str(group.get("linkId", "")).removeprefix("factors.")
    if name not in out:
        raise e.error(f"{path}.linkId", f"{group.get('linkId')!r} is not a group of factors")
    fields = {f.name for f in dataclasses.fields(FACTOR_GROUPS[name])}
    for k, item in enumerate(group.get("item") or []):
        p = f"{path}.item[{k}]"
        field = str(item.get("linkId", "")).removeprefix(f"factors.{name}.").replace("-", "_")
        if field not in fields:
            raise e.error(f"{p}.linkId", f"{item.get('linkId')!r} is not a {name} factor")
        answers = item.get("answer") or [{}]
        value = next(iter(answers[0].values()), None) if answers[0] else None
        if group_of(name).field(field).kind == "number" and isinstance(value, int):
            value = float(value)
        out[name][field] = value


def _mark(rd: Reader, o: Entry) -> PainMark:
    r = o.resource
    site = required(o, r, "bodySite", dict)
    region, path = code_of(o, site, "bodySite", c.CS_REGION)
    if region not in body_map():
        raise o.error(path, f"unknown region id {region!r}")
    intensity = None
    if "valueQuantity" in r:
        intensity = whole(o, r["valueQuantity"].get("value"), "valueQuantity.value")
    elif "dataAbsentReason" not in r:
        raise o.error("valueQuantity", "the intensity 0-10 (or a dataAbsentReason) is required")
    qualities = []
    for k, comp in enumerate(r.get("component") or []):
        if has_code(comp.get("code"), c.LOINC, c.LOINC_PROBLEM_QUALITY):
            q, _ = code_of(
                o,
                comp.get("valueCodeableConcept"),
                f"component[{k}].valueCodeableConcept",
                c.CS_VOCABULARY,
            )
            qualities.append(q)
    side = rd.side(o, site, "bodySite")
    with at(o, "bodySite"):
        return PainMark(RegionRef(region, side), intensity, tuple(qualities))


def _evidence(rd: Reader, e: Entry) -> tuple[int, tuple[str, ...]]:
    """A DetectedIssue's evidence: the intake the red flags were found in, and the flags."""
    evidence = required(e, e.resource, "evidence", list)[0]
    form = rd.target(
        e, (evidence.get("detail") or [None])[0], "evidence[0].detail[0]", "QuestionnaireResponse"
    )
    if form.url not in rd.intake_ids:
        raise e.error("evidence[0].detail[0].reference", "must point at an intake")
    flags = tuple(
        code_of(e, cc, f"evidence[0].code[{k}]", c.CS_RED_FLAG)[0]
        for k, cc in enumerate(evidence.get("code") or [])
    )
    return rd.intake_ids[form.url], flags


def decision(rd: Reader, e: Entry, local: int) -> ScreeningDecision:
    """A red-flag decision: the flags, the intake they were found in, the referral or override."""
    r = e.resource
    intake_id, flags = _evidence(rd, e)
    m = required(e, r, "mitigation", list)[0]
    decision, _ = code_of(e, m.get("action"), "mitigation[0].action", c.CS_DECISION)
    referred_to = next(
        (x.get("valueString", "") for x in m.get("extension") or [] if x.get("url") == c.EXT_REFERRED_TO),
        "",
    )
    decided_by = rd.staff_id(e, m["author"], "mitigation[0].author") if "author" in m else None
    with at(e):
        return ScreeningDecision(
            id=local,
            intake_id=intake_id,
            decision=decision,
            flags=flags,
            reason=str(r.get("detail", "")),
            referred_to=referred_to,
            decided_by=decided_by,
            decided_at=a_datetime(e, m.get("date"), "mitigation[0].date"),
        )


def clearance(rd: Reader, e: Entry, local: int) -> MedicalClearance:
    """A medical clearance: the flags it clears, the intake they were found in, who cleared and when."""
    r = e.resource
    intake_id, flags = _evidence(rd, e)
    m = required(e, r, "mitigation", list)[0]
    cleared_by = next(
        (x.get("valueString", "") for x in m.get("extension") or [] if x.get("url") == c.EXT_CLEARED_BY), ""
    )
    note = next(
        (x.get("valueString", "") for x in r.get("extension") or [] if x.get("url") == c.EXT_CLEARANCE_NOTE),
        "",
    )
    recorded_by = rd.staff_id(e, r["author"], "author") if "author" in r else None
    with at(e):
        return MedicalClearance(
            id=local,
            intake_id=intake_id,
            flags=flags,
            cleared_by=str(cleared_by),
            cleared_on=a_date(e, m.get("date"), "mitigation[0].date"),
            scope=str(r.get("detail", "")),
            note=str(note),
            recorded_by=recorded_by,
            recorded_at=a_datetime(e, r.get("identifiedDateTime"), "identifiedDateTime"),
        )


def assessment(rd: Reader, e: Entry, local: int) -> Assessment:
    """An assessment: the Observations its ClinicalImpression lists, in order."""
    r = e.resource
    parts: dict[str, list[Any]] = {k: [] for k in EXAM_KINDS}
    for g, inv in enumerate(r.get("investigation") or []):
        for k, item in enumerate(inv.get("item") or []):
            o = rd.target(e, item, f"investigation[{g}].item[{k}]", "Observation")
            kind = rd.kind[o.url]
            if kind not in parts:
                raise e.error(
                    f"investigation[{g}].item[{k}]", f"a {kind} observation is not an examination finding"
                )
            rd.take(o)
            parts[kind].append(_exam(rd, o, kind))
    with at(e):
        return Assessment(
            id=local,
            assessed_on=a_date(e, required(e, r, "effectiveDateTime"), "effectiveDateTime"),
            findings=tuple(parts["trigger-point"]),
            posture=tuple(parts["posture-finding"]),
            gait=tuple(parts["gait-finding"]),
            rom=tuple(parts["range-of-motion"]),
            entrapment_tests=tuple(parts["entrapment-test"]),
            summary=str(r.get("summary", "")),
        ).validate(rd.cat)


def _exam(rd: Reader, o: Entry, kind: str) -> Any:
    r = o.resource
    if kind in ("posture-finding", "gait-finding"):
        return required(o, r, "valueString", str)
    if kind == "trigger-point":
        trp, side = rd.point(o, r.get("bodySite"), "bodySite")
        status, _ = code_of(o, r.get("valueCodeableConcept"), "valueCodeableConcept", c.CS_TRP_STATUS)
        comps = rd.components(o)
        signs = declared.values(o, TRIGGER_POINT_SIGNS, comps)
        with at(o):
            return TriggerPointFinding(trp_id=trp, side=side, status=status, **signs)
    if kind == "range-of-motion":
        movement, path = code_of(o, r.get("code"), "code", c.CS_ROM_MOVEMENT)
        if movement not in rom_norms():
            raise o.error(path, f"unknown movement {movement!r}")
        q = required(o, r, "valueQuantity", dict)
        if q.get("code", "deg") != "deg":
            raise o.error("valueQuantity.code", f"range of motion is in degrees (deg), not {q.get('code')!r}")
        site = r.get("bodySite")
        side = rd.side(o, site, "bodySite") if isinstance(site, dict) else None
        with at(o):
            return RomMeasurement(
                movement=movement, side=side, degrees=whole(o, q.get("value"), "valueQuantity.value")
            )
    # entrapment test
    result, _ = code_of(o, r.get("valueCodeableConcept"), "valueCodeableConcept", c.CS_TEST_RESULT)
    site = r.get("bodySite")
    notes = r.get("note") or []
    with at(o):
        return EntrapmentTest(
            name=str(r["code"].get("text") or ""),
            side=rd.side(o, site, "bodySite") if isinstance(site, dict) else None,
            result=result,
            structure=str(site.get("text", "")) if isinstance(site, dict) else "",
            notes=str(notes[0].get("text", "")) if notes else "",
        )
