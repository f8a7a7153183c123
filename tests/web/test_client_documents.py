"""The client's documents link (docs/client-side.md): the aftercare sheets, receipts and the client's own record
as a PDF summary and a FHIR Bundle, downloaded by the link alone, audited, and only the link's own client's;
a tampered, expired or unlisted download is refused."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from taut.clinic.appointments import AppointmentType, Payment, WorkingHours
from taut.services import appointments as book
from taut.services import portal
from taut.store.tables import audit_log
from tests.web.conftest import Browser, WebWorld, signed_in
from tests.web.test_documents import Treated, treat

KEY_SECRET = "test-secret-key-" + "x" * 32


def _pdf_text(content: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def paid(web_world: WebWorld) -> tuple[Treated, int]:
    w = web_world
    t = treat(w, w.bob, given="Dora", family="Dokument")
    kind = book.save_type(w.db, w.alice, AppointmentType(name="Treatment 60", minutes=60, price_cents=8000))
    book.set_hours(
        w.db, w.alice, w.bob.id or 0, [WorkingHours(weekday=d, start=540, end=1020) for d in range(7)]
    )
    [slot] = book.availability(
        w.db,
        w.fran,
        type_id=kind,
        start=datetime.now(UTC) + timedelta(days=1),
        end=datetime.now(UTC) + timedelta(days=8),
        limit=1,
    )
    [a] = book.book(
        w.db,
        w.fran,
        client_id=t.client_id,
        practitioner_id=slot.practitioner_id,
        type_id=kind,
        start=slot.start,
    )
    assert a.id is not None
    book.record_payment(
        w.db,
        w.fran,
        Payment(appointment_id=a.id, amount_cents=8000, method="card", paid_on=datetime.now(UTC).date()),
    )
    return t, a.id


def _link(w: WebWorld, client_id: int) -> str:
    from taut.clinic.portal import link_key

    made = portal.invite(
        w.db,
        w.bob,
        link_key(KEY_SECRET),
        "http://127.0.0.1:8000",
        client_id,
        "documents",
        send_email=False,
    )
    return "/p/" + made.url.split("/p/")[1]


def test_the_client_downloads_their_documents_and_record(
    web_world: WebWorld, paid: tuple[Treated, int], tmp_path: Path
) -> None:
    w = web_world
    t, appointment_id = paid
    link = _link(w, t.client_id)
    phone = Browser(w.app, follow_redirects=False)
    page = phone.get(link)
    assert (
        page.status_code == 200 and "Your documents, Dora" in page.text and "set-cookie" not in page.headers
    )
    assert (
        f"/files/aftercare-{t.session_id}.pdf" in page.text
        and f"/files/receipt-{appointment_id}.pdf" in page.text
    )
    again = phone.get(link)
    assert again.status_code == 200  # reading does not use the link up

    aftercare = phone.get(f"{link}/files/aftercare-{t.session_id}.pdf")
    assert aftercare.status_code == 200 and aftercare.headers["content-type"] == "application/pdf"
    assert aftercare.headers["cache-control"] == "no-store"
    receipt = phone.get(f"{link}/files/receipt-{appointment_id}.pdf")
    assert receipt.status_code == 200 and "PAID" in _pdf_text(receipt.content, tmp_path)
    summary = phone.get(f"{link}/files/record.pdf")
    assert summary.status_code == 200 and "Dokument" in _pdf_text(summary.content, tmp_path)
    fhir = phone.get(f"{link}/files/record.json")
    assert fhir.status_code == 200 and fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = json.loads(fhir.content)
    patients = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert [p["name"][0]["family"] for p in patients] == ["Dokument"]
    with w.db.transaction() as conn:
        details = (
            conn.execute(
                select(audit_log.c.detail).where(
                    audit_log.c.action == "link-download", audit_log.c.user_id.is_(None)
                )
            )
            .scalars()
            .all()
        )
    assert {"record.pdf", "record.json", f"receipt-{appointment_id}.pdf"} <= set(details)


def test_only_the_links_own_documents_and_bad_links_are_refused(
    web_world: WebWorld, paid: tuple[Treated, int]
) -> None:
    w = web_world
    t, _ = paid
    other = treat(w, w.bob, given="Otto", family="Other")
    link = _link(w, t.client_id)
    phone = Browser(w.app, follow_redirects=False)
    foreign = phone.get(f"{link}/files/aftercare-{other.session_id}.pdf")
    assert foreign.status_code == 404 and "Otto" not in foreign.text
    assert phone.get(f"{link}/files/passwords.txt").status_code == 404
    tampered = link[:-1] + ("0" if not link.endswith("0") else "1")
    assert phone.get(tampered).status_code == 404
    assert phone.get(f"{tampered}/files/record.pdf").status_code == 404
    assert phone.post(link).status_code == 405  # nothing to send by a documents link
    from taut.clinic.portal import link_key

    old = portal.invite(
        w.db,
        w.bob,
        link_key(KEY_SECRET),
        "http://x",
        t.client_id,
        "documents",
        send_email=False,
        now=datetime.now(UTC) - timedelta(days=8),
    )
    expired = "/p/" + old.url.split("/p/")[1]
    assert phone.get(f"{expired}/files/record.pdf").status_code == 410
    desk = signed_in(w.app, w.fran)
    r = desk.post(
        f"/api/v1/clients/{t.client_id}/invitations",
        json={"purpose": "documents"},
        headers={"X-CSRF-Token": desk.csrf},
    )
    assert r.status_code == 403
