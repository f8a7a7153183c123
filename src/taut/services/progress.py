"""A client's progress, read: the chart (clinical roles only, audited by ``charts.load_chart``) made into the
series of ``taut.clinic.progress``."""

from __future__ import annotations

from taut.clinic.people import User
from taut.clinic.progress import Progress, progress_of
from taut.services import charts
from taut.store.engine import Database


def load_progress(db: Database, user: User, client_id: int) -> Progress:
    """The progress of a client of the user's clinic."""
    return progress_of(charts.load_chart(db, user, client_id))
