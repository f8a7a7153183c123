"""What is found, as FHIR resources: the intake (QuestionnaireResponse and the pain drawing's Observations),
red-flag decisions (DetectedIssue) and assessments (ClinicalImpression with its exam Observations)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING

from taut.anatomy.pain import PainMark
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.factors import FACTORS
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.intake import Intake
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.fhir import codes as c
from taut.fhir import declared
from taut.fhir.elements import Json, day, dt, item, ref, resource_id, text_item, urn

if TYPE_CHECKING:
    from taut.fhir.export import Builder


def intake(b: Builder, i: Intake) -> None:
    """The intake form as a QuestionnaireResponse, then one Observation per painted region."""
    qr = urn(f"intake/{i.id}")
    b.add(
        qr,
        "QuestionnaireResponse",
        {
            "questionnaire": c.questionnaire("intake"),
            "status": "completed",
            "subject": ref(b.patient),
            "authored": day(i.recorded_on),
            "item": _intake_items(i),
        },
    )
    for mark in i.pain_drawing:
        b.add(urn(f"intake/{i.id}/pain/{mark.ref.key}"), "Observation", _pain_mark(b, i, mark, qr))


def _intake_items(i: Intake) -> list[Json]:
    """The answers of the intake form, in the form's order; what was not told is left out."""
    items: list[Json] = [text_item("chief-complaint", i.chief_complaint)]
    items.append(
        item("onset", [{"valueCoding": c.coding(c.CS_ONSET, i.onset, c.ONSET_DISPLAY.get(i.onset))}])
    )
    items += _course_items(i)
    if i.history:
        items.append(text_item("history", i.history))
    if i.medications:
        items.append(item("medications", [{"valueString": m} for m in i.medications]))
    if i.screening:
        items.append(_screening_item(i))
    if i.answers:
        items.append(_safety_screen_item(i))
    factors = _factors(i)
    if factors:
        items.append({"linkId": "factors", "item": factors})
    return items


def _course_items(i: Intake) -> list[Json]:
    """When it began, how long it has lasted, and the vocabulary words of how it came and behaves."""
    items: list[Json] = []
    if i.began_on is not None:
        items.append(item("began-on", [{"valueDate": day(i.began_on)}]))
    if i.duration_weeks is not None:
        items.append(item("duration-weeks", [{"valueInteger": i.duration_weeks}]))
    if i.duration_days is not None:
        items.append(item("duration-days", [{"valueInteger": i.duration_days}]))
    for link, words in (
        ("mechanisms", i.mechanisms),
        ("aggravators", i.aggravators),
        ("symptoms", i.symptoms),
    ):
        if words:
            items.append(item(link, [{"valueCoding": c.coding(c.CS_VOCABULARY, w)} for w in words]))
    return items


def _screening_item(i: Intake) -> Json:
    """The screening terms asked, each with whether it is present."""
    answers = [
        {
            "valueCoding": c.coding(c.CS_VOCABULARY, a.term),
            "item": [item("screening.present", [{"valueBoolean": a.present}])],
        }
        for a in i.screening
    ]
    return item("screening", answers)


def _safety_screen_item(i: Intake) -> Json:
    """The safety screen's questions, one nested item per answered question."""
    answers = [
        item(
            f"safety-screen.{a.question}",
            [{"valueCoding": c.coding(c.CS_SCREEN_ANSWER, a.answer, c.SCREEN_ANSWER_DISPLAY.get(a.answer))}],
        )
        for a in i.answers
    ]
    return {"linkId": "safety-screen", "item": answers}


def _pain_mark(b: Builder, i: Intake, mark: PainMark, qr: str) -> Json:
    """One painted region as a pain-severity Observation derived from the intake form."""
    body: Json = {
        "status": "final",
        "category": c.category("survey"),
        "code": c.concept(
            c.coding(
                c.LOINC,
                c.LOINC_PAIN_SEVERITY,
                "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            )
        ),
        "subject": ref(b.patient),
        "effectiveDateTime": day(i.recorded_on),
    }
    if mark.intensity is None:
        body["dataAbsentReason"] = c.concept(c.coding(c.DATA_ABSENT_REASON, "not-asked"))
    else:
        body["valueQuantity"] = c.quantity(mark.intensity, "{score}")
    body["bodySite"] = b.region_site(mark.ref)
    if mark.qualities:
        body["component"] = [
            {
                "code": c.concept(c.coding(c.LOINC, c.LOINC_PROBLEM_QUALITY)),
                "valueCodeableConcept": c.concept(c.coding(c.CS_VOCABULARY, q)),
            }
            for q in mark.qualities
        ]
    body["derivedFrom"] = [ref(qr)]
    return body


def _evidence(flags: tuple[str, ...], intake_id: int) -> list[Json]:
    """A DetectedIssue's evidence: the red flags, found in this intake."""
    return [
        {
            "code": [c.concept(c.coding(c.CS_RED_FLAG, f)) for f in flags],
            "detail": [ref(urn(f"intake/{intake_id}"))],
        }
    ]


def decision(b: Builder, d: ScreeningDecision) -> None:
    """A red-flag referral or override: the flag is the issue, the decision its mitigation."""
    mitigation: Json = {
        "action": c.concept(c.coding(c.CS_DECISION, d.decision, c.DECISION_DISPLAY[d.decision])),
        "date": dt(d.decided_at),
    }
    if d.decided_by is not None:
        mitigation["author"] = b.practitioner(d.decided_by)
    if d.referred_to:
        mitigation["extension"] = [{"url": c.EXT_REFERRED_TO, "valueString": d.referred_to}]
    b.add(
        urn(f"decision/{d.id}"),
        "DetectedIssue",
        {
            "status": "final",
            "code": c.concept(c.taut("red-flag")),
            "patient": ref(b.patient),
            "evidence": _evidence(d.flags, d.intake_id),
            "detail": d.reason,
            "mitigation": [mitigation],
        },
    )


def clearance(b: Builder, m: MedicalClearance) -> None:
    """A medical clearance after a referral: the cleared flags are the issue, the physician's clearance its
    mitigation (who cleared, on which day); ``detail`` is what was cleared and its limits."""
    mitigation: Json = {
        "action": c.concept(c.taut("medical-clearance")),
        "date": day(m.cleared_on),
        "extension": [{"url": c.EXT_CLEARED_BY, "valueString": m.cleared_by}],
    }
    body: Json = {
        "status": "final",
        "code": c.concept(c.taut("medical-clearance")),
        "patient": ref(b.patient),
        "identifiedDateTime": dt(m.recorded_at),
        "evidence": _evidence(m.flags, m.intake_id),
        "detail": m.scope,
        "mitigation": [mitigation],
    }
    if m.recorded_by is not None:
        body["author"] = b.practitioner(m.recorded_by)
    if m.note:
        body["extension"] = [{"url": c.EXT_CLEARANCE_NOTE, "valueString": m.note}]
    b.add(urn(f"clearance/{m.id}"), "DetectedIssue", body)


def assessment(b: Builder, a: Assessment) -> None:
    """A ClinicalImpression listing the examination's Observations, group by group, in order."""
    key = f"assessment/{a.id}"
    slot = len(b.entries)
    b.entries.append({})  # the impression comes before its observations
    groups = [
        (
            "trigger-point",
            "Trigger points",
            [_finding(b, key, k, a.assessed_on, f) for k, f in enumerate(a.findings)],
        ),
        (
            "range-of-motion",
            "Range of motion",
            [_rom(b, key, k, a.assessed_on, m) for k, m in enumerate(a.rom)],
        ),
        (
            "posture-finding",
            "Posture",
            [_text_finding(b, key, "posture", k, a.assessed_on, x) for k, x in enumerate(a.posture)],
        ),
        (
            "gait-finding",
            "Gait",
            [_text_finding(b, key, "gait", k, a.assessed_on, x) for k, x in enumerate(a.gait)],
        ),
        (
            "entrapment-test",
            "Entrapment tests",
            [_test(b, key, k, a.assessed_on, t) for k, t in enumerate(a.entrapment_tests)],
        ),
    ]
    body: Json = {
        "status": "completed",
        "subject": ref(b.patient),
        "effectiveDateTime": day(a.assessed_on),
    }
    if a.summary:
        body["summary"] = a.summary
    investigation = [
        {"code": c.concept(c.taut(code), text=text), "item": [ref(u) for u in urls]}
        for code, text, urls in groups
        if urls
    ]
    if investigation:
        body["investigation"] = investigation
    url = urn(key)
    b.entries[slot] = {
        "fullUrl": url,
        "resource": {"resourceType": "ClinicalImpression", "id": resource_id(url), **body},
    }


def _exam(b: Builder, url: str, on: date, code: Json, extra: Json) -> str:
    body: Json = {
        "status": "final",
        "category": c.category("exam"),
        "code": code,
        "subject": ref(b.patient),
        "effectiveDateTime": day(on),
        **extra,
    }
    return b.add(url, "Observation", body)


def _finding(b: Builder, key: str, k: int, on: date, f: TriggerPointFinding) -> str:
    components = declared.components(TRIGGER_POINT_SIGNS, f)  # a measurement not taken has none
    return _exam(
        b,
        urn(f"{key}/finding/{k}"),
        on,
        c.concept(c.taut("trigger-point")),
        {
            "valueCodeableConcept": c.concept(
                c.coding(c.CS_TRP_STATUS, f.status, c.TRP_STATUS_DISPLAY[f.status])
            ),
            "bodySite": b.point_site(f.trp_id, f.side),
            "component": components,
        },
    )


def _rom(b: Builder, key: str, k: int, on: date, m: RomMeasurement) -> str:
    joint = m.movement.partition(".")[0]
    display = c.JOINT_DISPLAY.get(joint, joint)
    side = m.side
    text = display if side is None else f"{display}, {side.value}"
    site = b.site(
        f"joint/{joint}:{side.value if side else 'none'}",
        [c.coding(c.CS_JOINT, joint, display)],
        text,
        c.laterality_code(side, midline=False),
    )
    return _exam(
        b,
        urn(f"{key}/rom/{k}"),
        on,
        c.concept(c.coding(c.CS_ROM_MOVEMENT, m.movement, c.movement_display(m.movement))),
        {
            "valueQuantity": c.quantity(m.degrees, "deg"),
            "bodySite": site,
            "referenceRange": [{"text": f"normal {m.normal} deg ({m.normal_source})"}],
        },
    )


def _text_finding(b: Builder, key: str, kind: str, k: int, on: date, text: str) -> str:
    return _exam(b, urn(f"{key}/{kind}/{k}"), on, c.concept(c.taut(f"{kind}-finding")), {"valueString": text})


def _test(b: Builder, key: str, k: int, on: date, t: EntrapmentTest) -> str:
    extra: Json = {
        "valueCodeableConcept": c.concept(
            c.coding(c.CS_TEST_RESULT, t.result, c.TEST_RESULT_DISPLAY[t.result])
        )
    }
    if t.structure or t.side is not None:
        side = t.side.value if t.side else "none"
        extra["bodySite"] = b.site(
            f"structure/{t.structure}:{side}",
            [],
            t.structure or None,
            c.laterality_code(t.side, midline=False),
        )
    if t.notes:
        extra["note"] = [{"text": t.notes}]
    return _exam(b, urn(f"{key}/test/{k}"), on, c.concept(c.taut("entrapment-test"), text=t.name), extra)


def _factors(i: Intake) -> list[Json]:
    """The three groups of factors, by their declaration (clinic/factors.py); what was not told is left out
    (FHIR strings are never empty)."""
    groups: list[Json] = []
    for group in FACTORS:
        record = getattr(i.factors, group.name)
        items: list[Json] = []
        for name in (x.name for x in dataclasses.fields(record)):  # the stored order: exports stay stable
            f, value = group.field(name), getattr(record, name)
            link = f"factors.{group.name}.{name.replace('_', '-')}"
            if value is None or value == "":
                continue
            if f.kind == "number":
                items.append(item(link, [{"valueDecimal": float(value)}]))
            elif f.kind == "whole":
                items.append(item(link, [{"valueInteger": value}]))
            else:
                items.append(text_item(link, value))
        if items:
            groups.append({"linkId": f"factors.{group.name}", "item": items})
    return groups
