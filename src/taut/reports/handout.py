"""The client's aftercare handout after a session, as HTML and as PDF.

handout_pdf(db, user, session_id, *, paper="a4") -> bytes
handout_html(content, *, paper="a4") -> str
"""

from __future__ import annotations

from taut.clinic.people import User
from taut.reports.content import HandoutContent
from taut.reports.load import load_handout
from taut.reports.pictures import treated_picture
from taut.reports.render import html_to_pdf, page_size, render_html
from taut.store.engine import Database


def handout_html(content: HandoutContent, *, paper: str = "a4") -> str:
    """The handout as one self-contained HTML document (the picture is a data URI)."""
    picture = treated_picture(content.muscles)
    return render_html(
        "handout.html",
        paper=paper,
        c=content,
        picture=picture.uri if picture else None,
        picture_wide=picture is None or picture.width > 1.3 * picture.height,
        orientation=orientation(picture.views) if picture else [],
    )


def orientation(views: tuple[str, ...]) -> list[str]:
    """How to read left and right on the views of the picture, for the client."""
    out = []
    if "front" in views:
        out.append("On the front view you face us, so your right side is on the left of the picture.")
    if "back" in views:
        out.append("On the back view you face away, so your left side is on the left of the picture.")
    if "side" in views:
        out.append("The side views show your head and neck from your right and from your left.")
    return out


def handout_pdf(db: Database, user: User, session_id: int, *, paper: str = "a4") -> bytes:
    """The PDF handout of a session: what was treated, the next 48 hours, self-care for each treated muscle.

    Front desk: ``AccessDenied``; another clinic's session: ``NotFound``; a session without holds:
    ``NothingToReport``; a paper other than a4 or letter: ``RecordValidationError``."""
    page_size(paper)
    return html_to_pdf(handout_html(load_handout(db, user, session_id), paper=paper))
