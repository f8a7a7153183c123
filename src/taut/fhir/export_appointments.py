"""A client's appointments as FHIR R4 ``Appointment`` resources, added to the client's Bundle.

Mapping: Taut's statuses to Appointment.status (booked, arrived → arrived, in session → checked-in, attended
→ fulfilled, cancelled and late cancellation → cancelled, no-show → noshow); the appointment type as
``serviceType`` (text) and ``minutesDuration``; the client and the practitioner as participants; the plan's
planned sessions (the CarePlan's ServiceRequest) as ``basedOn``; the cancellation reason as
``cancelationReason`` (R4 spells it with one l). Schedule and Slot are not exported: they describe the
clinic's calendar, not the client's care. The importer accepts these resources and does not book them again
(a booking belongs to a clinic's own book)."""

from __future__ import annotations

from taut.clinic import appointments as ap
from taut.fhir.elements import Json, dt, ref, resource_id, urn
from taut.services.appointments import Booked

STATUS = {
    ap.BOOKED: "booked",
    ap.ARRIVED: "arrived",
    ap.IN_SESSION: "checked-in",
    ap.ATTENDED: "fulfilled",
    ap.CANCELLED: "cancelled",
    ap.LATE_CANCELLED: "cancelled",
    ap.NO_SHOW: "noshow",
}


def appointment_entries(booked: list[Booked], *, patient: str, plans: set[str]) -> list[Json]:
    """Bundle entries, one per appointment. ``plans``: fullUrls of the plans' session requests present in the
    Bundle (only those are referenced)."""
    out = []
    for b in booked:
        a = b.appointment
        url = urn(f"appointment/{a.id}")
        body: Json = {
            "resourceType": "Appointment",
            "id": resource_id(url),
            "status": STATUS[a.status],
            "serviceType": [{"text": b.type_name}],
            "start": dt(a.starts_at.replace(microsecond=0)),
            "end": dt(a.ends_at.replace(microsecond=0)),
            "minutesDuration": a.minutes,
            "participant": [
                {"actor": ref(patient), "required": "required", "status": "accepted"},
                {
                    "actor": ref(urn(f"user/{a.practitioner_id}")),
                    "required": "required",
                    "status": "accepted",
                },
            ],
        }
        if a.cancel_reason:
            body["cancelationReason"] = {"text": a.cancel_reason}
        if a.plan_id is not None and urn(f"plan/{a.plan_id}/sessions") in plans:
            body["basedOn"] = [ref(urn(f"plan/{a.plan_id}/sessions"))]
        if a.note:
            body["comment"] = a.note
        out.append({"fullUrl": url, "resource": body})
    return out
