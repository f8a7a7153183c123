"""A client's number as SMS needs it (E.164) with a clear error naming the field otherwise, and the SMS
reminder's text: short, the links whole, nothing clinical."""

from __future__ import annotations

import pytest

from taut.clinic.errors import RecordValidationError
from taut.clinic.sms import MAX_TEXT, mobile_number, reminder_text


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0049 151 2345-6789", "+4915123456789"),
        ("+1 (415) 555.0123", "+14155550123"),
        ("+41/79/555 01 23", "+41795550123"),
        ("  +6834123 ", "+6834123"),  # Niue: a three-digit country code and four digits
    ],
)
def test_numbers_written_for_people_become_e164(written: str, e164: str) -> None:
    assert mobile_number(written) == e164


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("030 1234567", "with + and the country code, like +44 7700 900123"),
        ("", "is needed for SMS reminders"),
        (None, "is needed for SMS reminders"),
        ("+44 7700 900123 ext 4", "only digits after +"),
        ("+0 7700 900123", "no country code starts with 0"),
        ("+41 12", "7 to 15 digits, not 4"),
        ("+1234567890123456", "7 to 15 digits, not 16"),
        ("+٤٤٧٧٠٠٩٠٠١٢٣", "only digits after +"),  # Arabic-Indic digits are not sent
    ],
)
def test_a_number_that_cannot_take_sms_is_named(written: str | None, words: str) -> None:
    with pytest.raises(RecordValidationError) as e:
        mobile_number(written, "client.phone")
    assert e.value.field == "client.phone" and words in e.value.rule


def test_the_reminder_text_is_short_and_keeps_its_links_whole() -> None:
    confirm, cancel = "https://t.example/r/7/confirm/" + "a" * 40, "https://t.example/r/7/cancel/" + "b" * 40
    text = reminder_text(
        kind="NMT treatment 60 min",
        when="Mon 14 Jun 10:00",
        clinic="Clinic A",
        confirm_url=confirm,
        cancel_url=cancel,
    )
    assert text == (
        f"Clinic A: reminder of your NMT treatment 60 min, Mon 14 Jun 10:00.\nConfirm: {confirm}\nCancel: {cancel}"
    )
    late = reminder_text(
        kind="x",
        when="y",
        clinic="Clinic A",
        confirm_url=confirm,
        cancel_url=None,
        clinic_phone="+49 431 123",
    )
    assert late.endswith("To cancel, please call +49 431 123.") and "/cancel/" not in late
    long = reminder_text(kind="k" * 300, when="y", clinic="c" * 300, confirm_url=confirm, cancel_url=cancel)
    assert len(long) <= MAX_TEXT and confirm in long and cancel in long
