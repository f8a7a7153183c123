"""The examination (trigger points per muscle on the body map, findings, posture, gait, ROM with the normal
value, entrapment tests) and the treatment plan (goals, frequency, the points to treat)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from taut.anatomy.regions import Side
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.people import Permission
from taut.clinic.plan import PLAN_STATUSES, PlannedPoint, TreatmentPlan
from taut.knowledge import knowledge
from taut.services import charts, clients, records
from taut.web import forms
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.exam import model
from taut.web.forms import FormFields
from taut.web.templating import render, templates

router = APIRouter(dependencies=[Depends(check_csrf)])


def _requested_muscles(muscles: str, suggested: list[str]) -> list[model.MuscleBlock]:
    names = [m for m in muscles.split(",") if m.strip()] if muscles else suggested
    blocks: list[model.MuscleBlock] = []
    for n in names[:12]:
        try:
            b = model.muscle_block(n.strip())
        except LookupError:
            continue
        if b.slug not in {x.slug for x in blocks}:
            blocks.append(b)
    return blocks


def _suggested(db: DB, user: CurrentUser, client_id: int) -> list[str]:
    from taut.services.suggestions import suggest_for_intake

    try:
        s = suggest_for_intake(db, user, client_id)
    except NotFound:
        return []
    order = list(s.suggestion.exam_order) or [m.muscle for m in s.suggestion.ranking]
    return order[:5]


def _exam_context(blocks: list[model.MuscleBlock], form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "blocks": blocks,
        "form": form,
        "flags": model.FLAGS,
        "statuses": model.STATUSES,
        "results": model.RESULTS,
        "roms": model.rom_choices(),
        "rom_rows": max(model.ROM_ROWS, _count(form, "rom")),
        "test_rows": max(model.TEST_ROWS, _count(form, "test")),
        "muscle_choices": model.muscle_choices(),
        **extra,
    }


def _count(form: dict[str, str], prefix: str) -> int:
    n = 0
    while f"{prefix}:{n}:{'movement' if prefix == 'rom' else 'name'}" in form:
        n += 1
    return n


@router.get("/clients/{client_id}/exam/new", include_in_schema=False)
def exam_form(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int,
    muscles: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    chart = charts.load_chart(db, user, client_id)
    blocks = _requested_muscles(muscles, [] if muscles else _suggested(db, user, client_id))
    form = {"assessed_on": model.today().isoformat()}
    return render(request, "exam/exam.html", _exam_context(blocks, form, client=chart.client))


@router.get("/clients/{client_id}/exam/muscle", include_in_schema=False)
def exam_muscle_rows(
    request: Request, db: DB, user: CurrentUser, client_id: int, muscle: Annotated[str, Query(max_length=200)]
) -> Response:
    """The rows of one more muscle, as an HTML fragment the page inserts (no reload, nothing typed lost)."""
    clients.get_client(db, user, client_id)
    if not user.can(Permission.WRITE_CLINICAL):
        from taut.clinic.errors import AccessDenied

        raise AccessDenied("a front desk user may not write clinical records")
    try:
        block = model.muscle_block(muscle)
    except LookupError as e:
        return HTMLResponse(
            f'<p class="alert alert-warning" role="alert">{_esc(str(e))}</p>', status_code=404
        )
    html = (
        templates()
        .get_template("exam/muscle_block.html")
        .render(b=block, form={}, flags=model.FLAGS, statuses=model.STATUSES)
    )
    return HTMLResponse(html)


def _esc(s: str) -> str:
    from html import escape

    return escape(s.strip("'\""))


@router.post("/clients/{client_id}/exam/new", include_in_schema=False)
def record_exam(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    slugs = [s for s in form.get("muscles", "").split(",") if s]
    try:
        assessment = model.assessment_from_form(form)
        records.record_assessment(db, user, client_id, assessment)
    except RecordValidationError as e:
        client = clients.get_client(db, user, client_id)
        blocks = _requested_muscles(",".join(slugs), [])
        return render(
            request, "exam/exam.html", _exam_context(blocks, form, client=client, error=e), status_code=422
        )
    return RedirectResponse(f"/clients/{client_id}/plan/new", status_code=303)


# ---- the treatment plan ----


def _plan_context(client: Any, plan: TreatmentPlan, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "client": client,
        "plan": plan,
        "form": form,
        "techniques": sorted(knowledge().techniques.values(), key=lambda t: t.name),
        "statuses": PLAN_STATUSES,
        **extra,
    }


def _plan_form(plan: TreatmentPlan) -> dict[str, str]:
    return {
        "starts_on": plan.starts_on.isoformat(),
        "goals": "\n".join(plan.goals),
        "sessions_planned": str(plan.sessions_planned),
        "interval_days": str(plan.interval_days),
        "reassess_on": "\n".join(d.isoformat() for d in plan.reassess_on),
        "self_care": plan.self_care,
        "status": plan.status,
        "version": str(plan.version),
    }


def plan_from_form(form: dict[str, str], points_total: int) -> TreatmentPlan:
    starts = forms.a_date(form, "starts_on", required=True)
    assert starts is not None
    reassess = []
    for i, line in enumerate(model.lines(form, "reassess_on")):
        day = forms.a_date({"reassess_on": line}, "reassess_on")
        if day is None:
            raise RecordValidationError(f"reassess_on[{i}]", "must be a date")
        reassess.append(day)
    points = []
    for i in range(points_total):
        if not forms.checked(form, f"point:{i}:include"):
            continue
        side = form.get(f"point:{i}:side") or None
        points.append(
            PlannedPoint(
                trp_id=form.get(f"point:{i}:trp_id", ""),
                side=Side(side) if side else None,
                technique=form.get(f"point:{i}:technique", ""),
            )
        )
    return TreatmentPlan(
        starts_on=starts,
        goals=model.lines(form, "goals"),
        sessions_planned=forms.whole(form, "sessions_planned", 1, 100, required=True) or 1,
        interval_days=forms.whole(form, "interval_days", 1, 90, required=True) or 1,
        points=tuple(points),
        reassess_on=tuple(reassess),
        self_care=form.get("self_care", "").strip(),
        status=form.get("status", "active") or "active",
    )


def _points_of_form(form: dict[str, str]) -> int:
    return int(form.get("points_total", "0") or 0) if form.get("points_total", "0").isdigit() else 0


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
    form = _plan_form(plan)
    form["goals"] = ""
    for i, _ in enumerate(points):
        form[f"point:{i}:include"] = "on"
    return render(request, "exam/plan.html", _plan_context(chart.client, plan, form, new=True))


@router.post("/clients/{client_id}/plan/new", include_in_schema=False)
def create_plan(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    total = _points_of_form(form)
    try:
        plan = plan_from_form(form, total)
        pid = records.create_plan(db, user, client_id, plan)
    except (RecordValidationError, ValueError) as e:
        client = clients.get_client(db, user, client_id)
        shown = _points_shown(form, total)
        draft = TreatmentPlan(
            starts_on=model.today(), goals=(), sessions_planned=1, interval_days=1, points=shown
        )
        return render(
            request, "exam/plan.html", _plan_context(client, draft, form, new=True, error=e), status_code=422
        )
    return RedirectResponse(f"/clients/{client_id}/plan/{pid}", status_code=303)


def _points_shown(form: dict[str, str], total: int) -> tuple[PlannedPoint, ...]:
    out = []
    for i in range(total):
        side = form.get(f"point:{i}:side") or None
        try:
            out.append(
                PlannedPoint(
                    trp_id=form.get(f"point:{i}:trp_id", ""),
                    side=Side(side) if side else None,
                    technique=form.get(f"point:{i}:technique", ""),
                )
            )
        except (RecordValidationError, ValueError):
            continue
    return tuple(out)


@router.get("/clients/{client_id}/plan/{plan_id}", include_in_schema=False)
def plan_page(request: Request, db: DB, user: CurrentUser, client_id: int, plan_id: int) -> Response:
    client = clients.get_client(db, user, client_id)
    plan = _plan_of_client(db, user, client_id, plan_id)
    form = _plan_form(plan)
    for i, _ in enumerate(plan.points):
        form[f"point:{i}:include"] = "on"
    return render(request, "exam/plan.html", _plan_context(client, plan, form, new=False))


def _plan_of_client(db: DB, user: CurrentUser, client_id: int, plan_id: int) -> TreatmentPlan:
    return records.get_client_plan(db, user, client_id, plan_id)


@router.post("/clients/{client_id}/plan/{plan_id}", include_in_schema=False)
def update_plan(
    request: Request, db: DB, user: CurrentUser, client_id: int, plan_id: int, form: FormFields
) -> Response:
    client = clients.get_client(db, user, client_id)
    current = _plan_of_client(db, user, client_id, plan_id)
    total = _points_of_form(form)
    try:
        version = int(form.get("version", "0"))
        changed = replace(plan_from_form(form, total), id=plan_id)
        records.update_plan(db, user, changed, expected_version=version)
    except (RecordValidationError, ValueError) as e:
        return render(
            request,
            "exam/plan.html",
            _plan_context(client, current, form, new=False, error=e),
            status_code=422,
        )
    return RedirectResponse(f"/clients/{client_id}/plan/{plan_id}?saved=1", status_code=303)
