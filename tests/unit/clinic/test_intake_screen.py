"""The safety screen on the intake (answers yes / no / unsure by question id, duration in days), what the engine
sees of it, and where a red flag stands after a referral, a clearance or an override."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tests.records_factories import make_client, make_intake

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import Intake, RecordValidationError, ScreenAnswer, catalogue
from taut.clinic.intake import engine_case
from taut.clinic.screening import (
    AWAITING,
    CLEARED,
    OVERRIDDEN,
    PENDING,
    MedicalClearance,
    ScreeningDecision,
    flag_state,
)
from taut.reasoning.redflags import screen

T0 = datetime(2025, 3, 3, 12, tzinfo=UTC)


def _answers(**given: str) -> tuple[ScreenAnswer, ...]:
    return tuple(ScreenAnswer(question=q, answer=a) for q, a in given.items())


def _saddle() -> PainDrawing:
    return PainDrawing.of(
        [
            PainMark(RegionRef("pelvis.perineum", None), 4, ("numbness",)),
            PainMark(RegionRef("thigh.medial", Side.LEFT), 4, ("numbness",)),
            PainMark(RegionRef("thigh.medial", Side.RIGHT), 4, ("numbness",)),
            PainMark(RegionRef("lowback.lumbar", Side.RIGHT), 6, ("aching",)),
        ]
    )


def test_answers_and_duration_round_trip_through_the_stored_form() -> None:
    i = make_intake(
        answers=_answers(fever="no", saddle_numbness="unsure", smoker="yes"), duration_days=3
    ).validate(catalogue())
    back = Intake.from_dict(i.to_dict())
    assert back.answers == i.answers and back.duration_days == 3
    assert i.to_dict()["answers"][2] == {"question": "smoker", "answer": "yes"}


def test_an_intake_stored_before_the_screen_reads_with_no_answers() -> None:
    d = make_intake().to_dict()
    del d["answers"], d["duration_days"]
    old = Intake.from_dict(d)
    assert old.answers == () and old.duration_days is None


def test_no_to_saddle_numbness_is_refused_when_numbness_is_painted_in_the_saddle() -> None:
    i = make_intake(pain_drawing=_saddle(), answers=_answers(fever="no", saddle_numbness="no"))
    with pytest.raises(
        RecordValidationError, match=r"intake.answers\[1\].answer: .*saddle_numbness.*perineum"
    ):
        i.validate(catalogue())
    for ok in ("yes", "unsure"):
        make_intake(pain_drawing=_saddle(), answers=_answers(saddle_numbness=ok)).validate(catalogue())


def test_no_is_refused_when_the_story_tells_the_answer() -> None:
    i = make_intake(symptoms=("headache", "dizziness"), answers=_answers(dizziness="no"))
    with pytest.raises(RecordValidationError, match=r"dizziness.*already records dizziness"):
        i.validate(catalogue())
    i = make_intake(mechanisms=("whiplash",), answers=_answers(major_trauma="no"))
    with pytest.raises(RecordValidationError, match=r"major_trauma.*car accident"):
        i.validate(catalogue())


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            _answers(no_such_question="yes"),
            r"intake.answers\[0\].question: 'no_such_question' is not a question",
        ),
        (_answers(fever="maybe"), r"intake.answers\[0\].answer: must be one of yes, no, unsure"),
        ((ScreenAnswer(question="fever", answer="no"),) * 2, r"intake.answers: .*fever"),
    ],
)
def test_bad_answers_name_the_field(answers: tuple[ScreenAnswer, ...], message: str) -> None:
    with pytest.raises(RecordValidationError, match=message):
        make_intake(answers=answers).validate(catalogue())


def test_duration_days_is_a_whole_number_of_days() -> None:
    with pytest.raises(RecordValidationError, match=r"intake.duration_days"):
        make_intake(duration_days=-1).validate(catalogue())


def test_the_engine_sees_yes_answers_onset_and_duration_unsure_stays_open() -> None:
    i = make_intake(
        id=7,
        pain_drawing=_saddle(),
        onset="sudden",
        duration_days=1,
        answers=_answers(saddle_numbness="yes", bladder_bowel="unsure", fever="no", smoker="yes"),
    ).validate(catalogue())
    case = engine_case(i, make_client())
    assert "saddle numbness" in case.terms and "smoker" in case.terms
    assert "bladder or bowel change" not in case.terms and "fever" not in case.terms
    assert case.onset == "sudden" and case.duration_days == 1
    assert "bladder_bowel" in i.open_questions() and "fever" not in i.open_questions()
    red, _ = screen(case)
    assert "cauda_equina" in {f.code for f in red}


def test_duration_falls_back_to_weeks_then_to_the_day_it_began() -> None:
    assert make_intake(duration_days=None, duration_weeks=2).days_so_far() == 14
    i = make_intake(duration_days=None, duration_weeks=None, began_on=date(2025, 2, 24))
    assert i.days_so_far() == 7
    assert engine_case(make_intake(onset="unknown"), make_client()).onset is None


def _decision(
    kind: str, at: datetime, flags: tuple[str, ...] = ("cauda_equina",), did: int = 1
) -> ScreeningDecision:
    return ScreeningDecision(
        id=did,
        intake_id=1,
        decision=kind,
        flags=flags,
        reason="client seen",
        referred_to="GP" if kind == "referred" else "",
        decided_at=at,
    )


def _clearance(at: datetime, flags: tuple[str, ...] = ("cauda_equina",)) -> MedicalClearance:
    return MedicalClearance(
        id=1,
        intake_id=1,
        flags=flags,
        cleared_by="Dr A. Meier, Praxis Meier",
        cleared_on=at.date(),
        scope="soft-tissue treatment of the lower back",
        recorded_at=at,
    )


def test_a_referral_blocks_until_cleared_and_an_override_lifts_it() -> None:
    assert flag_state("cauda_equina", ()).status == PENDING
    referred = _decision("referred", T0)
    assert flag_state("cauda_equina", [referred]).status == AWAITING
    assert flag_state("cauda_equina", [referred]).blocks
    # a clearance of another flag, or one recorded before the referral, does not answer it
    assert flag_state("cauda_equina", [referred], [_clearance(T0, ("fracture",))]).status == AWAITING
    assert flag_state("cauda_equina", [referred], [_clearance(T0 - timedelta(hours=1))]).status == AWAITING
    cleared = flag_state("cauda_equina", [referred], [_clearance(T0 + timedelta(days=2))])
    assert cleared.status == CLEARED and not cleared.blocks
    assert cleared.clearance is not None and cleared.clearance.cleared_by.startswith("Dr A. Meier")
    overridden = flag_state("cauda_equina", [referred, _decision("override", T0 + timedelta(hours=1), did=2)])
    assert overridden.status == OVERRIDDEN and not overridden.blocks
    # a new referral after the override blocks again
    again = [referred, _decision("override", T0, did=2), _decision("referred", T0 + timedelta(days=1), did=3)]
    assert flag_state("cauda_equina", again).status == AWAITING


def test_a_clearance_names_who_when_and_what_for() -> None:
    with pytest.raises(RecordValidationError, match=r"clearance.cleared_by: is required"):
        MedicalClearance(
            intake_id=1, flags=("x",), cleared_by=" ", cleared_on=T0.date(), scope="s", recorded_at=T0
        )
    with pytest.raises(RecordValidationError, match=r"clearance.scope: is required"):
        MedicalClearance(
            intake_id=1, flags=("x",), cleared_by="Dr B", cleared_on=T0.date(), scope="", recorded_at=T0
        )
    with pytest.raises(RecordValidationError, match=r"clearance.cleared_on"):
        MedicalClearance(
            intake_id=1,
            flags=("x",),
            cleared_by="Dr B",
            cleared_on=T0.date() + timedelta(days=1),
            scope="s",
            recorded_at=T0,
        )
    with pytest.raises(RecordValidationError, match=r"clearance.flags"):
        MedicalClearance(
            intake_id=1, flags=(), cleared_by="Dr B", cleared_on=T0.date(), scope="s", recorded_at=T0
        )


def test_a_caution_level_flag_limits_the_session_and_holds_nothing() -> None:
    from taut.clinic.screening import refers

    assert refers("emergency") and refers("urgent") and refers("refer")
    assert not refers("caution")
