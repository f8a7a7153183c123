"""The session conductor's pages: starting a session, the conductor itself (every hold saved as it ends, by
the page's script through the API), finishing, the printable aftercare sheet and the 48-hour check-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError, TreatmentBlocked
from taut.clinic.fields import CHECKIN_FIELDS
from taut.clinic.people import User
from taut.clinic.sessions import PRESSURE_LEVELS, CheckIn
from taut.reports import content as handout
from taut.reports.load import clinic_letterhead
from taut.reports.pictures import treated_picture
from taut.services import conductor_support, documents, sessions
from taut.services.conductor_support import CheckInExists
from taut.store.engine import Database
from taut.web import clock, forms
from taut.web.conductor.page import SessionView, StartView, session_view, start_view
from taut.web.conductor.view import conductor_data, grouped_cautions, point_json, trigger_point_choices
from taut.web.deps import DB, CurrentUser, SignedIn, check_csrf, session_of, signed_in
from taut.web.forms import FormFields
from taut.web.security import csrf_token
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])

# The words the finish form starts with (the therapist edits them); the sheet adds the full 48-hour advice.
STANDARD_AFTERCARE = (
    "Some tenderness in the treated muscles for up to 48 hours is normal. Drink water, use gentle heat "
    "and keep moving gently; do the stretches on this sheet twice a day, slowly and without pain."
)
RELIEF_WORDS = dict(CHECKIN_FIELDS["relief"].choices)  # "some" -> "Some relief"


# --- starting a session -----------------------------------------------------------------------------------------


@router.get("/clients/{client_id}/sessions/new", include_in_schema=False)
def start_form(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    view = start_view(conductor_support.start_records(db, user, client_id))
    form = {"plan_id": str(view.active_plan.id) if view.active_plan else ""}
    return _start_page(request, view, form)


@router.post("/clients/{client_id}/sessions/new", include_in_schema=False)
def start(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    view = start_view(conductor_support.start_records(db, user, client_id))
    try:
        pain = forms.whole(form, "pain_before", 0, 10, required=True)
        assert pain is not None
        sid = sessions.start_session(db, user, client_id, pain_before=pain, plan_id=_plan_choice(form, view))
    except RecordValidationError as e:
        return _start_page(request, view, form, error=e, status_code=422)
    except TreatmentBlocked:
        view = start_view(conductor_support.start_records(db, user, client_id))
        return _start_page(request, view, form, status_code=409)
    return RedirectResponse(f"/sessions/{sid}", status_code=303)


def _plan_choice(form: dict[str, str], view: StartView) -> int | None:
    value = form.get("plan_id", "").strip()
    if not value:
        return None
    ids = {str(p.id): p.id for p in view.plans}
    if value not in ids:
        raise RecordValidationError("plan_id", "choose one of the client's plans, or no plan")
    return ids[value]


def _start_page(
    request: Request,
    view: StartView,
    form: dict[str, str],
    *,
    error: RecordValidationError | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "conductor/start.html",
        {
            "v": view,
            "form": form,
            "error": error,
            "consent_missing": view.client.consent.treatment_on is None,
        },
        status_code=status_code,
    )


# --- the conductor ------------------------------------------------------------------------------------------------


@router.get("/sessions/{session_id}", include_in_schema=False)
async def conductor(request: Request, db: DB, _: SignedIn, session_id: int) -> Response:
    return await signed_in(request, db, _conductor, session_id)


def _conductor(request: Request, db: Database, user: User, session_id: int) -> Response:
    view = session_view(conductor_support.session_records(db, user, session_id))
    return _conductor_page(request, view, {"aftercare": STANDARD_AFTERCARE})


def _conductor_page(
    request: Request,
    view: SessionView,
    finish_form: dict[str, str],
    *,
    error: RecordValidationError | None = None,
    status_code: int = 200,
) -> Response:
    if not view.session.open:
        return render(request, "conductor/summary.html", _summary_context(view), status_code=status_code)
    data = conductor_data(view, csrf_token(session_of(request)))
    done = {f"{h.trp_id}:{h.side.value if h.side else ''}" for h in view.session.holds}
    current = next((p for p in data["points"] if p["key"] not in done), None)
    if current is None and data["points"]:
        current = data["points"][-1]
    return render(
        request,
        "conductor/conductor.html",
        {
            "v": view,
            "data": data,
            "current": current,
            "by_key": {p["key"]: p for p in data["points"]},
            "current_cautions": grouped_cautions(
                data["client_cautions"] + (current["cautions"] if current else [])
            ),
            "choices": trigger_point_choices(),
            "finish": finish_form,
            "error": error,
            "pressure_levels": PRESSURE_LEVELS,
        },
        status_code=status_code,
    )


def _summary_context(view: SessionView) -> dict[str, Any]:
    s = view.session
    return {
        "v": view,
        "by_key": {p.key: point_json(p) for p in view.points},
        "pressure_levels": PRESSURE_LEVELS,
        "relief_words": RELIEF_WORDS,
        "holds": list(enumerate(s.holds, 1)),
    }


@router.post("/sessions/{session_id}/finish", include_in_schema=False)
def finish(request: Request, db: DB, user: CurrentUser, session_id: int, form: FormFields) -> Response:
    try:
        pain_after = forms.whole(form, "pain_after", 0, 10, required=True)
        sessions.finish_session(
            db,
            user,
            session_id,
            pain_after=pain_after,
            notes=forms.text(form, "notes"),
            aftercare=forms.text(form, "aftercare"),
        )
    except RecordValidationError as e:
        view = session_view(conductor_support.session_records(db, user, session_id))
        return _conductor_page(request, view, form, error=e, status_code=422)
    return RedirectResponse(f"/sessions/{session_id}/aftercare", status_code=303)


# --- aftercare and check-in ---------------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/aftercare", include_in_schema=False)
def aftercare(request: Request, db: DB, user: CurrentUser, session_id: int) -> Response:
    """The printable sheet: the same content as the PDF handout (taut.reports.content)."""
    src = documents.handout_source(db, user, session_id)
    chart = src.chart
    session = next(e.session for e in chart.sessions if e.session.id == session_id)
    head = clinic_letterhead(db, user)
    try:
        content = handout.handout_content(
            chart, session_id, clinic=src.clinic, staff=src.staff, tz=clock.zone()
        )
    except handout.NothingToReport:
        content = None
    picture = treated_picture(content.muscles) if content is not None else None
    return render(
        request,
        "conductor/aftercare.html",
        {
            "c": content,
            "client": chart.client,
            "session": session,
            "picture": picture.uri if picture else None,
            "picture_wide": bool(picture and picture.width > 1.3 * picture.height),
            "clinic_name": src.clinic,
            "letterhead": head,
            "practitioner": src.staff.get(session.practitioner_id, ""),
            "expect": handout.EXPECT_48_HOURS,
            "helps": handout.HELPS,
            "call_us_if": handout.CALL_US_IF,
            "urgent": handout.URGENT,
        },
    )


@router.get("/sessions/{session_id}/checkin", include_in_schema=False)
def checkin_form(request: Request, db: DB, user: CurrentUser, session_id: int, saved: int = 0) -> Response:
    view = session_view(conductor_support.session_records(db, user, session_id))
    return _checkin_page(request, view, {}, saved=bool(saved))


@router.post("/sessions/{session_id}/checkin", include_in_schema=False)
def checkin(request: Request, db: DB, user: CurrentUser, session_id: int, form: FormFields) -> Response:
    view = session_view(conductor_support.session_records(db, user, session_id))
    try:
        declared = {f.name: forms.declared(form, f.form_key, f) for f in CHECKIN_FIELDS}
        conductor_support.record_checkin_once(
            db,
            user,
            CheckIn(
                session_id=session_id,
                recorded_at=datetime.now(UTC),
                questions=forms.text(form, "questions"),
                **declared,
            ),
        )
    except RecordValidationError as e:
        return _checkin_page(request, view, form, error=e, status_code=422)
    except CheckInExists as e:
        view = session_view(conductor_support.session_records(db, user, session_id))
        return _checkin_page(request, view, form, refused=str(e), status_code=409)
    return RedirectResponse(f"/sessions/{session_id}/checkin?saved=1", status_code=303)


def _checkin_page(
    request: Request,
    view: SessionView,
    form: dict[str, str],
    *,
    error: RecordValidationError | None = None,
    refused: str | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "conductor/checkin.html",
        {
            "v": view,
            "form": form,
            "error": error,
            "refused": refused,
            "saved": saved,
            "relief": CHECKIN_FIELDS["relief"].choices,
            "relief_words": RELIEF_WORDS,
        },
        status_code=status_code,
    )
