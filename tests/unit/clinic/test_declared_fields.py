"""The declarations of clinic/fields.py check values by kind and name the field; a choice knows its labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import CHECKIN_FIELDS, TRIGGER_POINT_SIGNS, RecordField
from taut.clinic.sessions import RELIEF, CheckIn

NOW = datetime(2025, 3, 5, 9, tzinfo=UTC)


def test_a_required_score_may_not_be_missing_an_optional_one_may() -> None:
    with pytest.raises(RecordValidationError, match=r"checkin\.tenderness: must be a whole number"):
        CHECKIN_FIELDS["tenderness"].check("checkin", None)
    TRIGGER_POINT_SIGNS["tenderness"].check("finding", None)
    with pytest.raises(RecordValidationError, match=r"finding\.tenderness: must be 0-10, not 11"):
        TRIGGER_POINT_SIGNS["tenderness"].check("finding", 11)


def test_a_choice_takes_only_its_codes_and_words_them_with_its_labels() -> None:
    relief = CHECKIN_FIELDS["relief"]
    assert relief.codes == RELIEF == ("worse", "none", "some", "much", "complete")
    assert relief.choice_label("much") == "Much better"
    with pytest.raises(RecordValidationError, match=r"checkin\.relief: must be one of worse, none"):
        CheckIn(session_id=1, recorded_at=NOW, tenderness=3, relief="great")
    assert CHECKIN_FIELDS.soap_words(CheckIn(session_id=1, recorded_at=NOW, tenderness=3, relief="some")) == (
        "tenderness 3/10, relief some"
    )


def test_a_choice_needs_its_choices_and_a_wide_enough_column() -> None:
    base = {"name": "x", "label": "X", "kind": "choice", "fhir": "x", "fhir_display": "X", "soap": "x {}"}
    with pytest.raises(ValueError, match="choice"):
        RecordField(**base, why_not_in_letter="test", choices=(("long-code", "Long"),), width=4)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="choice"):
        RecordField(**base, why_not_in_letter="test")  # type: ignore[arg-type]
