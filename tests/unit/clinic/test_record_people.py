"""The record's people on the client (issue 17.11), consent to treatment as the chart marks it (17.6), the
amendment record (17.7) and the progress letter's salutation: the pure core."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from taut.clinic.amendments import RecordAmendment, amendment_reason
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import CLIENT_PEOPLE, RecordField
from taut.clinic.people import Client, Consent
from taut.reports.content import Addressee

BORN = date(1980, 5, 6)


def client(**kw: object) -> Client:
    return Client(given_name="Ada", family_name="Moss", date_of_birth=BORN, **kw)  # type: ignore[arg-type]


def test_the_client_holds_exactly_the_declared_people() -> None:
    c = client(occupation="Pianist", emergency_name="Ben Moss", referrer_name="Dr Anna Meier")
    assert set(c.people) == set(CLIENT_PEOPLE.names)
    assert c.people["occupation"] == "Pianist" and c.people["referrer_name"] == "Dr Anna Meier"
    assert all(f.kind == "text" and f.max_len > 0 for f in CLIENT_PEOPLE)


def test_people_are_trimmed_blank_is_none_and_an_email_is_lower_case() -> None:
    c = client(occupation="  Pianist ", emergency_relation="   ", referrer_email=" Anna@Praxis.Example ")
    assert c.occupation == "Pianist" and c.emergency_relation is None
    assert c.referrer_email == "anna@praxis.example"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("emergency_phone", "call me maybe", "may hold only digits"),
        ("referrer_phone", "12", "may hold only digits"),
        ("referrer_email", "anna at praxis", "must be an e-mail address"),
        ("occupation", "x" * 201, "at most 200 characters"),
        ("referrer_address", "a\x00b", "NUL"),
        ("emergency_name", 42, "must be text"),
    ],
)
def test_a_bad_person_field_is_refused_by_name(field: str, value: object, rule: str) -> None:
    with pytest.raises(RecordValidationError) as e:
        client(**{field: value})
    assert e.value.field == f"client.{field}" and rule in e.value.rule


def test_a_text_field_needs_its_length() -> None:
    with pytest.raises(ValueError, match="longest length"):
        RecordField(
            name="x", label="X", kind="text", fhir="x", fhir_display="X", soap="", why_not_in_letter="no"
        )


def test_a_client_without_treatment_consent_is_marked() -> None:
    assert client().needs_treatment_consent
    with pytest.raises(RecordValidationError) as e:
        client().require_treatment_consent()
    assert e.value.field == "client.consent.treatment_on"
    given = client(consent=Consent(treatment_on=date(2025, 1, 2)))
    assert not given.needs_treatment_consent
    given.require_treatment_consent()


def test_the_letter_greets_the_referring_provider_by_name() -> None:
    meier = client(
        referrer_name="Dr Anna Meier",
        referrer_practice="Praxis am See",
        referrer_address="Seeweg 1, 8000 Zürich",
    )
    to = Addressee.of(meier)
    assert to is not None and to.lines == ("Dr Anna Meier", "Praxis am See", "Seeweg 1", "8000 Zürich")
    assert Addressee.of(client()) is None
    practice_only = Addressee.of(client(referrer_practice="Praxis am See"))
    assert practice_only is not None and practice_only.name is None


def test_an_amendment_needs_a_reason_and_a_known_record() -> None:
    assert amendment_reason("  typo in the complaint ") == "typo in the complaint"
    for bad in ("", "   ", None, "x" * 2001):
        with pytest.raises(RecordValidationError) as e:
            amendment_reason(bad)
        assert e.value.field == "reason"
    at = datetime(2025, 3, 3, 9, tzinfo=UTC)
    with pytest.raises(RecordValidationError) as e:
        RecordAmendment(
            entity="plan",  # type: ignore[arg-type]
            record_id=1,
            version=1,
            previous={},
            amended_by=1,
            amended_by_name="Bob",
            amended_at=at,
            reason="why",
        )
    assert e.value.field == "amendment.entity"
