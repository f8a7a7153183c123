"""Reading what a report needs, through the services (role check, clinic check, audit).

    load_handout(db, user, session_id) -> HandoutContent
    load_progress(db, user, client_id, *, today=None) -> ProgressContent

A front desk gets ``AccessDenied``; another clinic's session or client gets ``NotFound``, exactly like a missing
one. The clinic's profile (letterhead, logo) and its staff names with credentials (not clinical data) are read
for the letterhead and signatures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from taut.clinic.dates import today as clinic_today
from taut.clinic.dates import zone as clinic_zone
from taut.clinic.people import User
from taut.reports.content import HandoutContent, ProgressContent, handout_content, progress_content
from taut.reports.letterhead import Letterhead, letterhead_of, signature_of
from taut.services import clinics, documents
from taut.store.engine import Database


def letterhead(db: Database, user: User) -> tuple[str, dict[int, str]]:
    """The user's clinic name (a demo says so) and every user id of that clinic with the name documents
    print (with credentials and registration number)."""
    clinic, staff = clinics.staff_of(db, user)
    return clinic.display_name, {u.id: u.signed_as for u in staff if u.id is not None}


def clinic_letterhead(db: Database, user: User) -> Letterhead:
    """The clinic's whole letterhead: profile and logo."""
    clinic, _ = clinics.staff_of(db, user)
    return letterhead_of(clinic, clinics.logo(db, user) if clinic.has_logo else None)


def load_handout(db: Database, user: User, session_id: int) -> HandoutContent:
    """The aftercare sheet of a session (its chart is read and audited)."""
    src = documents.handout_source(db, user, session_id)
    head = clinic_letterhead(db, user)
    zone = clinic_zone(head.timezone)
    content = handout_content(src.chart, session_id, clinic=src.clinic, staff=src.staff, tz=zone)
    return replace(content, letterhead=head)


def load_progress(db: Database, user: User, client_id: int, *, today: date | None = None) -> ProgressContent:
    """The progress report on a client, written by ``user`` on ``today`` (default: the clinic's today)."""
    src = documents.progress_source(db, user, client_id)
    head = clinic_letterhead(db, user)
    content = progress_content(
        src.chart,
        clinic=src.clinic,
        author=user.signed_as,
        staff=src.staff,
        written_on=today or clinic_today(head.timezone),
        tz=clinic_zone(head.timezone),
    )
    return replace(content, letterhead=head, signature=signature_of(user))
