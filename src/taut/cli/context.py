"""What record commands share: the database from the settings and the acting user (``--as EMAIL``). Errors
become one-line messages at the command line's one boundary (``taut.cli.errors.boundary``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taut.clinic.people import User
    from taut.store.engine import Database


def database() -> Database:
    """The records database of the settings (TAUT_DATABASE_URL, or the SQLite file TAUT_DATABASE_PATH)."""
    from taut.settings import Settings
    from taut.store.engine import Database

    return Database.from_url(Settings().url)


def acting_user(db: Database, email: str | None) -> User:
    """The user given by ``--as EMAIL``, or the only owner when the database holds one clinic."""
    from taut.clinic.errors import RecordValidationError
    from taut.store import people

    with db.transaction() as conn:
        if email:
            found = people.user_by_email(conn, email)
            if found is None:
                raise RecordValidationError("--as", f"no user {email}")
            return found[0]
        owners = people.owners(conn)
    if len(owners) == 1:
        return owners[0]
    if not owners:
        raise RecordValidationError(
            "--as", "the database has no users yet; run `taut demo` or create a clinic"
        )
    raise RecordValidationError(
        "--as", "the database holds several clinics: say which user acts with --as EMAIL"
    )
