"""Clinics and their users: the first run (a clinic and its owner), the clinic's profile and logo, the team
(add, deactivate, reactivate, change a role, unlock), the practitioner's own profile, the audit trail.

Everything here but ``initialize``/``create_clinic`` needs the owner's MANAGE_USERS permission (the profile
of one's own account excepted); a user id of another clinic is NotFound, like a missing one, and the probe is
audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.passwords import check_password
from taut.clinic.people import Clinic, Permission, Role, User
from taut.services import access, accounts
from taut.store import accounts as account_store
from taut.store import audit, people
from taut.store.audit import AuditEntry
from taut.store.engine import Database

MIN_PASSWORD = 12
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 512 * 1024


class AlreadyInitialized(RecordValidationError):
    def __init__(self) -> None:
        super().__init__("clinic", "this database already has a clinic; sign in, or use `taut users add`")


def _hash(password: str, personal: tuple[str, ...] = ()) -> str:
    check_password(password, field="user.password", personal=personal)
    return accounts.hash_password(password)


def setup_needed(db: Database) -> bool:
    """True while the database has no user at all (the set-up page exists only then)."""
    with db.transaction() as conn:
        return not people.has_users(conn)


def initialize(
    db: Database,
    *,
    clinic: Clinic,
    owner_email: str,
    owner_name: str,
    password: str | None,
) -> tuple[Clinic, User, str | None]:
    """The first clinic and its owner, on a database without one (else AlreadyInitialized, nothing changed).
    Without a password, a one-time password is made, returned, and must be changed at first sign-in."""
    with db.transaction() as conn:
        if people.clinic_count(conn):
            raise AlreadyInitialized()
    one_time = None if password is not None else accounts.one_time_password()
    try:
        made, owner = create_clinic(
            db,
            name=clinic.name,
            owner_email=owner_email,
            owner_name=owner_name,
            password=password if password is not None else str(one_time),
            profile=clinic,
            must_change=password is None,
            first=True,
        )
    except IntegrityError:  # another set-up won the race
        raise AlreadyInitialized() from None
    return made, owner, one_time


def create_clinic(
    db: Database,
    *,
    name: str,
    owner_email: str,
    owner_name: str,
    password: str,
    profile: Clinic | None = None,
    demo: bool = False,
    must_change: bool = False,
    first: bool = False,
) -> tuple[Clinic, User]:
    """A new clinic (tenant) with its first user, the owner. ``first``: refuse if any clinic exists (checked
    again inside the transaction)."""
    draft = replace(profile or Clinic(name=name), name=name, demo=demo)
    User(clinic_id=0, email=owner_email, name=owner_name, role=Role.OWNER)  # validate before hashing
    pw = accounts.hash_password(password) if must_change else _hash(password, (owner_name, owner_email))
    with db.transaction() as conn:
        if first and people.clinic_count(conn):
            raise AlreadyInitialized()
        made = people.add_clinic(conn, draft)
        assert made.id is not None
        owner = people.add_user(
            conn,
            User(
                clinic_id=made.id,
                email=owner_email,
                name=owner_name,
                role=Role.OWNER,
                must_change_password=must_change,
            ),
            pw,
        )
        audit.record(
            conn, clinic_id=made.id, user_id=owner.id, action="create", entity="clinic", record_id=made.id
        )
    return made, owner


def get_clinic(db: Database, user: User) -> Clinic:
    """The user's own clinic (its profile is not clinical data: every user reads it)."""
    with db.transaction() as conn:
        return people.get_clinic(conn, user.clinic_id)


def staff_of(db: Database, user: User) -> tuple[Clinic, list[User]]:
    """The user's clinic and its staff, for letterheads and signatures (names, not clinical data)."""
    with db.transaction() as conn:
        return people.get_clinic(conn, user.clinic_id), people.users_of(conn, user.clinic_id)


def owner_settings(db: Database, owner: User) -> Clinic:
    """The clinic's profile for its settings page (owners only)."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="clinic", record_id=owner.clinic_id)
    return get_clinic(db, owner)


def update_clinic(db: Database, owner: User, **fields: Any) -> Clinic:
    """Change the clinic's profile (the fields of ``Clinic``); validated before anything is written."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="clinic", record_id=owner.clinic_id)
    allowed = set(people.CLINIC_PROFILE) | {"supervisor_role"}
    unknown = set(fields) - allowed - {"demo"}
    if unknown or "demo" in fields:
        raise RecordValidationError(f"clinic.{sorted(unknown or {'demo'})[0]}", "cannot be changed here")
    with db.transaction() as conn:
        current = people.get_clinic(conn, owner.clinic_id)
        changed = replace(current, **fields)
        saved = people.update_clinic(conn, changed)
        diff = sorted(k for k in fields if getattr(current, k) != getattr(saved, k))
        access.log(conn, owner, "update", "clinic", owner.clinic_id, detail=", ".join(diff) or "no change")
    return saved


def set_logo(db: Database, owner: User, data: bytes | None) -> None:
    """Store the clinic's logo (PNG or JPEG, at most 512 KB), or remove it with None."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="clinic", record_id=owner.clinic_id)
    media_type = None
    if data is not None:
        if not data:
            raise RecordValidationError("logo", "choose a PNG or JPEG file")
        if len(data) > LOGO_MAX_BYTES:
            raise RecordValidationError("logo", f"must be at most 512 KB, not {len(data) // 1024} KB")
        media_type = next((t for magic, t in LOGO_TYPES.items() if data.startswith(magic)), None)
        if media_type is None:
            raise RecordValidationError("logo", "must be a PNG or JPEG picture")
    with db.transaction() as conn:
        people.set_logo(conn, owner.clinic_id, data, media_type)
        access.log(
            conn, owner, "update", "clinic", owner.clinic_id, detail="logo " + ("set" if data else "removed")
        )


def logo(db: Database, user: User) -> tuple[bytes, str] | None:
    with db.transaction() as conn:
        return people.logo_of(conn, user.clinic_id)


# The team ------------------------------------------------------------------------------------------------


def add_user(
    db: Database,
    owner: User,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
) -> User:
    """A colleague in the owner's clinic. Without ``password`` they get none that works until the owner
    resets it (see ``add_user_with_one_time_password``)."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="user")
    draft = User(
        clinic_id=owner.clinic_id, email=email, name=name, role=role, must_change_password=password is None
    )
    pw = (
        _hash(password, (name, email))
        if password is not None
        else accounts.hash_password(accounts.one_time_password() + accounts.one_time_password())
    )
    with db.transaction() as conn:
        # Unique within the clinic only: an address used in another clinic is neither refused nor revealed.
        if people.users_by_email(conn, draft.email, clinic_id=owner.clinic_id):
            raise RecordValidationError("user.email", f"{draft.email} is already used by a colleague")
        user = people.add_user(conn, draft, pw)
        access.log(conn, owner, "create", "user", user.id, detail=role.value)
    return user


def add_user_with_one_time_password(
    db: Database, owner: User, *, email: str, name: str, role: Role
) -> tuple[User, str]:
    """A colleague with a one-time password to pass on (they must change it at first sign-in)."""
    user = add_user(db, owner, email=email, name=name, role=role, password=None)
    assert user.id is not None
    return user, accounts.reset_password(db, owner, user.id)


def list_users(db: Database, owner: User) -> list[User]:
    access.require(db, owner, Permission.MANAGE_USERS, entity="user")
    with db.transaction() as conn:
        users = people.users_of(conn, owner.clinic_id)
        access.log(conn, owner, "list", "user", None, detail=f"{len(users)} users")
    return users


def _colleague(conn: Connection, owner: User, user_id: int) -> User:
    target = people.user_by_id(conn, user_id)
    if target is None or target.clinic_id != owner.clinic_id:
        access.log(conn, owner, "denied", "user", user_id, detail="no such user in this clinic")
        raise NotFound("user", user_id)
    return target


def _owners_left(conn: Connection, clinic_id: int, without: int) -> int:
    return sum(
        1 for u in people.users_of(conn, clinic_id) if u.role == Role.OWNER and u.active and u.id != without
    )


def set_active(db: Database, owner: User, user_id: int, active: bool) -> User:
    """Deactivate (signed out at once, cannot sign in; records and signatures stay theirs) or reactivate."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="user", record_id=user_id)
    with db.transaction() as conn:
        target = _colleague(conn, owner, user_id)
        if not active and target.role == Role.OWNER and not _owners_left(conn, owner.clinic_id, user_id):
            raise RecordValidationError("user.active", "the clinic's only active owner cannot be deactivated")
        saved = people.update_user(conn, owner.clinic_id, user_id, active=active)
        if not active:
            account_store.end_sessions_of(conn, user_id, datetime.now(UTC), "deactivated")
        access.log(conn, owner, "deactivate" if not active else "reactivate", "user", user_id)
    return saved


def set_role(db: Database, owner: User, user_id: int, role: object) -> User:
    access.require(db, owner, Permission.MANAGE_USERS, entity="user", record_id=user_id)
    if role not in {r.value for r in Role}:
        raise RecordValidationError("role", "choose owner, therapist or front desk")
    new = Role(str(role))
    with db.transaction() as conn:
        target = _colleague(conn, owner, user_id)
        if (
            target.role == Role.OWNER
            and new != Role.OWNER
            and not _owners_left(conn, owner.clinic_id, user_id)
        ):
            raise RecordValidationError("role", "the clinic's only active owner stays an owner")
        saved = people.update_user(conn, owner.clinic_id, user_id, role=new.value)
        access.log(conn, owner, "role", "user", user_id, detail=f"{target.role.value} -> {new.value}")
    return saved


def unlock(db: Database, owner: User, user_id: int) -> None:
    """Lift the sign-in back-off of a colleague's account."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="user", record_id=user_id)
    with db.transaction() as conn:
        target = _colleague(conn, owner, user_id)
        account_store.clear_failures(conn, (f"email:{target.email}", f"totp:{user_id}"))
        access.log(conn, owner, "unlock", "user", user_id)


def update_profile(db: Database, user: User, **fields: Any) -> User:
    """One's own name and practitioner profile (credentials, registration number, signature line)."""
    allowed = {"name", "credentials", "registration_number", "signature_line"}
    if set(fields) - allowed:
        raise RecordValidationError(f"user.{sorted(set(fields) - allowed)[0]}", "cannot be changed here")
    assert user.id is not None
    checked = replace(user, **fields)  # validates
    values = {k: getattr(checked, k) for k in fields}
    with db.transaction() as conn:
        saved = people.update_user(conn, user.clinic_id, user.id, **values)
        access.log(conn, user, "update", "user", user.id, detail="profile: " + ", ".join(sorted(fields)))
    return saved


# The audit trail -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    user_email: str | None = None
    client_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200
    offset: int = 0


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    user: str  # the e-mail of who did it, or "" (an unknown visitor)


def read_audit(db: Database, owner: User, f: AuditFilter) -> list[AuditRow]:
    """The clinic's audit trail for its owner (reading it is itself audited)."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="audit")
    with db.transaction() as conn:
        staff = {u.id: u.email for u in people.users_of(conn, owner.clinic_id)}
        user_id = None
        if f.user_email:
            user_id = next((i for i, e in staff.items() if e == f.user_email.strip().lower()), None)
            if user_id is None:
                raise RecordValidationError("user", f"no user {f.user_email} in this clinic")
        found = audit.entries(
            conn,
            owner.clinic_id,
            client_id=f.client_id,
            user_id=user_id,
            action=f.action or None,
            since=f.since,
            until=f.until,
            limit=min(max(f.limit, 1), 100_000),
            offset=max(f.offset, 0),
        )
        access.log(conn, owner, "read", "audit", None, client_id=f.client_id, detail=f"{len(found)} entries")
    return [AuditRow(e, staff.get(e.user_id, "") if e.user_id else "") for e in found]


def audit_actions(db: Database, owner: User) -> list[str]:
    access.require(db, owner, Permission.MANAGE_USERS, entity="audit")
    with db.transaction() as conn:
        return audit.actions(conn, owner.clinic_id)


def authenticate(db: Database, *, email: str, password: str) -> User:
    """Kept for callers of the password-only check (CLI, tests): see ``accounts.sign_in``."""
    return accounts.authenticate(db, email=email, password=password)
