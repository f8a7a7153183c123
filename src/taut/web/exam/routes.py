"""The examination (trigger points per muscle on the body map, findings, posture, gait, ROM with the normal
value, entrapment tests) and the treatment plan (goals, frequency, the points to treat)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Client, Permission, User
from taut.clinic.plan import PLAN_STATUSES, TreatmentPlan
from taut.knowledge import knowledge
from taut.services import access, charts, clients, records
from taut.services.suggestions import exam_start
from taut.store.engine import Database
from taut.web import forms
from taut.web.deps import DB, CurrentUser, SignedIn, check_csrf, signed_in
from taut.web.exam import model
from taut.web.forms import FormFields
from taut.web.templating import render, templates

router = APIRouter(dependencies=[Depends(check_csrf)])


def _requested_muscles(names: list[str]) -> list[model.MuscleBlock]:
    """The blocks of the first dozen known muscles named, each once (unknown names are passed over)."""
    blocks: dict[str, model.MuscleBlock] = {}
    for n in names[:12]:
        try:
            b = model.muscle_block(n.strip())
        except LookupError:
            continue
        blocks.setdefault(b.slug, b)
    return list(blocks.values())


def _examiner_client(db: DB, user: CurrentUser, client_id: int) -> Client:
    """The client, for a user who may write clinical records (AccessDenied, audited, otherwise)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="assessment")
    return clients.get_client(db, user, client_id)


def _blank(form: dict[str, str], error: object, prefix: str) -> bool:
    """Nothing typed into the rows named ``prefix...`` and no error: those rows are the same for every
    client (``templating.fragment`` renders them once per process)."""
    return error is None and not any(k.startswith(prefix) for k in form)


def _exam_context(blocks: list[model.MuscleBlock], form: dict[str, str], **extra: Any) -> dict[str, Any]:
    error = extra.get("error")
    return {
        "blank_trp": _blank(form, error, "trp:"),
        "blank_rom": _blank(form, error, "rom:"),
        "blank_test": _blank(form, error, "test:"),
        "blocks": blocks,
        "form": form,
        "signs": model.SIGNS,
        "statuses": model.STATUSES,
        "results": model.RESULTS,
        "roms": model.rom_choices(),
        "rom_rows": max(model.ROM_ROWS, len(model.rows(form, "rom", "movement"))),
        "test_rows": max(model.TEST_ROWS, len(model.rows(form, "test", "name"))),
        "muscle_choices": model.muscle_choices(),
        **extra,
    }


@router.get("/clients/{client_id}/exam/new", include_in_schema=False)
async def exam_form(
    request: Request,
    db: DB,
    _: SignedIn,
    client_id: int,
    muscles: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    return await signed_in(request, db, _exam_form, client_id, muscles)


def _exam_form(request: Request, db: Database, user: User, client_id: int, muscles: str) -> Response:
    names = [m for m in muscles.split(",") if m.strip()]
    if names:
        client = _examiner_client(db, user, client_id)
    else:  # the muscles to examine first for the latest intake: the client and the intake in one read
        client, names = exam_start(db, user, client_id)
    form = {"assessed_on": model.today().isoformat()}
    return render(request, "exam/exam.html", _exam_context(_requested_muscles(names), form, client=client))


@router.get("/clients/{client_id}/exam/muscle", include_in_schema=False)
def exam_muscle_rows(
    request: Request, db: DB, user: CurrentUser, client_id: int, muscle: Annotated[str, Query(max_length=200)]
) -> Response:
    """The rows of one more muscle, as an HTML fragment the page inserts (no reload, nothing typed lost)."""
    _examiner_client(db, user, client_id)
    try:
        block = model.muscle_block(muscle)
    except LookupError as e:
        return HTMLResponse(
            f'<p class="alert alert-warning" role="alert">{_esc(str(e))}</p>', status_code=404
        )
    html = (
        templates()
        .get_template("exam/muscle_block.html")
        .render(b=block, form={}, signs=model.SIGNS, statuses=model.STATUSES)
    )
    return HTMLResponse(html)


def _esc(s: str) -> str:
    return escape(s.strip("'\""))


@router.post("/clients/{client_id}/exam/new", include_in_schema=False)
def record_exam(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    try:
        records.record_assessment(db, user, client_id, model.assessment_from_form(form))
    except RecordValidationError as e:
        client = clients.get_client(db, user, client_id)
        blocks = _requested_muscles([s for s in form.get("muscles", "").split(",") if s])
        return render(
            request,
            "exam/exam.html",
            _exam_context(blocks, form, client=client, error=e, labels=model.labels_for(e)),
            status_code=422,
        )
    return RedirectResponse(f"/clients/{client_id}/plan/new", status_code=303)


# ---- the treatment plan ----


def _plan_context(client: Client, plan: TreatmentPlan, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "client": client,
        "plan": plan,
        "form": form,
        "techniques": sorted(knowledge().techniques.values(), key=lambda t: t.name),
        "statuses": PLAN_STATUSES,
        **extra,
    }


def _plan_form(plan: TreatmentPlan) -> dict[str, str]:
    """The plan's fields as the form shows them, every point ticked "treat"."""
    form = {
        "starts_on": plan.starts_on.isoformat(),
        "goals": "\n".join(plan.goals),
        "sessions_planned": str(plan.sessions_planned),
        "interval_days": str(plan.interval_days),
        "reassess_on": "\n".join(d.isoformat() for d in plan.reassess_on),
        "self_care": plan.self_care,
        "status": plan.status,
        "version": str(plan.version),
    }
    form.update({f"point:{i}:include": "on" for i in range(len(plan.points))})
    return form


@router.get("/clients/{client_id}/plan/new", include_in_schema=False)
def new_plan_form(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    chart = charts.load_chart(db, user, client_id)
    latest = chart.assessments[-1] if chart.assessments else None
    points = model.points_from_findings(latest)
    start = model.today()
    plan = TreatmentPlan(
        starts_on=start,
        goals=(),
        sessions_planned=6,
        interval_days=7,
        points=tuple(points),
        reassess_on=(start + timedelta(days=21),),
    )
    others = [p for p in chart.plans if p.status == "active"]
    context = _plan_context(chart.client, plan, _plan_form(plan), new=True, others_active=others)
    return render(request, "exam/plan.html", context)


@router.post("/clients/{client_id}/plan/new", include_in_schema=False)
def create_plan(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    try:
        keep = forms.checked(form, "keep_others_active")
        pid = records.create_plan(db, user, client_id, model.plan_from_form(form), keep_others_active=keep)
    except RecordValidationError as e:
        chart = charts.load_chart(db, user, client_id)
        client = chart.client
        draft = TreatmentPlan(
            starts_on=model.today(),
            goals=(),
            sessions_planned=1,
            interval_days=1,
            points=model.points_shown(form),
        )
        return render(
            request,
            "exam/plan.html",
            _plan_context(
                client,
                draft,
                form,
                new=True,
                error=e,
                labels=model.labels_for(e),
                others_active=[p for p in chart.plans if p.status == "active"],
            ),
            status_code=422,
        )
    return RedirectResponse(f"/clients/{client_id}/plan/{pid}", status_code=303)


@router.get("/clients/{client_id}/plan/{plan_id}", include_in_schema=False)
def plan_page(request: Request, db: DB, user: CurrentUser, client_id: int, plan_id: int) -> Response:
    client = clients.get_client(db, user, client_id)
    plan = records.get_client_plan(db, user, client_id, plan_id)
    from taut.services.appointments import plan_bookings

    bookings = plan_bookings(db, user, plan_id, plan.sessions_planned)
    return render(
        request, "exam/plan.html", _plan_context(client, plan, _plan_form(plan), new=False, bookings=bookings)
    )


@router.post("/clients/{client_id}/plan/{plan_id}", include_in_schema=False)
def update_plan(
    request: Request, db: DB, user: CurrentUser, client_id: int, plan_id: int, form: FormFields
) -> Response:
    client = clients.get_client(db, user, client_id)
    current = records.get_client_plan(db, user, client_id, plan_id)
    try:
        version = forms.whole(form, "version", 1, 2**31 - 1, required=True)
        assert version is not None
        changed = replace(model.plan_from_form(form), id=plan_id)
        records.update_plan(db, user, changed, expected_version=version)
    except RecordValidationError as e:
        return render(
            request,
            "exam/plan.html",
            _plan_context(client, current, form, new=False, error=e, labels=model.labels_for(e)),
            status_code=422,
        )
    return RedirectResponse(f"/clients/{client_id}/plan/{plan_id}?saved=1", status_code=303)
