"""What record commands share: the database from the settings, the acting user (``--as EMAIL``) and the
error kinds that become one-line messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from taut.cli.errors import fail

if TYPE_CHECKING:
    from taut.clinic.people import User
    from taut.store.engine import Database


def database() -> Database:
    """The records database of the settings (TAUT_DATABASE_URL, or the SQLite file TAUT_DATABASE_PATH)."""
    from taut.settings import Settings
    from taut.store.engine import Database

    return Database.from_url(Settings().url)


def record_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a record command turns into ``error: ...`` and exit code 2."""
    from sqlalchemy.exc import OperationalError

    from taut.clinic.errors import ClinicError
    from taut.store.backup import BackupError

    return (ClinicError, BackupError, OperationalError, ValueError)


def fail_on(e: BaseException) -> NoReturn:
    message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    fail(message)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a record error or a file error into ``error: ...`` (its first line) and exit status 2."""
    kinds: tuple[type[BaseException], ...] = (*record_errors(), OSError)
    try:
        yield
    except kinds as e:
        fail_on(e)


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
