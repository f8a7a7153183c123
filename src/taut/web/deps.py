"""Request dependencies: the database, the signed-in user, the CSRF check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from taut.clinic.people import User
from taut.services import access
from taut.store.engine import Database
from taut.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, csrf_ok


class NotSignedIn(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class CsrfFailed(Exception):
    """A state-changing request without the session's CSRF token."""


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.scope["session"]
    return session


def current_user(request: Request, db: Annotated[Database, Depends(get_db)]) -> User:
    """The signed-in, active user; NotSignedIn otherwise (also when the account was deactivated)."""
    session = session_of(request)
    uid = session.get("uid")
    if not isinstance(uid, int):
        raise NotSignedIn()
    cached = getattr(request.state, "user", None)
    if isinstance(cached, User):
        return cached
    user = access.signed_in_user(db, uid)
    if user is None:
        session.clear()
        raise NotSignedIn()
    request.state.user = user
    return user


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
