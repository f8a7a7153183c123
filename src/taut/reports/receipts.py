"""Money documents of the appointment book as PDF, from the clinic's letterhead: the receipt of a paid visit
(what a client submits to an insurer), the superbill (the receipt with CPT codes, treated minutes and units
for US insurers) and the day sheet of takings."""

from __future__ import annotations

from taut.clinic.appointments import PAYMENT_METHODS, money
from taut.reports.render import html_to_pdf, render_html
from taut.services.appointments import DaySheet, Receipt, Superbill

METHOD_WORDS = {
    "cash": "cash",
    "card": "card",
    "transfer": "bank transfer",
    "cheque": "cheque",
    "insurer": "paid by insurer",
    "other": "other",
}


def _money(currency: str, locale: str | None):  # type: ignore[no-untyped-def]
    return lambda cents: money(int(cents), currency, locale)


def receipt_html(r: Receipt, *, paper: str = "a4", locale: str | None = None) -> str:
    """Amounts as the clinic's ``locale`` writes them ("£25.00", "25,00 €"); without one "GBP 25.00"."""
    return render_html(
        "receipt.html", paper=paper, r=r, m=_money(r.currency, locale), methods=METHOD_WORDS, bill=None
    )


def receipt_pdf(r: Receipt, *, paper: str = "a4", locale: str | None = None) -> bytes:
    return html_to_pdf(receipt_html(r, paper=paper, locale=locale))


def superbill_pdf(s: Superbill, *, paper: str = "letter", locale: str | None = None) -> bytes:
    html = render_html(
        "receipt.html",
        paper=paper,
        r=s.receipt,
        m=_money(s.receipt.currency, locale),
        methods=METHOD_WORDS,
        bill=s.billing,
    )
    return html_to_pdf(html)


def day_sheet_pdf(sheet: DaySheet, clinic: str, *, paper: str = "a4", locale: str | None = None) -> bytes:
    html = render_html(
        "day_sheet.html",
        paper=paper,
        s=sheet,
        clinic=clinic,
        m=_money(sheet.currency, locale),
        methods=[
            x for x in PAYMENT_METHODS if any(x in g[2] for g in sheet.by_practitioner) or x in sheet.totals
        ],
        words=METHOD_WORDS,
    )
    return html_to_pdf(html)
