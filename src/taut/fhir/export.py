"""A client's whole course of care as one FHIR R4 Bundle (JSON as a dict).

The Bundle is of type ``collection``: a set of resources kept and moved together, with no instruction to a
server. A ``transaction`` Bundle would tell a FHIR server to create each entry (``request`` elements), which
is a different job; a ``document`` Bundle needs a Composition and is a signed, fixed document. The mapping of
each record to resources is described in docs/fhir.md.

Every ``fullUrl`` is ``urn:uuid:<uuid5>`` of the record's kind and id (and the part of the record, such as a
hold's position), so exporting the same records twice gives the same Bundle apart from its timestamp.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from taut.anatomy.regions import RegionRef, Side, body_map
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.chart import Chart, OutcomeEntry, SessionEntry
from taut.clinic.intake import Intake
from taut.clinic.notes import Note
from taut.clinic.outcomes import INSTRUMENTS, SCORING_VERSION
from taut.clinic.people import User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import ScreeningDecision
from taut.clinic.sessions import Hold, TreatmentSession
from taut.fhir import codes as c
from taut.services.course_export import export_course
from taut.services.course_import import CourseOfCare
from taut.store.engine import Database

Json = dict[str, Any]
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, c.BASE)


def urn(key: str) -> str:
    """The stable ``urn:uuid:`` of one exported thing, from its kind and Taut id (``session/12/hold/3``)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def client_bundle(db: Database, user: User, client_id: int, *, at: datetime | None = None) -> Json:
    """The Bundle of one client of the user's clinic (clinical roles only; audited as an export)."""
    return bundle(export_course(db, user, client_id), at=at)


def bundle(course: CourseOfCare, *, at: datetime | None = None) -> Json:
    """The course of care as a ``collection`` Bundle; ``at`` is its timestamp (default: now)."""
    return _Builder(course).build(at or datetime.now(UTC))


def ref(url: str) -> Json:
    return {"reference": url}


def dt(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def day(value: date) -> str:
    return value.isoformat()


def _id(url: str) -> str:
    return url.removeprefix("urn:uuid:")


class _Builder:
    def __init__(self, course: CourseOfCare) -> None:
        self.course = course
        self.chart: Chart = course.chart
        cid = self.chart.client.id
        assert cid is not None, "export needs a saved client"
        self.cid = cid
        self.patient = urn(f"client/{cid}")
        self.organization = urn(f"clinic/{course.clinic.id}")
        self.entries: list[Json] = []
        self.structures: dict[str, Json] = {}

    # --- the Bundle ---------------------------------------------------------------------------------
    def build(self, at: datetime) -> Json:
        ch = self.chart
        self._patient()
        self._organization()
        for s in self.course.staff:
            self._practitioner(s.id, s.name, s.email)
        head = len(self.entries)
        self._consents()
        self._episode()
        self._condition()
        for intake in ch.intakes:
            self._intake(intake)
        for d in ch.decisions:
            self._decision(d)
        for a in ch.assessments:
            self._assessment(a)
        for p in ch.plans:
            self._plan(p)
        for e in ch.sessions:
            self._session(e)
        for o in ch.outcomes:
            self._outcome(o)
        for n in ch.notes:
            self._note(n)
        structures = [{"fullUrl": url, "resource": r} for url, r in self.structures.items()]
        self.entries[head:head] = structures
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": dt(at.replace(microsecond=0)),
            "entry": self.entries,
        }

    def add(self, url: str, resource_type: str, body: Json) -> str:
        resource = {"resourceType": resource_type, "id": _id(url), **body}
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def practitioner(self, user_id: int) -> Json:
        return ref(urn(f"user/{user_id}"))

    # --- body sites ---------------------------------------------------------------------------------
    def site(self, key: str, codings: Sequence[Json], text: str | None, laterality: str | None) -> Json:
        """A bodySite CodeableConcept with the core ``bodySite`` extension pointing at the patient's
        BodyStructure for this site and side (one per site and side, reused by every record)."""
        url = urn(f"client/{self.cid}/site/{key}")
        if url not in self.structures:
            body: Json = {"resourceType": "BodyStructure", "id": _id(url), "patient": ref(self.patient)}
            if codings or text:
                body["location"] = c.concept(*codings, text=text)
            if laterality:
                body["locationQualifier"] = [
                    c.concept(c.coding(c.SNOMED, laterality, c.LATERALITY_DISPLAY[laterality]))
                ]
            if text:
                body["description"] = text
            self.structures[url] = body
        cc: Json = {"extension": [{"url": c.EXT_BODY_SITE, "valueReference": ref(url)}]}
        if codings:
            cc["coding"] = list(codings)
        if text:
            cc["text"] = text
        return cc

    def region_site(self, r: RegionRef) -> Json:
        from taut.anatomy.crosswalk import snomed_site

        region = body_map()[r.region]
        codings = [c.coding(c.CS_REGION, r.region, region.name)]
        sct = snomed_site(r)
        if sct is not None:
            codings.append(c.coding(c.SNOMED, sct.code))
        lat = c.laterality_code(r.side, midline=True)
        text = region.name if r.side is None else f"{region.name}, {r.side.value}"
        return self.site(f"region/{r.key}", codings, text, lat)

    def point_site(self, trp_id: str, side: Side | None) -> Json:
        """A trigger point: Taut's trigger-point code, with the SNOMED code of its muscle where known."""
        display = c.trigger_point_display(trp_id)
        codings = [c.coding(c.CS_TRIGGER_POINT, trp_id, display)]
        muscle = c.MUSCLE_SNOMED.get(trp_id.partition(".")[0])
        if muscle is not None:
            codings.append(c.coding(c.SNOMED, muscle[0]))
        text = display if side is None else f"{display}, {side.value}"
        key = f"trigger-point/{trp_id}:{side.value if side else 'midline'}"
        return self.site(key, codings, text, c.laterality_code(side, midline=True))

    # --- the client, the clinic, the staff ------------------------------------------------------------
    def _patient(self) -> None:
        cl = self.chart.client
        body: Json = {
            "name": [{"use": "official", "family": cl.family_name, "given": [cl.given_name]}],
            "gender": c.GENDER[cl.sex],
            "birthDate": day(cl.date_of_birth),
        }
        telecom = []
        if cl.email:
            telecom.append({"system": "email", "value": cl.email})
        if cl.phone:
            telecom.append({"system": "phone", "value": cl.phone})
        if telecom:
            body["telecom"] = telecom
        if cl.address:
            body["address"] = [{"text": cl.address}]
        body["managingOrganization"] = ref(self.organization)
        self.add(self.patient, "Patient", body)

    def _organization(self) -> None:
        self.add(self.organization, "Organization", {"active": True, "name": self.course.clinic.name})

    def _practitioner(self, user_id: int, name: str, email: str | None) -> None:
        body: Json = {"name": [{"text": name}]}
        if email:
            body["telecom"] = [{"system": "email", "value": email}]
        self.add(urn(f"user/{user_id}"), "Practitioner", body)

    def _consents(self) -> None:
        consent = self.chart.client.consent
        for scope, given in (("treatment", consent.treatment_on), ("patient-privacy", consent.data_use_on)):
            if given is None:
                continue
            self.add(
                urn(f"client/{self.cid}/consent/{scope}"),
                "Consent",
                {
                    "status": "active",
                    "scope": c.concept(c.coding(c.CONSENT_SCOPE, scope)),
                    "category": [c.concept(c.coding(c.LOINC, c.LOINC_CONSENT, "Patient Consent"))],
                    "patient": ref(self.patient),
                    "dateTime": day(given),
                    "organization": [ref(self.organization)],
                    "policyRule": c.concept(c.coding(c.V3_ACT_CODE, "OPTIN")),
                },
            )

    # --- derived: the episode of care and the myofascial pain syndrome --------------------------------
    def _episode(self) -> None:
        ch = self.chart
        days = [i.recorded_on for i in ch.intakes] + [p.starts_on for p in ch.plans]
        days += [e.session.occurred_at.date() for e in ch.sessions]
        done = bool(ch.plans) and all(p.status != "active" for p in ch.plans)
        done = done and not any(e.session.open for e in ch.sessions)
        body: Json = {"status": "finished" if done else "active"}
        if self._mps_evidence():
            body["diagnosis"] = [{"condition": ref(urn(f"client/{self.cid}/condition/mps"))}]
        body["patient"] = ref(self.patient)
        body["managingOrganization"] = ref(self.organization)
        if days:
            period = {"start": day(min(days))}
            if done:
                period["end"] = day(max(days))
            body["period"] = period
        self.add(urn(f"client/{self.cid}/episode"), "EpisodeOfCare", body)

    def _mps_evidence(self) -> list[str]:
        """The active trigger-point findings: the evidence for myofascial pain syndrome."""
        return [
            urn(f"assessment/{a.id}/finding/{k}")
            for a in self.chart.assessments
            for k, f in enumerate(a.findings)
            if f.status == "active"
        ]

    def _condition(self) -> None:
        evidence = self._mps_evidence()
        if not evidence:
            return
        examined = [a for a in self.chart.assessments if a.findings]
        first = next(a for a in examined if any(f.status == "active" for f in a.findings))
        still = any(f.status == "active" for f in examined[-1].findings)
        self.add(
            urn(f"client/{self.cid}/condition/mps"),
            "Condition",
            {
                "clinicalStatus": c.concept(
                    c.coding(c.CONDITION_CLINICAL, "active" if still else "resolved")
                ),
                "verificationStatus": c.concept(c.coding(c.CONDITION_VERIFICATION, "provisional")),
                "category": [c.concept(c.coding(c.CONDITION_CATEGORY, "problem-list-item"))],
                "code": c.concept(c.coding(c.SNOMED, c.SCT_MYOFASCIAL_PAIN, "Myofascial pain syndrome")),
                "subject": ref(self.patient),
                "recordedDate": day(first.assessed_on),
                "evidence": [{"detail": [ref(u) for u in evidence]}],
            },
        )

    # --- intake ---------------------------------------------------------------------------------------
    def _intake(self, i: Intake) -> None:
        qr = urn(f"intake/{i.id}")
        items: list[Json] = [_text_item("chief-complaint", i.chief_complaint)]
        items.append(
            _item("onset", [{"valueCoding": c.coding(c.CS_ONSET, i.onset, c.ONSET_DISPLAY.get(i.onset))}])
        )
        if i.began_on is not None:
            items.append(_item("began-on", [{"valueDate": day(i.began_on)}]))
        if i.duration_weeks is not None:
            items.append(_item("duration-weeks", [{"valueInteger": i.duration_weeks}]))
        for link, words in (
            ("mechanisms", i.mechanisms),
            ("aggravators", i.aggravators),
            ("symptoms", i.symptoms),
        ):
            if words:
                items.append(_item(link, [{"valueCoding": c.coding(c.CS_VOCABULARY, w)} for w in words]))
        if i.history:
            items.append(_text_item("history", i.history))
        if i.medications:
            items.append(_item("medications", [{"valueString": m} for m in i.medications]))
        if i.screening:
            answers = [
                {
                    "valueCoding": c.coding(c.CS_VOCABULARY, a.term),
                    "item": [_item("screening.present", [{"valueBoolean": a.present}])],
                }
                for a in i.screening
            ]
            items.append(_item("screening", answers))
        factors = _factors(i)
        if factors:
            items.append({"linkId": "factors", "item": factors})
        self.add(
            qr,
            "QuestionnaireResponse",
            {
                "questionnaire": c.questionnaire("intake"),
                "status": "completed",
                "subject": ref(self.patient),
                "authored": day(i.recorded_on),
                "item": items,
            },
        )
        for mark in i.pain_drawing:
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
                "subject": ref(self.patient),
                "effectiveDateTime": day(i.recorded_on),
            }
            if mark.intensity is None:
                body["dataAbsentReason"] = c.concept(c.coding(c.DATA_ABSENT_REASON, "not-asked"))
            else:
                body["valueQuantity"] = c.quantity(mark.intensity, "{score}")
            body["bodySite"] = self.region_site(mark.ref)
            if mark.qualities:
                body["component"] = [
                    {
                        "code": c.concept(c.coding(c.LOINC, c.LOINC_PROBLEM_QUALITY)),
                        "valueCodeableConcept": c.concept(c.coding(c.CS_VOCABULARY, q)),
                    }
                    for q in mark.qualities
                ]
            body["derivedFrom"] = [ref(qr)]
            self.add(urn(f"intake/{i.id}/pain/{mark.ref.key}"), "Observation", body)

    def _decision(self, d: ScreeningDecision) -> None:
        mitigation: Json = {
            "action": c.concept(c.coding(c.CS_DECISION, d.decision, c.DECISION_DISPLAY[d.decision])),
            "date": dt(d.decided_at),
        }
        if d.decided_by is not None:
            mitigation["author"] = self.practitioner(d.decided_by)
        if d.referred_to:
            mitigation["extension"] = [{"url": c.EXT_REFERRED_TO, "valueString": d.referred_to}]
        self.add(
            urn(f"decision/{d.id}"),
            "DetectedIssue",
            {
                "status": "final",
                "code": c.concept(c.taut("red-flag")),
                "patient": ref(self.patient),
                "evidence": [
                    {
                        "code": [c.concept(c.coding(c.CS_RED_FLAG, f)) for f in d.flags],
                        "detail": [ref(urn(f"intake/{d.intake_id}"))],
                    }
                ],
                "detail": d.reason,
                "mitigation": [mitigation],
            },
        )

    # --- assessment -----------------------------------------------------------------------------------
    def _assessment(self, a: Assessment) -> None:
        key = f"assessment/{a.id}"
        slot = len(self.entries)
        self.entries.append({})  # the impression comes before its observations
        groups = [
            (
                "trigger-point",
                "Trigger points",
                [self._finding(key, k, a.assessed_on, f) for k, f in enumerate(a.findings)],
            ),
            (
                "range-of-motion",
                "Range of motion",
                [self._rom(key, k, a.assessed_on, m) for k, m in enumerate(a.rom)],
            ),
            (
                "posture-finding",
                "Posture",
                [self._text_finding(key, "posture", k, a.assessed_on, x) for k, x in enumerate(a.posture)],
            ),
            (
                "gait-finding",
                "Gait",
                [self._text_finding(key, "gait", k, a.assessed_on, x) for k, x in enumerate(a.gait)],
            ),
            (
                "entrapment-test",
                "Entrapment tests",
                [self._test(key, k, a.assessed_on, t) for k, t in enumerate(a.entrapment_tests)],
            ),
        ]
        body: Json = {
            "status": "completed",
            "subject": ref(self.patient),
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
        self.entries[slot] = {
            "fullUrl": url,
            "resource": {"resourceType": "ClinicalImpression", "id": _id(url), **body},
        }

    def _exam(self, url: str, on: date, code: Json, extra: Json) -> str:
        body: Json = {
            "status": "final",
            "category": c.category("exam"),
            "code": code,
            "subject": ref(self.patient),
            "effectiveDateTime": day(on),
            **extra,
        }
        return self.add(url, "Observation", body)

    def _finding(self, key: str, k: int, on: date, f: TriggerPointFinding) -> str:
        components: list[Json] = [
            {"code": c.concept(c.taut(name)), "valueBoolean": getattr(f, attr)}
            for name, attr in (
                ("taut-band", "taut_band"),
                ("jump-sign", "jump_sign"),
                ("local-twitch", "local_twitch"),
                ("referral-reproduced", "referral_reproduced"),
            )
        ]
        if f.tenderness is not None:
            components.append({"code": c.concept(c.taut("tenderness")), "valueInteger": f.tenderness})
        if f.ppt_kpa is not None:
            components.append(
                {
                    "code": c.concept(c.taut("pressure-pain-threshold")),
                    "valueQuantity": c.quantity(f.ppt_kpa, "kPa"),
                }
            )
        return self._exam(
            urn(f"{key}/finding/{k}"),
            on,
            c.concept(c.taut("trigger-point")),
            {
                "valueCodeableConcept": c.concept(
                    c.coding(c.CS_TRP_STATUS, f.status, c.TRP_STATUS_DISPLAY[f.status])
                ),
                "bodySite": self.point_site(f.trp_id, f.side),
                "component": components,
            },
        )

    def _rom(self, key: str, k: int, on: date, m: RomMeasurement) -> str:
        joint = m.movement.partition(".")[0]
        display = c.JOINT_DISPLAY.get(joint, joint)
        side = m.side
        text = display if side is None else f"{display}, {side.value}"
        site = self.site(
            f"joint/{joint}:{side.value if side else 'none'}",
            [c.coding(c.CS_JOINT, joint, display)],
            text,
            c.laterality_code(side, midline=False),
        )
        return self._exam(
            urn(f"{key}/rom/{k}"),
            on,
            c.concept(c.coding(c.CS_ROM_MOVEMENT, m.movement, c.movement_display(m.movement))),
            {
                "valueQuantity": c.quantity(m.degrees, "deg"),
                "bodySite": site,
                "referenceRange": [{"text": f"normal {m.normal} deg ({m.normal_source})"}],
            },
        )

    def _text_finding(self, key: str, kind: str, k: int, on: date, text: str) -> str:
        return self._exam(
            urn(f"{key}/{kind}/{k}"), on, c.concept(c.taut(f"{kind}-finding")), {"valueString": text}
        )

    def _test(self, key: str, k: int, on: date, t: EntrapmentTest) -> str:
        extra: Json = {
            "valueCodeableConcept": c.concept(
                c.coding(c.CS_TEST_RESULT, t.result, c.TEST_RESULT_DISPLAY[t.result])
            )
        }
        if t.structure or t.side is not None:
            side = t.side.value if t.side else "none"
            extra["bodySite"] = self.site(
                f"structure/{t.structure}:{side}",
                [],
                t.structure or None,
                c.laterality_code(t.side, midline=False),
            )
        if t.notes:
            extra["note"] = [{"text": t.notes}]
        return self._exam(
            urn(f"{key}/test/{k}"), on, c.concept(c.taut("entrapment-test"), text=t.name), extra
        )

    # --- plan -----------------------------------------------------------------------------------------
    def _plan(self, p: TreatmentPlan) -> None:
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
        self.add(
            urn(key),
            "CarePlan",
            {
                "status": plan_status,
                "intent": "plan",
                "title": "Neuromuscular therapy plan",
                "subject": ref(self.patient),
                "period": {"start": day(p.starts_on)},
                "goal": [ref(g) for g in goals],
                "activity": activities,
            },
        )
        for url, text in zip(goals, p.goals, strict=True):
            self.add(
                url,
                "Goal",
                {
                    "lifecycleStatus": goal_status,
                    "description": {"text": text},
                    "subject": ref(self.patient),
                    "startDate": day(p.starts_on),
                },
            )
        request: Json = {"status": request_status, "intent": "plan", "subject": ref(self.patient)}
        self.add(
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
            self.add(
                urn(f"{key}/point/{k}"),
                "ServiceRequest",
                {
                    **request,
                    "code": c.concept(
                        c.coding(c.CS_TECHNIQUE, point.technique, c.technique_names().get(point.technique))
                    ),
                    "bodySite": [self.point_site(point.trp_id, point.side)],
                },
            )
        for k, when in enumerate(p.reassess_on):
            self.add(
                urn(f"{key}/reassess/{k}"),
                "ServiceRequest",
                {**request, "code": c.concept(c.taut("reassessment")), "occurrenceDateTime": day(when)},
            )

    # --- session --------------------------------------------------------------------------------------
    def _session(self, e: SessionEntry) -> None:
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
            "subject": ref(self.patient),
            "episodeOfCare": [ref(urn(f"client/{self.cid}/episode"))],
        }
        if s.plan_id is not None:
            body["basedOn"] = [ref(urn(f"plan/{s.plan_id}/sessions"))]
        body |= {
            "participant": [{"individual": self.practitioner(s.practitioner_id)}],
            "period": period,
            "serviceProvider": ref(self.organization),
        }
        self.add(enc, "Encounter", body)
        self._session_pain(key, "before", s.pain_before, s.occurred_at)
        self._procedures(key, s)
        if s.pain_after is not None:
            self._session_pain(key, "after", s.pain_after, s.ended_at or s.occurred_at)
        if e.checkin is not None:
            ci = e.checkin
            body = {
                "status": "final",
                "category": c.category("survey"),
                "code": c.concept(c.taut("check-in")),
                "subject": ref(self.patient),
                "encounter": ref(enc),
                "effectiveDateTime": dt(ci.recorded_at),
            }
            if ci.questions:
                body["note"] = [{"text": ci.questions}]
            body["component"] = [
                {"code": c.concept(c.taut("tenderness")), "valueInteger": ci.tenderness},
                {
                    "code": c.concept(c.taut("relief")),
                    "valueCodeableConcept": c.concept(c.coding(c.CS_RELIEF, ci.relief)),
                },
            ]
            self.add(urn(f"checkin/{ci.id}"), "Observation", body)

    def _session_pain(self, key: str, when: str, value: int, at: datetime) -> None:
        self.add(
            urn(f"{key}/pain-{when}"),
            "Observation",
            {
                "status": "final",
                "category": c.category("survey"),
                "code": c.concept(c.coding(c.LOINC, c.LOINC_PAIN_SEVERITY), c.taut(f"pain-{when}-treatment")),
                "subject": ref(self.patient),
                "encounter": ref(urn(key)),
                "effectiveDateTime": dt(at),
                "valueQuantity": c.quantity(value, "{score}"),
            },
        )

    def _procedures(self, key: str, s: TreatmentSession) -> None:
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
                "category": c.concept(
                    c.coding(c.SNOMED, c.SCT_PHYSICAL_THERAPY, "Physical therapy procedure")
                ),
                "code": c.concept(c.coding(c.CS_TECHNIQUE, technique, c.technique_names().get(technique))),
                "subject": ref(self.patient),
                "encounter": ref(urn(key)),
                **performed,
                "performer": [{"actor": self.practitioner(s.practitioner_id)}],
                "bodySite": [self.point_site(trp_id, side)],
            }
            self.add(proc, "Procedure", body)
            for pos, h in holds:
                self._hold(key, proc, pos, h, s.occurred_at)

    def _hold(self, key: str, proc: str, pos: int, h: Hold, at: datetime) -> None:
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
        self.add(
            urn(f"{key}/hold/{pos}"),
            "Observation",
            {
                "partOf": [ref(proc)],
                "status": "final",
                "category": c.category("therapy"),
                "code": c.concept(c.taut("pressure-hold")),
                "subject": ref(self.patient),
                "encounter": ref(urn(key)),
                "effectiveDateTime": dt(at),
                "component": components,
            },
        )

    # --- outcome measures -----------------------------------------------------------------------------
    def _outcome(self, o: OutcomeEntry) -> None:
        m = o.measure
        qr = urn(f"outcome/{m.id}")
        items: list[Json]
        if m.instrument == "psfs":
            items = [
                {
                    "linkId": f"activity-{k + 1}",
                    "item": [
                        _text_item(f"activity-{k + 1}.name", a.activity),
                        _item(f"activity-{k + 1}.score", [{"valueInteger": a.score}]),
                    ],
                }
                for k, a in enumerate(m.activities)
            ]
        else:
            items = [
                {"linkId": str(k + 1)} if v is None else _item(str(k + 1), [{"valueInteger": v}])
                for k, v in enumerate(m.items)
            ]
        self.add(
            qr,
            "QuestionnaireResponse",
            {
                "questionnaire": c.questionnaire(m.instrument),
                "status": "completed",
                "subject": ref(self.patient),
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
            "subject": ref(self.patient),
            "effectiveDateTime": day(m.taken_on),
            "valueQuantity": c.quantity(o.score.value, "{score}"),
            "method": {"text": f"Taut scoring version {SCORING_VERSION}"},
            "derivedFrom": [ref(qr)],
        }
        if o.score.band:
            body["component"] = [{"code": c.concept(c.taut("score-band")), "valueString": o.score.band}]
        self.add(urn(f"outcome/{m.id}/score"), "Observation", body)

    # --- notes ----------------------------------------------------------------------------------------
    def _note(self, n: Note) -> None:
        body: Json = {}
        if n.signed_at is not None:
            body["extension"] = [{"url": c.EXT_SIGNED_AT, "valueDateTime": dt(n.signed_at)}]
        body |= {
            "status": "current",
            "docStatus": "final" if n.signed else "preliminary",
            "type": c.concept(c.coding(c.CS_NOTE_KIND, n.kind)),
            "category": [c.concept(c.taut("clinical-note"))],
            "subject": ref(self.patient),
            "date": dt(n.written_at),
            "author": [self.practitioner(n.author_id)],
        }
        if n.signed_by is not None:
            body["authenticator"] = self.practitioner(n.signed_by)
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
        self.add(urn(f"note/{n.id}"), "DocumentReference", body)


def _item(link: str, answers: list[Json]) -> Json:
    return {"linkId": link, "answer": answers}


def _text_item(link: str, text: str) -> Json:
    return _item(link, [{"valueString": text}])


def _factors(i: Intake) -> list[Json]:
    """The three groups of factors; empty texts are left out (FHIR strings are never empty)."""
    f = i.factors
    groups: list[Json] = []
    for name, part in (
        ("biomechanical", f.biomechanical),
        ("biochemical", f.biochemical),
        ("psychosocial", f.psychosocial),
    ):
        items: list[Json] = []
        for field, value in vars(part).items():
            link = f"factors.{name}.{field.replace('_', '-')}"
            if value is None or value == "":
                continue
            if field == "sleep_hours":
                items.append(_item(link, [{"valueDecimal": float(value)}]))
            elif field == "stress_level":
                items.append(_item(link, [{"valueInteger": value}]))
            else:
                items.append(_text_item(link, value))
        if items:
            groups.append({"linkId": f"factors.{name}", "item": items})
    return groups
