"""Online booking and the clinic's client-side settings, as pure domain (docs/client-side.md).

- The clinic decides whether clients book online (off by default) and how long a client link works when the staff
  member does not say (7 days by default).
- A new client gives their name, date of birth, e-mail and phone; a returning client proves their e-mail address
  by a six-digit code sent to it (15 minutes, five tries, three codes an hour per address).
- The booking's own link (``/book/manage/<token>``) cancels or reschedules it while the clinic's policy window is
  open; the token is signed like a client link (``<online booking id>.<nonce>.<signature>``) under a key of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError
from taut.clinic.people import email_address
from taut.clinic.portal import DEFAULT_DAYS, MAX_DAYS, BadLink

CODE_DIGITS = 6
CODE_MINUTES = 15
CODE_TRIES = 5
CODES_PER_HOUR = 3
# How far ahead the booking page offers times.
AHEAD_DAYS = 28
NAME_MAX = 100
_PHONE = re.compile(r"[0-9+()./ -]{5,40}")


@dataclass(frozen=True, kw_only=True)
class ClientSideSettings:
    """The owner's switches: online booking (off by default), the default life of a client link in days, and
    whether the 48-hour check-in and the reassessment questionnaires are sent by themselves (on by default)."""

    online_booking: bool = False
    link_days: int = DEFAULT_DAYS
    follow_up: bool = True

    def validate(self) -> ClientSideSettings:
        if not isinstance(self.online_booking, bool):
            raise RecordValidationError("settings.online_booking", "must be on or off")
        rules.whole_number("settings.link_days", self.link_days, 1, MAX_DAYS)
        if not isinstance(self.follow_up, bool):
            raise RecordValidationError("settings.follow_up", "must be on or off")
        return self


@dataclass(frozen=True, kw_only=True)
class NewClientDetails:
    """What a new client types on the booking page (length-capped; the e-mail and phone checked)."""

    given_name: str
    family_name: str
    date_of_birth: date
    email: str
    phone: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "given_name", rules.text("given_name", self.given_name, max_len=NAME_MAX).strip()
        )
        object.__setattr__(
            self, "family_name", rules.text("family_name", self.family_name, max_len=NAME_MAX).strip()
        )
        rules.a_date("date_of_birth", self.date_of_birth)
        if self.date_of_birth.year < 1900:
            raise RecordValidationError("date_of_birth", "must be in 1900 or later")
        object.__setattr__(self, "email", email_address("email", self.email))
        phone = rules.text("phone", self.phone, max_len=40).strip()
        if not _PHONE.fullmatch(phone):
            raise RecordValidationError("phone", "may hold only digits, spaces and + ( ) . / -")
        object.__setattr__(self, "phone", phone)


def born_before(details: NewClientDetails, today: date) -> None:
    if details.date_of_birth >= today:
        raise RecordValidationError("date_of_birth", "must be before today")


# --- one-time codes ---------------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def code_hash(key: bytes, clinic_id: int, email: str, code: str) -> str:
    """The stored form of a code: keyed, so a copy of the database cannot be tried offline."""
    msg = f"booking-code:{clinic_id}:{email.strip().lower()}:{code.strip()}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def code_expiry(created_at: datetime) -> datetime:
    return created_at + timedelta(minutes=CODE_MINUTES)


def clean_code(value: object) -> str:
    s = rules.text("code", value, max_len=20).strip().replace(" ", "")
    if not (s.isdigit() and len(s) == CODE_DIGITS):
        raise RecordValidationError("code", f"is the {CODE_DIGITS}-digit code from the e-mail we sent you")
    return s


# --- the booking's own link -------------------------------------------------------------------------------------


def manage_key(secret: str) -> bytes:
    """The key of booking links, derived from the server's secret (neither the session key nor the links' key)."""
    return hashlib.sha256(b"taut-booking-links:" + secret.encode()).digest()


def _signature(key: bytes, booking_id: int, nonce: str) -> str:
    return hmac.new(key, f"booking:{booking_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def make_token(key: bytes, booking_id: int, nonce: str) -> str:
    return f"{booking_id}.{nonce}.{_signature(key, booking_id, nonce)}"


def read_token(key: bytes, token: str) -> tuple[int, str]:
    """The online booking id and nonce of a token of ``make_token``; BadLink("invalid") otherwise."""
    parts = token.split(".") if isinstance(token, str) and len(token) <= 200 else []
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 18:
        raise BadLink("invalid")
    booking_id, nonce, sig = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(_signature(key, booking_id, nonce), sig):
        raise BadLink("invalid")
    return booking_id, nonce


def check_changeable(now: datetime, starts_at: datetime, window_hours: int, phone: str | None) -> None:
    """A client may cancel or move their booking only until ``window_hours`` before it starts."""
    if starts_at <= now:
        raise RecordValidationError("appointment", "this appointment has already begun or is over")
    if starts_at - now < timedelta(hours=window_hours):
        call = f"please call the clinic ({phone})" if phone else "please call the clinic"
        raise RecordValidationError(
            "appointment",
            f"it is less than {window_hours} hours before the appointment, so it can no longer be changed "
            f"online: {call}",
        )
