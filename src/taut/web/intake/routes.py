"""Intake pages: the intake form beside the body map (with live suggestions while painting), the saved intake
with its suggestions (red flags first, as a banner that blocks treatment until a referral or an override is
recorded), and the red-flag decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Client, Permission
from taut.clinic.screening import DECISIONS
from taut.services import access, clients, intake_support, records, sessions
from taut.web import clock
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormLists
from taut.web.intake import vocab
from taut.web.intake.form import IntakeForm, blank, form_error, intake_from_form, shown
from taut.web.intake.present import SHOWN, exam_slugs, suggestion_view
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])


def _client_facts(client: Client, day: date) -> dict[str, Any]:
    return {
        "age": client.age_on(day),
        "sex": client.sex if client.sex in ("female", "male") else "",
    }


def _form_page(
    request: Request, client: Client, form: IntakeForm, error: RecordValidationError | None, status: int
) -> Response:
    day = clock.today()
    return render(
        request,
        "intake/new.html",
        {
            "client": client,
            "form": form,
            "error": error,
            "groups": {name: vocab.groups(name) for name in vocab.LAYOUT},
            "questions": vocab.questions(),
            "facts": _client_facts(client, day),
        },
        status_code=status,
    )


@router.get("/clients/{client_id}/intake/new", include_in_schema=False)
def new_intake_form(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    client = clients.get_client(db, user, client_id)
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    return _form_page(request, client, blank(clock.today()), None, 200)


@router.post("/clients/{client_id}/intake/new", include_in_schema=False)
def new_intake(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormLists) -> Response:
    client = clients.get_client(db, user, client_id)
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    try:
        iid = records.record_intake(db, user, client_id, intake_from_form(form))
    except RecordValidationError as e:
        return _form_page(request, client, shown(form), form_error(e), 422)
    return RedirectResponse(f"/clients/{client_id}/intake/{iid}", status_code=303)


def _show_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int,
    intake_id: int,
    *,
    decision_form: dict[str, Any] | None = None,
    error: RecordValidationError | None = None,
    status: int = 200,
) -> Response:
    page = intake_support.intake_page(db, user, client_id, intake_id)
    found = page.found
    view = suggestion_view(found.suggestion)
    pending = {f.code for f in found.pending_red_flags}
    flags = {f["code"]: f for f in view["red_flags"]}
    return render(
        request,
        "intake/show.html",
        {
            "client": found.client,
            "intake": found.intake,
            "view": view,
            "pending": [f for f in view["red_flags"] if f["code"] in pending],
            "flags": flags,
            "decisions": found.decisions,
            "deciders": page.deciders,
            "latest": page.latest,
            "blocked": bool(pending) and page.latest,
            "exam_slugs": exam_slugs(view),
            "shown": SHOWN,
            "questions": {q.term: q for q in vocab.questions()},
            "decision_form": decision_form or {"decision": "", "flags": sorted(pending)},
            "decisions_kinds": DECISIONS,
            "error": error,
            "can_write": user.can(Permission.WRITE_CLINICAL),
        },
        status_code=status,
    )


@router.get("/clients/{client_id}/intake/{intake_id}", include_in_schema=False)
def intake_page(request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int) -> Response:
    return _show_page(request, db, user, client_id, intake_id)


@router.post("/clients/{client_id}/intake/{intake_id}/decision", include_in_schema=False)
def decide(
    request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int, form: FormLists
) -> Response:
    one = {k: v[-1] for k, v in form.items() if v}
    flags = tuple(form.get("flags", []))
    decision = one.get("decision", "")
    try:
        sessions.record_decision(
            db,
            user,
            client_id,
            intake_id,
            decision=decision,
            reason=one.get("reason", "").strip(),
            referred_to=one.get("referred_to", "") if decision == "referred" else "",
            flags=flags,
        )
    except RecordValidationError as e:
        values = {
            "decision": decision,
            "referred_to": one.get("referred_to", ""),
            "reason": one.get("reason", ""),
            "flags": list(flags),
        }
        field = e.field.removeprefix("decision.").split("[", 1)[0]
        return _show_page(
            request,
            db,
            user,
            client_id,
            intake_id,
            decision_form=values,
            error=RecordValidationError(field, e.rule),
            status=422,
        )
    return RedirectResponse(f"/clients/{client_id}/intake/{intake_id}#screening-decisions", status_code=303)
