"""Reading what is done: plans, sessions with their treatments, holds and check-ins, outcome measures,
notes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from taut.clinic.chart import SessionEntry
from taut.clinic.fields import CHECKIN_FIELDS
from taut.clinic.notes import Note, NoteProvenance
from taut.clinic.outcomes import OutcomeMeasure, PsfsActivity
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.sessions import CheckIn, Hold, TreatmentSession
from taut.fhir import codes as c
from taut.fhir import declared
from taut.fhir.reading import (
    a_date,
    a_datetime,
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

PLAN_STATUS_OF = {v[0]: k for k, v in c.PLAN_STATUS.items()}


def plan(rd: Reader, e: Entry, local: int) -> TreatmentPlan:
    """A plan with its goals, planned sessions, points, reassessments and self-care."""
    r = e.resource
    status = PLAN_STATUS_OF.get(str(r.get("status")))
    if status is None:
        raise e.error("status", f"a plan is active, completed or revoked, not {r.get('status')!r}")
    goals = []
    for k, g in enumerate(r.get("goal") or []):
        goal = rd.target(e, g, f"goal[{k}]", "Goal")
        rd.take(goal)
        goals.append(str(required(goal, goal.resource, "description", dict).get("text", "")))
    sessions = interval = None
    points: list[PlannedPoint] = []
    reassess: list[date] = []
    self_care = ""
    for k, act in enumerate(r.get("activity") or []):
        p = f"activity[{k}]"
        if "reference" in act:
            sr = rd.target(e, act["reference"], f"{p}.reference", "ServiceRequest")
            rd.take(sr)
            rd.plan_of_request[sr.url] = local
            s = sr.resource
            if has_code(s.get("code"), c.CS_TAUT, "nmt-session"):
                repeat = (s.get("occurrenceTiming") or {}).get("repeat") or {}
                if repeat.get("periodUnit") != "d":
                    raise sr.error("occurrenceTiming.repeat.periodUnit", "the interval is given in days (d)")
                sessions = whole(sr, repeat.get("count"), "occurrenceTiming.repeat.count")
                interval = whole(sr, repeat.get("period"), "occurrenceTiming.repeat.period")
            elif has_code(s.get("code"), c.CS_TAUT, "reassessment"):
                reassess.append(a_date(sr, s.get("occurrenceDateTime"), "occurrenceDateTime"))
            else:
                technique, path = code_of(sr, s.get("code"), "code", c.CS_TECHNIQUE)
                with at(sr):
                    rd.cat.check_technique(path, technique)
                trp, side = rd.point(sr, (s.get("bodySite") or [None])[0], "bodySite[0]")
                points.append(PlannedPoint(trp_id=trp, side=side, technique=technique))
        elif has_code((act.get("detail") or {}).get("code"), c.CS_TAUT, "self-care"):
            self_care = str(act["detail"].get("description", ""))
        else:
            raise e.error(p, "is not an activity Taut plans")
    if sessions is None or interval is None:
        raise e.error("activity", "the planned sessions (a ServiceRequest coded nmt-session) are missing")
    with at(e):
        return TreatmentPlan(
            id=local,
            starts_on=a_date(e, (r.get("period") or {}).get("start"), "period.start"),
            goals=tuple(goals),
            sessions_planned=sessions,
            interval_days=interval,
            points=tuple(points),
            reassess_on=tuple(reassess),
            self_care=self_care,
            status=status,
        ).validate(rd.cat)


def session(rd: Reader, e: Entry, local: int) -> SessionEntry:
    """A session: its Encounter, pain before and after, treatments with their holds (numbered), check-in."""
    r = e.resource
    status = {"finished": "finished", "in-progress": "open"}.get(str(r.get("status")))
    if status is None:
        raise e.error("status", f"a session is finished or in-progress, not {r.get('status')!r}")
    period = required(e, r, "period", dict)
    participants = required(e, r, "participant", list)
    practitioner = rd.staff_id(e, participants[0].get("individual"), "participant[0].individual")
    plan_id = _plan_of(rd, e)
    ext = {x.get("url"): x.get("valueString", "") for x in r.get("extension") or []}
    pain, checkin, procedures = _session_observations(rd, e, local)
    if "pain-before-treatment" not in pain:
        raise e.error("(resource)", "the pain before treatment (an Observation of the encounter) is missing")
    holds = _holds(rd, e, procedures)
    with at(e):
        session = TreatmentSession(
            id=local,
            occurred_at=a_datetime(e, period.get("start"), "period.start"),
            practitioner_id=practitioner,
            pain_before=pain["pain-before-treatment"],
            pain_after=pain.get("pain-after-treatment"),
            holds=holds,
            notes=ext.get(c.EXT_SESSION_NOTES, ""),
            aftercare=ext.get(c.EXT_SESSION_AFTERCARE, ""),
            plan_id=plan_id,
            status=status,
            ended_at=a_datetime(e, period["end"], "period.end") if "end" in period else None,
        ).validate(rd.cat)
    return SessionEntry(session, checkin)


def _plan_of(rd: Reader, e: Entry) -> int | None:
    """The plan a session belongs to (its ``basedOn``: a ServiceRequest of a CarePlan's activity)."""
    based_on = e.resource.get("basedOn")
    if not based_on:
        return None
    sr = rd.target(e, based_on[0], "basedOn[0]", "ServiceRequest")
    if sr.url not in rd.plan_of_request:
        raise e.error("basedOn[0].reference", "must point at the sessions of a plan (CarePlan.activity)")
    return rd.plan_of_request[sr.url]


def _session_observations(
    rd: Reader, e: Entry, local: int
) -> tuple[dict[str, int], CheckIn | None, list[Entry]]:
    """What refers to the session's Encounter: (the pain before and after, the check-in, the treatments)."""
    pain: dict[str, int] = {}
    checkin = None
    procedures: list[Entry] = []
    for o in rd.of_encounter.get(e.url, []):
        if o.type == "Procedure":
            procedures.append(o)
            continue
        kind = rd.kind[o.url]
        if kind in ("pain-before-treatment", "pain-after-treatment"):
            if kind in pain:
                raise o.error("code", f"the session already has its {kind}")
            q = required(o, o.resource, "valueQuantity", dict)
            pain[kind] = whole(o, q.get("value"), "valueQuantity.value")
        else:
            if checkin is not None:
                raise o.error("encounter", "the session already has its 48-hour check-in")
            checkin = _checkin(rd, o, local)
        rd.take(o)
    return pain, checkin, procedures


def _holds(rd: Reader, e: Entry, procedures: list[Entry]) -> tuple[Hold, ...]:
    """The session's holds in the order of their numbers (1, 2, … with none missing or twice)."""
    holds: dict[int, Hold] = {}
    for p in procedures:
        rd.take(p)
        if not rd.part_of.get(p.url):
            raise p.error("(resource)", "a treatment without holds (Observations partOf it)")
        technique, path = code_of(p, p.resource.get("code"), "code", c.CS_TECHNIQUE)
        with at(p):
            rd.cat.check_technique(path, technique)
        trp, side = rd.point(p, (p.resource.get("bodySite") or [None])[0], "bodySite[0]")
        for o in rd.part_of.get(p.url, []):
            rd.take(o)
            comps = rd.components(o)
            number = comps.get("hold-number")
            if number is None:
                raise o.error("component", "the hold number is required")
            if number in holds:
                raise o.error("component", f"hold {number} of the session is given twice")
            with at(o):
                holds[number] = Hold(
                    trp_id=trp,
                    side=side,
                    technique=technique,
                    pressure=comps.get("pressure-level"),  # type: ignore[arg-type]
                    seconds=comps.get("hold-duration"),  # type: ignore[arg-type]
                    discomfort=comps.get("discomfort"),  # type: ignore[arg-type]
                    pressure_change=comps.get("pressure-change"),
                    released=comps.get("released", False),
                )
    if sorted(holds) != list(range(1, len(holds) + 1)):
        raise e.error("(resource)", f"the holds are numbered {sorted(holds)}; expected 1 to {len(holds)}")
    return tuple(holds[n] for n in sorted(holds))


def _checkin(rd: Reader, o: Entry, session: int) -> CheckIn:
    comps = rd.components(o)
    notes = o.resource.get("note") or []
    with at(o):
        return CheckIn(
            id=session,
            session_id=session,
            recorded_at=a_datetime(o, o.resource.get("effectiveDateTime"), "effectiveDateTime"),
            **declared.values(o, CHECKIN_FIELDS, comps),
            questions=str(notes[0].get("text", "")) if notes else "",
        )


def outcome(rd: Reader, e: Entry, local: int) -> OutcomeMeasure:
    """An outcome measure from its item answers (the score is computed again)."""
    r = e.resource
    instrument = str(r["questionnaire"]).rsplit("/", 1)[-1]
    for o in rd.derived_from.get(e.url, []):
        if rd.kind[o.url] != "score":
            raise o.error("derivedFrom[0]", "an outcome form has a score observation, not a pain drawing")
        rd.take(o)  # the score is computed again from the items
    taken_on = a_date(e, required(e, r, "authored"), "authored")
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
                        activity=one_answer(e, sub["name"], p, "valueString"),
                        score=one_answer(e, sub["score"], p, "valueInteger"),
                    )
                )
            m = OutcomeMeasure(id=local, instrument="psfs", taken_on=taken_on, activities=tuple(activities))
        else:
            answers: list[int | None] = []
            for k, item in enumerate(items):
                if item.get("linkId") != str(k + 1):
                    raise e.error(f"item[{k}].linkId", f"items are numbered 1, 2, ...; expected {k + 1}")
                answers.append(
                    one_answer(e, item, f"item[{k}]", "valueInteger") if item.get("answer") else None
                )
            m = OutcomeMeasure(id=local, instrument=instrument, taken_on=taken_on, items=tuple(answers))
        m.score  # noqa: B018 - scoring validates the items
    return m


@dataclass(frozen=True)
class NoteSource:
    """What a note's Provenance says: the system it came from; its author and signer (staff ids)."""

    entry: Entry
    system: str | None
    author: int | None
    signer: int | None


def note(rd: Reader, e: Entry, local: int) -> Note:
    """A note with its signature and the signed note it amends."""
    r = e.resource
    kind, _ = code_of(e, r.get("type"), "type", c.CS_NOTE_KIND)
    author = rd.staff_id(e, required(e, r, "author", list)[0], "author[0]")
    signed_by = rd.staff_id(e, r["authenticator"], "authenticator") if "authenticator" in r else None
    signed_at = next(
        (
            a_datetime(e, x.get("valueDateTime"), f"extension[{k}].valueDateTime")
            for k, x in enumerate(r.get("extension") or [])
            if x.get("url") == c.EXT_SIGNED_AT
        ),
        None,
    )
    final = r.get("docStatus") == "final"
    if final != (signed_at is not None):
        raise e.error("docStatus", "a final note carries its signing time (and a preliminary one none)")
    amends = _amends(rd, e)
    session = None
    encounters = (r.get("context") or {}).get("encounter") or []
    if encounters:
        session = rd.session_ids[rd.target(e, encounters[0], "context.encounter[0]", "Encounter").url]
    attachment = required(e, r, "content", list)[0].get("attachment") or {}
    try:
        body = base64.b64decode(str(attachment.get("data", "")), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise e.error("content[0].attachment.data", "is not base64 of UTF-8 text") from None
    provenance = _note_provenance(rd, e, author, signed_by)
    with at(e):
        return Note(
            id=local,
            kind=kind,
            body=body,
            author_id=author,
            session_id=session,
            written_at=a_datetime(e, r.get("date"), "date"),
            signed_at=signed_at,
            signed_by=signed_by,
            amends_id=amends,
            provenance=provenance,
        )


def _amends(rd: Reader, e: Entry) -> int | None:
    """The signed note this one amends (its ``relatesTo`` of code ``appends``), if any."""
    amends = None
    for k, rel in enumerate(e.resource.get("relatesTo") or []):
        if rel.get("code") == "appends":
            original = rd.target(e, rel.get("target"), f"relatesTo[{k}].target", "DocumentReference")
            if original.resource.get("docStatus") != "final":
                raise e.error(f"relatesTo[{k}].target", "only a signed (final) note is amended")
            amends = rd.note_ids[original.url]
    return amends


def _note_provenance(rd: Reader, e: Entry, author: int, signed_by: int | None) -> NoteProvenance | None:
    """Where an imported note was written (its Provenance), which must name the note's own author and signer."""
    source = rd.note_provenance.get(e.url)
    if source is None:
        return None
    p = source.entry
    if source.author is not None and source.author != author:
        raise p.error("agent", "the author differs from the note's (DocumentReference.author)")
    if source.signer != signed_by and (source.signer is not None or signed_by is not None):
        raise p.error(
            "agent", "the attester differs from the note's signer (DocumentReference.authenticator)"
        )
    if source.system is None:
        return None
    with at(p):
        return NoteProvenance(
            system=source.system,
            author=rd.staff[author].as_person(),
            signer=None if signed_by is None else rd.staff[signed_by].as_person(),
        )
