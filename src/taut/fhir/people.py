"""The record's people in FHIR (issue 17.11), both ways: the occupation as Taut's extension on the Patient, the
emergency contact as a ``Patient.contact`` of role C (v2-0131 "Emergency Contact") with the relation as the
relationship's text, and the referring provider as a ``Patient.contact`` of Taut's role ``referring-provider``
(name, telecom, address; the practice in Taut's extension). Not a Practitioner: the importer reads every
Practitioner of a Bundle as a member of the exporting clinic's staff, and Taut refuses contained resources."""

from __future__ import annotations

from typing import Any

from taut.clinic.people import Client
from taut.fhir import codes as c
from taut.fhir.elements import Json
from taut.fhir.validate import Entry

EMERGENCY = c.coding(c.V2_CONTACT_ROLE, "C", "Emergency Contact")
REFERRER = c.taut("referring-provider")


def _telecom(phone: str | None, email: str | None = None) -> list[Json]:
    out = [{"system": "phone", "value": phone}] if phone else []
    return out + ([{"system": "email", "value": email}] if email else [])


def patient_people(cl: Client) -> Json:
    """The Patient's ``extension`` and ``contact`` elements for the client's people (none when not known)."""
    body: Json = {}
    if cl.occupation:
        body["extension"] = [{"url": c.EXT_OCCUPATION, "valueString": cl.occupation}]
    contacts: list[Json] = []
    if cl.emergency_name or cl.emergency_phone or cl.emergency_relation:
        ec: Json = {"relationship": [c.concept(EMERGENCY, text=cl.emergency_relation)]}
        if cl.emergency_name:
            ec["name"] = {"text": cl.emergency_name}
        if cl.emergency_phone:
            ec["telecom"] = _telecom(cl.emergency_phone)
        contacts.append(ec)
    if any(
        getattr(cl, f)
        for f in (
            "referrer_name",
            "referrer_practice",
            "referrer_address",
            "referrer_phone",
            "referrer_email",
        )
    ):
        rc: Json = {"relationship": [c.concept(REFERRER)]}
        if cl.referrer_practice:
            rc["extension"] = [{"url": c.EXT_PRACTICE, "valueString": cl.referrer_practice}]
        if cl.referrer_name:
            rc["name"] = {"text": cl.referrer_name}
        if cl.referrer_phone or cl.referrer_email:
            rc["telecom"] = _telecom(cl.referrer_phone, cl.referrer_email)
        if cl.referrer_address:
            rc["address"] = {"text": cl.referrer_address}
        contacts.append(rc)
    if contacts:
        body["contact"] = contacts
    return body


def _role(contact: Json) -> str | None:
    for cc in contact.get("relationship") or []:
        for cd in cc.get("coding") or []:
            if (cd.get("system"), cd.get("code")) == (c.V2_CONTACT_ROLE, "C"):
                return "emergency"
            if (cd.get("system"), cd.get("code")) == (c.CS_TAUT, "referring-provider"):
                return "referrer"
    return None


def _extension(element: Json, url: str) -> str | None:
    return next((x.get("valueString") for x in element.get("extension") or [] if x.get("url") == url), None)


def _phone_and_email(contact: Json) -> tuple[str | None, str | None]:
    telecom = contact.get("telecom") or []
    phone = next((t.get("value") for t in telecom if t.get("system") == "phone"), None)
    return phone, next((t.get("value") for t in telecom if t.get("system") == "email"), None)


def read_people(patient: Entry) -> tuple[dict[str, Any], dict[str, str]]:
    """The client's people from the Patient (field -> value) and where each came from (field -> element
    path, for error messages). The first contact of each role counts; other contacts are not Taut's."""
    r = patient.resource
    out: dict[str, Any] = {"occupation": _extension(r, c.EXT_OCCUPATION)}
    where = {"client.occupation": "extension"}
    seen: set[str] = set()
    for k, contact in enumerate(r.get("contact") or []):
        role = _role(contact)
        if role is None or role in seen:
            continue
        seen.add(role)
        phone, email = _phone_and_email(contact)
        name = (contact.get("name") or {}).get("text")
        at = f"contact[{k}]"
        if role == "emergency":
            relation = next(
                (cc.get("text") for cc in contact.get("relationship") or [] if cc.get("text")), None
            )
            out.update(emergency_name=name, emergency_relation=relation, emergency_phone=phone)
            where.update({f"client.emergency_{f}": f"{at}.{p}" for f, p in _EMERGENCY_PATHS.items()})
        else:
            out.update(
                referrer_name=name,
                referrer_practice=_extension(contact, c.EXT_PRACTICE),
                referrer_address=(contact.get("address") or {}).get("text"),
                referrer_phone=phone,
                referrer_email=email,
            )
            where.update({f"client.referrer_{f}": f"{at}.{p}" for f, p in _REFERRER_PATHS.items()})
    return out, where


_EMERGENCY_PATHS = {"name": "name.text", "relation": "relationship[0].text", "phone": "telecom"}
_REFERRER_PATHS = {
    "name": "name.text",
    "practice": "extension",
    "address": "address.text",
    "phone": "telecom",
    "email": "telecom",
}
