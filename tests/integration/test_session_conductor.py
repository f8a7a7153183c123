"""The conductor's use cases: a session opened, holds saved one at a time, finished; red flags block it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_client, make_intake

from taut.clinic import AccessDenied, Hold, NotFound, ScreeningAnswer
from taut.clinic.errors import RecordValidationError, SignedRecordError, TreatmentBlocked
from taut.services import clients, records, sessions, suggestions
from taut.services.charts import load_chart
from taut.store import Database


def _hold(trp: str = "upper_trapezius.trp1", **kw: object) -> Hold:
    values: dict[str, object] = dict(
        trp_id=trp, side="right", technique="ischemic_compression", pressure=3, seconds=20, discomfort=6
    )
    values.update(kw)
    return Hold(**values)  # type: ignore[arg-type]


def test_holds_are_saved_one_by_one_and_the_session_closes(db: Database, world: World) -> None:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    records.record_intake(db, world.bob, c.id, make_intake())
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    sid = sessions.start_session(db, world.bob, c.id, pain_before=6, occurred_at=start)
    assert sessions.add_hold(db, world.bob, sid, _hold()) == 0
    # The tab closes here: what was saved is in the chart, the session still open.
    chart = load_chart(db, world.bob, c.id)
    (entry,) = chart.sessions
    assert entry.session.open and len(entry.session.holds) == 1
    assert sessions.add_hold(db, world.bob, sid, _hold("levator_scapulae.trp1", released=True)) == 1
    done = sessions.finish_session(
        db, world.bob, sid, pain_after=3, notes="eased", ended_at=start + timedelta(minutes=40)
    )
    assert done.minutes == 40
    _, saved = sessions.get_session(db, world.bob, sid)
    assert saved.status == "finished" and [h.trp_id for h in saved.holds] == [
        "upper_trapezius.trp1",
        "levator_scapulae.trp1",
    ]
    with pytest.raises(SignedRecordError):
        sessions.add_hold(db, world.bob, sid, _hold())
    with pytest.raises(SignedRecordError):
        sessions.finish_session(db, world.bob, sid, pain_after=2)


def test_bad_holds_and_other_clinics_and_front_desk_are_refused(db: Database, world: World) -> None:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    sid = sessions.start_session(db, world.bob, c.id, pain_before=5)
    with pytest.raises(RecordValidationError, match=r"hold\.trp_id"):
        sessions.add_hold(db, world.bob, sid, _hold("no_such_muscle.trp1"))
    with pytest.raises(NotFound):
        sessions.add_hold(db, world.carol, sid, _hold())
    with pytest.raises(NotFound):
        sessions.get_session(db, world.carol, sid)
    with pytest.raises(AccessDenied):
        sessions.add_hold(db, world.fran, sid, _hold())
    assert sessions.get_session(db, world.bob, sid)[1].holds == ()


def test_a_red_flag_blocks_treatment_until_referral_or_override(db: Database, world: World) -> None:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    iid = records.record_intake(
        db, world.bob, c.id, make_intake(screening=(ScreeningAnswer(term="fever", present=True),))
    )
    s = suggestions.suggest_for_intake(db, world.bob, c.id)
    assert s.intake.id == iid and s.pending_red_flags
    codes = tuple(f.code for f in s.pending_red_flags)
    with pytest.raises(TreatmentBlocked, match="blocked"):
        sessions.start_session(db, world.bob, c.id, pain_before=5)
    with pytest.raises(RecordValidationError, match=r"decision\.reason"):
        sessions.record_decision(db, world.bob, c.id, iid, decision="override", reason=" ", flags=codes)
    with pytest.raises(RecordValidationError, match="referred_to"):
        sessions.record_decision(db, world.bob, c.id, iid, decision="referred", reason="fever", flags=codes)
    sessions.record_decision(
        db,
        world.bob,
        c.id,
        iid,
        decision="override",
        reason="GP saw her yesterday: viral, cleared",
        flags=codes,
    )
    assert suggestions.suggest_for_intake(db, world.bob, c.id).pending_red_flags == ()
    assert sessions.start_session(db, world.bob, c.id, pain_before=5) > 0
    assert len(load_chart(db, world.bob, c.id).decisions) == 1


def test_the_chart_the_start_form_and_the_session_block_agree_on_the_latest_intake(
    db: Database, world: World
) -> None:
    """An intake typed in late for an earlier day gets the higher id; the latest intake is still the one with
    the later date, for the chart, the suggestions, the conductor's start form and the session block alike."""
    from taut.services import conductor_support
    from taut.web.conductor.page import start_view

    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    flagged = records.record_intake(
        db,
        world.bob,
        c.id,
        make_intake(recorded_on=date(2025, 3, 10), screening=(ScreeningAnswer(term="fever", present=True),)),
    )
    late_paper = records.record_intake(db, world.bob, c.id, make_intake(recorded_on=date(2025, 3, 1)))
    assert late_paper > flagged
    chart = load_chart(db, world.bob, c.id)
    assert [i.id for i in chart.intakes] == [late_paper, flagged]  # by date, then id
    latest = chart.latest_intake()
    assert latest is not None and latest.id == flagged
    assert suggestions.suggest_for_intake(db, world.bob, c.id).intake.id == flagged
    start = start_view(conductor_support.start_records(db, world.bob, c.id))
    assert start.latest_intake_id == flagged and start.pending_red_flags == chart.pending_red_flags() != ()
    with pytest.raises(TreatmentBlocked):
        sessions.start_session(db, world.bob, c.id, pain_before=5)
