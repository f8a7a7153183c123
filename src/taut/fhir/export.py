"""A client's whole course of care as one FHIR R4 Bundle (JSON as a dict).

The Bundle is of type ``collection``: a set of resources kept and moved together, with no instruction to a
server. A ``transaction`` Bundle would tell a FHIR server to create each entry (``request`` elements), which
is a different job; a ``document`` Bundle needs a Composition and is a signed, fixed document. The mapping of
each record to resources is described in docs/fhir.md.

Every ``fullUrl`` is ``urn:uuid:<uuid5>`` of the record's kind and id (and the part of the record, such as a
hold's position), so exporting the same records twice gives the same Bundle apart from its timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from taut.anatomy.regions import RegionRef, Side, body_map
from taut.clinic.chart import Chart
from taut.clinic.notes import Person
from taut.clinic.people import User
from taut.fhir import codes as c
from taut.fhir import consent_signed
from taut.fhir import export_care as care
from taut.fhir import export_exam as exam
from taut.fhir.elements import Json, day, dt, ref, resource_id, urn
from taut.fhir.people import patient_people
from taut.services.course_export import export_client
from taut.services.course_import import CourseOfCare
from taut.store.engine import Database

__all__ = ["Builder", "bundle", "client_bundle", "urn"]


def identifier(text: str) -> Json:
    """A FHIR Identifier from "system|value" (or a bare value)."""
    system, bar, value = text.partition("|")
    return {"system": system, "value": value} if bar else {"value": text}


def client_bundle(db: Database, user: User, client_id: int, *, at: datetime | None = None) -> Json:
    """The Bundle of one client of the user's clinic (clinical roles only; audited as an export), with the
    client's appointments."""
    from taut.fhir.export_appointments import appointment_entries
    from taut.services.appointments import client_appointments

    out = bundle(export_client(db, user, client_id), at=at)
    booked = client_appointments(db, user, client_id, audited=False)  # part of the audited export
    if booked:
        urls = {e["fullUrl"] for e in out["entry"]}
        practitioners = {b.appointment.practitioner_id for b in booked}
        from taut.services.appointments import practitioners as staff

        known = {p.id: p for p in staff(db, user, all_=True)}
        for pid in sorted(practitioners):  # a practitioner seen only in the book
            if urn(f"user/{pid}") not in urls:
                p = known.get(pid)
                body: Json = {"resourceType": "Practitioner", "id": resource_id(urn(f"user/{pid}"))}
                body["name"] = [{"text": p.name if p is not None else f"Practitioner {pid}"}]
                if p is not None and p.email:
                    body["telecom"] = [{"system": "email", "value": p.email}]
                out["entry"].append({"fullUrl": urn(f"user/{pid}"), "resource": body})
        out["entry"].extend(appointment_entries(booked, patient=urn(f"client/{client_id}"), plans=urls))
    return out


def bundle(course: CourseOfCare, *, at: datetime | None = None) -> Json:
    """The course of care as a ``collection`` Bundle; ``at`` is its timestamp (default: now)."""
    return Builder(course).build(at or datetime.now(UTC))


class Builder:
    """Collects the entries of one course's Bundle; the record mappers in ``export_exam`` and
    ``export_care`` add theirs through ``add`` and ``site``."""

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
        self.people: set[str] = set()

    # --- the Bundle ---------------------------------------------------------------------------------
    def build(self, at: datetime) -> Json:
        ch = self.chart
        self._patient()
        self._organization()
        for s in self.course.staff:
            self._practitioner(s.id, s.name, s.email, s.identifier)
        head = len(self.entries)
        self._consents()
        for copy in self.course.signed:
            url, body = consent_signed.resource(
                copy, client_id=self.cid, patient=self.patient, organization=self.organization
            )
            self.add(url, "Consent", body)
        self._episode()
        self._condition()
        for intake in ch.intakes:
            exam.intake(self, intake)
        for d in ch.decisions:
            exam.decision(self, d)
        for m in ch.clearances:
            exam.clearance(self, m)
        for a in ch.assessments:
            exam.assessment(self, a)
        for p in ch.plans:
            care.plan(self, p)
        for e in ch.sessions:
            care.session(self, e)
        for o in ch.outcomes:
            care.outcome(self, o)
        for n in ch.notes:
            care.note(self, n)
        structures = [{"fullUrl": url, "resource": r} for url, r in self.structures.items()]
        self.entries[head:head] = structures
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": dt(at.replace(microsecond=0)),
            "entry": self.entries,
        }

    def add(self, url: str, resource_type: str, body: Json) -> str:
        resource = {"resourceType": resource_type, "id": resource_id(url), **body}
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def practitioner(self, user_id: int) -> Json:
        return ref(urn(f"user/{user_id}"))

    def person(self, p: Person) -> Json:
        """A reference to a Practitioner for someone of another system (a note's original author or signer),
        added to the Bundle once."""
        url = urn(f"person/{p.identifier or p.name}")
        if url not in self.people:
            self.people.add(url)
            body: Json = {}
            if p.identifier:
                body["identifier"] = [identifier(p.identifier)]
            body["name"] = [{"text": p.name}]
            self.add(url, "Practitioner", body)
        return ref(url)

    # --- body sites ---------------------------------------------------------------------------------
    def site(self, key: str, codings: Sequence[Json], text: str | None, laterality: str | None) -> Json:
        """A bodySite CodeableConcept with the core ``bodySite`` extension pointing at the patient's
        BodyStructure for this site and side (one per site and side, reused by every record)."""
        url = urn(f"client/{self.cid}/site/{key}")
        if url not in self.structures:
            body: Json = {
                "resourceType": "BodyStructure",
                "id": resource_id(url),
                "patient": ref(self.patient),
            }
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
        body.update(patient_people(cl))  # occupation, emergency contact, referring provider (fhir/people.py)
        body["managingOrganization"] = ref(self.organization)
        self.add(self.patient, "Patient", body)

    def _organization(self) -> None:
        self.add(self.organization, "Organization", {"active": True, "name": self.course.clinic.name})

    def _practitioner(self, user_id: int, name: str, email: str | None, ident: str | None = None) -> None:
        body: Json = {}
        if ident:
            body["identifier"] = [identifier(ident)]
        body["name"] = [{"text": name}]
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
