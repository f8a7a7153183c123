"""The tenant, its users and their roles, and the clients they care for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import CLIENT_PEOPLE


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


DATE_FORMATS = {"dmy": "31/12/2025", "mdy": "12/31/2025", "ymd": "2025-12-31"}
LOCALES = ("en-GB", "en-US", "en-CA", "en-AU", "en-NZ", "en-IE", "de-DE", "fr-FR", "fr-CA", "es-ES", "nl-NL")
IDLE_MINUTES = (15, 120)  # the range a clinic may choose for the idle sign-out


def time_zone(field: str, value: object) -> str:
    """An IANA time zone name such as Europe/Berlin or America/Vancouver."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = rules.text(field, value, max_len=64).strip()
    try:
        if "/" not in name and name != "UTC":
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordValidationError(
            field, f"must be a time zone such as Europe/London or America/Vancouver, not {value!r}"
        ) from None
    return name


def _optional(field: str, value: str | None, max_len: int) -> str | None:
    if value is None:
        return None
    v = rules.text(field, value, required=False, max_len=max_len).strip()
    return v or None


@dataclass(frozen=True, kw_only=True)
class Clinic:
    """The tenant and its profile, shown on every document. ``demo`` marks the demo clinic (it says so)."""

    id: int | None = None
    name: str
    timezone: str = "UTC"
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    date_format: str = "ymd"  # ISO until the clinic chooses its own
    locale: str = "en-GB"
    currency: str = "EUR"
    tax_number: str | None = None
    has_logo: bool = False
    demo: bool = False
    idle_minutes: int = 30
    require_totp: bool = False
    supervisor_role: Role | None = None  # who may sign a colleague's note (recorded as a supervisor's)

    def __post_init__(self) -> None:
        rules.text("clinic.name", self.name, max_len=200)
        object.__setattr__(self, "timezone", time_zone("clinic.timezone", self.timezone))
        object.__setattr__(self, "address", _optional("clinic.address", self.address, 500))
        phone = _optional("clinic.phone", self.phone, 40)
        if phone is not None and not re.fullmatch(r"[0-9+()./ -]{5,40}", phone):
            raise RecordValidationError("clinic.phone", "may hold only digits, spaces and + ( ) . / -")
        object.__setattr__(self, "phone", phone)
        email = _optional("clinic.email", self.email, 254)
        object.__setattr__(self, "email", None if email is None else email_address("clinic.email", email))
        website = _optional("clinic.website", self.website, 200)
        if website is not None and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", website):
            raise RecordValidationError("clinic.website", "must be an address starting with https://")
        object.__setattr__(self, "website", website)
        rules.one_of("clinic.date_format", self.date_format, DATE_FORMATS)
        rules.one_of("clinic.locale", self.locale, LOCALES)
        if not (isinstance(self.currency, str) and re.fullmatch(r"[A-Z]{3}", self.currency)):
            raise RecordValidationError(
                "clinic.currency", f"must be a 3-letter code like EUR, not {self.currency!r}"
            )
        object.__setattr__(self, "tax_number", _optional("clinic.tax_number", self.tax_number, 60))
        rules.whole_number("clinic.idle_minutes", self.idle_minutes, *IDLE_MINUTES)
        if self.supervisor_role is not None:
            rules.one_of("clinic.supervisor_role", self.supervisor_role, [Role.OWNER, Role.THERAPIST])
            object.__setattr__(self, "supervisor_role", Role(self.supervisor_role))

    @property
    def display_name(self) -> str:
        """The name as every page and document shows it: a demo clinic says it is a demo."""
        return f"{self.name} (demo)" if self.demo and "demo" not in self.name.lower() else self.name


@dataclass(frozen=True, kw_only=True)
class User:
    """A person who signs in. ``clinic_id`` is the tenant every access check compares against."""

    id: int | None = None
    clinic_id: int
    email: str
    name: str
    role: Role
    active: bool = True
    # The practitioner profile, printed under the name on notes, letters and aftercare sheets.
    credentials: str | None = None  # e.g. "LMT, NMT"
    registration_number: str | None = None  # registration or licence number
    signature_line: str | None = None
    must_change_password: bool = False  # a one-time password was set by the owner or at set-up
    totp_enabled: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", email_address("user.email", self.email))
        rules.text("user.name", self.name, max_len=200)
        rules.one_of("user.role", self.role, [r.value for r in Role])
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "credentials", _optional("user.credentials", self.credentials, 100))
        object.__setattr__(
            self, "registration_number", _optional("user.registration_number", self.registration_number, 60)
        )
        object.__setattr__(self, "signature_line", _optional("user.signature_line", self.signature_line, 200))

    @property
    def signed_as(self) -> str:
        """ "Dana Demo, LMT (reg. 12345)": the name with credentials and number, as documents print it."""
        out = self.name + (f", {self.credentials}" if self.credentials else "")
        return out + (f" (reg. {self.registration_number})" if self.registration_number else "")

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
    # the record's people, declared in clinic/fields.py (CLIENT_PEOPLE): each an optional line of text
    occupation: str | None = None
    emergency_name: str | None = None
    emergency_relation: str | None = None
    emergency_phone: str | None = None
    referrer_name: str | None = None
    referrer_practice: str | None = None
    referrer_address: str | None = None
    referrer_phone: str | None = None
    referrer_email: str | None = None
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
        CLIENT_PEOPLE.clean(self)

    @property
    def needs_treatment_consent(self) -> bool:
        """No consent to treatment on record: the chart and the client list mark the client until there is."""
        return self.consent.treatment_on is None

    @property
    def people(self) -> dict[str, str | None]:
        """The record's people by declared field name (CLIENT_PEOPLE)."""
        return {f.name: getattr(self, f.name) for f in CLIENT_PEOPLE}

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        b = self.date_of_birth
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def require_treatment_consent(self) -> None:
        if self.needs_treatment_consent:
            raise RecordValidationError(
                "client.consent.treatment_on", "consent to treatment must be recorded before a session"
            )
