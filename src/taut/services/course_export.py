"""Reading a client's whole course of care for export: the chart, the clinic and the staff its records name,
in one snapshot, audited as an export."""

from __future__ import annotations

from taut.clinic.people import Permission, User
from taut.services import access
from taut.services.course_import import CourseOfCare, StaffMember
from taut.store import charts, intake_link, people
from taut.store.engine import Database


def export_client(db: Database, user: User, client_id: int) -> CourseOfCare:
    """The client's course of care (clinical roles only). One transaction reads the chart (the same queries as
    ``services.charts.load_chart``), the clinic and its users, so the three agree; one audit entry
    ``export chart``."""
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        chart = charts.load_chart(conn, user.clinic_id, client)
        clinic = people.get_clinic(conn, user.clinic_id)
        users = {u.id: u for u in people.users_of(conn, user.clinic_id)}
        signed = tuple(intake_link.signed_of_client(conn, user.clinic_id, client_id))
        access.log(conn, user, "export", "chart", client_id, client_id=client_id, detail="course of care")
    named: set[int] = {e.session.practitioner_id for e in chart.sessions}
    named |= {n.author_id for n in chart.notes}
    named |= {n.signed_by for n in chart.notes if n.signed_by is not None}
    named |= {d.decided_by for d in chart.decisions if d.decided_by is not None}
    named |= {m.recorded_by for m in chart.clearances if m.recorded_by is not None}
    staff = tuple(
        StaffMember(
            id=uid, name=users[uid].name, email=users[uid].email, identifier=user_identifier(user, uid)
        )
        if uid in users
        else StaffMember(id=uid, name=f"user {uid}")
        for uid in sorted(named)
    )
    return CourseOfCare(clinic=clinic, staff=staff, chart=chart, signed=signed)


def user_identifier(user: User, uid: int) -> str:
    """How this system identifies one of the clinic's users in an export ("system|value")."""
    return f"urn:taut:clinic:{user.clinic_id}:user|{uid}"
