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


def _money(currency: str):  # type: ignore[no-untyped-def]
    return lambda cents: money(int(cents), currency)


def receipt_html(r: Receipt, *, paper: str = "a4") -> str:
    return render_html(
        "receipt.html", paper=paper, r=r, m=_money(r.currency), methods=METHOD_WORDS, bill=None
    )


def receipt_pdf(r: Receipt, *, paper: str = "a4") -> bytes:
    return html_to_pdf(receipt_html(r, paper=paper))


def superbill_pdf(s: Superbill, *, paper: str = "letter") -> bytes:
    html = render_html(
        "receipt.html",
        paper=paper,
        r=s.receipt,
        m=_money(s.receipt.currency),
        methods=METHOD_WORDS,
        bill=s.billing,
    )
    return html_to_pdf(html)


def day_sheet_pdf(sheet: DaySheet, clinic: str, *, paper: str = "a4") -> bytes:
    html = render_html(
        "day_sheet.html",
        paper=paper,
        s=sheet,
        clinic=clinic,
        m=_money(sheet.currency),
        methods=[
            x for x in PAYMENT_METHODS if any(x in g[2] for g in sheet.by_practitioner) or x in sheet.totals
        ],
        words=METHOD_WORDS,
    )
    return html_to_pdf(html)
