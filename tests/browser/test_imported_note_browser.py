"""An imported signed note in Chromium (issue 17.1): the note page says where, by whom and when it was signed
and who imported it, at laptop and tablet size; screenshots under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.records_factories import make_client

from taut.clinic import Role
from taut.fhir.export import client_bundle
from taut.fhir.importer import import_bundle
from taut.services import charts, clients, clinics, notes


def test_an_imported_note_names_its_signer_in_its_system(chromium: Any, live_server: LiveServer) -> None:
    db = live_server.db
    tess = clinics.authenticate(db, email=live_server.email, password=live_server.password)
    _, other = clinics.create_clinic(
        db,
        name="Lakeside Physio",
        owner_email="lena@lakeside.example",
        owner_name="Lena Lake",
        password="imported notes keep their signer",
    )
    c = clients.register_client(db, other, make_client(family_name="Imported"))
    assert c.id is not None and other.role == Role.OWNER
    note = notes.write_note(db, other, c.id, kind="progress", body="Pain 6/10 after four sessions.")
    assert note.id is not None
    notes.sign_note(db, other, note.id, expected_version=1)
    new_id = import_bundle(db, tess, client_bundle(db, other, c.id))
    (imported,) = charts.load_chart(db, tess, new_id).notes
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", live_server.email)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/clients**")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("laptop", (1366, 768)), ("tablet", (820, 1180))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.goto(f"{live_server.url}/notes/{imported.id}")
        line = page.locator(".signed-line")
        assert line.is_visible()
        text = line.inner_text()
        assert text.startswith("Signed in Lakeside Physio by Lena Lake on ")
        assert ", imported by Tess Therapist on " in text
        assert "written by Lena Lake in Lakeside Physio" in page.locator(".note-meta").inner_text()
        footer = page.locator("footer.signature").inner_text()
        assert footer.startswith("Signed in Lakeside Physio by Lena Lake") and "never changes" in footer
        page.screenshot(path=str(ARTIFACTS / f"imported-note-{name}.png"), full_page=True)
    page.close()
