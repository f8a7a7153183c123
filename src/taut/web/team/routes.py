"""``/team``: the owner's view of the clinic's users: add a colleague (with a one-time password they change at
first sign-in), reset a password, deactivate and reactivate, change a role, lift a sign-in lock."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Role, User
from taut.services import accounts, clinics
from taut.web import forms
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
ROLES = [(r.value, r.value.replace("_", " ")) for r in Role]


def _page(request: Request, db: DB, owner: User, status_code: int = 200, **extra: object) -> Response:
    context = {"users": clinics.list_users(db, owner), "roles": ROLES, "form": {}, **extra}
    return render(request, "team/team.html", context, status_code=status_code)


@router.get("/team", include_in_schema=False)
def team(request: Request, db: DB, user: CurrentUser) -> Response:
    return _page(request, db, user)


@router.post("/team", include_in_schema=False)
def add_member(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        c = forms.Collect()  # every empty field and the role at once
        c(forms.text, form, "name", required=True)
        c(forms.text, form, "email", required=True)
        role = form.get("role", "")
        if role not in {r.value for r in Role}:
            c.add("role", "choose owner, therapist or front desk")
        c.check()
        added, password = clinics.add_user_with_one_time_password(
            db, user, email=form.get("email", "").strip(), name=form.get("name", "").strip(), role=Role(role)
        )
    except RecordValidationError as e:
        return _page(request, db, user, 422, form=form, error=e)
    return _page(request, db, user, added=added, password=password)


def _done(request: Request, db: DB, owner: User, message: str) -> Response:
    return _page(request, db, owner, done=message)


@router.post("/team/{user_id}/reset", include_in_schema=False)
def reset(request: Request, db: DB, user: CurrentUser, user_id: int) -> Response:
    password = accounts.reset_password(db, user, user_id)
    target = next(u for u in clinics.list_users(db, user) if u.id == user_id)
    return _page(request, db, user, reset=target, password=password)


@router.post("/team/{user_id}/deactivate", include_in_schema=False)
def deactivate(request: Request, db: DB, user: CurrentUser, user_id: int) -> Response:
    try:
        target = clinics.set_active(db, user, user_id, False)
    except RecordValidationError as e:
        return _page(request, db, user, 422, error=e)
    return _done(request, db, user, f"{target.name} is deactivated and signed out everywhere.")


@router.post("/team/{user_id}/reactivate", include_in_schema=False)
def reactivate(request: Request, db: DB, user: CurrentUser, user_id: int) -> Response:
    target = clinics.set_active(db, user, user_id, True)
    return _done(request, db, user, f"{target.name} can sign in again.")


@router.post("/team/{user_id}/role", include_in_schema=False)
def role(request: Request, db: DB, user: CurrentUser, user_id: int, form: FormFields) -> Response:
    try:
        target = clinics.set_role(db, user, user_id, form.get("role", ""))
    except RecordValidationError as e:
        return _page(request, db, user, 422, error=e)
    return _done(request, db, user, f"{target.name} is now {target.role.value.replace('_', ' ')}.")


@router.post("/team/{user_id}/unlock", include_in_schema=False)
def unlock(request: Request, db: DB, user: CurrentUser, user_id: int) -> Response:
    clinics.unlock(db, user, user_id)
    return _done(request, db, user, "The sign-in lock is lifted.")


@router.post("/team/test-email", include_in_schema=False)
def send_test_email(request: Request, db: DB, user: CurrentUser) -> Response:
    """The owner's "send a test e-mail" button: queues a message to the owner's own address."""
    from taut.services import mail

    settings = request.app.state.settings
    mail.queue_test(db, user, settings.base_url)
    worker = getattr(request.app.state, "mail_worker", None)
    if worker is not None:
        worker.wake()
    return _page(request, db, user, mail_queued=user.email)
