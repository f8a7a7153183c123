"""Signing in and staying signed in: passwords, sessions kept on the server, throttling, two-factor sign-in.

- **Sign-in** (``sign_in``): throttled per account and per client address in the database (so it holds across
  processes and machines), with exponential back-off; an unknown e-mail costs one argon2 verification like a
  known one; a user with two-factor sign-in gets ``SignIn.pending`` and must pass ``second_factor``.
- **Sessions** (``start_session``, ``session_user``, ``end_session``, ``end_other_sessions``): the cookie holds
  a random token, the table its SHA-256. A session ends on sign-out, deactivation, a password change, "sign out
  everywhere", after the clinic's idle time (15-120 minutes) or 12 hours after sign-in, whichever comes first.
- **Passwords** (``change_password``, ``reset_password``): at least 12 characters, not a common one
  (``clinic.passwords``); the owner's reset gives a one-time password that must be changed at next sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Connection

from taut.clinic.errors import (
    AuthenticationError,
    NotFound,
    RecordValidationError,
    TooManyAttempts,
)
from taut.clinic.passwords import check_password
from taut.clinic.people import Clinic, Permission, User
from taut.services import access
from taut.store import accounts, audit, people
from taut.store.engine import Database

ABSOLUTE_LIFETIME = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
ACCOUNT_FREE_FAILURES = 5  # per account, before the back-off starts
ADDRESS_FACTOR = 10  # an address (maybe a whole clinic behind one router) gets ten times as many
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
ACCOUNT_MEMORY = timedelta(hours=24)  # an account's failures are forgotten a day after the last one
ADDRESS_MEMORY = timedelta(minutes=15)  # an address's, 15 minutes after its last one
RECOVERY_CODES = 10


def now() -> datetime:
    return datetime.now(UTC)


def password_hasher():  # type: ignore[no-untyped-def]
    """argon2id with argon2-cffi's defaults: RFC 9106's second recommended setting (t=3, 64 MiB, p=4)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


_hasher = cache(password_hasher)  # one per process


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_urlsafe(16)))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A password to pass on once (changed at first sign-in): four groups of five letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Throttling ----------------------------------------------------------------------------------------------


def throttle_keys(email: str, address: str) -> tuple[str, str]:
    return (f"email:{email.strip().lower()[:254]}", f"addr:{address[:64]}")


def _limit(key: str, free: int) -> int:
    return free * ADDRESS_FACTOR if key.startswith("addr:") else free


def _memory(key: str) -> timedelta:
    return ADDRESS_MEMORY if key.startswith("addr:") else ACCOUNT_MEMORY


def _retry_after(conn: Connection, keys: tuple[str, ...], at: datetime) -> int:
    waits = [
        (f.locked_until - at).total_seconds()
        for f in accounts.failures(conn, keys)
        if f.locked_until is not None and f.locked_until > at
    ]
    return int(max(waits)) + 1 if waits else 0


def _count_failure(conn: Connection, keys: tuple[str, ...], at: datetime, free: int) -> None:
    accounts.lock_keys(conn, keys)
    known = {f.key: f for f in accounts.failures(conn, keys)}
    for key in keys:
        f = known.get(key)
        count = 1 if f is None or at - f.last_failure_at > _memory(key) else f.failures + 1
        over = count - _limit(key, free)
        locked = None
        if over >= 0:
            locked = at + min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(over, 20)))
        accounts.save_failure(conn, accounts.Failures(key, count, at, locked))


# Client links refused from one address (the client's pages): counted in the database like sign-ins, so every
# app server sees the same count.
LINK_FREE = 20


def _link_key(address: str) -> tuple[str]:
    return (f"link:{address[:64]}",)


def link_wait(db: Database, address: str) -> int:
    """Seconds before this address may try another client link (0: now)."""
    with db.transaction() as conn:
        return _retry_after(conn, _link_key(address), now())


def link_refused(db: Database, address: str) -> None:
    """Count a refused client link from this address (exponential back-off past LINK_FREE)."""
    with db.transaction() as conn:
        _count_failure(conn, _link_key(address), now(), LINK_FREE)


# Signing in ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    user: User
    pending: bool  # True: the password was right; the second factor is still to come


def sign_in(
    db: Database, *, email: str, password: str, address: str, free_failures: int = ACCOUNT_FREE_FAILURES
) -> SignIn:
    """The user with this e-mail and password, if active. Wrong e-mail or password: AuthenticationError
    (never says which); too many failures for the account or the address: TooManyAttempts."""
    at = now()
    keys = throttle_keys(email, address)
    with db.transaction() as conn:
        wait = _retry_after(conn, keys, at)
    if wait:
        with db.transaction() as conn:
            audit.record(
                conn,
                clinic_id=None,
                user_id=None,
                action="login_throttled",
                entity="user",
                detail=f"{keys[0]} from {address}",
            )
        raise TooManyAttempts(wait)
    with db.transaction() as conn:
        candidates = people.users_by_email(conn, email) if "@" in email else []
    if not candidates:
        _verify(_dummy_hash(), password)  # as slow as a known address
    match = next((u for u, stored in candidates if _verify(stored, password)), None)
    with db.transaction() as conn:
        if match is None or not match.active:
            _count_failure(conn, keys, at, free_failures)
            for u, _ in candidates:
                why = " (deactivated)" if u is match else ""
                audit.record(
                    conn,
                    clinic_id=u.clinic_id,
                    user_id=u.id,
                    action="login_failed",
                    entity="user",
                    detail=f"from {address}{why}",
                )
            failed = True
        else:
            failed = False
            accounts.clear_failures(conn, keys[:1])
            assert match.id is not None
            stored = people.password_hash_of(conn, match.id)
            if _hasher().check_needs_rehash(stored):
                people.set_password_hash(conn, match.id, hash_password(password))
            if not match.totp_enabled:
                audit.record(
                    conn,
                    clinic_id=match.clinic_id,
                    user_id=match.id,
                    action="login",
                    entity="user",
                    detail=f"from {address}",
                )
    if match is not None and not match.active:  # the password was right: saying so reveals nothing new
        raise AuthenticationError("this account is deactivated: ask your clinic's owner")
    if failed or match is None:
        raise AuthenticationError("wrong e-mail or password")
    return SignIn(match, pending=match.totp_enabled)


def authenticate(db: Database, *, email: str, password: str, address: str = "cli") -> User:
    """Password only (the CLI and tests): the user, or AuthenticationError."""
    return sign_in(db, email=email, password=password, address=address).user


def second_factor(db: Database, user_id: int, code: str, *, address: str) -> User:
    """Finish a pending sign-in with a 6-digit code from the authenticator app or a recovery code."""
    import pyotp

    at = now()
    keys = (f"totp:{user_id}", f"addr:{address[:64]}")
    with db.transaction() as conn:
        wait = _retry_after(conn, keys, at)
    if wait:
        raise TooManyAttempts(wait)
    code = "".join(code.split()).lower()
    with db.transaction() as conn:
        user = people.user_by_id(conn, user_id)
        secret = people.totp_secret_of(conn, user_id) if user else None
        ok = False
        how = "code"
        if user is not None and user.active and secret:
            if code.isdigit() and len(code) == 6:
                ok = pyotp.TOTP(secret).verify(code, valid_window=1)
            else:
                for code_id, stored in accounts.unused_recovery_codes(conn, user_id):
                    if _verify(stored, code.replace("-", "")) and accounts.spend_recovery_code(
                        conn, code_id, at
                    ):
                        ok, how = True, "recovery code"
                        break
        if not ok or user is None:
            _count_failure(conn, keys, at, ACCOUNT_FREE_FAILURES)
            if user is not None:
                audit.record(
                    conn,
                    clinic_id=user.clinic_id,
                    user_id=user_id,
                    action="login_failed",
                    entity="user",
                    detail="second factor",
                )
        else:
            accounts.clear_failures(conn, keys[:1])
            audit.record(
                conn,
                clinic_id=user.clinic_id,
                user_id=user_id,
                action="login",
                entity="user",
                detail=f"from {address} with {how}",
            )
    if not ok or user is None:
        raise AuthenticationError("that code is not right (or was used already)")
    return user


# Sessions ------------------------------------------------------------------------------------------------


def start_session(db: Database, user: User, *, address: str, user_agent: str) -> str:
    """A new session for the signed-in user; the token to put in the cookie (never stored)."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    at = now()
    with db.transaction() as conn:
        accounts.add_session(
            conn,
            accounts.WebSession(
                id=token_id(token),
                clinic_id=user.clinic_id,
                user_id=user.id,
                created_at=at,
                last_seen_at=at,
                expires_at=at + ABSOLUTE_LIFETIME,
                ended_at=None,
                ended_why=None,
                address=address[:64],
                user_agent=user_agent[:200],
            ),
        )
        if secrets.randbelow(50) == 0:  # now and then, forget sessions that ended over a week ago
            accounts.forget_old_sessions(conn, at - timedelta(days=7))
    return token


@dataclass(frozen=True)
class Current:
    user: User
    clinic: Clinic
    session_id: str


def session_user(db: Database, token: str) -> Current | None:
    """The user and clinic of a live session, or None (ended, idle too long, too old, user deactivated).
    A live session's last use is recorded (at most once a minute).

    Every signed-in request runs this first, so it is one statement in a read-only unit of work (on SQLite it
    takes no write lock); only the once-a-minute touch, or ending a session found idle, expired or of a
    deactivated user, writes, in a unit of work of its own."""
    if not token or len(token) > 100:
        return None
    sid = token_id(token)
    at = now()
    with db.read() as conn:
        found = people.session_user(conn, sid)
    if found is None:
        return None
    row, user, clinic = found
    s = accounts.WebSession(**row)
    if s.ended_at is not None:
        return None
    why = None
    if at >= s.expires_at:
        why = "expired"
    elif at - s.last_seen_at > timedelta(minutes=clinic.idle_minutes):
        why = "idle"
    elif user is None or not user.active:
        why = "deactivated"
    if why is not None:
        with db.transaction() as conn:
            accounts.end_session(conn, sid, at, why)
        return None
    if at - s.last_seen_at > TOUCH_EVERY:
        with db.transaction() as conn:
            accounts.touch_session(conn, sid, at)
    assert user is not None
    return Current(user, clinic, sid)


def end_session(db: Database, token: str, why: str = "signed out") -> None:
    at = now()
    with db.transaction() as conn:
        s = accounts.get_session(conn, token_id(token))
        if s is not None and accounts.end_session(conn, s.id, at, why):
            audit.record(conn, clinic_id=s.clinic_id, user_id=s.user_id, action="logout", entity="user")


def end_other_sessions(db: Database, user: User, *, keep: str | None) -> int:
    """Sign the user out everywhere (but the session ``keep``, by its id); how many sessions ended."""
    assert user.id is not None
    with db.transaction() as conn:
        n = accounts.end_sessions_of(conn, user.id, now(), "signed out everywhere", keep=keep)
        access.log(conn, user, "logout", "user", user.id, detail=f"ended {n} other session(s)")
    return n


def end_own_session(db: Database, user: User, session_id: str) -> None:
    """End one of the user's own sessions (from the list); another user's session is NotFound."""
    assert user.id is not None
    with db.transaction() as conn:
        if not accounts.end_session(conn, session_id, now(), "ended from the list", user_id=user.id):
            raise NotFound("session", session_id[:8])
        access.log(conn, user, "logout", "user", user.id, detail=f"ended session {session_id[:8]}")


def sessions_of(db: Database, user: User) -> list[accounts.WebSession]:
    assert user.id is not None
    with db.transaction() as conn:
        return accounts.open_sessions_of(conn, user.id, now())


# Passwords -----------------------------------------------------------------------------------------------


def change_password(db: Database, user: User, *, current: str, new: str, keep: str | None) -> None:
    """Change one's own password (the current one required); every other session of the user ends."""
    assert user.id is not None
    check_password(new, field="new_password", personal=(user.name, user.email))
    with db.transaction() as conn:
        stored = people.password_hash_of(conn, user.id)
    if not _verify(stored, current):
        with db.transaction() as conn:
            access.log(
                conn, user, "denied", "user", user.id, detail="password change: wrong current password"
            )
        raise RecordValidationError("current_password", "is not your current password")
    if _verify(stored, new):
        raise RecordValidationError("new_password", "must differ from the current password")
    with db.transaction() as conn:
        people.set_password_hash(conn, user.id, hash_password(new), must_change=False)
        accounts.end_sessions_of(conn, user.id, now(), "password changed", keep=keep)
        access.log(conn, user, "password", "user", user.id, detail="changed own password")


def reset_password(db: Database, owner: User, user_id: int) -> str:
    """The owner gives a colleague a one-time password (changed at their next sign-in); their sessions end."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="user", record_id=user_id)
    password = one_time_password()
    with db.transaction() as conn:
        target = _colleague(conn, owner, user_id)
        assert target.id is not None
        people.set_password_hash(conn, target.id, hash_password(password), must_change=True)
        accounts.end_sessions_of(conn, target.id, now(), "password reset")
        accounts.clear_failures(conn, (f"email:{target.email}",))
        access.log(conn, owner, "password", "user", target.id, detail="one-time password set by the owner")
    return password


def set_password(db: Database, owner: User, user_id: int, password: str) -> None:
    """The command line's ``users set-password --password-stdin``: a password chosen by the machine's
    administrator (checked like any other); the account's sessions end."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="user", record_id=user_id)
    with db.transaction() as conn:
        target = _colleague(conn, owner, user_id)
    check_password(password, field="password", personal=(target.name, target.email))
    with db.transaction() as conn:
        assert target.id is not None
        people.set_password_hash(conn, target.id, hash_password(password), must_change=False)
        accounts.end_sessions_of(conn, target.id, now(), "password set")
        access.log(conn, owner, "password", "user", target.id, detail="set from the command line")


def _colleague(conn: Connection, owner: User, user_id: int) -> User:
    target = people.user_by_id(conn, user_id)
    if target is None or target.clinic_id != owner.clinic_id:
        access.log(conn, owner, "denied", "user", user_id, detail="no such user in this clinic")
        raise NotFound("user", user_id)
    return target


# Two-factor sign-in --------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    import pyotp

    return str(pyotp.random_base32())


def totp_uri(user: User, clinic_name: str, secret: str) -> str:
    import pyotp

    return str(pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=f"Taut ({clinic_name})"))


def enable_totp(db: Database, user: User, *, secret: str, code: str) -> list[str]:
    """Turn on two-factor sign-in once a code from the app proves it is set up; the recovery codes (shown once)."""
    import pyotp

    assert user.id is not None
    if not (isinstance(secret, str) and 16 <= len(secret) <= 64 and secret.isalnum()):
        raise RecordValidationError("secret", "the set-up key is damaged: reload the page and start again")
    if not pyotp.TOTP(secret).verify("".join(code.split()), valid_window=1):
        raise RecordValidationError("code", "that code is not right: type the 6 digits the app shows now")
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    with db.transaction() as conn:
        people.update_user(conn, user.clinic_id, user.id, totp_secret=secret)
        accounts.replace_recovery_codes(conn, user.clinic_id, user.id, [hash_password(c) for c in codes])
        access.log(conn, user, "2fa_on", "user", user.id)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def disable_totp(db: Database, user: User, *, password: str, clinic: Clinic) -> None:
    assert user.id is not None
    if clinic.require_totp:
        raise RecordValidationError("totp", "your clinic requires two-factor sign-in for everyone")
    with db.transaction() as conn:
        stored = people.password_hash_of(conn, user.id)
    if not _verify(stored, password):
        raise RecordValidationError("password", "is not your current password")
    with db.transaction() as conn:
        people.update_user(conn, user.clinic_id, user.id, totp_secret=None)
        accounts.replace_recovery_codes(conn, user.clinic_id, user.id, [])
        access.log(conn, user, "2fa_off", "user", user.id)


def record_probe(db: Database, user: User, refused: NotFound, where: str) -> None:
    """Audit a request for a record the user may not see (missing, or another clinic's: alike to them)."""
    record_id = refused.record_id if isinstance(refused.record_id, int) else None
    with db.transaction() as conn:
        access.log(conn, user, "not_found", str(refused.kind)[:30], record_id, detail=where)
