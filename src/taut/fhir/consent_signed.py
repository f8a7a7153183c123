"""The consent the client signed by link (table ``signed_consents``) as a FHIR R4 ``Consent``, and back.

The Consent has scope ``treatment``, the LOINC category "Patient Consent", the moment of signing as its
``dateTime``, the signed PDF as its ``sourceAttachment``, and what R4 has no element for in Taut's extension
``signed-consent``: the consent text's version, the signer's name, the kind of signature (drawn or typed), the
signature itself and its SHA-256. The plain consent dates of the client (consent to treatment and to data use,
without a signed document) stay as they were: Consents without this extension.
"""

from __future__ import annotations

import base64
import binascii

from taut.clinic.errors import RecordValidationError
from taut.clinic.intake_link import SignedCopy
from taut.fhir import codes as c
from taut.fhir.elements import Json, dt, ref, urn
from taut.fhir.reading import a_datetime
from taut.fhir.validate import Entry

PARTS = ("textVersion", "signerName", "signatureKind", "signature", "sha256")


def resource(copy: SignedCopy, *, client_id: int, patient: str, organization: str) -> tuple[str, Json]:
    """(fullUrl, body) of the signed consent's Consent; the URL derives from its SHA-256, so it is stable."""
    values = (copy.text_version, copy.signer_name, copy.signature_kind, copy.signature, copy.sha256)
    parts = [
        {"url": name, "valueCode" if name == "signatureKind" else "valueString": value}
        for name, value in zip(PARTS, values, strict=True)
    ]
    body: Json = {
        "extension": [{"url": c.EXT_SIGNED_CONSENT, "extension": parts}],
        "status": "active",
        "scope": c.concept(c.coding(c.CONSENT_SCOPE, "treatment")),
        "category": [c.concept(c.coding(c.LOINC, c.LOINC_CONSENT, "Patient Consent"))],
        "patient": ref(patient),
        "dateTime": dt(copy.signed_at),
        "organization": [ref(organization)],
        "sourceAttachment": {
            "contentType": "application/pdf",
            "data": base64.b64encode(copy.pdf).decode("ascii"),
            "title": f"Consent signed by {copy.signer_name} (text version {copy.text_version})",
            "creation": dt(copy.signed_at),
        },
        "policyRule": c.concept(c.coding(c.V3_ACT_CODE, "OPTIN")),
    }
    return urn(f"client/{client_id}/signed-consent/{copy.sha256}"), body


def is_signed(entry: Entry) -> bool:
    return any(x.get("url") == c.EXT_SIGNED_CONSENT for x in entry.resource.get("extension") or [])


def read(entry: Entry) -> SignedCopy:
    """The signed consent of a Consent with Taut's extension; the error names the element."""
    r = entry.resource
    ext = next(x for x in r.get("extension") or [] if x.get("url") == c.EXT_SIGNED_CONSENT)
    found: dict[str, str] = {}
    for k, part in enumerate(ext.get("extension") or []):
        value = part.get("valueCode", part.get("valueString"))
        if part.get("url") in PARTS and isinstance(value, str):
            found[part["url"]] = value
        else:
            raise entry.error(f"extension[0].extension[{k}]", f"is not one of {', '.join(PARTS)}")
    missing = [p for p in PARTS if p not in found]
    if missing:
        raise entry.error("extension[0]", f"the signed consent lacks {', '.join(missing)}")
    attachment = r.get("sourceAttachment")
    if not isinstance(attachment, dict) or attachment.get("contentType") != "application/pdf":
        raise entry.error("sourceAttachment", "the signed consent's PDF is required")
    try:
        pdf = base64.b64decode(str(attachment.get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise entry.error("sourceAttachment.data", "is not base64") from None
    signed_at = a_datetime(entry, r.get("dateTime"), "dateTime")
    fields = {"consent.pdf": "sourceAttachment.data", "consent.signed_at": "dateTime"}
    try:
        return SignedCopy(
            text_version=found["textVersion"],
            signed_at=signed_at,
            signer_name=found["signerName"],
            signature_kind=found["signatureKind"],
            signature=found["signature"],
            sha256=found["sha256"],
            pdf=pdf,
        )
    except RecordValidationError as err:
        raise entry.error(fields.get(err.field, f"extension[0].{err.field}"), err.rule) from None
