"""The owner's client-side settings (``/settings/client-side``, linked from ``/settings``): online booking on or
off (off by default) and how many days a client link works when the staff member does not say (7 by default).
The cancellation window that online changes respect is the book's (``/appointments-settings``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.online_booking import ClientSideSettings
from taut.clinic.portal import MAX_DAYS
from taut.services import appointments, booking
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields, checked, whole
from taut.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _page(
    request: Request, db: DB, user: CurrentUser, form: dict[str, str], status: int = 200, **extra: object
) -> Response:
    window = appointments.get_settings(db, user)[0].cancel_window_hours
    base = request.app.state.settings.base_url.rstrip("/")
    context = {
        "form": form,
        "window": window,
        "address": f"{base}/book/{user.clinic_id}",
        "max_days": MAX_DAYS,
    }
    return render(request, "booking/settings.html", {**context, **extra}, status_code=status)


@router.get("/settings/client-side")
def client_side(request: Request, db: DB, user: CurrentUser) -> Response:
    s = booking.get_settings(db, user)
    form = {
        "online_booking": "on" if s.online_booking else "",
        "link_days": str(s.link_days),
        "follow_up": "on" if s.follow_up else "",
    }
    return _page(request, db, user, form, saved=request.query_params.get("saved"))


@router.post("/settings/client-side")
def save_client_side(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    booking.get_settings(db, user)  # the owner's page: the role first, whatever was typed
    try:
        days = whole(form, "link_days", 1, MAX_DAYS, required=True)
        assert days is not None
        booking.save_settings(
            db,
            user,
            ClientSideSettings(
                online_booking=checked(form, "online_booking"),
                link_days=days,
                follow_up=checked(form, "follow_up"),
            ),
        )
    except RecordValidationError as e:
        return _page(request, db, user, form, 422, error=e)
    return RedirectResponse("/settings/client-side?saved=1", status_code=303)
