"""The owner's pages for the clinic: ``/settings`` (the clinic profile printed on every document, the logo,
time zone and date format, the idle sign-out, two-factor for everyone, who may sign a colleague's note) and
``/audit`` (the audit trail, filtered, and as CSV). ``/clinic/logo`` serves the logo to any signed-in user."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import DATE_FORMATS, IDLE_MINUTES, LOCALES, Clinic, User
from taut.services import clinics
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import Collect, FormFields, checked, whole
from taut.web.templating import parse_day, render, time_zones

router = APIRouter(dependencies=[Depends(check_csrf)])
TEXT_FIELDS = ("name", "address", "phone", "email", "website", "timezone", "locale", "currency", "tax_number")


def _form_of(c: Clinic) -> dict[str, str]:
    form = {k: str(getattr(c, k) or "") for k in TEXT_FIELDS}
    form.update(
        date_format=c.date_format,
        idle_minutes=str(c.idle_minutes),
        require_totp="on" if c.require_totp else "",
        supervisor_role=c.supervisor_role.value if c.supervisor_role else "",
    )
    return form


def _page(
    request: Request,
    db: DB,
    owner: User,
    form: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    clinic = clinics.get_clinic(db, owner)
    context = {
        "form": form if form is not None else _form_of(clinic),
        "profile": clinic,
        "zones": time_zones(),
        "date_formats": DATE_FORMATS,
        "locales": LOCALES,
        "idle": IDLE_MINUTES,
        **extra,
    }
    return render(request, "settings/clinic.html", context, status_code=status_code)


@router.get("/settings", include_in_schema=False)
def settings(request: Request, db: DB, user: CurrentUser) -> Response:
    clinics.owner_settings(db, user)  # the owner's page (a refusal is audited)
    return _page(
        request,
        db,
        user,
        saved=request.query_params.get("saved"),
        welcome=request.query_params.get("welcome"),
    )


def _typed(form: dict[str, str], current: Clinic) -> dict[str, Any]:
    """The profile as typed; every wrong field is reported at once (forms.FormErrors): each is checked alone
    against the clinic as it is, by the clinic's own rules."""
    c = Collect()
    fields: dict[str, Any] = {k: form.get(k, "").strip() or None for k in TEXT_FIELDS}
    fields["name"] = fields["name"] or ""
    fields["timezone"] = fields["timezone"] or ""
    fields["locale"] = fields["locale"] or ""
    fields["currency"] = (fields["currency"] or "").upper()
    fields["date_format"] = form.get("date_format", "")
    idle = Collect()  # reported in the form's order, after the fields above it
    fields["idle_minutes"] = idle(whole, form, "idle_minutes", *IDLE_MINUTES, required=True)
    fields["require_totp"] = checked(form, "require_totp")
    fields["supervisor_role"] = form.get("supervisor_role") or None
    for name, value in fields.items():
        if name != "idle_minutes" or value is not None:
            c(replace, current, **{name: value})
    for p in idle.problems:
        c.add(p.field, p.rule)
    c.check()
    return fields


@router.post("/settings", include_in_schema=False)
def save_settings(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    current = clinics.owner_settings(db, user)  # the role first: a refusal never depends on what was typed
    try:
        fields = _typed(form, current)
        clinics.update_clinic(db, user, **fields)
    except RecordValidationError as e:
        return _page(request, db, user, form=form, status_code=422, error=e)
    return RedirectResponse("/settings?saved=1", status_code=303)


@router.post("/settings/logo", include_in_schema=False)
async def upload_logo(request: Request, db: DB, user: CurrentUser) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("logo")
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(clinics.LOGO_MAX_BYTES + 1)
    try:
        clinics.set_logo(db, user, data)
    except RecordValidationError as e:
        return _page(request, db, user, status_code=422, error=e)
    return RedirectResponse("/settings?saved=logo", status_code=303)


@router.post("/settings/logo/remove", include_in_schema=False)
def remove_logo(request: Request, db: DB, user: CurrentUser) -> Response:
    clinics.set_logo(db, user, None)
    return RedirectResponse("/settings?saved=logo", status_code=303)


@router.get("/clinic/logo", include_in_schema=False)
def logo(db: DB, user: CurrentUser) -> Response:
    found = clinics.logo(db, user)
    if found is None:
        return Response(status_code=404)
    data, media_type = found
    return Response(data, media_type=media_type, headers={"cache-control": "private, max-age=300"})


# The audit trail -----------------------------------------------------------------------------------------


def _filter(request: Request, clinic: Clinic, *, limit: int) -> tuple[clinics.AuditFilter, dict[str, str]]:
    q = {k: v.strip() for k, v in request.query_params.items() if isinstance(v, str)}
    zone = ZoneInfo(clinic.timezone)
    client_id = None
    if q.get("client"):
        if not q["client"].isdigit():
            raise RecordValidationError("client", f"must be a client number, not {q['client']!r}")
        client_id = int(q["client"])
    since = parse_day(q.get("since", ""), clinic, field="since")
    until = parse_day(q.get("until", ""), clinic, field="until")
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    f = clinics.AuditFilter(
        user_email=q.get("user") or None,
        client_id=client_id,
        action=q.get("action") or None,
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        limit=limit,
        offset=(page - 1) * limit if limit < 1000 else 0,
    )
    return f, q


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, db: DB, user: CurrentUser) -> Response:
    clinic = clinics.get_clinic(db, user)
    staff = clinics.list_users(db, user)
    context: dict[str, Any] = {
        "staff": staff,
        "actions": clinics.audit_actions(db, user),
        "rows": [],
        "q": {},
        "date_example": DATE_FORMATS[clinic.date_format],
    }
    try:
        f, q = _filter(request, clinic, limit=200)
        context.update(rows=clinics.read_audit(db, user, f), q=q, page=(f.offset // 200) + 1)
    except RecordValidationError as e:
        context.update(error=e, q=dict(request.query_params))
        return render(request, "settings/audit.html", context, status_code=422)
    return render(request, "settings/audit.html", context)


@router.get("/audit.csv", include_in_schema=False)
def audit_csv(request: Request, db: DB, user: CurrentUser) -> Response:
    clinic = clinics.get_clinic(db, user)
    f, _ = _filter(request, clinic, limit=100_000)
    rows = clinics.read_audit(db, user, f)
    zone = ZoneInfo(clinic.timezone)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "id",
            f"time ({clinic.timezone})",
            "time (UTC)",
            "user",
            "action",
            "entity",
            "record",
            "client",
            "detail",
        ]
    )
    for r in rows:
        e = r.entry
        w.writerow(
            [
                e.id,
                e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                e.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                r.user,
                e.action,
                e.entity,
                e.record_id or "",
                e.client_id or "",
                _csv_safe(e.detail or ""),
            ]
        )
    name = f"audit-{datetime.now(zone):%Y%m%d-%H%M}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _csv_safe(text: str) -> str:
    """No cell starts like a spreadsheet formula (a detail can hold what a visitor typed)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
