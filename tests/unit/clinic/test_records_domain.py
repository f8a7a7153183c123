"""Domain rules of the clinical records: validation names the field and the rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_plan,
    make_session,
)

from taut.anatomy.regions import Side
from taut.clinic import (
    CheckIn,
    Client,
    Note,
    RecordValidationError,
    RomMeasurement,
    ScreeningAnswer,
    SignedRecordError,
    TriggerPointFinding,
    User,
    catalogue,
)
from taut.clinic.people import Permission, Role, allows
from taut.clinic.rom import rom_norms

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)


def test_roles_front_desk_never_reads_clinical_records() -> None:
    assert allows(Role.FRONT_DESK, Permission.READ_CLIENTS)
    assert not allows(Role.FRONT_DESK, Permission.READ_CLINICAL)
    assert not allows(Role.FRONT_DESK, Permission.WRITE_CLINICAL)
    assert allows(Role.THERAPIST, Permission.WRITE_CLINICAL)
    assert not allows(Role.THERAPIST, Permission.MANAGE_USERS)
    assert allows(Role.OWNER, Permission.MANAGE_USERS)


def test_inactive_user_can_do_nothing() -> None:
    u = User(clinic_id=1, email="a@b.org", name="A", role=Role.OWNER, active=False)
    assert not u.can(Permission.READ_CLIENTS)


def test_client_validation_names_field_and_rule() -> None:
    with pytest.raises(RecordValidationError, match=r"client.given_name: is required"):
        make_client(given_name=" ")
    with pytest.raises(RecordValidationError, match=r"client.email: must be an e-mail address"):
        make_client(email="not-an-address")
    with pytest.raises(RecordValidationError, match=r"client.sex: must be one of"):
        make_client(sex="x")


def test_client_without_consent_cannot_be_treated() -> None:
    c = Client(given_name="A", family_name="B", date_of_birth=date(1990, 1, 1))
    with pytest.raises(RecordValidationError, match=r"client.consent.treatment_on"):
        c.require_treatment_consent()


def test_intake_normalises_vocabulary_synonyms() -> None:
    intake = make_intake(screening=(ScreeningAnswer(term="blood thinners", present=True),)).validate(
        catalogue()
    )
    assert intake.screening[0].term == "anticoagulants"
    assert intake.cautions(catalogue()) == ("anticoagulants",)
    assert intake.red_flags(catalogue()) == ()


def test_intake_refuses_a_term_of_the_wrong_kind() -> None:
    with pytest.raises(RecordValidationError, match=r"intake.aggravators\[0\]: 'fever' is a redflag term"):
        make_intake(aggravators=("fever",)).validate(catalogue())


def test_intake_refuses_an_unknown_screening_term() -> None:
    with pytest.raises(
        RecordValidationError, match=r"intake.screening\[0\].term: 'purple toes' is not a term"
    ):
        make_intake(screening=(ScreeningAnswer(term="purple toes", present=True),)).validate(catalogue())


def test_intake_onset_after_the_intake_is_refused() -> None:
    with pytest.raises(RecordValidationError, match=r"intake.began_on: may not be after the intake date"):
        make_intake(began_on=date(2030, 1, 1)).validate(catalogue())


def test_finding_ranges() -> None:
    with pytest.raises(RecordValidationError, match=r"finding.tenderness: must be 0-10, not 11"):
        TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="active", tenderness=11)
    with pytest.raises(
        RecordValidationError, match=r"finding.status: must be one of active, latent, resolved"
    ):
        TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="hot")


def test_assessment_refuses_unknown_trigger_point() -> None:
    bad = make_assessment(
        findings=(TriggerPointFinding(trp_id="upper_trapezius.trp9", side=Side.LEFT, status="active"),)
    )
    with pytest.raises(RecordValidationError, match=r"assessment.findings\[0\].trp_id"):
        bad.validate(catalogue())


def test_rom_carries_the_normal_value_and_its_source() -> None:
    m = RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=45)
    assert m.normal == 60
    assert "AAOS" in m.normal_source
    assert m.percent_of_normal == 75
    assert all(n.source for n in rom_norms().values())


def test_rom_side_rules() -> None:
    with pytest.raises(RecordValidationError, match=r"rom.side: Cervical rotation is measured per side"):
        RomMeasurement(movement="cervical.rotation", side=None, degrees=45)
    with pytest.raises(RecordValidationError, match=r"rom.side: Cervical flexion takes no side"):
        RomMeasurement(movement="cervical.flexion", side=Side.LEFT, degrees=45)
    with pytest.raises(RecordValidationError, match=r"rom.movement: unknown movement"):
        RomMeasurement(movement="neck.twist", side=None, degrees=45)


def test_plan_needs_a_goal_and_known_technique() -> None:
    with pytest.raises(RecordValidationError, match=r"plan.goals: at least one goal"):
        make_plan(goals=()).validate(catalogue())
    bad = make_plan(points=(replace(make_plan().points[0], technique="elbow smash"),))
    with pytest.raises(RecordValidationError, match=r"plan.points\[0\].technique: unknown technique"):
        bad.validate(catalogue())


def test_hold_rules_and_good_pain_warning() -> None:
    with pytest.raises(RecordValidationError, match=r"hold.discomfort: must be 0-10, not 12"):
        make_hold(discomfort=12)
    with pytest.raises(RecordValidationError, match=r"hold.pressure_change: must be one of up, down"):
        make_hold(pressure_change="sideways")
    s = make_session(1, holds=(make_hold(discomfort=9),))
    assert s.warnings == ("hold 1 (upper_trapezius.trp1): discomfort 9/10 is past good pain",)


def test_session_time_must_carry_a_zone() -> None:
    with pytest.raises(RecordValidationError, match=r"session.occurred_at: must carry a time zone"):
        make_session(1, occurred_at=datetime(2025, 1, 1, 10)).validate(catalogue())


def test_checkin_rules() -> None:
    with pytest.raises(RecordValidationError, match=r"checkin.relief: must be one of"):
        CheckIn(session_id=1, recorded_at=NOW, tenderness=3, relief="great")


def test_signed_note_never_changes_and_is_amended() -> None:
    draft = Note(id=5, kind="progress", body="Initial text", author_id=1, written_at=NOW)
    assert draft.edited("Better text").body == "Better text"
    signed = draft.signed_now(by=1, at=NOW)
    with pytest.raises(SignedRecordError):
        signed.edited("changed")
    with pytest.raises(SignedRecordError):
        signed.signed_now(by=1, at=NOW)
    amendment = signed.amendment(body="Correction: left, not right.", author_id=2, at=NOW)
    assert amendment.amends_id == 5 and not amendment.signed
    with pytest.raises(RecordValidationError, match=r"note.amends_id"):
        draft.amendment(body="x", author_id=1, at=NOW)


def test_a_measurement_must_be_a_finite_number() -> None:
    import math

    import pytest

    from taut.clinic import TriggerPointFinding
    from taut.clinic.errors import RecordValidationError

    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(RecordValidationError, match="finite"):
            TriggerPointFinding(trp_id="upper_trapezius.trp1", side=None, status="active", ppt_kpa=bad)
    assert (
        TriggerPointFinding(trp_id="upper_trapezius.trp1", side=None, status="active", ppt_kpa=310.5).ppt_kpa
        == 310.5
    )
