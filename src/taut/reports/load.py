"""Reading what a report needs, through the services (role check, clinic check, audit: see
``taut.services.documents``).

    load_handout(db, user, session_id) -> HandoutContent
    load_progress(db, user, client_id, *, today=None) -> ProgressContent

A front desk gets ``AccessDenied``; another clinic's session or client gets ``NotFound``, exactly like a missing
one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from taut.clinic.people import User
from taut.reports.content import HandoutContent, ProgressContent, handout_content, progress_content
from taut.services import documents
from taut.store.engine import Database


def load_handout(db: Database, user: User, session_id: int) -> HandoutContent:
    """The aftercare sheet of a session (its chart is read and audited)."""
    src = documents.handout_source(db, user, session_id)
    return handout_content(src.chart, session_id, clinic=src.clinic, staff=src.staff)


def load_progress(db: Database, user: User, client_id: int, *, today: date | None = None) -> ProgressContent:
    """The progress report on a client, written by ``user`` on ``today`` (default: today, UTC)."""
    src = documents.progress_source(db, user, client_id)
    return progress_content(
        src.chart,
        clinic=src.clinic,
        author=user.name,
        staff=src.staff,
        written_on=today or datetime.now(UTC).date(),
    )
