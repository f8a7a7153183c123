"""Clinics and their users: creating a clinic with its owner, adding users, signing in."""

from __future__ import annotations

from sqlalchemy import Connection

from taut.clinic.errors import AuthenticationError, RecordValidationError
from taut.clinic.people import Clinic, Permission, Role, User
from taut.services import access
from taut.store import audit, people
from taut.store.engine import Database

MIN_PASSWORD = 10


def _hash(password: str) -> str:
    from argon2 import PasswordHasher

    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise RecordValidationError("user.password", f"must be at least {MIN_PASSWORD} characters")
    return PasswordHasher().hash(password)


def create_clinic(
    db: Database, *, name: str, owner_email: str, owner_name: str, password: str
) -> tuple[Clinic, User]:
    """A new clinic (tenant) with its first user, the owner."""
    draft = Clinic(name=name)
    pw = _hash(password)
    with db.transaction() as conn:
        _email_free(conn, owner_email)
        clinic = people.add_clinic(conn, draft.name)
        assert clinic.id is not None
        owner = people.add_user(
            conn, User(clinic_id=clinic.id, email=owner_email, name=owner_name, role=Role.OWNER), pw
        )
        audit.record(
            conn, clinic_id=clinic.id, user_id=owner.id, action="create", entity="clinic", record_id=clinic.id
        )
    return clinic, owner


def add_user(db: Database, owner: User, *, email: str, name: str, role: Role, password: str) -> User:
    access.require(db, owner, Permission.MANAGE_USERS, entity="user")
    draft = User(clinic_id=owner.clinic_id, email=email, name=name, role=role)
    pw = _hash(password)
    with db.transaction() as conn:
        _email_free(conn, draft.email)
        user = people.add_user(conn, draft, pw)
        access.log(conn, owner, "create", "user", user.id, detail=role.value)
    return user


def list_users(db: Database, owner: User) -> list[User]:
    access.require(db, owner, Permission.MANAGE_USERS, entity="user")
    with db.transaction() as conn:
        users = people.users_of(conn, owner.clinic_id)
        access.log(conn, owner, "list", "user", None, detail=f"{len(users)} users")
    return users


def authenticate(db: Database, *, email: str, password: str) -> User:
    """The active user with this e-mail and password; otherwise AuthenticationError (never says which part)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()
    with db.transaction() as conn:
        found = people.user_by_email(conn, email)
        if found is None:
            raise AuthenticationError("wrong e-mail or password")
        user, stored = found
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            audit.record(
                conn, clinic_id=user.clinic_id, user_id=user.id, action="login_failed", entity="user"
            )
            ok = False
        else:
            ok = user.active
            if ok and hasher.check_needs_rehash(stored):
                assert user.id is not None
                people.set_password_hash(conn, user.id, hasher.hash(password))
            if ok:
                audit.record(conn, clinic_id=user.clinic_id, user_id=user.id, action="login", entity="user")
    if not ok:
        raise AuthenticationError("wrong e-mail or password")
    return user


def _email_free(conn: Connection, email: str) -> None:
    if people.user_by_email(conn, email) is not None:
        raise RecordValidationError("user.email", f"{email} is already used by another account")
