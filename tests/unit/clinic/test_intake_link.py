"""The client's intake by link as pure domain (clinic/intake_link.py): each step checked, the drawing
contradicting a "no", the consent's SHA-256 over what was signed, and the intake the draft describes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from taut.clinic import intake_link as d
from taut.clinic.catalogue import catalogue
from taut.clinic.errors import RecordValidationError
from taut.knowledge.screening import safety_screen

NECK = [{"region": "neck.posterior_upper", "side": "right", "intensity": 6, "qualities": ["aching"]}]
SADDLE = [{"region": "pelvis.perineum", "intensity": 3, "qualities": ["numbness"]}]
STORY = {
    "complaint": "Neck",
    "onset": "sudden",
    "duration_value": "2",
    "duration_unit": "weeks",
    "worse": "desk",
}
WHEN = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def _all(answer: str) -> dict[str, str]:
    return {q.id: answer for q in safety_screen().questions}


def _draft() -> dict[str, object]:
    return {
        "where": {"pain_drawing": d.check_where(NECK)},
        "story": d.check_story(STORY),
        "safety": d.check_safety({**_all("no"), "weight_loss": "unsure"}, NECK),
        "life": d.check_life(
            {"pregnancy": "no", "anticoagulants": "yes"},
            ("pregnancy", "anticoagulants"),
            "warfarin\n",
            {"psychosocial": {"stress_level": 8}},
        ),
    }


def test_each_step_is_checked_naming_the_field() -> None:
    with pytest.raises(RecordValidationError) as e:
        d.check_where([])
    assert e.value.field == "pain_drawing"
    for bad, field in (
        ({**STORY, "complaint": " "}, "complaint"),
        ({**STORY, "onset": "yesterday"}, "onset"),
        ({**STORY, "duration_value": "-1"}, "duration_value"),
        ({**STORY, "duration_unit": "fortnights"}, "duration_value"),
        ({**STORY, "duration_value": "999", "duration_unit": "years"}, "duration_value"),
        ({**STORY, "worse": "x" * 2001}, "worse"),
    ):
        with pytest.raises(RecordValidationError) as e:
            d.check_story(bad)
        assert e.value.field == field, bad
    with pytest.raises(RecordValidationError) as e:
        d.check_life({"pregnancy": "no"}, ("pregnancy", "anticoagulants"), "", {})
    assert e.value.field == "caution__anticoagulants"


def test_every_safety_question_must_be_answered_one_by_one() -> None:
    answers = _all("no")
    answers.pop(safety_screen().questions[3].id)
    with pytest.raises(RecordValidationError, match="not answered"):
        d.check_safety(answers, NECK)
    with pytest.raises(RecordValidationError):
        d.check_safety({**_all("no"), "fever": "maybe"}, NECK)


def test_painted_saddle_numbness_contradicts_no_saddle_numbness() -> None:
    with pytest.raises(RecordValidationError) as e:
        d.check_safety(_all("no"), SADDLE)
    assert e.value.field == "answer__saddle_numbness" and "your drawing says otherwise" in e.value.rule
    assert d.check_safety({**_all("no"), "saddle_numbness": "unsure"}, SADDLE)["saddle_numbness"] == "unsure"


def test_the_next_step_is_the_first_not_saved() -> None:
    draft = _draft()
    assert d.next_step({}) == "where"
    assert d.next_step({"where": draft["where"]}) == "story"
    assert d.next_step(draft) == "consent"


def test_the_draft_becomes_the_intake_with_everything_carried() -> None:
    intake = d.intake_of(_draft(), date(2026, 12, 7)).validate(catalogue())
    assert intake.onset == "sudden" and intake.duration_days == 14 and intake.days_so_far() == 14
    assert intake.answer("weight_loss") == "unsure" and intake.answer("fever") == "no"
    assert intake.cautions(catalogue()) == ("anticoagulants",) and intake.medications == ("warfarin",)
    assert intake.factors.psychosocial.stress_level == 8
    assert "What makes it worse (client's words): desk" in intake.history


def _consent(**kw: object) -> d.Consent:
    base: dict[str, object] = {
        "text_version": d.CONSENT_VERSION,
        "signer_name": "Maria Keller",
        "signed_at": WHEN,
        "kind": "typed",
        "signature": "maria keller",
        "answers_sha256": d.sha256_of(d.answers_of(_draft())),
    }
    return d.Consent(**{**base, **kw})  # type: ignore[arg-type]


def test_the_consent_hash_covers_text_version_signer_time_signature_and_answers() -> None:
    c = _consent()
    assert len(c.digest()) == 64 and c.digest() == _consent().digest()
    for change in (
        {"signed_at": WHEN.replace(minute=31)},
        {"text_version": "2027-01"},
        {"signer_name": "Maria B. Keller", "signature": "Maria B. Keller"},
        {"answers_sha256": d.sha256_of({"other": 1})},
    ):
        assert _consent(**change).digest() != c.digest(), change
    assert c.payload()["consent_text"] == list(d.CONSENT_TEXT)


def test_a_signature_must_be_the_typed_name_or_a_drawing() -> None:
    with pytest.raises(RecordValidationError) as e:
        _consent(signature="Someone Else")
    assert e.value.field == "signature"
    with pytest.raises(RecordValidationError):
        _consent(kind="drawn", signature="data:image/png;base64,")
    with pytest.raises(RecordValidationError):
        _consent(kind="drawn", signature="javascript:alert(1)" + "A" * 100)
    drawn = _consent(kind="drawn", signature=d.PNG_PREFIX + "A" * 200)
    assert drawn.kind == "drawn"
    with pytest.raises(RecordValidationError):
        _consent(signed_at=datetime(2026, 12, 7, 9, 30))  # a time without its zone
