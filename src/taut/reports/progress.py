"""The progress report (a letter to a referring provider), as HTML and as PDF.

progress_pdf(db, user, client_id, *, paper="a4") -> bytes
progress_html(content, *, paper="a4") -> str
"""

from __future__ import annotations

from datetime import date

from taut.anatomy.drawing import pain_legend
from taut.clinic.people import User
from taut.reports.content import ProgressContent
from taut.reports.load import load_progress
from taut.reports.pictures import data_uri, drawing_pictures, outcome_chart_svg
from taut.reports.render import html_to_pdf, page_size, render_html
from taut.store.engine import Database


def progress_html(content: ProgressContent, *, paper: str = "a4") -> str:
    """The report as one self-contained HTML document (pain drawings and charts are data URIs)."""
    snapshots = [s for s in (content.first_drawing, content.latest_drawing) if s is not None]
    drawings = [
        (label, s.recorded_on, p.uri)
        for label, s, p in zip(("At intake", "Latest"), snapshots, drawing_pictures(snapshots), strict=False)
    ]
    charts = [data_uri(outcome_chart_svg(s)) for s in content.outcomes]
    return render_html(
        "progress.html",
        paper=paper,
        c=content,
        drawings=drawings,
        legend=[(colour, label) for colour, label, _ in pain_legend()],
        charts=charts,
    )


def progress_pdf(
    db: Database, user: User, client_id: int, *, paper: str = "a4", today: date | None = None
) -> bytes:
    """The PDF progress report on a client, signed by ``user``: clinic header, first and latest pain drawing,
    trigger-point table, outcome charts with the MCID, sessions and plan.

    Front desk: ``AccessDenied``; another clinic's client: ``NotFound``; an empty chart: ``NothingToReport``;
    a paper other than a4 or letter: ``RecordValidationError``."""
    page_size(paper)
    return html_to_pdf(progress_html(load_progress(db, user, client_id, today=today), paper=paper))
