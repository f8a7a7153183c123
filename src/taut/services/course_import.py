"""Importing a client's whole course of care (from a FHIR Bundle, or any other reader) in one transaction.

``CourseOfCare`` is what moves: the client's chart, the clinic it came from and the staff its records name.
Inside a course, ids are those of its source: ``session.plan_id``, ``checkin.session_id``,
``note.session_id``/``amends_id``, ``decision.intake_id`` point at records of the same course, and
``session.practitioner_id``, ``note.author_id``/``signed_by`` and ``decision.decided_by`` at its staff.

``import_course`` writes a new client with every record, or nothing:

- the user needs ``WRITE_CLINICAL`` and ``EDIT_CLIENTS``;
- every record is validated first (the same rules as when it is recorded), references are checked;
- a client of the clinic with the same name and date of birth makes it refuse (a second import of the same
  course, most likely) unless ``allow_duplicate``;
- staff are mapped to the importing clinic's users for sessions and red-flag decisions: a user with the same
  e-mail, otherwise the importing user;
- notes are never attributed to a user of this clinic: each keeps who wrote and who signed it, as the source
  names them, and the system it came from as its provenance, with the importing user and the time of the
  import; its ``author_id`` is the importing user (who entered it here), its ``signed_by`` empty, its
  signing time kept (a signed note stays signed and never changes). So a file edited on its way in can never
  make a note look signed here, by anyone;
- intakes, assessments, plans and check-ins record the importing user as the one who entered them, and so
  does a red-flag decision that names nobody;
- sessions keep their status (open or finished) and end time, notes their signing time and amendments;
- the consents the client signed are kept with their PDFs (without a link of this install);
- one audit entry ``import client`` is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from taut.clinic.catalogue import catalogue
from taut.clinic.chart import Chart, SessionEntry
from taut.clinic.errors import RecordValidationError
from taut.clinic.intake_link import SignedCopy
from taut.clinic.notes import Note, NoteProvenance, Person
from taut.clinic.people import Client, Clinic, Permission, User
from taut.services import access
from taut.store import course as course_store
from taut.store import intake_link as intake_link_store
from taut.store import people, records
from taut.store.engine import Database


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    """A practitioner named by the course's records; ``id`` is the source's user id, ``identifier`` how the
    source system identifies them ("system|value")."""

    id: int
    name: str
    email: str | None = None
    identifier: str | None = None

    def as_person(self) -> Person:
        return Person(
            name=self.name,
            identifier=self.identifier or (f"mailto:{self.email}" if self.email else None),
        )


@dataclass(frozen=True, kw_only=True)
class CourseOfCare:
    clinic: Clinic
    staff: tuple[StaffMember, ...]
    chart: Chart
    signed: tuple[SignedCopy, ...] = ()  # the consents the client signed (by link), with their PDFs


def import_course(db: Database, user: User, course: CourseOfCare, *, allow_duplicate: bool = False) -> int:
    """Write the course as a new client of the user's clinic; returns the new client id."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="client")
    access.require(db, user, Permission.WRITE_CLINICAL, entity="client")
    assert user.id is not None
    me: int = user.id
    chart = checked(course)
    staff = {s.id: s for s in course.staff}
    cid_clinic = user.clinic_id
    with db.transaction() as conn:
        client = chart.client
        if not allow_duplicate:
            _refuse_duplicate(conn, cid_clinic, client)
        by_email = {u.email: u.id for u in people.users_of(conn, cid_clinic) if u.id is not None}

        def who(source_id: int) -> int:
            email = staff[source_id].email
            return by_email.get(email.lower(), me) if email else me

        saved = people.add_client(conn, cid_clinic, replace(client, id=None))
        assert saved.id is not None
        new_id = saved.id
        for copy in course.signed:
            intake_link_store.add_signed_copy(conn, cid_clinic, new_id, copy)
        session_ids = _add_records(conn, cid_clinic, new_id, chart, me, who)
        _add_notes(conn, cid_clinic, new_id, chart.notes, course, me, session_ids)
        access.log(
            conn,
            user,
            "import",
            "client",
            new_id,
            client_id=new_id,
            detail=(
                f"course of care from {course.clinic.name}: {len(chart.intakes)} intakes, "
                f"{len(chart.assessments)} assessments, {len(chart.plans)} plans, "
                f"{len(chart.sessions)} sessions, {len(chart.outcomes)} outcomes, {len(chart.notes)} notes"
            ),
        )
    return new_id


def _refuse_duplicate(conn: Connection, clinic_id: int, client: Client) -> None:
    same = course_store.same_person(
        conn, clinic_id, client.given_name, client.family_name, client.date_of_birth
    )
    if same:
        raise RecordValidationError(
            "client",
            f"{client.full_name} born {client.date_of_birth.isoformat()} is already client {same[0]} "
            "of this clinic; nothing was imported",
        )


def _add_records(
    conn: Connection, clinic_id: int, new_id: int, chart: Chart, me: int, who: Callable[[int], int]
) -> dict[int, int]:
    """The chart's records under the new client, their links renumbered; returns the sessions' new ids by the
    course's. ``who``: the user of this clinic for a user of the course (``me`` when none matches)."""
    _add_intakes(conn, clinic_id, new_id, chart, me, who)
    for a in chart.assessments:
        records.add_assessment(conn, clinic_id, new_id, a, by=me)
    plan_ids: dict[int, int] = {}
    for p in chart.plans:
        assert p.id is not None
        plan_ids[p.id] = records.add_plan(conn, clinic_id, new_id, p, by=me)
    session_ids: dict[int, int] = {}
    for e in chart.sessions:
        s = e.session
        assert s.id is not None
        session_ids[s.id] = records.add_session(
            conn,
            clinic_id,
            new_id,
            replace(
                s,
                practitioner_id=who(s.practitioner_id),
                plan_id=None if s.plan_id is None else plan_ids[s.plan_id],
            ),
        )
    for e in chart.sessions:
        if e.checkin is not None:
            checkin = replace(e.checkin, session_id=session_ids[e.checkin.session_id])
            records.add_checkin(conn, clinic_id, new_id, checkin, by=me)
    for o in chart.outcomes:
        records.add_outcome(conn, clinic_id, new_id, o.measure, by=me)
    return session_ids


def _add_notes(
    conn: Connection,
    clinic_id: int,
    new_id: int,
    notes: Iterable[Note],
    course: CourseOfCare,
    me: int,
    session_ids: dict[int, int],
) -> None:
    """The course's notes, each amendment after the note it amends, with where they were written."""
    note_ids: dict[int, int] = {}
    imported_at = datetime.now(UTC)
    for n in amendments_last(notes):
        assert n.id is not None
        note_ids[n.id] = records.add_note(
            conn,
            clinic_id,
            new_id,
            replace(
                n,
                author_id=me,  # who entered it into this clinic; who wrote it is its provenance
                signed_by=None,  # no user of this clinic signed it
                provenance=replace(provenance_of(n, course), imported_by=me, imported_at=imported_at),
                session_id=None if n.session_id is None else session_ids[n.session_id],
                amends_id=None if n.amends_id is None else note_ids[n.amends_id],
            ),
        )


def provenance_of(n: Note, course: CourseOfCare) -> NoteProvenance:
    """Who wrote and signed a note of the course, in which system: what its reader found (a FHIR
    ``Provenance``), else the course's staff as the source clinic names them."""
    if n.provenance is not None:
        return n.provenance
    staff = {s.id: s for s in course.staff}
    return NoteProvenance(
        system=course.clinic.name,
        author=staff[n.author_id].as_person(),
        signer=None if n.signed_by is None else staff[n.signed_by].as_person(),
    )


def _add_intakes(
    conn: Connection, clinic_id: int, client_id: int, chart: Chart, me: int, who: Callable[[int], int]
) -> dict[int, int]:
    """The chart's intakes with their red-flag decisions and medical clearances; returns the new intake ids by
    the course's."""
    intake_ids: dict[int, int] = {}
    for i in chart.intakes:
        assert i.id is not None
        intake_ids[i.id] = records.add_intake(conn, clinic_id, client_id, i, by=me)
    for d in chart.decisions:
        decided_by = me if d.decided_by is None else who(d.decided_by)  # the store needs who decided
        records.add_decision(
            conn, clinic_id, client_id, replace(d, intake_id=intake_ids[d.intake_id], decided_by=decided_by)
        )
    for m in chart.clearances:
        recorded_by = me if m.recorded_by is None else who(m.recorded_by)
        records.add_clearance(
            conn,
            clinic_id,
            client_id,
            replace(m, id=None, intake_id=intake_ids[m.intake_id], recorded_by=recorded_by),
        )
    return intake_ids


def checked(c: CourseOfCare) -> Chart:
    """The course's chart with every record validated and every reference inside the course checked;
    intakes come back with vocabulary words in their canonical form."""
    cat = catalogue()
    chart = c.chart
    staff = _unique("course.staff", (s.id for s in c.staff))
    intakes = tuple(i.validate(cat) for i in chart.intakes)
    intake_ids = _unique("course.intakes", (i.id for i in intakes))
    for k, d in enumerate(chart.decisions):
        _points(f"course.decisions[{k}].intake_id", d.intake_id, intake_ids, "intake")
        if d.decided_by is not None:
            _points(f"course.decisions[{k}].decided_by", d.decided_by, staff, "staff member")
    for k, m in enumerate(chart.clearances):
        _points(f"course.clearances[{k}].intake_id", m.intake_id, intake_ids, "intake")
        if m.recorded_by is not None:
            _points(f"course.clearances[{k}].recorded_by", m.recorded_by, staff, "staff member")
    for a in chart.assessments:
        a.validate(cat)
    plan_ids = _unique("course.plans", (p.id for p in chart.plans))
    for p in chart.plans:
        p.validate(cat)
    session_ids = _unique("course.sessions", (e.session.id for e in chart.sessions))
    if chart.sessions:
        chart.client.require_treatment_consent()
    for k, e in enumerate(chart.sessions):
        s = e.session.validate(cat)
        _points(f"course.sessions[{k}].practitioner_id", s.practitioner_id, staff, "staff member")
        if s.plan_id is not None:
            _points(f"course.sessions[{k}].plan_id", s.plan_id, plan_ids, "plan")
        if e.checkin is not None and e.checkin.session_id != s.id:
            raise RecordValidationError(
                f"course.sessions[{k}].checkin.session_id", "must be the id of the session it follows"
            )
    for o in chart.outcomes:
        o.measure.score  # noqa: B018 - scoring validates the items
    note_ids = _unique("course.notes", (n.id for n in chart.notes))
    signed = {n.id for n in chart.notes if n.signed}
    for k, n in enumerate(chart.notes):
        _points(f"course.notes[{k}].author_id", n.author_id, staff, "staff member")
        if n.signed_by is not None:
            _points(f"course.notes[{k}].signed_by", n.signed_by, staff, "staff member")
        if n.session_id is not None:
            _points(f"course.notes[{k}].session_id", n.session_id, session_ids, "session")
        if n.amends_id is not None:
            _points(f"course.notes[{k}].amends_id", n.amends_id, note_ids, "note")
            if n.amends_id not in signed:
                raise RecordValidationError(
                    f"course.notes[{k}].amends_id", "only a signed note is amended; this one is a draft"
                )
            if n.amends_id == n.id:
                raise RecordValidationError(f"course.notes[{k}].amends_id", "a note cannot amend itself")
    amendments_last(chart.notes)  # refuses a loop of amendments
    return replace(
        chart,
        intakes=intakes,
        sessions=tuple(SessionEntry(e.session, e.checkin) for e in chart.sessions),
    )


def amendments_last(notes: Iterable[Note]) -> list[Note]:
    """The notes in their order, except that an amendment never comes before the note it amends."""
    pending = list(notes)
    out: list[Note] = []
    done: set[int | None] = set()
    while pending:
        ready = [n for n in pending if n.amends_id is None or n.amends_id in done]
        if not ready:
            raise RecordValidationError("course.notes", "the amendments point at each other in a loop")
        first = ready[0]
        out.append(first)
        done.add(first.id)
        pending.remove(first)
    return out


def _unique(field: str, ids: Iterable[int | None]) -> set[int]:
    seen: set[int] = set()
    for k, i in enumerate(ids):
        if i is None:
            raise RecordValidationError(f"{field}[{k}].id", "every record of a course needs its source id")
        if i in seen:
            raise RecordValidationError(f"{field}[{k}].id", f"id {i} is used twice")
        seen.add(i)
    return seen


def _points(field: str, value: int, known: set[int], what: str) -> None:
    if value not in known:
        raise RecordValidationError(field, f"names {what} {value}, which is not part of the course")
