"""Progress pages: entering an outcome measure (NPRS, PSFS, NDI, PSS-10) and the progress page (charts with the
MCID marked, the first and latest pain drawing, each trigger point's tenderness over time)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.chart import Chart, OutcomeEntry
from taut.clinic.errors import RecordValidationError
from taut.clinic.outcomes import INSTRUMENTS
from taut.services import charts, records
from taut.services.progress import load_progress
from taut.web import clock
from taut.web.charts import number
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields
from taut.web.progress import view
from taut.web.progress.instruments import FORMS, PSFS_ROWS, form_of, measure_from_form
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])

Instrument = Annotated[str, Query(max_length=20)]


def _instrument(value: str) -> str:
    key = value.strip().lower().replace("-", "")
    if key not in FORMS:
        raise RecordValidationError("instrument", f"choose one of {', '.join(FORMS)}, not {value!r}")
    return key


def _form_context(
    chart: Chart, instrument: str, form: dict[str, str], *, error: Exception | None = None
) -> dict[str, Any]:
    entries = [e for e in chart.outcomes if e.measure.instrument == instrument]
    return {
        "client": chart.client,
        "instrument": INSTRUMENTS[instrument],
        "spec": FORMS[instrument],
        "forms": FORMS,
        "form": form,
        "error": error,
        "previous": entries[-1] if entries else None,
        "baseline": entries[0] if entries else None,
        "psfs_rows": range(1, PSFS_ROWS + 1),
        "num": number,
    }


def _blank_form(chart: Chart, instrument: str) -> dict[str, str]:
    form = {"taken_on": clock.today().isoformat()}
    if instrument == "psfs":  # the PSFS re-rates the same activities at each follow-up
        last = next((e for e in reversed(chart.outcomes) if e.measure.instrument == "psfs"), None)
        if last is not None:
            form.update({k: v for k, v in form_of(last.measure).items() if k.startswith("activity")})
    return form


@router.get("/clients/{client_id}/outcomes/new", include_in_schema=False)
def outcome_form(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int,
    instrument: Instrument = "nprs",
    saved: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    chart = charts.load_chart(db, user, client_id)
    key = _instrument(instrument)
    ctx = _form_context(chart, key, _blank_form(chart, key))
    ctx["saved"] = _saved(chart, saved)
    return render(request, "progress/outcome_form.html", ctx)


def _saved(chart: Chart, outcome_id: int | None) -> OutcomeEntry | None:
    if outcome_id is None:
        return None
    return next((e for e in chart.outcomes if e.measure.id == outcome_id), None)


@router.post("/clients/{client_id}/outcomes/new", include_in_schema=False)
def save_outcome(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int,
    form: FormFields,
    instrument: Instrument = "",
) -> Response:
    key = _instrument(form.get("instrument") or instrument or "nprs")
    try:
        measure = measure_from_form(key, form)
        oid = records.record_outcome(db, user, client_id, measure)
    except RecordValidationError as e:
        chart = charts.load_chart(db, user, client_id)
        return render(
            request, "progress/outcome_form.html", _form_context(chart, key, form, error=e), status_code=422
        )
    return RedirectResponse(
        f"/clients/{client_id}/outcomes/new?instrument={key}&saved={oid}", status_code=303
    )


@router.get("/clients/{client_id}/progress", include_in_schema=False)
def progress_page(request: Request, db: DB, user: CurrentUser, client_id: int) -> Response:
    p = load_progress(db, user, client_id)
    blocks = [view.pain_chart(p)]
    blocks += [view.instrument_chart(ip) for key, ip in p.instruments.items() if key != "nprs"]
    columns, trp_rows = view.trp_table(p)
    return render(
        request,
        "progress/page.html",
        {
            "client": p.client,
            "progress": p,
            "summary": view.summary(p),
            "blocks": blocks,
            "missing": [INSTRUMENTS[k] for k in ("psfs", "ndi") if k not in p.instruments],
            "rom_blocks": [view.rom_chart(r) for r in p.rom],
            "drawings": view.drawings(p),
            "trp_columns": columns,
            "trp_rows": trp_rows,
            "num": number,
        },
    )
