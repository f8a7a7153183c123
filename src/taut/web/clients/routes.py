"""Client pages: the list with search, registering a client, correcting details, the chart timeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.appointments import zone as clinic_zone
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import CLIENT_PEOPLE
from taut.clinic.people import SEXES, Client, Consent, Permission, User
from taut.clinic.sms import mobile_number
from taut.services import appointments, charts, clients
from taut.store.engine import Database
from taut.web import clock, forms
from taut.web.appointments.view import appointment_entries
from taut.web.clients.timeline import newest_first, safety_lines, timeline
from taut.web.deps import DB, CurrentUser, SignedIn, check_csrf, signed_in
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


CONSENT_ANSWERS = ("today", "not_yet")  # the new-client form asks: consents to treatment today, or not yet


def _consent_from_form(form: dict[str, str], *, new: bool) -> Consent:
    """Consent as the form gives it: a new client's form asks for an answer about treatment (today, or not yet:
    then the chart and the list mark the client until it is recorded); the details form takes dates."""
    today = clock.today()
    treatment = forms.a_date(form, "consent_treatment_on")
    data_use = forms.a_date(form, "consent_data_use_on")
    answer = form.get("consent_treatment", "")
    if not answer and forms.checked(form, "consent_treatment_today"):
        answer = "today"
    if new and answer not in CONSENT_ANSWERS:
        raise RecordValidationError(
            "consent_treatment", "say whether the client consents to treatment today or not yet"
        )
    if answer == "today" and treatment is None:
        treatment = today
    if forms.checked(form, "consent_data_use_today") and data_use is None:
        data_use = today
    return Consent(treatment_on=treatment, data_use_on=data_use)


def client_from_form(form: dict[str, str], *, base: Client | None = None) -> Client:
    """The client as typed; every wrong field is reported at once (forms.FormErrors)."""
    today = clock.today()
    c = forms.Collect()
    given = c(forms.text, form, "given_name", required=True)
    family = c(forms.text, form, "family_name", required=True)
    born = c(forms.a_date, form, "date_of_birth", required=True)
    if born is not None and born > today:
        c.add("date_of_birth", "may not be in the future")
    consent = c(_consent_from_form, form, new=base is None)
    people = {f.name: c(forms.optional_text, form, f.name) for f in CLIENT_PEOPLE}
    if forms.checked(form, "sms_consent"):  # reminders by SMS need a number that can take them
        c(mobile_number, form.get("phone", ""), "phone")
    c.check()
    assert given is not None and family is not None and born is not None and consent is not None
    values: dict[str, Any] = dict(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=form.get("sex") or "unknown",
        email=forms.optional_text(form, "email"),
        phone=forms.optional_text(form, "phone"),
        address=forms.optional_text(form, "address"),
        **people,
        consent=consent,
    )
    return replace(base, **values) if base is not None else Client(**values)


def _form_page(
    request: Request, form: dict[str, str], client: Client | None, error: RecordValidationError | None = None
) -> Response:
    context = {"form": form, "sexes": SEXES, "client": client, "people": CLIENT_PEOPLE, "error": error}
    return render(request, "clients/form.html", context, status_code=422 if error else 200)


@router.get("/clients/new", include_in_schema=False)
def new_client_form(request: Request, user: CurrentUser) -> Response:
    return _form_page(request, {}, None)


@router.post("/clients/new", include_in_schema=False)
def new_client(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        saved = clients.register_client(
            db, user, client_from_form(form), sms_consent=forms.checked(form, "sms_consent")
        )
    except RecordValidationError as e:
        return _form_page(request, form, None, e)
    target = (
        f"/clients/{saved.id}/intake/new" if user.can(Permission.WRITE_CLINICAL) else f"/clients/{saved.id}"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/clients/{client_id}", include_in_schema=False)
async def chart_page(request: Request, db: DB, _: SignedIn, client_id: int) -> Response:
    return await signed_in(request, db, _chart_page, client_id)


def _chart_page(request: Request, db: Database, user: User, client_id: int) -> Response:
    zone = _zone(request)
    if not user.can(Permission.READ_CLINICAL):
        booked = appointment_entries(appointments.client_appointments(db, user, client_id), zone)
        client = clients.get_client(db, user, client_id)
        return render(request, "clients/chart.html", {"client": client, "chart": None, "entries": booked})
    page = charts.chart_records(db, user, client_id)  # one read, one audit entry
    chart = page.chart
    entries = newest_first(timeline(chart) + appointment_entries(page.appointments, zone), zone)
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
            "portal": chart_panel(user, page),
        },
    )


def _zone(request: Request) -> ZoneInfo:
    """The clinic's time zone, from the clinic read with the session (no statement of its own)."""
    return clinic_zone(request.state.clinic.timezone)


@router.get("/clients/{client_id}/edit", include_in_schema=False)
def edit_client_form(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    client = clients.get_client(db, user, client_id)
    form = _form_of(client)
    agreed = clients.sms_consent(db, user, client_id)
    form["sms_consent"] = "on" if agreed else ""
    return _form_page(request, form, client)


@router.post("/clients/{client_id}/edit", include_in_schema=False)
def edit_client(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    client = clients.get_client(db, user, client_id)
    try:
        version = forms.whole(form, "version", 1, 2**31 - 1, required=True)
        assert version is not None
        changed = client_from_form(form, base=client)
        clients.update_client(
            db, user, changed, expected_version=version, sms_consent=forms.checked(form, "sms_consent")
        )
    except RecordValidationError as e:
        return _form_page(request, form, client, e)
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
        **{f.name: getattr(c, f.name) or "" for f in CLIENT_PEOPLE},
        "version": str(c.version),
    }
