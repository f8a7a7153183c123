"""The PDF downloads: the aftercare handout of a session and the progress report on a client, each rendered
for real (WeasyPrint) once in the module, read back with poppler's pdftotext and pdfinfo."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from taut.services import clients, sessions
from tests.records_factories import make_client
from tests.web.conftest import WebWorld, signed_in
from tests.web.test_documents import treat


def pdf_text(content: bytes, tmp: Path, tool: str = "pdftotext") -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(content)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_the_handout_and_the_progress_report_are_real_pdfs(web_world: WebWorld, tmp_path: Path) -> None:
    """Both documents in one test, so each is rendered once whichever worker runs it."""
    t = treat(web_world, web_world.bob, given="Zoë", family="Lindqvist")
    c = signed_in(web_world.app, web_world.bob)

    r = c.get(f"/sessions/{t.session_id}/handout.pdf")  # A4 by default
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="handout-2025-03-03.pdf"'
    assert r.headers["cache-control"] == "no-store"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path)
    assert "Zoë" in text and "Upper trapezius" in text
    assert "(A4)" in pdf_text(r.content, tmp_path, "pdfinfo")

    r = c.get(f"/clients/{t.client_id}/progress.pdf", params={"paper": "letter"})
    assert r.status_code == 200, r.text
    day = datetime.now(UTC).date().isoformat()
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="progress-lindqvist-zoe-{day}.pdf"'
    assert r.content.startswith(b"%PDF")
    assert "Zoë Lindqvist" in pdf_text(r.content, tmp_path)
    assert "612 x 792 pts (letter)" in pdf_text(r.content, tmp_path, "pdfinfo")


def test_a_bad_paper_and_nothing_to_report_are_clear(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    t = treat(web_world, web_world.bob)
    r = c.get(f"/sessions/{t.session_id}/handout.pdf", params={"paper": "legal"})
    assert r.status_code == 422 and "paper: must be a4 or letter, not &#39;legal&#39;" in r.text
    r = c.get(f"/clients/{t.client_id}/progress.pdf", params={"paper": "A5"})
    assert r.status_code == 422 and "must be a4 or letter" in r.text
    empty = clients.register_client(
        web_world.db, web_world.bob, make_client(given_name="Ned", family_name="Empty")
    )
    assert empty.id is not None
    r = c.get(f"/clients/{empty.id}/progress.pdf")
    assert r.status_code == 409 and "Not possible now" in r.text
    sid = sessions.start_session(web_world.db, web_world.bob, empty.id, pain_before=4)
    r = c.get(f"/sessions/{sid}/handout.pdf")
    assert r.status_code == 409 and "Not possible now" in r.text
