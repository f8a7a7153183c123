"""What a document about a client is written from (the aftercare handout, the progress report), each in one
audited read (clinical roles only):

    handout_source(db, user, session_id) -> DocumentSource   the session's chart, the clinic and its staff names
    progress_source(db, user, client_id) -> DocumentSource   the client's chart, the clinic and its staff names

A front desk gets ``AccessDenied``; another clinic's session or client gets ``NotFound``, exactly like a missing
one. The clinic's name and its staff names (not clinical data) are read for the letterhead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from taut.clinic.chart import Chart
from taut.clinic.people import Permission, User
from taut.services import access
from taut.store import charts, people, records
from taut.store.engine import Database


@dataclass(frozen=True)
class DocumentSource:
    chart: Chart
    clinic: str  # the clinic's name, for the letterhead
    staff: dict[int, str] = field(default_factory=dict)  # user id -> name


def handout_source(db: Database, user: User, session_id: int) -> DocumentSource:
    """The chart of the session's client, with the letterhead; the session and the chart reads are audited."""
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    with db.transaction() as conn:
        client_id, _ = records.get_session(conn, user.clinic_id, session_id)
        source = _source(conn, user, client_id)
        access.log(conn, user, "read", "session", session_id, client_id=client_id, detail="handout")
        access.log(conn, user, "read", "chart", client_id, client_id=client_id, detail="handout")
    return source


def progress_source(db: Database, user: User, client_id: int) -> DocumentSource:
    """The client's chart with the letterhead; the chart read is audited."""
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        source = _source(conn, user, client_id)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id, detail="progress report")
    return source


def _source(conn: Connection, user: User, client_id: int) -> DocumentSource:
    chart = charts.load_chart(conn, user.clinic_id, people.get_client(conn, user.clinic_id, client_id))
    clinic = people.get_clinic(conn, user.clinic_id)
    # Names as documents print them: with credentials and registration number; a demo clinic says so.
    staff = {u.id: u.signed_as for u in people.users_of(conn, user.clinic_id) if u.id is not None}
    return DocumentSource(chart, clinic.display_name, staff)
