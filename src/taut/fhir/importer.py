"""A Bundle written by ``taut.fhir.export`` back into a course of care, and into a clinic.

The Bundle is checked first (``validate.checked_entries``: R4 models, references); then each resource is
read into the clinical records, with the same rules as when a record is entered. Every problem is one line
naming the resource and the element. Derived resources (EpisodeOfCare, Condition, score Observations,
Procedure and Encounter statuses) are recomputed by the export and not read back; scores are recomputed from
the item answers.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from taut.anatomy.pain import PainDrawing, PainDrawingError, PainMark
from taut.anatomy.regions import RegionRef, Side, body_map
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.catalogue import catalogue
from taut.clinic.chart import Chart, SessionEntry, outcome_entries
from taut.clinic.errors import RecordValidationError
from taut.clinic.intake import Biochemical, Biomechanical, Factors, Intake, Psychosocial, ScreeningAnswer
from taut.clinic.notes import Note
from taut.clinic.outcomes import INSTRUMENTS, OutcomeMeasure, PsfsActivity
from taut.clinic.people import Client, Clinic, Consent, User
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.rom import rom_norms
from taut.clinic.screening import ScreeningDecision
from taut.clinic.sessions import CheckIn, Hold, TreatmentSession
from taut.fhir import codes as c
from taut.fhir.validate import Entry, FhirImportError, checked_entries, index, parse_json
from taut.services.course_import import CourseOfCare, StaffMember, import_course
from taut.store.engine import Database

Json = dict[str, Any]

# Resource types Taut reads; the ones after "derived" are written by the export from the others.
READ = {
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
    # derived
    "EpisodeOfCare",
    "Condition",
}
EXAM_KINDS = ("trigger-point", "range-of-motion", "posture-finding", "gait-finding", "entrapment-test")
FACTOR_GROUPS: dict[str, type[Biomechanical | Biochemical | Psychosocial]] = {
    "biomechanical": Biomechanical,
    "biochemical": Biochemical,
    "psychosocial": Psychosocial,
}
GENDER_TO_SEX = {v: k for k, v in c.GENDER.items()}
PLAN_STATUS_OF = {v[0]: k for k, v in c.PLAN_STATUS.items()}


def import_bundle(db: Database, user: User, data: object, *, allow_duplicate: bool = False) -> int:
    """Read the Bundle (a dict, or JSON text) and import it as a new client of the user's clinic, all or
    nothing; returns the new client id."""
    if isinstance(data, str | bytes):
        data = parse_json(data)
    return import_course(db, user, read_bundle(data), allow_duplicate=allow_duplicate)


def read_bundle(data: object) -> CourseOfCare:
    """The course of care held by a Bundle. Raises FhirImportError naming the resource and the element."""
    return _Reader(checked_entries(data)).course()


@contextmanager
def at(entry: Entry, path: str | None = None) -> Iterator[None]:
    """Turn a rule broken while reading ``entry`` into an error naming the resource (and ``path``)."""
    try:
        yield
    except RecordValidationError as e:
        raise FhirImportError(f"{entry.where}: {e}") from None
    except PainDrawingError as e:
        raise FhirImportError(f"{entry.where}: {path or 'bodySite'}: {e}") from None


def _get(entry: Entry, obj: Json, key: str, path: str, kind: type | tuple[type, ...] = object) -> Any:
    """A required element."""
    where = f"{path}.{key}" if path else key
    value = obj.get(key)
    if value is None or (isinstance(value, list) and not value):
        raise entry.error(where, "is required by Taut")
    if not isinstance(value, kind):
        raise entry.error(where, f"has the wrong type ({type(value).__name__})")
    return value


def _whole(entry: Entry, value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise entry.error(path, f"must be a whole number, not {value!r}")
    return int(value)


def _date(entry: Entry, value: object, path: str) -> date:
    if not isinstance(value, str) or len(value) < 10:
        raise entry.error(path, f"needs a full date (YYYY-MM-DD), not {value!r}")
    if len(value) == 10:
        return date.fromisoformat(value)
    return _datetime(entry, value, path).date()


def _datetime(entry: Entry, value: object, path: str) -> datetime:
    if not isinstance(value, str) or len(value) <= 10:
        raise entry.error(path, f"needs a date and time with a time zone, not {value!r}")
    try:
        out = datetime.fromisoformat(value)
    except ValueError:
        raise entry.error(path, f"is not a date and time: {value!r}") from None
    if out.tzinfo is None:
        raise entry.error(path, "needs a time zone")
    return out


def _code(entry: Entry, cc: object, path: str, system: str) -> tuple[str, str]:
    """(code, path of the code) of the first coding of ``system`` in a CodeableConcept."""
    if isinstance(cc, dict):
        for k, coding in enumerate(cc.get("coding") or []):
            if coding.get("system") == system and isinstance(coding.get("code"), str):
                return coding["code"], f"{path}.coding[{k}].code"
    raise entry.error(path, f"needs a code of {system}")


def _has(cc: object, system: str, code: str | None = None) -> str | None:
    if isinstance(cc, dict):
        for coding in cc.get("coding") or []:
            if coding.get("system") == system and (code is None or coding.get("code") == code):
                return str(coding.get("code"))
    return None


def _answers(item: Json) -> list[Json]:
    return list(item.get("answer") or [])


def _one_answer(entry: Entry, item: Json, path: str, key: str) -> Any:
    answers = item.get("answer") or []
    if len(answers) != 1 or answers[0].get(key) is None:
        raise entry.error(f"{path}.answer", f"needs exactly one answer with {key}")
    return answers[0][key]


class _Reader:
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
        intakes = [self._intake(e, k + 1) for k, e in enumerate(self._intake_forms())]
        decisions = [self._decision(e, k + 1) for k, e in enumerate(self.of("DetectedIssue"))]
        assessments = [self._assessment(e, k + 1) for k, e in enumerate(self.of("ClinicalImpression"))]
        self.plan_of_request: dict[str, int] = {}
        plans = [self._plan(e, k + 1) for k, e in enumerate(self.of("CarePlan"))]
        self.session_ids = {e.url: k + 1 for k, e in enumerate(self.of("Encounter"))}
        sessions = [self._session(e, k + 1) for k, e in enumerate(self.of("Encounter"))]
        outcomes = [self._outcome(e, k + 1) for k, e in enumerate(self._outcome_forms())]
        self.note_ids = {e.url: k + 1 for k, e in enumerate(self.of("DocumentReference"))}
        notes = [self._note(e, k + 1) for k, e in enumerate(self.of("DocumentReference"))]
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
        )
        return CourseOfCare(clinic=clinic, staff=staff, chart=chart)

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
        return StaffMember(id=local, name=name, email=email)

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
        born = _date(e, _get(e, r, "birthDate", ""), "birthDate")
        treatment = data_use = None
        for ce in self.of("Consent"):
            scope, _ = _code(ce, ce.resource.get("scope"), "scope", c.CONSENT_SCOPE)
            self.target(ce, ce.resource.get("patient"), "patient", "Patient")
            given_on = _date(ce, _get(ce, ce.resource, "dateTime", ""), "dateTime")
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
            )
        except RecordValidationError as err:
            raise e.error(fields.get(err.field, err.field), err.rule) from None

    # --- observations by kind -------------------------------------------------------------------------
    def _observations(self) -> None:
        """Sort every Observation by what it records (its code)."""
        self.kind: dict[str, str] = {}
        for e in self.of("Observation"):
            code = e.resource.get("code")
            kind = _has(code, c.CS_TAUT)
            if kind is not None and kind not in c.TAUT_CODES:
                raise e.error("code", f"unknown Taut observation code {kind!r}")
            if kind is None and _has(code, c.CS_ROM_MOVEMENT):
                kind = "range-of-motion"
            if kind is None and _has(code, c.CS_INSTRUMENT):
                kind = "score"
            if kind is None and _has(code, c.LOINC, c.LOINC_PAIN_SEVERITY):
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
                parts = _get(e, r, "partOf", "", list)
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
                    code = _has(q, c.SNOMED)
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
        trp, code_path = _code(entry, site, path, c.CS_TRIGGER_POINT)
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

    def _intake(self, e: Entry, local: int) -> Intake:
        r = e.resource
        v: dict[str, Any] = {
            "mechanisms": (),
            "aggravators": (),
            "symptoms": (),
            "medications": (),
            "screening": (),
        }
        factors: dict[str, dict[str, Any]] = {"biomechanical": {}, "biochemical": {}, "psychosocial": {}}
        for k, item in enumerate(r.get("item") or []):
            p = f"item[{k}]"
            link = item.get("linkId")
            if link == "chief-complaint":
                v["chief_complaint"] = _one_answer(e, item, p, "valueString")
            elif link == "onset":
                coding = _one_answer(e, item, p, "valueCoding")
                v["onset"], _ = _code(e, {"coding": [coding]}, f"{p}.answer[0].valueCoding", c.CS_ONSET)
            elif link == "began-on":
                v["began_on"] = _date(e, _one_answer(e, item, p, "valueDate"), f"{p}.answer[0].valueDate")
            elif link == "duration-weeks":
                v["duration_weeks"] = _one_answer(e, item, p, "valueInteger")
            elif link in ("mechanisms", "aggravators", "symptoms"):
                kinds = {"mechanisms": ("mechanism",), "aggravators": ("aggravator",)}.get(
                    link, ("quality", "associated")
                )
                v[link] = tuple(
                    self._term(e, a, f"{p}.answer[{j}]", kinds) for j, a in enumerate(_answers(item))
                )
            elif link == "history":
                v["history"] = _one_answer(e, item, p, "valueString")
            elif link == "medications":
                v["medications"] = tuple(
                    self._string(e, a, f"{p}.answer[{j}]") for j, a in enumerate(_answers(item))
                )
            elif link == "screening":
                v["screening"] = tuple(
                    self._screening(e, a, f"{p}.answer[{j}]") for j, a in enumerate(_answers(item))
                )
            elif link == "factors":
                for g, group in enumerate(item.get("item") or []):
                    self._factor_group(e, group, f"{p}.item[{g}]", factors)
            else:
                raise e.error(f"{p}.linkId", f"{link!r} is not an item of Taut's intake form")
        if "chief_complaint" not in v:
            raise e.error("item", "the chief complaint (linkId chief-complaint) is required")
        recorded_on = _date(e, _get(e, r, "authored", ""), "authored")
        marks = []
        for o in self.derived_from.get(e.url, []):
            if self.kind[o.url] != "pain-region":
                raise o.error("derivedFrom[0]", "an intake form has pain-drawing observations, not scores")
            marks.append(self._mark(o))
            self.take(o)
        with at(e, "item"):
            try:
                fs = Factors(
                    biomechanical=Biomechanical(**factors["biomechanical"]),
                    biochemical=Biochemical(**factors["biochemical"]),
                    psychosocial=Psychosocial(**factors["psychosocial"]),
                )
            except TypeError as err:
                raise e.error("item", f"bad factors: {err}") from None
            intake = Intake(
                id=local,
                recorded_on=recorded_on,
                pain_drawing=PainDrawing.of(marks),
                factors=fs,
                **v,
            )
            return intake.validate(self.cat)

    def _term(self, e: Entry, answer: Json, path: str, kinds: tuple[str, ...]) -> str:
        coding = answer.get("valueCoding")
        if not isinstance(coding, dict) or coding.get("system") != c.CS_VOCABULARY:
            raise e.error(f"{path}.valueCoding", f"needs a code of {c.CS_VOCABULARY}")
        with at(e):
            return self.cat.check_term(f"{path}.valueCoding.code", str(coding.get("code")), kinds)

    def _string(self, e: Entry, answer: Json, path: str) -> str:
        if "valueString" not in answer:
            raise e.error(path, "needs valueString")
        return str(answer["valueString"])

    def _screening(self, e: Entry, answer: Json, path: str) -> ScreeningAnswer:
        term = self._term(e, answer, path, ("redflag", "caution"))
        nested = answer.get("item") or []
        present = next((i for i in nested if i.get("linkId") == "screening.present"), None)
        if present is None:
            raise e.error(f"{path}.item", "the answer (linkId screening.present, yes or no) is missing")
        value = _one_answer(e, present, f"{path}.item[0]", "valueBoolean")
        return ScreeningAnswer(term=term, present=value)

    def _factor_group(self, e: Entry, group: Json, path: str, out: dict[str, dict[str, Any]]) -> None:
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
            if field == "sleep_hours" and isinstance(value, int):
                value = float(value)
            out[name][field] = value

    def _mark(self, o: Entry) -> PainMark:
        r = o.resource
        site = _get(o, r, "bodySite", "", dict)
        region, path = _code(o, site, "bodySite", c.CS_REGION)
        if region not in body_map():
            raise o.error(path, f"unknown region id {region!r}")
        intensity = None
        if "valueQuantity" in r:
            intensity = _whole(o, r["valueQuantity"].get("value"), "valueQuantity.value")
        elif "dataAbsentReason" not in r:
            raise o.error("valueQuantity", "the intensity 0-10 (or a dataAbsentReason) is required")
        qualities = []
        for k, comp in enumerate(r.get("component") or []):
            if _has(comp.get("code"), c.LOINC, c.LOINC_PROBLEM_QUALITY):
                q, _ = _code(
                    o,
                    comp.get("valueCodeableConcept"),
                    f"component[{k}].valueCodeableConcept",
                    c.CS_VOCABULARY,
                )
                qualities.append(q)
        side = self.side(o, site, "bodySite")
        with at(o, "bodySite"):
            return PainMark(RegionRef(region, side), intensity, tuple(qualities))

    def _decision(self, e: Entry, local: int) -> ScreeningDecision:
        r = e.resource
        evidence = _get(e, r, "evidence", "", list)[0]
        form = self.target(
            e, (evidence.get("detail") or [None])[0], "evidence[0].detail[0]", "QuestionnaireResponse"
        )
        if form.url not in self.intake_ids:
            raise e.error("evidence[0].detail[0].reference", "must point at an intake")
        flags = tuple(
            _code(e, cc, f"evidence[0].code[{k}]", c.CS_RED_FLAG)[0]
            for k, cc in enumerate(evidence.get("code") or [])
        )
        m = _get(e, r, "mitigation", "", list)[0]
        decision, _ = _code(e, m.get("action"), "mitigation[0].action", c.CS_DECISION)
        referred_to = next(
            (x.get("valueString", "") for x in m.get("extension") or [] if x.get("url") == c.EXT_REFERRED_TO),
            "",
        )
        decided_by = self.staff_id(e, m["author"], "mitigation[0].author") if "author" in m else None
        with at(e):
            return ScreeningDecision(
                id=local,
                intake_id=self.intake_ids[form.url],
                decision=decision,
                flags=flags,
                reason=str(r.get("detail", "")),
                referred_to=referred_to,
                decided_by=decided_by,
                decided_at=_datetime(e, m.get("date"), "mitigation[0].date"),
            )

    # --- assessment -----------------------------------------------------------------------------------
    def _assessment(self, e: Entry, local: int) -> Assessment:
        r = e.resource
        parts: dict[str, list[Any]] = {k: [] for k in EXAM_KINDS}
        for g, inv in enumerate(r.get("investigation") or []):
            for k, item in enumerate(inv.get("item") or []):
                o = self.target(e, item, f"investigation[{g}].item[{k}]", "Observation")
                kind = self.kind[o.url]
                if kind not in parts:
                    raise e.error(
                        f"investigation[{g}].item[{k}]", f"a {kind} observation is not an examination finding"
                    )
                self.take(o)
                parts[kind].append(self._exam(o, kind))
        with at(e):
            return Assessment(
                id=local,
                assessed_on=_date(e, _get(e, r, "effectiveDateTime", ""), "effectiveDateTime"),
                findings=tuple(parts["trigger-point"]),
                posture=tuple(parts["posture-finding"]),
                gait=tuple(parts["gait-finding"]),
                rom=tuple(parts["range-of-motion"]),
                entrapment_tests=tuple(parts["entrapment-test"]),
                summary=str(r.get("summary", "")),
            ).validate(self.cat)

    def _exam(self, o: Entry, kind: str) -> Any:
        r = o.resource
        if kind in ("posture-finding", "gait-finding"):
            return _get(o, r, "valueString", "", str)
        if kind == "trigger-point":
            trp, side = self.point(o, r.get("bodySite"), "bodySite")
            status, _ = _code(o, r.get("valueCodeableConcept"), "valueCodeableConcept", c.CS_TRP_STATUS)
            comps = self._components(o)
            ppt = comps.get("pressure-pain-threshold")
            with at(o):
                return TriggerPointFinding(
                    trp_id=trp,
                    side=side,
                    status=status,
                    taut_band=comps.get("taut-band", False),
                    jump_sign=comps.get("jump-sign", False),
                    local_twitch=comps.get("local-twitch", False),
                    referral_reproduced=comps.get("referral-reproduced", False),
                    tenderness=comps.get("tenderness"),
                    ppt_kpa=None if ppt is None else float(ppt),
                )
        if kind == "range-of-motion":
            movement, path = _code(o, r.get("code"), "code", c.CS_ROM_MOVEMENT)
            if movement not in rom_norms():
                raise o.error(path, f"unknown movement {movement!r}")
            q = _get(o, r, "valueQuantity", "", dict)
            if q.get("code", "deg") != "deg":
                raise o.error(
                    "valueQuantity.code", f"range of motion is in degrees (deg), not {q.get('code')!r}"
                )
            site = r.get("bodySite")
            side = self.side(o, site, "bodySite") if isinstance(site, dict) else None
            with at(o):
                return RomMeasurement(
                    movement=movement, side=side, degrees=_whole(o, q.get("value"), "valueQuantity.value")
                )
        # entrapment test
        result, _ = _code(o, r.get("valueCodeableConcept"), "valueCodeableConcept", c.CS_TEST_RESULT)
        site = r.get("bodySite")
        notes = r.get("note") or []
        with at(o):
            return EntrapmentTest(
                name=str(r["code"].get("text") or ""),
                side=self.side(o, site, "bodySite") if isinstance(site, dict) else None,
                result=result,
                structure=str(site.get("text", "")) if isinstance(site, dict) else "",
                notes=str(notes[0].get("text", "")) if notes else "",
            )

    def _components(self, o: Entry) -> dict[str, Any]:
        """Taut-coded components by code: their value (a quantity gives its number)."""
        out: dict[str, Any] = {}
        for k, comp in enumerate(o.resource.get("component") or []):
            code = _has(comp.get("code"), c.CS_TAUT)
            if code is None:
                continue
            value = next((v for key, v in comp.items() if key.startswith("value")), None)
            if isinstance(value, dict) and "value" in value:
                value = value["value"]
            elif isinstance(value, dict):
                value, _ = _code(o, value, f"component[{k}].valueCodeableConcept", _system_of(code))
            if code in out:
                raise o.error(f"component[{k}]", f"{code} is given twice")
            if code in ("tenderness", "hold-number", "pressure-level", "discomfort", "hold-duration"):
                value = _whole(o, value, f"component[{k}].value")
            out[code] = value
        return out

    # --- plan -----------------------------------------------------------------------------------------
    def _plan(self, e: Entry, local: int) -> TreatmentPlan:
        r = e.resource
        status = PLAN_STATUS_OF.get(str(r.get("status")))
        if status is None:
            raise e.error("status", f"a plan is active, completed or revoked, not {r.get('status')!r}")
        goals = []
        for k, g in enumerate(r.get("goal") or []):
            goal = self.target(e, g, f"goal[{k}]", "Goal")
            self.take(goal)
            goals.append(str(_get(goal, goal.resource, "description", "", dict).get("text", "")))
        sessions = interval = None
        points: list[PlannedPoint] = []
        reassess: list[date] = []
        self_care = ""
        for k, act in enumerate(r.get("activity") or []):
            p = f"activity[{k}]"
            if "reference" in act:
                sr = self.target(e, act["reference"], f"{p}.reference", "ServiceRequest")
                self.take(sr)
                self.plan_of_request[sr.url] = local
                s = sr.resource
                if _has(s.get("code"), c.CS_TAUT, "nmt-session"):
                    repeat = (s.get("occurrenceTiming") or {}).get("repeat") or {}
                    if repeat.get("periodUnit") != "d":
                        raise sr.error(
                            "occurrenceTiming.repeat.periodUnit", "the interval is given in days (d)"
                        )
                    sessions = _whole(sr, repeat.get("count"), "occurrenceTiming.repeat.count")
                    interval = _whole(sr, repeat.get("period"), "occurrenceTiming.repeat.period")
                elif _has(s.get("code"), c.CS_TAUT, "reassessment"):
                    reassess.append(_date(sr, s.get("occurrenceDateTime"), "occurrenceDateTime"))
                else:
                    technique, path = _code(sr, s.get("code"), "code", c.CS_TECHNIQUE)
                    with at(sr):
                        self.cat.check_technique(path, technique)
                    trp, side = self.point(sr, (s.get("bodySite") or [None])[0], "bodySite[0]")
                    points.append(PlannedPoint(trp_id=trp, side=side, technique=technique))
            elif _has((act.get("detail") or {}).get("code"), c.CS_TAUT, "self-care"):
                self_care = str(act["detail"].get("description", ""))
            else:
                raise e.error(p, "is not an activity Taut plans")
        if sessions is None or interval is None:
            raise e.error("activity", "the planned sessions (a ServiceRequest coded nmt-session) are missing")
        with at(e):
            return TreatmentPlan(
                id=local,
                starts_on=_date(e, (r.get("period") or {}).get("start"), "period.start"),
                goals=tuple(goals),
                sessions_planned=sessions,
                interval_days=interval,
                points=tuple(points),
                reassess_on=tuple(reassess),
                self_care=self_care,
                status=status,
            ).validate(self.cat)

    # --- session --------------------------------------------------------------------------------------
    def _session(self, e: Entry, local: int) -> SessionEntry:
        r = e.resource
        status = {"finished": "finished", "in-progress": "open"}.get(str(r.get("status")))
        if status is None:
            raise e.error("status", f"a session is finished or in-progress, not {r.get('status')!r}")
        period = _get(e, r, "period", "", dict)
        participants = _get(e, r, "participant", "", list)
        practitioner = self.staff_id(e, participants[0].get("individual"), "participant[0].individual")
        plan_id = None
        if r.get("basedOn"):
            sr = self.target(e, r["basedOn"][0], "basedOn[0]", "ServiceRequest")
            if sr.url not in self.plan_of_request:
                raise e.error(
                    "basedOn[0].reference", "must point at the sessions of a plan (CarePlan.activity)"
                )
            plan_id = self.plan_of_request[sr.url]
        ext = {x.get("url"): x.get("valueString", "") for x in r.get("extension") or []}
        pain: dict[str, int] = {}
        checkin = None
        procedures: list[Entry] = []
        for o in self.of_encounter.get(e.url, []):
            if o.type == "Procedure":
                procedures.append(o)
                continue
            kind = self.kind[o.url]
            if kind in ("pain-before-treatment", "pain-after-treatment"):
                if kind in pain:
                    raise o.error("code", f"the session already has its {kind}")
                q = _get(o, o.resource, "valueQuantity", "", dict)
                pain[kind] = _whole(o, q.get("value"), "valueQuantity.value")
            else:
                if checkin is not None:
                    raise o.error("encounter", "the session already has its 48-hour check-in")
                checkin = self._checkin(o, local)
            self.take(o)
        if "pain-before-treatment" not in pain:
            raise e.error(
                "(resource)", "the pain before treatment (an Observation of the encounter) is missing"
            )
        holds: dict[int, tuple[Entry, Hold]] = {}
        for p in procedures:
            self.take(p)
            if not self.part_of.get(p.url):
                raise p.error("(resource)", "a treatment without holds (Observations partOf it)")
            technique, path = _code(p, p.resource.get("code"), "code", c.CS_TECHNIQUE)
            with at(p):
                self.cat.check_technique(path, technique)
            trp, side = self.point(p, (p.resource.get("bodySite") or [None])[0], "bodySite[0]")
            for o in self.part_of.get(p.url, []):
                self.take(o)
                comps = self._components(o)
                number = comps.get("hold-number")
                if number is None:
                    raise o.error("component", "the hold number is required")
                if number in holds:
                    raise o.error("component", f"hold {number} of the session is given twice")
                with at(o):
                    holds[number] = (
                        o,
                        Hold(
                            trp_id=trp,
                            side=side,
                            technique=technique,
                            pressure=comps.get("pressure-level"),  # type: ignore[arg-type]
                            seconds=comps.get("hold-duration"),  # type: ignore[arg-type]
                            discomfort=comps.get("discomfort"),  # type: ignore[arg-type]
                            pressure_change=comps.get("pressure-change"),
                            released=comps.get("released", False),
                        ),
                    )
        if sorted(holds) != list(range(1, len(holds) + 1)):
            raise e.error("(resource)", f"the holds are numbered {sorted(holds)}; expected 1 to {len(holds)}")
        with at(e):
            session = TreatmentSession(
                id=local,
                occurred_at=_datetime(e, period.get("start"), "period.start"),
                practitioner_id=practitioner,
                pain_before=pain["pain-before-treatment"],
                pain_after=pain.get("pain-after-treatment"),
                holds=tuple(holds[n][1] for n in sorted(holds)),
                notes=ext.get(c.EXT_SESSION_NOTES, ""),
                aftercare=ext.get(c.EXT_SESSION_AFTERCARE, ""),
                plan_id=plan_id,
                status=status,
                ended_at=_datetime(e, period["end"], "period.end") if "end" in period else None,
            ).validate(self.cat)
        return SessionEntry(session, checkin)

    def _checkin(self, o: Entry, session: int) -> CheckIn:
        comps = self._components(o)
        notes = o.resource.get("note") or []
        with at(o):
            return CheckIn(
                id=session,
                session_id=session,
                recorded_at=_datetime(o, o.resource.get("effectiveDateTime"), "effectiveDateTime"),
                tenderness=comps.get("tenderness"),  # type: ignore[arg-type]
                relief=comps.get("relief"),  # type: ignore[arg-type]
                questions=str(notes[0].get("text", "")) if notes else "",
            )

    # --- outcomes -------------------------------------------------------------------------------------
    def _outcome(self, e: Entry, local: int) -> OutcomeMeasure:
        r = e.resource
        instrument = str(r["questionnaire"]).rsplit("/", 1)[-1]
        for o in self.derived_from.get(e.url, []):
            if self.kind[o.url] != "score":
                raise o.error("derivedFrom[0]", "an outcome form has a score observation, not a pain drawing")
            self.take(o)  # the score is computed again from the items
        taken_on = _date(e, _get(e, r, "authored", ""), "authored")
        items = r.get("item") or []
        with at(e):
            if instrument == "psfs":
                activities = []
                for k, group in enumerate(items):
                    sub = {str(i.get("linkId", "")).rsplit(".", 1)[-1]: i for i in group.get("item") or []}
                    if set(sub) != {"name", "score"}:
                        raise e.error(f"item[{k}]", "a PSFS activity has a name and a score")
                    p = f"item[{k}].item"
                    activities.append(
                        PsfsActivity(
                            activity=_one_answer(e, sub["name"], p, "valueString"),
                            score=_one_answer(e, sub["score"], p, "valueInteger"),
                        )
                    )
                m = OutcomeMeasure(
                    id=local, instrument="psfs", taken_on=taken_on, activities=tuple(activities)
                )
            else:
                answers: list[int | None] = []
                for k, item in enumerate(items):
                    if item.get("linkId") != str(k + 1):
                        raise e.error(f"item[{k}].linkId", f"items are numbered 1, 2, ...; expected {k + 1}")
                    answers.append(
                        _one_answer(e, item, f"item[{k}]", "valueInteger") if item.get("answer") else None
                    )
                m = OutcomeMeasure(id=local, instrument=instrument, taken_on=taken_on, items=tuple(answers))
            m.score  # noqa: B018 - scoring validates the items
        return m

    # --- notes ----------------------------------------------------------------------------------------
    def _note(self, e: Entry, local: int) -> Note:
        r = e.resource
        kind, _ = _code(e, r.get("type"), "type", c.CS_NOTE_KIND)
        author = self.staff_id(e, _get(e, r, "author", "", list)[0], "author[0]")
        signed_by = self.staff_id(e, r["authenticator"], "authenticator") if "authenticator" in r else None
        signed_at = next(
            (
                _datetime(e, x.get("valueDateTime"), f"extension[{k}].valueDateTime")
                for k, x in enumerate(r.get("extension") or [])
                if x.get("url") == c.EXT_SIGNED_AT
            ),
            None,
        )
        final = r.get("docStatus") == "final"
        if final != (signed_at is not None):
            raise e.error("docStatus", "a final note carries its signing time (and a preliminary one none)")
        amends = None
        for k, rel in enumerate(r.get("relatesTo") or []):
            if rel.get("code") == "appends":
                original = self.target(e, rel.get("target"), f"relatesTo[{k}].target", "DocumentReference")
                if original.resource.get("docStatus") != "final":
                    raise e.error(f"relatesTo[{k}].target", "only a signed (final) note is amended")
                amends = self.note_ids[original.url]
        session = None
        encounters = (r.get("context") or {}).get("encounter") or []
        if encounters:
            session = self.session_ids[self.target(e, encounters[0], "context.encounter[0]", "Encounter").url]
        attachment = _get(e, r, "content", "", list)[0].get("attachment") or {}
        try:
            body = base64.b64decode(str(attachment.get("data", "")), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise e.error("content[0].attachment.data", "is not base64 of UTF-8 text") from None
        with at(e):
            return Note(
                id=local,
                kind=kind,
                body=body,
                author_id=author,
                session_id=session,
                written_at=_datetime(e, r.get("date"), "date"),
                signed_at=signed_at,
                signed_by=signed_by,
                amends_id=amends,
            )


def _system_of(code: str) -> str:
    return {
        "pressure-change": c.CS_PRESSURE_CHANGE,
        "relief": c.CS_RELIEF,
    }.get(code, c.CS_TAUT)
