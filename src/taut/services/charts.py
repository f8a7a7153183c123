"""Reading a client's whole chart (clinical roles only), audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from taut.clinic.chart import Chart
from taut.clinic.people import Permission, User
from taut.clinic.portal import Submission
from taut.services import access
from taut.services.appointments import Booked
from taut.store import appointments as book_store
from taut.store import audit, charts, people
from taut.store import intake_link as link_store
from taut.store import portal as portal_store
from taut.store.engine import Database


def load_chart(db: Database, user: User, client_id: int) -> Chart:
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        chart = charts.load_chart(conn, user.clinic_id, client)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id)
    return chart


@dataclass(frozen=True)
class ChartRecords:
    """The records the chart page shows of a client (the web makes the page), read in one unit of work and
    audited as one read."""

    chart: Chart
    appointments: list[Booked]  # past and future, by start
    received: list[Submission]  # what the client sent by a link, waiting for review, newest first
    follow_up_off: bool  # the client opted out of the links sent by themselves
    consents: dict[int, int] = field(default_factory=dict)  # an intake submission's id -> its signed consent


def chart_records(db: Database, user: User, client_id: int) -> ChartRecords:
    """The chart page of a client (clinical roles only): the chart, the appointments, what the client sent.
    One read-only unit of work, a fixed number of statements whatever the size of the record, and one audit
    entry for the page view ("read chart", naming how many appointments and submissions it showed)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    clinic_id = user.clinic_id
    with access.audited_read(db, user, "read", "chart", client_id, client_id=client_id) as (conn, entry):
        client, follow_up_off = people.client_and_opt_out(conn, clinic_id, client_id)
        chart = charts.load_chart(conn, clinic_id, client)
        found = book_store.of_client(conn, clinic_id, client_id)
        kinds = {k.id: k for k in book_store.types(conn, clinic_id)} if found else {}
        received = portal_store.submissions_of(conn, clinic_id, client_id, status="received")
        consents: dict[int, int] = {}
        for s in received:  # an intake sent with its signed consent (rare: usually none waits for review)
            if s.id is not None and s.kind == "intake":
                c = link_store.consent_of_invitation(conn, clinic_id, s.invitation_id)
                if c is not None:
                    consents[s.id] = c.id
        entry.detail = f"{len(found)} appointment(s)" + (f", {len(received)} received" if received else "")
    booked = [Booked(a, client.full_name, kinds[a.type_id].name, kinds[a.type_id].colour) for a in found]
    return ChartRecords(chart, booked, received, follow_up_off, consents)


def audit_trail(
    db: Database, user: User, *, client_id: int | None = None, limit: int = 1000
) -> list[audit.AuditEntry]:
    """The clinic's audit entries, newest first (owners only)."""
    access.require(db, user, Permission.MANAGE_USERS, entity="audit")
    with db.transaction() as conn:
        return audit.entries(conn, user.clinic_id, client_id=client_id, limit=limit)
