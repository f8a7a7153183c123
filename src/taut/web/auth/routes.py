"""The first-run set-up page, sign-in (throttled in the database, with an optional second factor) and
sign-out. A new session (a new random token and CSRF token) starts at every sign-in, so nothing seen before
it is worth anything after it; sign-out ends the session in the database, so a copied cookie dies with it."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import AuthenticationError, RecordValidationError, TooManyAttempts
from taut.clinic.people import Clinic, User
from taut.services import accounts, clinics
from taut.web import forms
from taut.web.deps import DB, address_of, check_csrf, session_of, signed_in_user
from taut.web.forms import FormFields
from taut.web.security import csrf_for
from taut.web.templating import render, time_zones

router = APIRouter(dependencies=[Depends(check_csrf)])
PENDING_SECONDS = 300  # the second factor must follow the password within five minutes


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/clients"
    return target


@router.get("/", include_in_schema=False)
def home(request: Request, db: DB) -> Response:
    if signed_in_user(request, db) is not None:
        return RedirectResponse("/clients", status_code=303)
    return RedirectResponse("/setup" if clinics.setup_needed(db) else "/login", status_code=303)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


def _begin(request: Request, db: DB, user: User, target: str) -> Response:
    """Start the user's session (a fresh token) and go on; a one-time password is changed first."""
    token = accounts.start_session(
        db, user, address=address_of(request), user_agent=request.headers.get("user-agent", "")
    )
    session = session_of(request)
    session.clear()
    session["token"] = token
    session["csrf"] = csrf_for(request.app.state.session_key, token)
    if user.must_change_password:
        target = "/account/password"
    return RedirectResponse(_safe_next(target), status_code=303)


@router.get("/login", include_in_schema=False)
def login_form(request: Request, db: DB, next: str | None = None) -> Response:
    if clinics.setup_needed(db):
        return RedirectResponse("/setup", status_code=303)
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    db: DB,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/clients",
) -> Response:
    context: dict[str, Any] = {"email": email, "next": _safe_next(next)}
    c = forms.Collect()  # both missing fields at once, each marked on its field
    if not email.strip():
        c.add("email", "is required")
    if not password:
        c.add("password", "is required")
    try:
        c.check()
    except forms.FormErrors as e:
        return render(request, "auth/login.html", {**context, "error": e}, status_code=422)
    try:
        result = accounts.sign_in(
            db,
            email=email,
            password=password,
            address=address_of(request),
            free_failures=request.app.state.settings.login_attempts,
        )
    except TooManyAttempts as e:
        context["error"] = (
            f"Too many failed attempts. Try again in {max(1, -(-e.retry_after // 60))} minute(s)."
        )
        response = render(request, "auth/login.html", context, status_code=429)
        response.headers["retry-after"] = str(e.retry_after)
        return response
    except AuthenticationError as e:
        message = "Wrong e-mail or password." if "wrong" in str(e) else str(e).capitalize() + "."
        return render(request, "auth/login.html", {**context, "error": message}, status_code=401)
    if result.pending:
        session = session_of(request)
        kept = session.get("csrf")  # the same visitor, not yet signed in: the form token stays
        session.clear()
        if kept:
            session["csrf"] = kept
        session["pending"] = {"uid": result.user.id, "at": int(time.time()), "next": _safe_next(next)}
        return RedirectResponse("/login/2fa", status_code=303)
    return _begin(request, db, result.user, next)


def _pending(request: Request) -> dict[str, object] | None:
    p = session_of(request).get("pending")
    if not isinstance(p, dict) or not isinstance(p.get("uid"), int):
        return None
    if time.time() - float(p.get("at", 0)) > PENDING_SECONDS:
        return None
    return p


@router.get("/login/2fa", include_in_schema=False)
def second_factor_form(request: Request) -> Response:
    if _pending(request) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/second_factor.html", {})


@router.post("/login/2fa", include_in_schema=False)
def second_factor(request: Request, db: DB, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    pending = _pending(request)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    uid = pending["uid"]
    assert isinstance(uid, int)
    try:
        user = accounts.second_factor(db, uid, code, address=address_of(request))
    except TooManyAttempts as e:
        return render(
            request, "auth/second_factor.html", {"error": str(e).capitalize() + "."}, status_code=429
        )
    except AuthenticationError as e:
        return render(
            request, "auth/second_factor.html", {"error": str(e).capitalize() + "."}, status_code=401
        )
    return _begin(request, db, user, str(pending.get("next") or "/clients"))


@router.post("/logout", include_in_schema=False)
def logout(request: Request, db: DB) -> Response:
    session = session_of(request)
    token = session.get("token")
    if isinstance(token, str):
        accounts.end_session(db, token)
    session.clear()
    return RedirectResponse("/login?out=1", status_code=303)


# First run -----------------------------------------------------------------------------------------------


def _setup_or_gone(db: DB) -> None:
    if not clinics.setup_needed(db):
        raise HTTPException(404, "Taut is set up already: sign in")


def _setup_problems(form: dict[str, str]) -> None:
    """Every empty or mismatched field of the set-up form at once (forms.FormErrors); the rest (a known time
    zone, a strong password, a valid e-mail) is the domain's."""
    c = forms.Collect()
    for name in ("clinic", "timezone", "name", "email", "password"):
        c(forms.text, form, name, required=True)
    if form.get("password", "") != form.get("password_again", ""):
        c.add("password_again", "the two passwords differ")
    c.check()


@router.get("/setup", include_in_schema=False)
def setup_form(request: Request, db: DB) -> Response:
    _setup_or_gone(db)
    return render(request, "auth/setup.html", {"form": {"timezone": ""}, "zones": time_zones()})


@router.post("/setup", include_in_schema=False)
def setup(request: Request, db: DB, form: FormFields) -> Response:
    _setup_or_gone(db)
    try:
        _setup_problems(form)
        clinic = Clinic(name=form.get("clinic", "").strip(), timezone=form.get("timezone", "").strip())
        _, owner, _ = clinics.initialize(
            db,
            clinic=clinic,
            owner_email=form.get("email", "").strip(),
            owner_name=form.get("name", "").strip(),
            password=form.get("password", ""),
        )
    except RecordValidationError as e:
        if isinstance(e, clinics.AlreadyInitialized):
            raise HTTPException(404, "Taut is set up already: sign in") from None
        kept = {k: v for k, v in form.items() if "password" not in k}
        context = {"form": kept, "zones": time_zones(), "error": e}
        return render(request, "auth/setup.html", context, status_code=422)
    return _begin(request, db, owner, "/settings?welcome=1")
