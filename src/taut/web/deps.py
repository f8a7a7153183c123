"""Request dependencies: the database, the signed-in user (a live session in the database), the CSRF check,
the client's address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from taut.clinic.people import User
from taut.services import accounts
from taut.store.engine import Database
from taut.web import clock
from taut.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, client_address, csrf_ok


class NotSignedIn(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class CsrfFailed(Exception):
    """A state-changing request without the session's CSRF token."""


async def get_db(request: Request) -> Database:  # async: no trip through the thread pool
    db: Database = request.app.state.db
    return db


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.scope["session"]
    return session


class MustAct(Exception):
    """The user must do something before anything else: change a one-time password, or set up the
    two-factor sign-in the clinic requires. Pages redirect there; the API answers 403."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(message)


# What a user who must act may still reach.
MAY_ALWAYS = ("/account/password", "/account/2fa", "/logout", "/api/v1/session", "/clinic/logo")


def signed_in_user(request: Request, db: Database) -> User | None:
    """The user of the request's live session (checked in the database once per request), or None."""
    cached = getattr(request.state, "user", None)
    if isinstance(cached, User):
        return cached
    session = session_of(request)
    token = session.get("token")
    if not isinstance(token, str):
        return None
    current = accounts.session_user(db, token)
    if current is None:
        session.clear()
        return None
    request.state.user = current.user
    request.state.clinic = current.clinic
    clock.set_zone(current.clinic.timezone, current.clinic.date_format)
    request.state.session_id = current.session_id
    return current.user


def current_user(request: Request, db: Annotated[Database, Depends(get_db)]) -> User:
    """The signed-in, active user of a live session; NotSignedIn otherwise (signed out, idle, expired,
    deactivated). A one-time password or a missing required second factor comes first (MustAct)."""
    user = signed_in_user(request, db)
    if user is None:
        raise NotSignedIn()
    path = request.url.path
    if not path.startswith(MAY_ALWAYS):
        if user.must_change_password:
            raise MustAct("/account/password", "choose your own password first")
        clinic = getattr(request.state, "clinic", None)
        if clinic is not None and clinic.require_totp and not user.totp_enabled:
            raise MustAct("/account/2fa", "your clinic requires two-factor sign-in: set it up first")
    return user


async def session_token(request: Request) -> str:
    """The request's sign-in token, not checked yet (``signed_in`` checks it); NotSignedIn when there is none,
    before any parameter is validated, as ``current_user`` would."""
    token = session_of(request).get("token")
    if not isinstance(token, str):
        raise NotSignedIn()
    return token


R = TypeVar("R")


async def signed_in(request: Request, db: Database, page: Callable[..., R], *args: Any) -> R:
    """``page(request, db, user, *args)`` for the signed-in user (``current_user``), the sign-in check and the
    page's work in one trip through the thread pool. A plain route with ``CurrentUser`` makes two (the
    dependency, then the route): on the busiest pages (the chart, the intake form, the examination) that is
    about 0.3-0.5 ms of CPU a request (docs/web.md)."""

    def work() -> R:
        return page(request, db, current_user(request, db), *args)

    return await run_in_threadpool(work)


def address_of(request: Request) -> str:
    """The client's address (X-Forwarded-For believed only from TAUT_TRUSTED_PROXIES)."""
    networks = getattr(request.app.state, "trusted_proxies", ())
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), networks)


async def check_csrf(request: Request) -> None:
    """Refuse a POST/PUT/PATCH/DELETE that does not carry the session's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_ok(session_of(request), sent):
        raise CsrfFailed()


DB = Annotated[Database, Depends(get_db)]
CurrentUser = Annotated[User, Depends(current_user)]
SignedIn = Annotated[
    str, Depends(session_token)
]  # with ``signed_in``: the route is async, its work in one trip
