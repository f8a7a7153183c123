"""Log in (throttled, audited by the service) and log out. The session is renewed at login: a new CSRF
token, so a token seen before login is worthless after it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import AuthenticationError
from taut.services import clinics
from taut.web.deps import DB, check_csrf, session_of
from taut.web.security import LoginThrottle
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/clients"
    return target


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    return RedirectResponse("/clients" if session_of(request).get("uid") else "/login", status_code=303)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    db: DB,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/clients",
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    keys = (f"email:{email.strip().lower()}", f"addr:{request.client.host if request.client else '?'}")
    wait = throttle.retry_after(*keys)
    if wait:
        minutes = max(1, round(wait / 60))
        return render(
            request,
            "auth/login.html",
            {
                "error": f"Too many failed attempts. Try again in {minutes} minute(s).",
                "email": email,
                "next": next,
            },
            status_code=429,
        )
    try:
        user = clinics.authenticate(db, email=email, password=password)
    except AuthenticationError:
        throttle.failed(*keys)
        return render(
            request,
            "auth/login.html",
            {"error": "Wrong e-mail or password.", "email": email, "next": _safe_next(next)},
            status_code=401,
        )
    throttle.succeeded(*keys)
    session = session_of(request)
    session.clear()
    session["uid"] = user.id
    request.state.user = user
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    session_of(request).clear()
    return RedirectResponse("/login?out=1", status_code=303)
