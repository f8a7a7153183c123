"""What is done, as FHIR resources: plans (CarePlan, Goal, ServiceRequest), sessions (Encounter, pain
before and after, a Procedure per point and technique with its holds, the check-in), outcome measures
(QuestionnaireResponse and score) and notes (DocumentReference)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING

from taut.anatomy.regions import Side
from taut.clinic.chart import OutcomeEntry, SessionEntry
from taut.clinic.fields import CHECKIN_FIELDS
from taut.clinic.notes import Note
from taut.clinic.outcomes import INSTRUMENTS, SCORING_VERSION
from taut.clinic.plan import TreatmentPlan
from taut.clinic.sessions import Hold, TreatmentSession
from taut.fhir import codes as c
from taut.fhir import declared
from taut.fhir.elements import Json, day, dt, item, ref, text_item, urn

if TYPE_CHECKING:
    from taut.fhir.export import Builder


def plan(b: Builder, p: TreatmentPlan) -> None:
    """A CarePlan with its Goals; planned sessions, points and reassessments as ServiceRequests."""
    key = f"plan/{p.id}"
    plan_status, request_status, detail_status, goal_status = c.PLAN_STATUS[p.status]
    goals = [urn(f"{key}/goal/{k}") for k in range(len(p.goals))]
    activities: list[Json] = [{"reference": ref(urn(f"{key}/sessions"))}]
    activities += [{"reference": ref(urn(f"{key}/point/{k}"))} for k in range(len(p.points))]
    activities += [{"reference": ref(urn(f"{key}/reassess/{k}"))} for k in range(len(p.reassess_on))]
    if p.self_care:
        activities.append(
            {
                "detail": {
                    "code": c.concept(c.taut("self-care")),
                    "status": detail_status,
                    "description": p.self_care,
                }
            }
        )
    b.add(
        urn(key),
        "CarePlan",
        {
            "status": plan_status,
            "intent": "plan",
            "title": "Neuromuscular therapy plan",
            "subject": ref(b.patient),
            "period": {"start": day(p.starts_on)},
            "goal": [ref(g) for g in goals],
            "activity": activities,
        },
    )
    for url, text in zip(goals, p.goals, strict=True):
        b.add(
            url,
            "Goal",
            {
                "lifecycleStatus": goal_status,
                "description": {"text": text},
                "subject": ref(b.patient),
                "startDate": day(p.starts_on),
            },
        )
    _plan_requests(b, key, p, {"status": request_status, "intent": "plan", "subject": ref(b.patient)})


def _plan_requests(b: Builder, key: str, p: TreatmentPlan, request: Json) -> None:
    """The plan's sessions, its points (each with its technique) and its reassessments as ServiceRequests."""
    b.add(
        urn(f"{key}/sessions"),
        "ServiceRequest",
        {
            **request,
            "code": c.concept(c.taut("nmt-session")),
            "occurrenceTiming": {
                "repeat": {
                    "count": p.sessions_planned,
                    "frequency": 1,
                    "period": p.interval_days,
                    "periodUnit": "d",
                }
            },
        },
    )
    for k, point in enumerate(p.points):
        b.add(
            urn(f"{key}/point/{k}"),
            "ServiceRequest",
            {
                **request,
                "code": c.concept(
                    c.coding(c.CS_TECHNIQUE, point.technique, c.technique_names().get(point.technique))
                ),
                "bodySite": [b.point_site(point.trp_id, point.side)],
            },
        )
    for k, when in enumerate(p.reassess_on):
        b.add(
            urn(f"{key}/reassess/{k}"),
            "ServiceRequest",
            {**request, "code": c.concept(c.taut("reassessment")), "occurrenceDateTime": day(when)},
        )


def session(b: Builder, e: SessionEntry) -> None:
    """An Encounter, the pain before, the treatments with their holds, the pain after, the check-in."""
    s = e.session
    key = f"session/{s.id}"
    enc = urn(key)
    body: Json = {}
    ext = []
    if s.notes:
        ext.append({"url": c.EXT_SESSION_NOTES, "valueString": s.notes})
    if s.aftercare:
        ext.append({"url": c.EXT_SESSION_AFTERCARE, "valueString": s.aftercare})
    if ext:
        body["extension"] = ext
    period = {"start": dt(s.occurred_at)}
    if s.ended_at is not None:
        period["end"] = dt(s.ended_at)
    body |= {
        "status": "in-progress" if s.open else "finished",
        "class": c.coding(c.V3_ACT_CODE, "AMB", "ambulatory"),
        "type": [c.concept(c.taut("nmt-session"))],
        "subject": ref(b.patient),
        "episodeOfCare": [ref(urn(f"client/{b.cid}/episode"))],
    }
    if s.plan_id is not None:
        body["basedOn"] = [ref(urn(f"plan/{s.plan_id}/sessions"))]
    body |= {
        "participant": [{"individual": b.practitioner(s.practitioner_id)}],
        "period": period,
        "serviceProvider": ref(b.organization),
    }
    b.add(enc, "Encounter", body)
    _session_pain(b, key, "before", s.pain_before, s.occurred_at)
    _procedures(b, key, s)
    if s.pain_after is not None:
        _session_pain(b, key, "after", s.pain_after, s.ended_at or s.occurred_at)
    if e.checkin is not None:
        ci = e.checkin
        body = {
            "status": "final",
            "category": c.category("survey"),
            "code": c.concept(c.taut("check-in")),
            "subject": ref(b.patient),
            "encounter": ref(enc),
            "effectiveDateTime": dt(ci.recorded_at),
        }
        if ci.questions:
            body["note"] = [{"text": ci.questions}]
        body["component"] = declared.components(CHECKIN_FIELDS, ci)
        b.add(urn(f"checkin/{ci.id}"), "Observation", body)


def _session_pain(b: Builder, key: str, when: str, value: int, at: datetime) -> None:
    b.add(
        urn(f"{key}/pain-{when}"),
        "Observation",
        {
            "status": "final",
            "category": c.category("survey"),
            "code": c.concept(c.coding(c.LOINC, c.LOINC_PAIN_SEVERITY), c.taut(f"pain-{when}-treatment")),
            "subject": ref(b.patient),
            "encounter": ref(urn(key)),
            "effectiveDateTime": dt(at),
            "valueQuantity": c.quantity(value, "{score}"),
        },
    )


def _procedures(b: Builder, key: str, s: TreatmentSession) -> None:
    """One Procedure per trigger point, side and technique, in the order first treated; each followed
    by its holds as Observations (``partOf`` the Procedure, numbered in the session's order)."""
    groups: dict[tuple[str, Side | None, str], list[tuple[int, Hold]]] = {}
    for pos, h in enumerate(s.holds):
        groups.setdefault((h.trp_id, h.side, h.technique), []).append((pos, h))
    performed: Json = (
        {"performedPeriod": {"start": dt(s.occurred_at), "end": dt(s.ended_at)}}
        if s.ended_at is not None
        else {"performedDateTime": dt(s.occurred_at)}
    )
    for k, ((trp_id, side, technique), holds) in enumerate(groups.items()):
        proc = urn(f"{key}/procedure/{k}")
        body: Json = {"status": "in-progress" if s.open else "completed"}
        if s.plan_id is not None:
            body["basedOn"] = [ref(urn(f"plan/{s.plan_id}"))]
        body |= {
            "category": c.concept(c.coding(c.SNOMED, c.SCT_PHYSICAL_THERAPY, "Physical therapy procedure")),
            "code": c.concept(c.coding(c.CS_TECHNIQUE, technique, c.technique_names().get(technique))),
            "subject": ref(b.patient),
            "encounter": ref(urn(key)),
            **performed,
            "performer": [{"actor": b.practitioner(s.practitioner_id)}],
            "bodySite": [b.point_site(trp_id, side)],
        }
        b.add(proc, "Procedure", body)
        for pos, h in holds:
            _hold(b, key, proc, pos, h, s.occurred_at)


def _hold(b: Builder, key: str, proc: str, pos: int, h: Hold, at: datetime) -> None:
    components: list[Json] = [
        {"code": c.concept(c.taut("hold-number")), "valueInteger": pos + 1},
        {"code": c.concept(c.taut("hold-duration")), "valueQuantity": c.quantity(h.seconds, "s")},
        {"code": c.concept(c.taut("pressure-level")), "valueInteger": h.pressure},
        {
            "code": c.concept(c.coding(c.LOINC, c.LOINC_PAIN_SEVERITY), c.taut("discomfort")),
            "valueInteger": h.discomfort,
        },
    ]
    if h.pressure_change is not None:
        components.append(
            {
                "code": c.concept(c.taut("pressure-change")),
                "valueCodeableConcept": c.concept(
                    c.coding(
                        c.CS_PRESSURE_CHANGE,
                        h.pressure_change,
                        c.PRESSURE_CHANGE_DISPLAY[h.pressure_change],
                    )
                ),
            }
        )
    components.append({"code": c.concept(c.taut("released")), "valueBoolean": h.released})
    b.add(
        urn(f"{key}/hold/{pos}"),
        "Observation",
        {
            "partOf": [ref(proc)],
            "status": "final",
            "category": c.category("therapy"),
            "code": c.concept(c.taut("pressure-hold")),
            "subject": ref(b.patient),
            "encounter": ref(urn(key)),
            "effectiveDateTime": dt(at),
            "component": components,
        },
    )


def outcome(b: Builder, o: OutcomeEntry) -> None:
    """The item answers as a QuestionnaireResponse and the score as an Observation derived from it."""
    m = o.measure
    qr = urn(f"outcome/{m.id}")
    items: list[Json]
    if m.instrument == "psfs":
        items = [
            {
                "linkId": f"activity-{k + 1}",
                "item": [
                    text_item(f"activity-{k + 1}.name", a.activity),
                    item(f"activity-{k + 1}.score", [{"valueInteger": a.score}]),
                ],
            }
            for k, a in enumerate(m.activities)
        ]
    else:
        items = [
            {"linkId": str(k + 1)} if v is None else item(str(k + 1), [{"valueInteger": v}])
            for k, v in enumerate(m.items)
        ]
    b.add(
        qr,
        "QuestionnaireResponse",
        {
            "questionnaire": c.questionnaire(m.instrument),
            "status": "completed",
            "subject": ref(b.patient),
            "authored": day(m.taken_on),
            "item": items,
        },
    )
    instrument = INSTRUMENTS[m.instrument]
    code = [c.coding(c.CS_INSTRUMENT, m.instrument, instrument.name)]
    if m.instrument == "nprs":
        code.insert(0, c.coding(c.LOINC, c.LOINC_PAIN_SEVERITY))
    body: Json = {
        "status": "final",
        "category": c.category("survey"),
        "code": c.concept(*code),
        "subject": ref(b.patient),
        "effectiveDateTime": day(m.taken_on),
        "valueQuantity": c.quantity(o.score.value, "{score}"),
        "method": {"text": f"Taut scoring version {SCORING_VERSION}"},
        "derivedFrom": [ref(qr)],
    }
    if o.score.band:
        body["component"] = [{"code": c.concept(c.taut("score-band")), "valueString": o.score.band}]
    b.add(urn(f"outcome/{m.id}/score"), "Observation", body)


def note(b: Builder, n: Note) -> None:
    """A DocumentReference with the text as a plain-text attachment, and the Provenance of its authorship: a
    note imported earlier names its original author and signer (not the user who imported it) and the
    system it came from."""
    body: Json = {}
    if n.signed_at is not None:
        body["extension"] = [{"url": c.EXT_SIGNED_AT, "valueDateTime": dt(n.signed_at)}]
    p = n.provenance
    if p is not None:
        author = b.person(p.author)
        signer = None if p.signer is None else b.person(p.signer)
        system = p.system
    else:
        author = b.practitioner(n.author_id)
        signer = None if n.signed_by is None else b.practitioner(n.signed_by)
        system = b.course.clinic.name
    body |= {
        "status": "current",
        "docStatus": "final" if n.signed else "preliminary",
        "type": c.concept(c.coding(c.CS_NOTE_KIND, n.kind)),
        "category": [c.concept(c.taut("clinical-note"))],
        "subject": ref(b.patient),
        "date": dt(n.written_at),
        "author": [author],
    }
    if signer is not None:
        body["authenticator"] = signer
    if n.amends_id is not None:
        body["relatesTo"] = [{"code": "appends", "target": ref(urn(f"note/{n.amends_id}"))}]
    body["content"] = [
        {
            "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "data": base64.b64encode(n.body.encode("utf-8")).decode("ascii"),
                "creation": dt(n.written_at),
            }
        }
    ]
    if n.session_id is not None:
        body["context"] = {"encounter": [ref(urn(f"session/{n.session_id}"))]}
    url = b.add(urn(f"note/{n.id}"), "DocumentReference", body)
    provenance(b, n, url, author, signer, system)


def provenance(b: Builder, n: Note, target: str, author: Json, signer: Json | None, system: str) -> None:
    """Who wrote the note and who signed it, when, in which system (FHIR ``Provenance``)."""
    agents: list[Json] = [
        {"type": c.concept(c.coding(c.PROVENANCE_PARTICIPANT, "author", "Author")), "who": author}
    ]
    body: Json = {
        "extension": [{"url": c.EXT_SOURCE_SYSTEM, "valueString": system}],
        "target": [ref(target)],
        "occurredDateTime": dt(n.written_at),
        "recorded": dt(n.signed_at or n.written_at),
        "agent": agents,
    }
    if signer is not None and n.signed_at is not None:
        agents.append(
            {"type": c.concept(c.coding(c.PROVENANCE_PARTICIPANT, "attester", "Attester")), "who": signer}
        )
        body["signature"] = [
            {
                "type": [c.coding(c.SIGNATURE_TYPE, c.AUTHOR_SIGNATURE, "Author's Signature")],
                "when": dt(n.signed_at),
                "who": signer,
            }
        ]
    b.add(urn(f"note/{n.id}/provenance"), "Provenance", body)
