"""Reading what a report needs, through the services (role check, clinic check, audit).

    load_handout(db, user, session_id) -> HandoutContent
    load_progress(db, user, client_id, *, today=None) -> ProgressContent

A front desk gets ``AccessDenied``; another clinic's session or client gets ``NotFound``, exactly like a missing
one. The clinic's name and its staff names (not clinical data) are read for the letterhead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from taut.clinic.people import User
from taut.reports.content import HandoutContent, ProgressContent, handout_content, progress_content
from taut.services import charts, sessions
from taut.store import people
from taut.store.engine import Database


def letterhead(db: Database, user: User) -> tuple[str, dict[int, str]]:
    """The user's clinic name and every user id of that clinic with the user's name."""
    with db.transaction() as conn:
        clinic = people.get_clinic(conn, user.clinic_id)
        staff = {u.id: u.name for u in people.users_of(conn, user.clinic_id) if u.id is not None}
    return clinic.name, staff


def load_handout(db: Database, user: User, session_id: int) -> HandoutContent:
    """The aftercare sheet of a session (its chart is read and audited)."""
    client_id, _ = sessions.get_session(db, user, session_id)
    chart = charts.load_chart(db, user, client_id)
    clinic, staff = letterhead(db, user)
    return handout_content(chart, session_id, clinic=clinic, staff=staff)


def load_progress(db: Database, user: User, client_id: int, *, today: date | None = None) -> ProgressContent:
    """The progress report on a client, written by ``user`` on ``today`` (default: today, UTC)."""
    chart = charts.load_chart(db, user, client_id)
    clinic, staff = letterhead(db, user)
    return progress_content(
        chart,
        clinic=clinic,
        author=user.name,
        staff=staff,
        written_on=today or datetime.now(UTC).date(),
    )
