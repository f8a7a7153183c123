"""``/account``: one's own profile (name, credentials, registration number, signature line), password,
active sessions with "end" buttons and "sign out everywhere", and two-factor sign-in (TOTP + recovery codes)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Clinic, User
from taut.services import accounts, clinics
from taut.web import forms
from taut.web.deps import DB, CurrentUser, check_csrf, session_of
from taut.web.forms import FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
PROFILE = ("name", "credentials", "registration_number", "signature_line")


def _clinic(request: Request, db: DB, user: User) -> Clinic:
    clinic = getattr(request.state, "clinic", None)
    return clinic if isinstance(clinic, Clinic) else clinics.get_clinic(db, user)


def _page(request: Request, db: DB, user: User, status_code: int = 200, **extra: object) -> Response:
    context = {
        "form": {k: getattr(user, k) or "" for k in PROFILE},
        "sessions": accounts.sessions_of(db, user),
        "this_session": getattr(request.state, "session_id", None),
        "clinic": _clinic(request, db, user),
        **extra,
    }
    return render(request, "account/account.html", context, status_code=status_code)


@router.get("/account", include_in_schema=False)
def account(request: Request, db: DB, user: CurrentUser) -> Response:
    return _page(request, db, user, saved=request.query_params.get("saved"))


@router.post("/account/profile", include_in_schema=False)
def profile(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    fields = {k: form.get(k, "").strip() or None for k in PROFILE}
    fields["name"] = fields["name"] or ""
    try:
        clinics.update_profile(db, user, **fields)
    except RecordValidationError as e:
        return _page(request, db, user, 422, error=e, form_override=form)
    return RedirectResponse("/account?saved=profile", status_code=303)


@router.get("/account/password", include_in_schema=False)
def password_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "account/password.html", {"form": {}})


@router.post("/account/password", include_in_schema=False)
def change_password(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        c = forms.Collect()  # every empty or mismatched field at once; the strength rules are the service's
        for name in ("current_password", "new_password"):
            c(forms.text, form, name, required=True)
        if form.get("new_password", "") != form.get("new_password_again", ""):
            c.add("new_password_again", "the two new passwords differ")
        c.check()
        accounts.change_password(
            db,
            user,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            keep=getattr(request.state, "session_id", None),
        )
    except RecordValidationError as e:
        return render(request, "account/password.html", {"form": {}, "error": e}, status_code=422)
    return RedirectResponse("/account?saved=password", status_code=303)


@router.post("/account/sessions/end", include_in_schema=False)
def end_session(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    sid = form.get("sid", "")
    if not (len(sid) == 64 and all(c in "0123456789abcdef" for c in sid)):
        raise RecordValidationError("sid", "choose a session from the list")
    accounts.end_own_session(db, user, sid)
    if sid == getattr(request.state, "session_id", None):
        session_of(request).clear()
        return RedirectResponse("/login?out=1", status_code=303)
    return RedirectResponse("/account?saved=session", status_code=303)


@router.post("/account/sessions/end-all", include_in_schema=False)
def end_everywhere(request: Request, db: DB, user: CurrentUser) -> Response:
    """Sign out everywhere, this browser included."""
    accounts.end_other_sessions(db, user, keep=None)
    session_of(request).clear()
    return RedirectResponse("/login?out=1", status_code=303)


def _totp_page(
    request: Request, db: DB, user: User, secret: str, status_code: int = 200, **extra: object
) -> Response:
    import segno

    clinic = _clinic(request, db, user)
    uri = accounts.totp_uri(user, clinic.name, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    groups = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    context = {"secret": secret, "groups": groups, "qr": qr, "required": clinic.require_totp, **extra}
    return render(request, "account/totp.html", context, status_code=status_code)


@router.get("/account/2fa", include_in_schema=False)
def totp_form(request: Request, db: DB, user: CurrentUser) -> Response:
    if user.totp_enabled:
        return render(
            request,
            "account/totp.html",
            {"enabled": True, "required": _clinic(request, db, user).require_totp},
        )
    return _totp_page(request, db, user, accounts.new_totp_secret())


@router.post("/account/2fa", include_in_schema=False)
def totp_enable(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    secret = form.get("secret", "")
    try:
        codes = accounts.enable_totp(db, user, secret=secret, code=form.get("code", ""))
    except RecordValidationError as e:
        if e.field == "secret":
            secret = accounts.new_totp_secret()
        return _totp_page(request, db, user, secret, 422, error=e)
    return render(request, "account/totp.html", {"enabled": True, "codes": codes})


@router.post("/account/2fa/off", include_in_schema=False)
def totp_disable(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        accounts.disable_totp(db, user, password=form.get("password", ""), clinic=_clinic(request, db, user))
    except RecordValidationError as e:
        context = {"enabled": True, "error": e, "required": _clinic(request, db, user).require_totp}
        return render(request, "account/totp.html", context, status_code=422)
    return RedirectResponse("/account?saved=2fa", status_code=303)
