"""A clinic of one's own from the command line, non-interactive for scripts and containers:

    taut init --clinic "NAME" --timezone Area/City --owner-email E --owner-name "N" [--password-stdin]
    taut users list [--json]
    taut users add --email E --name N --role owner|therapist|front_desk [--password-stdin]
    taut users set-password EMAIL [--password-stdin]
    taut users deactivate EMAIL | reactivate EMAIL
    taut audit [--client ID] [--user EMAIL] [--since DATE] [--until DATE] [--json]

Without ``--password-stdin`` a one-time password is printed, which must be changed at the first sign-in.
The commands act as the clinic's owner (the only one, or ``--as EMAIL`` when the database holds several
clinics); each change is in the audit trail under that owner.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary, emit_json

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from taut.clinic.people import User
    from taut.services.clinics import AuditRow
    from taut.store.engine import Database

users_app = typer.Typer(
    help="The accounts of a clinic: list, add, set a password, deactivate.", no_args_is_help=True
)
AS = Annotated[
    str | None,
    typer.Option("--as", help="Act as this owner (needed when the database holds several clinics)."),
]
STDIN = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]


def register(app: typer.Typer) -> None:
    app.command("init")(boundary(init))
    app.add_typer(users_app, name="users")
    app.command("audit")(boundary(audit))


def _stdin_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        from taut.clinic.errors import RecordValidationError

        raise RecordValidationError("--password-stdin", "no password on standard input")
    return password


def init(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's name, as documents show it.")],
    timezone: Annotated[str, typer.Option("--timezone", help="Area/City, e.g. Europe/London.")],
    owner_email: Annotated[str, typer.Option("--owner-email", help="The owner's e-mail (their sign-in).")],
    owner_name: Annotated[str, typer.Option("--owner-name", help="The owner's name.")],
    password_stdin: STDIN = False,
) -> None:
    """Create the clinic and its owner on a new database (migrating it first). Refused once a clinic exists."""
    from taut.clinic.people import Clinic
    from taut.services import clinics
    from taut.store import migrate

    draft = Clinic(name=clinic, timezone=timezone)  # bad input is refused before anything is touched
    password = _stdin_password() if password_stdin else None
    db = database()
    migrate.upgrade(db.engine)
    made, owner, one_time = clinics.initialize(
        db, clinic=draft, owner_email=owner_email, owner_name=owner_name, password=password
    )
    typer.echo(f'created clinic {made.id} "{made.name}" ({made.timezone}) with owner {owner.email}')
    if one_time:
        typer.echo(f"one-time password: {one_time}   (it must be changed at the first sign-in)")


def _owner(db: Database, as_email: str | None) -> User:
    from taut.clinic.errors import AccessDenied
    from taut.clinic.people import Permission

    owner = acting_user(db, as_email)
    if not owner.can(Permission.MANAGE_USERS):
        raise AccessDenied(f"{owner.email} is not an active owner of the clinic")
    return owner


def _colleague(db: Database, owner: User, email: str) -> User:
    from taut.clinic.errors import RecordValidationError
    from taut.clinic.people import email_address
    from taut.store import people

    with db.transaction() as conn:
        found = people.users_by_email(conn, email_address("EMAIL", email), clinic_id=owner.clinic_id)
    if not found:
        raise RecordValidationError("EMAIL", f"no user {email} in clinic {owner.clinic_id}")
    return found[0][0]


@users_app.command("list")
@boundary
def list_users(
    as_email: AS = None, json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False
) -> None:
    """The clinic's accounts: e-mail, name, role, active, two-factor."""
    from taut.services import clinics

    db = database()
    owner = _owner(db, as_email)
    users = clinics.list_users(db, owner)
    rows = [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "role": u.role.value,
            "active": u.active,
            "two_factor": u.totp_enabled,
            "must_change_password": u.must_change_password,
        }
        for u in users
    ]
    if json:
        emit_json(rows)
        return
    for r in rows:
        flags = ", ".join(f for f, on in (("inactive", not r["active"]), ("2FA", r["two_factor"])) if on)
        typer.echo(
            f"{r['id']:>4}  {r['email']:<32} {r['role']:<11} {r['name']}" + (f"  ({flags})" if flags else "")
        )


@users_app.command("add")
@boundary
def add(
    email: Annotated[str, typer.Option("--email", help="Their e-mail (their sign-in).")],
    name: Annotated[str, typer.Option("--name", help="Their name.")],
    role: Annotated[str, typer.Option("--role", help="owner, therapist or front_desk.")],
    password_stdin: STDIN = False,
    as_email: AS = None,
) -> None:
    """Add a colleague to the clinic."""
    from taut.clinic.errors import RecordValidationError
    from taut.clinic.people import Role
    from taut.services import clinics

    if role not in {r.value for r in Role}:
        raise RecordValidationError("--role", f"must be owner, therapist or front_desk, not {role!r}")
    password = _stdin_password() if password_stdin else None
    db = database()
    owner = _owner(db, as_email)
    if password is None:
        user, one_time = clinics.add_user_with_one_time_password(
            db, owner, email=email, name=name, role=Role(role)
        )
    else:
        user = clinics.add_user(db, owner, email=email, name=name, role=Role(role), password=password)
        one_time = None
    typer.echo(f"added {user.email} ({user.role.value}) to clinic {user.clinic_id}")
    if one_time:
        typer.echo(f"one-time password: {one_time}   (it must be changed at the first sign-in)")


@users_app.command("set-password")
@boundary
def set_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
    password_stdin: STDIN = False,
    as_email: AS = None,
) -> None:
    """Give an account a new password (from standard input) or a one-time password; its sessions end."""
    from taut.services import accounts

    password = _stdin_password() if password_stdin else None
    db = database()
    owner = _owner(db, as_email)
    user = _colleague(db, owner, email)
    assert user.id is not None
    if password is None:
        one_time = accounts.reset_password(db, owner, user.id)
    else:
        accounts.set_password(db, owner, user.id, password)
        one_time = None
    typer.echo(f"new password set for {user.email}; their sessions have ended")
    if one_time:
        typer.echo(f"one-time password: {one_time}   (it must be changed at the first sign-in)")


def _set_active(email: str, as_email: str | None, active: bool) -> None:
    from taut.services import clinics

    db = database()
    owner = _owner(db, as_email)
    user = _colleague(db, owner, email)
    assert user.id is not None
    clinics.set_active(db, owner, user.id, active)
    typer.echo(f"{user.email} is {'active again' if active else 'deactivated and signed out everywhere'}")


@users_app.command("deactivate")
@boundary
def deactivate(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")], as_email: AS = None
) -> None:
    """Deactivate an account: it cannot sign in, its sessions end; its records and signatures stay its own."""
    _set_active(email, as_email, False)


@users_app.command("reactivate")
@boundary
def reactivate(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")], as_email: AS = None
) -> None:
    """Let a deactivated account sign in again."""
    _set_active(email, as_email, True)


def audit(
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="Only entries about this client.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only entries by this user (e-mail).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this day (the clinic's day; ISO or its format).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="To this day, inclusive.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1_000_000, help="At most this many entries.")
    ] = 1000,
    json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    as_email: AS = None,
) -> None:
    """The clinic's audit trail, newest first, times in the clinic's time zone."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from taut.clinic.dates import parse_day
    from taut.services import clinics

    db = database()
    owner = _owner(db, as_email)
    clinic = clinics.get_clinic(db, owner)
    zone = ZoneInfo(clinic.timezone)
    first = parse_day(since or "", clinic.date_format, field="--since")
    last = parse_day(until or "", clinic.date_format, field="--until")
    rows = clinics.read_audit(
        db,
        owner,
        clinics.AuditFilter(
            user_email=user,
            client_id=client,
            since=datetime.combine(first, time(), zone) if first else None,
            until=datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
            limit=limit,
        ),
    )
    out = [_audit_json(r, zone) for r in rows]
    if json:
        emit_json(out)
        return
    for e in out:
        what = f"{e['entity']} {e['record_id'] or ''}".strip()
        client_part = f" client {e['client_id']}" if e["client_id"] else ""
        detail = f"  {e['detail']}" if e["detail"] else ""
        typer.echo(f"{e['local']}  {e['user'] or '-':<28} {e['action']:<12} {what}{client_part}{detail}")


def _audit_json(r: AuditRow, zone: ZoneInfo) -> dict[str, Any]:
    """One audit row as the command prints it (``local``: in the clinic's time zone)."""
    return {
        "id": r.entry.id,
        "at": r.entry.at.isoformat(),
        "local": r.entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        "user": r.user or None,
        "action": r.entry.action,
        "entity": r.entry.entity,
        "record_id": r.entry.record_id,
        "client_id": r.entry.client_id,
        "detail": r.entry.detail,
    }
