"""A Bundle written by ``taut.fhir.export`` back into a course of care, and into a clinic.

The Bundle is checked first (``validate.checked_entries``: R4 models, references); then each resource is
read into the clinical records, with the same rules as when a record is entered. Every problem is one line
naming the resource and the element. Derived resources (EpisodeOfCare, Condition, score Observations,
Procedure and Encounter statuses) are recomputed by the export and not read back; scores are recomputed from
the item answers.
"""

from __future__ import annotations

from typing import Any

from taut.anatomy.regions import Side
from taut.clinic.catalogue import catalogue
from taut.clinic.chart import Chart, outcome_entries
from taut.clinic.errors import RecordValidationError
from taut.clinic.outcomes import INSTRUMENTS
from taut.clinic.people import Client, Clinic, Consent, User
from taut.fhir import codes as c
from taut.fhir import consent_signed, read_care, read_exam
from taut.fhir.elements import Json
from taut.fhir.people import read_people
from taut.fhir.reading import (
    a_date,
    at,
    code_of,
    has_code,
    required,
    whole,
)
from taut.fhir.validate import Entry, FhirImportError, checked_entries, index, parse_json
from taut.services.course_import import CourseOfCare, StaffMember, import_course
from taut.store.engine import Database

# Resource types Taut reads; the ones after "derived" are written by the export from the others.
READ = {
    "Appointment",  # accepted and not booked again (a booking belongs to the clinic's own book)
    "Patient",
    "Organization",
    "Practitioner",
    "BodyStructure",
    "Consent",
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
    # derived
    "EpisodeOfCare",
    "Condition",
}
GENDER_TO_SEX = {v: k for k, v in c.GENDER.items()}


def import_bundle(db: Database, user: User, data: object, *, allow_duplicate: bool = False) -> int:
    """Read the Bundle (a dict, or JSON text) and import it as a new client of the user's clinic, all or
    nothing; returns the new client id."""
    if isinstance(data, str | bytes):
        data = parse_json(data)
    return import_course(db, user, read_bundle(data), allow_duplicate=allow_duplicate)


def read_bundle(data: object) -> CourseOfCare:
    """The course of care held by a Bundle. Raises FhirImportError naming the resource and the element."""
    return Reader(checked_entries(data)).course()


class Reader:
    """Reads the checked entries into a course; ``read_exam`` and ``read_care`` read the records."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.known = index(entries)
        self.by_type: dict[str, list[Entry]] = {}
        for e in entries:
            if e.type not in READ:
                raise e.error("resourceType", f"Taut does not import {e.type} resources")
            self.by_type.setdefault(e.type, []).append(e)
        self.cat = catalogue()
        self.used: set[str] = set()  # Observations, Goals, ServiceRequests, Procedures read into a record

    def of(self, rtype: str) -> list[Entry]:
        return self.by_type.get(rtype, [])

    def target(self, entry: Entry, reference: object, path: str, *types: str) -> Entry:
        if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
            raise entry.error(path, "needs a reference")
        found = self.known[reference["reference"]]  # every reference was checked to resolve
        if types and found.type not in types:
            raise entry.error(
                f"{path}.reference", f"must point at a {' or '.join(types)}, not a {found.type}"
            )
        return found

    # --- the whole course -----------------------------------------------------------------------------
    def course(self) -> CourseOfCare:
        patients = self.of("Patient")
        if len(patients) != 1:
            raise FhirImportError(f"Bundle: one Patient is expected, found {len(patients)}")
        self.patient = patients[0]
        orgs = self.of("Organization")
        clinic = (
            Clinic(name=str(orgs[0].resource.get("name") or "another clinic"))
            if orgs
            else Clinic(name="another clinic")
        )
        self.staff_ids = {e.url: k + 1 for k, e in enumerate(self.of("Practitioner"))}
        staff = tuple(self._staff(e, k + 1) for k, e in enumerate(self.of("Practitioner")))
        client = self._client()
        self._observations()
        self._group()
        self.intake_ids = {e.url: k + 1 for k, e in enumerate(self._intake_forms())}
        intakes = [read_exam.intake(self, e, k + 1) for k, e in enumerate(self._intake_forms())]
        issues = self.of("DetectedIssue")
        cleared = [e for e in issues if _is_clearance(e)]
        decisions = [
            read_exam.decision(self, e, k + 1)
            for k, e in enumerate(e for e in issues if not _is_clearance(e))
        ]
        clearances = [read_exam.clearance(self, e, k + 1) for k, e in enumerate(cleared)]
        assessments = [
            read_exam.assessment(self, e, k + 1) for k, e in enumerate(self.of("ClinicalImpression"))
        ]
        self.plan_of_request: dict[str, int] = {}
        plans = [read_care.plan(self, e, k + 1) for k, e in enumerate(self.of("CarePlan"))]
        self.session_ids = {e.url: k + 1 for k, e in enumerate(self.of("Encounter"))}
        sessions = [read_care.session(self, e, k + 1) for k, e in enumerate(self.of("Encounter"))]
        outcomes = [read_care.outcome(self, e, k + 1) for k, e in enumerate(self._outcome_forms())]
        self.staff = {s.id: s for s in staff}
        self.note_provenance = self._provenances()
        self.note_ids = {e.url: k + 1 for k, e in enumerate(self.of("DocumentReference"))}
        notes = [read_care.note(self, e, k + 1) for k, e in enumerate(self.of("DocumentReference"))]
        for rtype in ("Observation", "Goal", "ServiceRequest", "Procedure"):
            for e in self.of(rtype):
                if e.url not in self.used:
                    what = f"{self.kind[e.url]} observation" if rtype == "Observation" else rtype
                    raise e.error("(resource)", f"this {what} is not part of any record")
        chart = Chart(
            client=client,
            intakes=tuple(intakes),
            assessments=tuple(assessments),
            plans=tuple(plans),
            sessions=tuple(sessions),
            outcomes=outcome_entries(outcomes),
            notes=tuple(notes),
            decisions=tuple(decisions),
            clearances=tuple(clearances),
        )
        signed = tuple(consent_signed.read(e) for e in self.of("Consent") if consent_signed.is_signed(e))
        return CourseOfCare(clinic=clinic, staff=staff, chart=chart, signed=signed)

    def take(self, e: Entry) -> None:
        """Mark a resource as read into a record; a resource read twice is refused."""
        if e.url in self.used:
            raise e.error("(resource)", "is part of two records")
        self.used.add(e.url)

    def staff_id(self, entry: Entry, reference: object, path: str) -> int:
        return self.staff_ids[self.target(entry, reference, path, "Practitioner").url]

    def _staff(self, e: Entry, local: int) -> StaffMember:
        r = e.resource
        names = r.get("name") or [{}]
        n = names[0]
        name = n.get("text") or " ".join([*(n.get("given") or []), n.get("family") or ""]).strip()
        if not name:
            raise e.error("name[0]", "the practitioner needs a name")
        email = next((t.get("value") for t in r.get("telecom") or [] if t.get("system") == "email"), None)
        ident = None
        for k, i in enumerate(r.get("identifier") or []):
            if not isinstance(i.get("value"), str) or not i["value"]:
                raise e.error(f"identifier[{k}].value", "an identifier needs a value")
            if ident is None:
                ident = f"{i['system']}|{i['value']}" if i.get("system") else i["value"]
        return StaffMember(id=local, name=name, email=email, identifier=ident)

    def _provenances(self) -> dict[str, read_care.NoteSource]:
        """The Provenance of each note (by the note's fullUrl): the system it came from, its author and its
        signer as that system names them."""
        out: dict[str, read_care.NoteSource] = {}
        for e in self.of("Provenance"):
            r = e.resource
            targets = required(e, r, "target", list)
            if len(targets) != 1:
                raise e.error("target", "Taut reads one Provenance per note")
            note = self.target(e, targets[0], "target[0]", "DocumentReference")
            if note.url in out:
                raise e.error("target[0]", "this note has a second Provenance")
            system = next(
                (
                    x.get("valueString")
                    for x in r.get("extension") or []
                    if x.get("url") == c.EXT_SOURCE_SYSTEM
                ),
                None,
            )
            roles: dict[str, int] = {}
            for k, a in enumerate(r.get("agent") or []):
                codes = [
                    cd.get("code")
                    for t in [a.get("type") or {}]
                    for cd in t.get("coding") or []
                    if cd.get("system") == c.PROVENANCE_PARTICIPANT
                ]
                for code in codes:
                    if code in ("author", "attester"):
                        roles[code] = self.staff_id(e, a.get("who"), f"agent[{k}].who")
            out[note.url] = read_care.NoteSource(
                entry=e,
                system=system if isinstance(system, str) and system.strip() else None,
                author=roles.get("author"),
                signer=roles.get("attester"),
            )
        return out

    # --- client and consent ---------------------------------------------------------------------------
    def _client(self) -> Client:
        e = self.patient
        r = e.resource
        names = r.get("name") or []
        name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        k = names.index(name) if name in names else 0
        given = " ".join(name.get("given") or [])
        family = name.get("family") or ""
        telecom = r.get("telecom") or []
        email = next((t.get("value") for t in telecom if t.get("system") == "email"), None)
        phone = next((t.get("value") for t in telecom if t.get("system") == "phone"), None)
        addresses = r.get("address") or []
        address = addresses[0].get("text") if addresses else None
        gender = r.get("gender", "unknown")
        if gender not in GENDER_TO_SEX:
            raise e.error("gender", f"unknown gender {gender!r}")
        born = a_date(e, required(e, r, "birthDate"), "birthDate")
        treatment = data_use = None
        for ce in self.of("Consent"):
            if consent_signed.is_signed(ce):  # a signed document, read by ``course`` (not a consent date)
                self.target(ce, ce.resource.get("patient"), "patient", "Patient")
                continue
            scope, _ = code_of(ce, ce.resource.get("scope"), "scope", c.CONSENT_SCOPE)
            self.target(ce, ce.resource.get("patient"), "patient", "Patient")
            given_on = a_date(ce, required(ce, ce.resource, "dateTime"), "dateTime")
            if scope == "treatment":
                treatment = given_on
            elif scope == "patient-privacy":
                data_use = given_on
            else:
                raise ce.error("scope", f"Taut records consent to treatment and to data use, not {scope!r}")
        fields = {
            "client.given_name": f"name[{k}].given",
            "client.family_name": f"name[{k}].family",
            "client.date_of_birth": "birthDate",
            "client.email": "telecom",
            "client.phone": "telecom",
            "client.address": "address[0].text",
        }
        people, fields_of_people = read_people(e)
        fields.update(fields_of_people)
        try:
            return Client(
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex=GENDER_TO_SEX[gender],
                email=email,
                phone=phone,
                address=address,
                consent=Consent(treatment_on=treatment, data_use_on=data_use),
                **people,
            )
        except RecordValidationError as err:
            raise e.error(fields.get(err.field, err.field), err.rule) from None

    # --- observations by kind -------------------------------------------------------------------------
    def _observations(self) -> None:
        """Sort every Observation by what it records (its code)."""
        self.kind: dict[str, str] = {}
        for e in self.of("Observation"):
            code = e.resource.get("code")
            kind = has_code(code, c.CS_TAUT)
            if kind is not None and kind not in c.TAUT_CODES:
                raise e.error("code", f"unknown Taut observation code {kind!r}")
            if kind is None and has_code(code, c.CS_ROM_MOVEMENT):
                kind = "range-of-motion"
            if kind is None and has_code(code, c.CS_INSTRUMENT):
                kind = "score"
            if kind is None and has_code(code, c.LOINC, c.LOINC_PAIN_SEVERITY):
                kind = "pain-region"
            if kind is None:
                raise e.error("code", "is not an observation Taut records")
            self.kind[e.url] = kind

    def _group(self) -> None:
        """Observations and Procedures by the record they belong to (intake form, encounter, procedure)."""
        self.derived_from: dict[str, list[Entry]] = {}
        self.of_encounter: dict[str, list[Entry]] = {}
        self.part_of: dict[str, list[Entry]] = {}
        for e in self.of("Observation"):
            r = e.resource
            kind = self.kind[e.url]
            if kind in ("pain-region", "score"):
                derived = r.get("derivedFrom") or []
                if not derived:
                    raise e.error("derivedFrom", f"a {kind} observation points at its QuestionnaireResponse")
                form = self.target(e, derived[0], "derivedFrom[0]", "QuestionnaireResponse")
                self.derived_from.setdefault(form.url, []).append(e)
            elif kind == "pressure-hold":
                parts = required(e, r, "partOf", list)
                proc = self.target(e, parts[0], "partOf[0]", "Procedure")
                self.part_of.setdefault(proc.url, []).append(e)
            elif kind in ("pain-before-treatment", "pain-after-treatment", "check-in"):
                enc = self.target(e, r.get("encounter"), "encounter", "Encounter")
                self.of_encounter.setdefault(enc.url, []).append(e)
        for p in self.of("Procedure"):
            enc = self.target(p, p.resource.get("encounter"), "encounter", "Encounter")
            self.of_encounter.setdefault(enc.url, []).append(p)

    def observations(self, kind: str) -> list[Entry]:
        return [e for e in self.of("Observation") if self.kind[e.url] == kind]

    # --- body sites -----------------------------------------------------------------------------------
    def side(self, entry: Entry, site: Json, path: str) -> Side | None:
        """The patient's side, from the laterality of the BodyStructure the site points at."""
        for k, ext in enumerate(site.get("extension") or []):
            if ext.get("url") == c.EXT_BODY_SITE:
                bs = self.target(
                    entry, ext.get("valueReference"), f"{path}.extension[{k}].valueReference", "BodyStructure"
                )
                for j, q in enumerate(bs.resource.get("locationQualifier") or []):
                    code = has_code(q, c.SNOMED)
                    if code is None:
                        continue
                    if code not in c.SIDE_OF_LATERALITY:
                        raise bs.error(f"locationQualifier[{j}]", f"unknown SNOMED CT laterality {code}")
                    return c.SIDE_OF_LATERALITY[code]
        return None

    def point(self, entry: Entry, site: object, path: str) -> tuple[str, Side | None]:
        """(trigger point id, side) of a trigger-point body site."""
        if not isinstance(site, dict):
            raise entry.error(path, "the trigger point is required")
        trp, code_path = code_of(entry, site, path, c.CS_TRIGGER_POINT)
        with at(entry):
            self.cat.check_trigger_point(code_path, trp)
        return trp, self.side(entry, site, path)

    # --- intake ---------------------------------------------------------------------------------------
    def _intake_forms(self) -> list[Entry]:
        return [
            e
            for e in self.of("QuestionnaireResponse")
            if e.resource.get("questionnaire") == c.questionnaire("intake")
        ]

    def _outcome_forms(self) -> list[Entry]:
        forms = []
        for e in self.of("QuestionnaireResponse"):
            q = e.resource.get("questionnaire")
            if q == c.questionnaire("intake"):
                continue
            if not any(q == c.questionnaire(i) for i in INSTRUMENTS):
                raise e.error("questionnaire", f"{q!r} is not a form Taut knows")
            forms.append(e)
        return forms

    # --- components -----------------------------------------------------------------------------------
    def components(self, o: Entry) -> dict[str, Any]:
        """Taut-coded components by code: their value (a quantity gives its number)."""
        out: dict[str, Any] = {}
        for k, comp in enumerate(o.resource.get("component") or []):
            code = has_code(comp.get("code"), c.CS_TAUT)
            if code is None:
                continue
            value = next((v for key, v in comp.items() if key.startswith("value")), None)
            if isinstance(value, dict) and "value" in value:
                value = value["value"]
            elif isinstance(value, dict):
                value, _ = code_of(o, value, f"component[{k}].valueCodeableConcept", _system_of(code))
            if code in out:
                raise o.error(f"component[{k}]", f"{code} is given twice")
            if code in ("tenderness", "hold-number", "pressure-level", "discomfort", "hold-duration"):
                value = whole(o, value, f"component[{k}].value")
            out[code] = value
        return out


def _system_of(code: str) -> str:
    return {
        "pressure-change": c.CS_PRESSURE_CHANGE,
        "relief": c.CS_RELIEF,
    }.get(code, c.CS_TAUT)


def _is_clearance(e: Entry) -> bool:
    """A DetectedIssue coded as a medical clearance (the others are red-flag decisions)."""
    codings = (e.resource.get("code") or {}).get("coding") or []
    return any(x.get("system") == c.CS_TAUT and x.get("code") == "medical-clearance" for x in codings)
