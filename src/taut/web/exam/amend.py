"""A saved examination: its page (findings, ROM, tests, summary and every earlier version with who amended it,
when and why) and its amendment (the examination form filled with the record, the version read and a reason)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.assessment import Assessment
from taut.clinic.errors import RecordValidationError, StaleRecordError
from taut.clinic.people import Permission
from taut.clinic.soap import exam_lines
from taut.knowledge import knowledge
from taut.services import access, amendments
from taut.web import forms
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.exam import model
from taut.web.exam.routes import _exam_context, _requested_muscles
from taut.web.forms import FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])

STALE = "someone amended this examination since you opened it: open it again to see their change"


def exam_form(a: Assessment) -> dict[str, str]:
    """The examination form filled with a saved examination (the inverse of ``model.assessment_from_form``)."""
    form = {
        "assessed_on": a.assessed_on.isoformat(),
        "posture": "\n".join(a.posture),
        "gait": "\n".join(a.gait),
        "summary": a.summary,
        "muscles": ",".join(dict.fromkeys(f.trp_id.partition(".")[0] for f in a.findings)),
        "version": str(a.version),
    }
    for f in a.findings:
        prefix = f"trp:{f.trp_id}:{f.side.value if f.side else 'mid'}:"
        form[prefix + "status"] = f.status
        for d in model.SIGNS:
            value = getattr(f, d.name)
            if d.kind == "flag":
                if value:
                    form[prefix + d.form_key] = "on"
            elif value is not None:
                form[prefix + d.form_key] = f"{value:g}" if isinstance(value, float) else str(value)
    for n, m in enumerate(a.rom):
        form.update({f"rom:{n}:movement": m.movement, f"rom:{n}:degrees": str(m.degrees)})
        form[f"rom:{n}:side"] = m.side.value if m.side else ""
    for n, t in enumerate(a.entrapment_tests):
        form.update(
            {f"test:{n}:name": t.name, f"test:{n}:result": t.result, f"test:{n}:structure": t.structure}
        )
        form[f"test:{n}:side"] = t.side.value if t.side else ""
        form[f"test:{n}:notes"] = t.notes
    return form


@router.get("/clients/{client_id}/exam/{assessment_id}", include_in_schema=False)
def exam_page(request: Request, db: DB, user: CurrentUser, client_id: int, assessment_id: int) -> Response:
    found = amendments.assessment_history(db, user, client_id, assessment_id)
    earlier = [(a, amendments.previous_assessment(a)) for a in reversed(found.amendments)]
    return render(
        request,
        "exam/record.html",
        {
            "client": found.client,
            "a": found.assessment,
            "earlier": earlier,
            "can_write": user.can(Permission.WRITE_CLINICAL),
            "lines": lambda exam: exam_lines(exam, knowledge()),
        },
    )


def _amend_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    ids: tuple[int, int],
    form: dict[str, str],
    error: RecordValidationError | None = None,
    status: int = 200,
) -> Response:
    found = amendments.assessment_history(db, user, *ids)
    blocks = _requested_muscles([s for s in form.get("muscles", "").split(",") if s])
    context = _exam_context(blocks, form, client=found.client, amending=found.assessment, error=error)
    return render(request, "exam/exam.html", context, status_code=status)


@router.get("/clients/{client_id}/exam/{assessment_id}/amend", include_in_schema=False)
def amend_form(request: Request, db: DB, user: CurrentUser, client_id: int, assessment_id: int) -> Response:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="assessment", record_id=assessment_id)
    found = amendments.assessment_history(db, user, client_id, assessment_id)
    return _amend_page(request, db, user, (client_id, assessment_id), exam_form(found.assessment))


@router.post("/clients/{client_id}/exam/{assessment_id}/amend", include_in_schema=False)
def amend(
    request: Request, db: DB, user: CurrentUser, client_id: int, assessment_id: int, form: FormFields
) -> Response:
    try:
        version = forms.whole(form, "version", 1, 2**31 - 1, required=True)
        assert version is not None
        amendments.amend_assessment(
            db,
            user,
            client_id,
            assessment_id,
            model.assessment_from_form(form),
            expected_version=version,
            reason=form.get("reason", ""),
        )
    except RecordValidationError as e:
        return _amend_page(request, db, user, (client_id, assessment_id), form, e, 422)
    except StaleRecordError:
        stale = RecordValidationError("version", STALE)
        return _amend_page(request, db, user, (client_id, assessment_id), form, stale, 409)
    return RedirectResponse(f"/clients/{client_id}/exam/{assessment_id}", status_code=303)
