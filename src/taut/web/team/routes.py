"""``/team``: the clinic's users and their roles; the owner adds a user with a first password to pass on."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Role
from taut.services import clinics
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
ROLES = [(r.value, r.value.replace("_", " ")) for r in Role]


@router.get("/team", include_in_schema=False)
def team(request: Request, db: DB, user: CurrentUser) -> Response:
    return render(
        request, "team/team.html", {"users": clinics.list_users(db, user), "roles": ROLES, "form": {}}
    )


@router.post("/team", include_in_schema=False)
def add_member(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    password = secrets.token_urlsafe(12)
    try:
        role = form.get("role", "")
        if role not in {r.value for r in Role}:
            raise RecordValidationError("role", "choose owner, therapist or front desk")
        added = clinics.add_user(
            db,
            user,
            email=form.get("email", "").strip(),
            name=form.get("name", "").strip(),
            role=Role(role),
            password=password,
        )
    except RecordValidationError as e:
        users = clinics.list_users(db, user)
        return render(
            request,
            "team/team.html",
            {"users": users, "roles": ROLES, "form": form, "error": e},
            status_code=422,
        )
    users = clinics.list_users(db, user)
    return render(
        request,
        "team/team.html",
        {"users": users, "roles": ROLES, "form": {}, "added": added, "password": password},
    )


@router.post("/team/test-email", include_in_schema=False)
def send_test_email(request: Request, db: DB, user: CurrentUser) -> Response:
    """The owner's "send a test e-mail" button: queues a message to the owner's own address."""
    from taut.services import mail

    settings = request.app.state.settings
    mail.queue_test(db, user, settings.base_url)
    worker = getattr(request.app.state, "mail_worker", None)
    if worker is not None:
        worker.wake()
    users = clinics.list_users(db, user)
    return render(
        request, "team/team.html", {"users": users, "roles": ROLES, "form": {}, "mail_queued": user.email}
    )
