"""Referral, medical clearance and override on SQLite and PostgreSQL: a referral holds treatment until the
clearance is recorded; an override needs a reason; both are audited and show on the chart and the SOAP note.
The safety screen's answers and duration are stored and read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.integration.conftest import World
from tests.records_factories import make_client, make_intake

from taut.clinic import AccessDenied, NotFound, ScreenAnswer
from taut.clinic.errors import RecordValidationError, TreatmentBlocked
from taut.clinic.soap import build_soap_note
from taut.services import clearance, clients, records, sessions, suggestions
from taut.services.charts import load_chart
from taut.store import Database, tables


def _flagged_client(db: Database, world: World) -> tuple[int, int]:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    iid = records.record_intake(
        db,
        world.bob,
        c.id,
        make_intake(
            answers=(
                ScreenAnswer(question="fever", answer="yes"),
                ScreenAnswer(question="weight_loss", answer="unsure"),
                ScreenAnswer(question="smoker", answer="no"),
            ),
            duration_days=40,  # weeks of pain: a new neck pain with headache (<= 14 days) is a red flag of its own
        ),
    )
    return c.id, iid


def _audit(db: Database, entity: str, client_id: int) -> list[tuple[str, str | None]]:
    """The audit entries of one kind of record of one client (a refusal before the client is read has none:
    it is matched by the entity alone)."""
    a = tables.audit_log.c
    with db.transaction() as conn:
        rows = conn.execute(
            select(a.action, a.detail)
            .where(a.entity == entity, (a.client_id == client_id) | (a.client_id.is_(None)))
            .order_by(a.id)
        )
        return [(r.action, r.detail) for r in rows]


def test_the_safety_screen_is_stored_and_read_back(db: Database, world: World) -> None:
    cid, iid = _flagged_client(db, world)
    (intake,) = load_chart(db, world.bob, cid).intakes
    assert intake.id == iid and intake.duration_days == 40
    assert [(a.question, a.answer) for a in intake.answers] == [
        ("fever", "yes"),
        ("weight_loss", "unsure"),
        ("smoker", "no"),
    ]
    s = suggestions.suggest_for_intake(db, world.bob, cid)
    assert "meningitis_or_infection" in {f.code for f in s.suggestion.red_flags}


def test_referral_blocks_until_clearance_then_treatment_may_start(db: Database, world: World) -> None:
    cid, iid = _flagged_client(db, world)
    with pytest.raises(TreatmentBlocked, match="referral or an override"):
        sessions.start_session(db, world.bob, cid, pain_before=5)
    # a clearance before any referral answers nothing
    with pytest.raises(RecordValidationError, match=r"clearance\.flags"):
        clearance.record_clearance(
            db, world.bob, cid, iid, cleared_by="Dr A. Meier", cleared_on=date(2025, 3, 4), scope="massage"
        )
    sessions.record_decision(
        db, world.bob, cid, iid, decision="referred", referred_to="GP, Praxis Meier", reason="fever 38.5"
    )
    with pytest.raises(TreatmentBlocked, match="medical clearance") as blocked:
        sessions.start_session(db, world.bob, cid, pain_before=5)
    assert blocked.value.awaiting == ("meningitis_or_infection",) and blocked.value.flags == ()
    # front desk and another clinic cannot record one; bad clearances change nothing
    with pytest.raises(AccessDenied):
        clearance.record_clearance(
            db, world.fran, cid, iid, cleared_by="Dr X", cleared_on=date(2025, 3, 4), scope="all"
        )
    with pytest.raises(NotFound):
        clearance.record_clearance(
            db, world.carol, cid, iid, cleared_by="Dr X", cleared_on=date(2025, 3, 4), scope="all"
        )
    with pytest.raises(RecordValidationError, match=r"clearance\.flags\[0\].*not a red flag"):
        clearance.record_clearance(
            db,
            world.bob,
            cid,
            iid,
            cleared_by="Dr X",
            cleared_on=date(2025, 3, 4),
            scope="x",
            flags=("cardiac",),
        )
    with pytest.raises(RecordValidationError, match=r"clearance\.scope"):
        clearance.record_clearance(
            db, world.bob, cid, iid, cleared_by="Dr X", cleared_on=date(2025, 3, 4), scope=""
        )
    assert load_chart(db, world.bob, cid).clearances == ()

    made = clearance.record_clearance(
        db,
        world.bob,
        cid,
        iid,
        cleared_by="Dr A. Meier, Praxis Meier",
        cleared_on=date(2025, 3, 5),
        scope="soft-tissue treatment of the neck, light pressure",
    )
    assert made.id is not None and made.flags == ("meningitis_or_infection",)
    sid = sessions.start_session(db, world.bob, cid, pain_before=5)
    assert sid > 0
    chart = load_chart(db, world.bob, cid)
    assert [c.cleared_by for c in chart.clearances] == ["Dr A. Meier, Praxis Meier"]
    audited = _audit(db, "clearance", cid)
    assert [a for a, _ in audited][-2:] == [
        "denied",
        "create",
    ]  # the front desk's attempt, then the clearance
    assert "Dr A. Meier" in (audited[-1][1] or "")
    # the SOAP note names the referral and the clearance
    sessions.finish_session(db, world.bob, sid, pain_after=3)
    chart = load_chart(db, world.bob, cid)
    note = build_soap_note(chart, sid).render()
    assert (
        "referred to GP, Praxis Meier" in note
        and "cleared by Dr A. Meier, Praxis Meier on 2025-03-05" in note
    )


def test_an_override_after_referral_needs_a_reason_is_audited_and_shows_in_the_note(
    db: Database, world: World
) -> None:
    cid, iid = _flagged_client(db, world)
    sessions.record_decision(db, world.bob, cid, iid, decision="referred", referred_to="GP", reason="fever")
    with pytest.raises(RecordValidationError, match=r"decision\.reason"):
        sessions.record_decision(
            db, world.bob, cid, iid, decision="override", reason="  ", flags=("meningitis_or_infection",)
        )
    with pytest.raises(TreatmentBlocked):
        sessions.start_session(db, world.bob, cid, pain_before=5)
    sessions.record_decision(
        db,
        world.bob,
        cid,
        iid,
        decision="override",
        reason="GP phoned: viral, no fever since two days",
        flags=("meningitis_or_infection",),
    )
    start = datetime.now(UTC) + timedelta(minutes=1)
    sid = sessions.start_session(db, world.bob, cid, pain_before=5, occurred_at=start)
    audited = [entry for entry in _audit(db, "decision", cid) if entry[0] == "create"]
    assert len(audited) == 2 and "override: meningitis_or_infection" in (audited[-1][1] or "")
    sessions.finish_session(db, world.bob, sid, pain_after=3, ended_at=start + timedelta(minutes=30))
    note = build_soap_note(load_chart(db, world.bob, cid), sid).render()
    assert "OVERRIDE" in note and "GP phoned: viral" in note


def test_the_referral_letter_names_the_findings(db: Database, world: World) -> None:
    from taut.reports.referral import load_referral, referral_html, referral_pdf

    cid, iid = _flagged_client(db, world)
    referral = sessions.record_decision(
        db,
        world.bob,
        cid,
        iid,
        decision="referred",
        referred_to="Dr A. Meier, GP",
        reason="fever 38.5 with pain",
    )
    assert referral.id is not None
    content = load_referral(db, world.bob, cid, iid, referral.id, today=date(2025, 3, 4))
    (flag,) = content.flags
    assert flag.name.startswith("Fever") and "fever" in flag.because
    assert content.referred_to == "Dr A. Meier, GP" and content.reason == "fever 38.5 with pain"
    assert any("fever" in a.lower() for a in content.yes_answers)
    assert any("weight" in a.lower() for a in content.open_answers)
    page = referral_html(content)
    assert "Referral for medical assessment" in page and "Dr A. Meier, GP" in page
    assert "Findings that raised it" in page and "felt for 40 days" in page
    assert referral_pdf(db, world.bob, cid, iid, referral.id).startswith(b"%PDF")
    with pytest.raises(AccessDenied):
        referral_pdf(db, world.fran, cid, iid, referral.id)
    with pytest.raises(NotFound):
        referral_pdf(db, world.carol, cid, iid, referral.id)
    override = sessions.record_decision(
        db, world.bob, cid, iid, decision="override", reason="x", flags=("meningitis_or_infection",)
    )
    assert override.id is not None
    with pytest.raises(NotFound):  # an override is no referral
        load_referral(db, world.bob, cid, iid, override.id)


def test_the_clearance_travels_in_the_fhir_bundle_and_keeps_treatment_open_after_import(
    db: Database, world: World
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    from taut.fhir.export import client_bundle
    from taut.fhir.importer import import_bundle

    cid, iid = _flagged_client(db, world)
    sessions.record_decision(
        db, world.bob, cid, iid, decision="referred", referred_to="GP, Praxis Meier", reason="fever 38.5"
    )
    clearance.record_clearance(
        db,
        world.bob,
        cid,
        iid,
        cleared_by="Dr A. Meier, Praxis Meier",
        cleared_on=date(2025, 3, 5),
        scope="soft-tissue treatment of the neck, light pressure",
        note="letter scanned to the chart",
    )
    b = client_bundle(db, world.bob, cid)
    Bundle.model_validate(b)  # the Bundle is valid FHIR R4B
    issues = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "DetectedIssue"]
    (cleared,) = [i for i in issues if i["code"]["coding"][0]["code"] == "medical-clearance"]
    assert cleared["mitigation"][0]["date"] == "2025-03-05" and cleared["detail"].startswith("soft-tissue")
    assert [x["code"] for cc in cleared["evidence"][0]["code"] for x in cc["coding"]] == [
        "meningitis_or_infection"
    ]

    new_id = import_bundle(db, world.carol, b)  # another clinic
    original, copy = load_chart(db, world.bob, cid), load_chart(db, world.carol, new_id)
    assert [(m.flags, m.cleared_by, m.cleared_on, m.scope, m.note) for m in copy.clearances] == [
        (m.flags, m.cleared_by, m.cleared_on, m.scope, m.note) for m in original.clearances
    ]
    assert copy.clearances[0].intake_id == copy.intakes[0].id
    assert copy.clearances[0].recorded_by == world.carol.id  # nobody of the new clinic had recorded it
    assert (
        sessions.start_session(db, world.carol, new_id, pain_before=5) > 0
    )  # referred and cleared: not blocked
