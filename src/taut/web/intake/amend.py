"""Amending a saved intake: the intake form filled with the record (the drawing, every tick and answer), the
version read and a reason; and the intake's earlier versions with who amended each, when and why."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError, StaleRecordError
from taut.clinic.intake import Intake
from taut.clinic.people import Permission
from taut.services import access, amendments
from taut.web import clock, forms
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormLists
from taut.web.intake import vocab
from taut.web.intake.form import IntakeForm, form_error, intake_from_form, shown
from taut.web.intake.routes import _client_facts
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])

STALE = "someone amended this intake since you opened it: open it again to see their change"


def _number(x: float | int | None) -> str:
    return "" if x is None else f"{x:g}"


def _factor_values(i: Intake) -> dict[str, str]:
    bm, bc, ps = i.factors.biomechanical, i.factors.biochemical, i.factors.psychosocial
    return {
        "posture": bm.posture,
        "gait": bm.gait,
        "work": bm.work,
        "sport": bm.sport,
        "hydration": bc.hydration,
        "nutrition": bc.nutrition,
        "sleep": bc.sleep,
        "medication_effects": bc.medications,
        "sleep_hours": _number(bc.sleep_hours),
        "stress": ps.stress,
        "stress_level": _number(ps.stress_level),
    }


def intake_form(i: Intake) -> IntakeForm:
    """The intake form filled with a saved intake (the inverse of ``intake_from_form``)."""
    days, unit = (i.duration_days, "days") if i.duration_days is not None else (i.duration_weeks, "weeks")
    values = {
        "recorded_on": i.recorded_on.isoformat(),
        "chief_complaint": i.chief_complaint,
        "onset": i.onset,
        "began_on": i.began_on.isoformat() if i.began_on else "",
        "duration_value": _number(days),
        "duration_unit": unit,
        "history": i.history,
        "medications": "\n".join(i.medications),
        **_factor_values(i),
        "version": str(i.version),
    }
    return IntakeForm(
        values=values,
        ticked={
            "mechanisms": list(i.mechanisms),
            "aggravators": list(i.aggravators),
            "symptoms": list(i.symptoms),
        },
        screening={a.term: "yes" if a.present else "no" for a in i.screening},
        answers={a.question: a.answer for a in i.answers},
        drawing=i.pain_drawing.to_list(),
    )


def _amend_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    ids: tuple[int, int],
    form: IntakeForm | None = None,
    error: RecordValidationError | None = None,
    status: int = 200,
) -> Response:
    found = amendments.intake_history(db, user, *ids)
    context = {
        "client": found.client,
        "form": form or intake_form(found.intake),
        "error": error,
        "groups": {name: vocab.groups(name) for name in vocab.LAYOUT},
        "questions": vocab.caution_questions(),
        "screen": vocab.screen_groups(),
        "facts": _client_facts(found.client, clock.today()),
        "amending": found.intake,
    }
    return render(request, "intake/new.html", context, status_code=status)


@router.get("/clients/{client_id}/intake/{intake_id}/amend", include_in_schema=False)
def amend_form(request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int) -> Response:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake", record_id=intake_id)
    return _amend_page(request, db, user, (client_id, intake_id))


@router.post("/clients/{client_id}/intake/{intake_id}/amend", include_in_schema=False)
def amend(
    request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int, form: FormLists
) -> Response:
    one = {k: v[-1] for k, v in form.items() if v}
    try:
        version = forms.whole(one, "version", 1, 2**31 - 1, required=True)
        assert version is not None
        changed = intake_from_form(form)
        amendments.amend_intake(
            db, user, client_id, intake_id, changed, expected_version=version, reason=one.get("reason", "")
        )
    except RecordValidationError as e:
        return _amend_page(request, db, user, (client_id, intake_id), shown(form), form_error(e), 422)
    except StaleRecordError:
        stale = RecordValidationError("version", STALE)
        return _amend_page(request, db, user, (client_id, intake_id), shown(form), stale, 409)
    return RedirectResponse(f"/clients/{client_id}/intake/{intake_id}/history", status_code=303)


@router.get("/clients/{client_id}/intake/{intake_id}/history", include_in_schema=False)
def history(request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int) -> Response:
    found = amendments.intake_history(db, user, client_id, intake_id)
    earlier = [(a, amendments.previous_intake(a)) for a in reversed(found.amendments)]
    context = {
        "client": found.client,
        "intake": found.intake,
        "earlier": earlier,
        "can_write": user.can(Permission.WRITE_CLINICAL),
    }
    return render(request, "intake/history.html", context)
