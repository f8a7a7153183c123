"""Reading a client's whole chart (clinical roles only), audited."""

from __future__ import annotations

from taut.clinic.chart import Chart
from taut.clinic.people import Permission, User
from taut.services import access
from taut.store import audit, charts, people
from taut.store.engine import Database


def load_chart(db: Database, user: User, client_id: int) -> Chart:
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        chart = charts.load_chart(conn, user.clinic_id, client)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id)
    return chart


def audit_trail(
    db: Database, user: User, *, client_id: int | None = None, limit: int = 1000
) -> list[audit.AuditEntry]:
    """The clinic's audit entries, newest first (owners only)."""
    access.require(db, user, Permission.MANAGE_USERS, entity="audit")
    with db.transaction() as conn:
        return audit.entries(conn, user.clinic_id, client_id=client_id, limit=limit)
