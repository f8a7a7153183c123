"""Client pages: the list with search, registering a client, correcting details, the chart timeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import SEXES, Client, Consent, Permission
from taut.services import appointments, charts, clients
from taut.web import clock, forms
from taut.web.appointments.view import appointment_entries
from taut.web.clients.timeline import newest_first, safety_lines, timeline
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields
from taut.web.portal.staff import chart_panel
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
PAGE = 50


@router.get("/clients", include_in_schema=False)
def client_list(
    request: Request,
    db: DB,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
    after: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    found = clients.list_clients(db, user, limit=PAGE + 1, query=q or None, after=after)
    has_next = len(found.items) > PAGE
    shown = replace(found, items=found.items[:PAGE])
    context = {"page": shown, "q": q, "page_no": page if after else 1, "has_next": has_next}
    return render(request, "clients/list.html", context)


def client_from_form(form: dict[str, str], *, base: Client | None = None) -> Client:
    """The client as typed; every wrong field is reported at once (forms.FormErrors)."""
    today = clock.today()
    c = forms.Collect()
    consent_treatment = c(forms.a_date, form, "consent_treatment_on")
    consent_data = c(forms.a_date, form, "consent_data_use_on")
    if forms.checked(form, "consent_treatment_today") and consent_treatment is None:
        consent_treatment = today
    if forms.checked(form, "consent_data_use_today") and consent_data is None:
        consent_data = today
    given = c(forms.text, form, "given_name", required=True)
    family = c(forms.text, form, "family_name", required=True)
    born = c(forms.a_date, form, "date_of_birth", required=True)
    if born is not None and born > today:
        c.add("date_of_birth", "may not be in the future")
    c.check()
    assert given is not None and family is not None and born is not None
    values: dict[str, Any] = dict(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=form.get("sex") or "unknown",
        email=forms.optional_text(form, "email"),
        phone=forms.optional_text(form, "phone"),
        address=forms.optional_text(form, "address"),
        consent=Consent(treatment_on=consent_treatment, data_use_on=consent_data),
    )
    return replace(base, **values) if base is not None else Client(**values)


@router.get("/clients/new", include_in_schema=False)
def new_client_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "clients/form.html", {"form": {}, "sexes": SEXES, "client": None})


@router.post("/clients/new", include_in_schema=False)
def new_client(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        saved = clients.register_client(db, user, client_from_form(form))
    except RecordValidationError as e:
        return render(
            request,
            "clients/form.html",
            {"form": form, "sexes": SEXES, "client": None, "error": e},
            status_code=422,
        )
    target = (
        f"/clients/{saved.id}/intake/new" if user.can(Permission.WRITE_CLINICAL) else f"/clients/{saved.id}"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/clients/{client_id}", include_in_schema=False)
def chart_page(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    zone = appointments.clinic_zone(db, user)
    booked = appointment_entries(appointments.client_appointments(db, user, client_id), zone)
    if not user.can(Permission.READ_CLINICAL):
        client = clients.get_client(db, user, client_id)
        return render(request, "clients/chart.html", {"client": client, "chart": None, "entries": booked})
    chart = charts.load_chart(db, user, client_id)
    entries = newest_first(timeline(chart) + booked, zone)
    flag_intake, flag_lines = safety_lines(chart)
    return render(
        request,
        "clients/chart.html",
        {
            "client": chart.client,
            "chart": chart,
            "entries": entries,
            "open_session": chart.open_session(),
            "active_plan": chart.active_plan(),
            "latest_intake": chart.latest_intake(),
            "flag_intake": flag_intake,
            "flag_lines": flag_lines,
            "portal": chart_panel(db, user, client_id),
        },
    )


@router.get("/clients/{client_id}/edit", include_in_schema=False)
def edit_client_form(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    client = clients.get_client(db, user, client_id)
    return render(request, "clients/form.html", {"form": _form_of(client), "sexes": SEXES, "client": client})


@router.post("/clients/{client_id}/edit", include_in_schema=False)
def edit_client(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    client = clients.get_client(db, user, client_id)
    try:
        version = forms.whole(form, "version", 1, 2**31 - 1, required=True)
        assert version is not None
        changed = client_from_form(form, base=client)
        clients.update_client(db, user, changed, expected_version=version)
    except RecordValidationError as e:
        return render(
            request,
            "clients/form.html",
            {"form": form, "sexes": SEXES, "client": client, "error": e},
            status_code=422,
        )
    return RedirectResponse(f"/clients/{client_id}", status_code=303)


def _form_of(c: Client) -> dict[str, str]:
    return {
        "given_name": c.given_name,
        "family_name": c.family_name,
        "date_of_birth": c.date_of_birth.isoformat(),
        "sex": c.sex,
        "email": c.email or "",
        "phone": c.phone or "",
        "address": c.address or "",
        "consent_treatment_on": c.consent.treatment_on.isoformat() if c.consent.treatment_on else "",
        "consent_data_use_on": c.consent.data_use_on.isoformat() if c.consent.data_use_on else "",
        "version": str(c.version),
    }
