"""Documents made from the records: the client's aftercare handout and the progress report to a referring
provider, as PDF (Jinja2 HTML rendered by WeasyPrint). ``content`` holds what they say, free of HTML, for the
web app's printable pages too."""

from taut.reports.content import HandoutContent, NothingToReport, ProgressContent
from taut.reports.handout import handout_html, handout_pdf
from taut.reports.progress import progress_html, progress_pdf
from taut.reports.referral import ReferralContent, referral_html, referral_pdf

__all__ = [
    "HandoutContent",
    "NothingToReport",
    "ProgressContent",
    "ReferralContent",
    "handout_html",
    "handout_pdf",
    "progress_html",
    "progress_pdf",
    "referral_html",
    "referral_pdf",
]
