"""The signed consent as a PDF: the consent text with its version, the signer, the time in the clinic's zone,
the signature (the drawing or the typed name) and the SHA-256 of what was signed (clinic.intake_link.Consent)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from taut.clinic.intake_link import CONSENT_TEXT, Consent
from taut.clinic.naming import date_time
from taut.reports.render import html_to_pdf, render_html


def consent_html(
    clinic: str, client_name: str, consent: Consent, zone: ZoneInfo, *, paper: str = "a4"
) -> str:
    return render_html(
        "consent.html",
        paper=paper,
        clinic=clinic,
        client_name=client_name,
        consent=consent,
        paragraphs=CONSENT_TEXT,
        signed=date_time(consent.signed_at, zone),
        zone=str(zone),
    )


def consent_pdf(
    clinic: str, client_name: str, consent: Consent, zone: ZoneInfo, *, paper: str = "a4"
) -> bytes:
    return html_to_pdf(consent_html(clinic, client_name, consent, zone, paper=paper))
