"""The chart's timeline: newest day first, and within a day in the order things happened (the intake before
the examination before the plan before the session); notes named as the clinic names them ("SOAP note")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from taut.services import clients, notes, records, sessions
from tests.records_factories import make_assessment, make_client, make_intake, make_plan
from tests.web.conftest import WebWorld, signed_in

DAY = date(2025, 3, 3)


def test_a_first_visit_reads_in_time_order_within_its_day(web_world: WebWorld) -> None:
    w = web_world
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    records.record_intake(w.db, w.bob, c.id, make_intake(recorded_on=DAY))
    records.record_assessment(w.db, w.bob, c.id, make_assessment(assessed_on=DAY))
    plan_id = records.create_plan(w.db, w.bob, c.id, make_plan(starts_on=DAY))
    sid = sessions.start_session(
        w.db,
        w.bob,
        c.id,
        pain_before=6,
        plan_id=plan_id,
        occurred_at=datetime(2025, 3, 3, 10, 30, tzinfo=UTC),
    )
    notes.write_note(w.db, w.bob, c.id, kind="soap", body="S: neck pain", session_id=sid)
    page = signed_in(w.app, w.bob).get(f"/clients/{c.id}")
    assert page.status_code == 200
    timeline = page.text.split('<ol class="timeline"', 1)[1]
    titles = [
        "SOAP note (draft)",
        "Treatment session: 0 holds",
        "Treatment plan (active)",
        "Examination",
        "Intake: ",
    ]
    at = [timeline.find(t) for t in titles]
    assert -1 not in at, dict(zip(titles, at, strict=True))
    assert at == sorted(at), dict(zip(titles, at, strict=True))  # newest first: the note (today) at the top
    assert "Soap note" not in page.text
    assert page.text.count("3 Mar 2025") >= 4 or page.text.count("2025-03-03") >= 4


def test_each_view_of_the_chart_page_is_one_audit_entry(web_world: WebWorld) -> None:
    """The chart page reads the chart, the appointments and what the client sent in one read and writes one
    audit entry per view, naming what else it showed (not one entry per part of the page)."""
    from sqlalchemy import select

    from taut.store import tables

    w = web_world
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    browser = signed_in(w.app, w.bob)
    a = tables.audit_log.c
    for _ in range(2):
        assert browser.get(f"/clients/{c.id}").status_code == 200
    with w.db.read() as conn:
        rows = conn.execute(
            select(a.action, a.entity, a.detail, a.user_id).where(a.client_id == c.id, a.action != "create")
        ).all()
    assert [tuple(r) for r in rows] == [("read", "chart", "0 appointment(s)", w.bob.id)] * 2
    assert browser.get("/clients/999999").status_code == 404
