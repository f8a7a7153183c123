"""The tenant, its users and their roles, and the clients they care for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError


class Role(StrEnum):
    OWNER = "owner"  # manages users; also does clinical work
    THERAPIST = "therapist"  # all clinical work
    FRONT_DESK = "front_desk"  # clients and contact details, never clinical records


class Permission(StrEnum):
    READ_CLIENTS = "read_clients"
    EDIT_CLIENTS = "edit_clients"
    READ_CLINICAL = "read_clinical"
    WRITE_CLINICAL = "write_clinical"
    MANAGE_USERS = "manage_users"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.THERAPIST: frozenset(
        {
            Permission.READ_CLIENTS,
            Permission.EDIT_CLIENTS,
            Permission.READ_CLINICAL,
            Permission.WRITE_CLINICAL,
        }
    ),
    Role.FRONT_DESK: frozenset({Permission.READ_CLIENTS, Permission.EDIT_CLIENTS}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_address(field: str, value: object) -> str:
    s = rules.text(field, value, max_len=254).strip().lower()
    if not _EMAIL.match(s):
        raise RecordValidationError(field, f"must be an e-mail address like name@example.org, not {value!r}")
    return s


@dataclass(frozen=True, kw_only=True)
class Clinic:
    id: int | None = None
    name: str

    def __post_init__(self) -> None:
        rules.text("clinic.name", self.name, max_len=200)


@dataclass(frozen=True, kw_only=True)
class User:
    """A person who signs in. ``clinic_id`` is the tenant every access check compares against."""

    id: int | None = None
    clinic_id: int
    email: str
    name: str
    role: Role
    active: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", email_address("user.email", self.email))
        rules.text("user.name", self.name, max_len=200)
        rules.one_of("user.role", self.role, [r.value for r in Role])
        object.__setattr__(self, "role", Role(self.role))

    def can(self, permission: Permission) -> bool:
        return self.active and allows(self.role, permission)


SEXES = ("female", "male", "intersex", "unknown")


@dataclass(frozen=True, kw_only=True)
class Consent:
    """Consent to treatment and to the use of the client's data, each with the date it was given."""

    treatment_on: date | None = None
    data_use_on: date | None = None

    def __post_init__(self) -> None:
        for name in ("treatment_on", "data_use_on"):
            v = getattr(self, name)
            if v is not None:
                rules.a_date(f"consent.{name}", v)


@dataclass(frozen=True, kw_only=True)
class Client:
    id: int | None = None
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str = "unknown"
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    consent: Consent = Consent()
    version: int = 1
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        rules.text("client.given_name", self.given_name, max_len=100)
        rules.text("client.family_name", self.family_name, max_len=100)
        rules.a_date("client.date_of_birth", self.date_of_birth)
        if self.date_of_birth.year < 1900:
            raise RecordValidationError("client.date_of_birth", "must be in 1900 or later")
        rules.one_of("client.sex", self.sex, SEXES)
        if self.email is not None:
            object.__setattr__(self, "email", email_address("client.email", self.email))
        if self.phone is not None:
            phone = rules.text("client.phone", self.phone, max_len=40)
            if not re.fullmatch(r"[0-9+()./ -]{5,40}", phone):
                raise RecordValidationError("client.phone", "may hold only digits, spaces and + ( ) . / -")
        if self.address is not None:
            rules.text("client.address", self.address, max_len=500)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        b = self.date_of_birth
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def require_treatment_consent(self) -> None:
        if self.consent.treatment_on is None:
            raise RecordValidationError(
                "client.consent.treatment_on", "consent to treatment must be recorded before a session"
            )
