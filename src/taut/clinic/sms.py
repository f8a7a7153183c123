"""A client's mobile number as SMS needs it, and the short text of an SMS reminder. Pure Python.

An SMS service needs the number in international form (E.164: ``+``, the country code and the subscriber's
number, at most 15 digits; ITU-T Recommendation E.164 (11/2010), section 6). A number written for people
("+44 (0)7700 900123", "0049 151 2345 6789") is normalised to that form; a number without its country code
cannot be sent to (Taut does not guess the country) and gets an error naming the field that says how to write
it. Whether the number is a mobile is the SMS service's to say: a refused message is reported in the outbox.
"""

from __future__ import annotations

import re

from taut.clinic.errors import RecordValidationError

MAX_DIGITS = 15  # E.164
MIN_DIGITS = 7  # the shortest international numbers in use (a three-digit country code and four digits)
EXAMPLE = "+44 7700 900123"
MAX_TEXT = 480  # three SMS parts at most


def mobile_number(value: str | None, field: str = "phone") -> str:
    """``value`` in E.164 (``+447700900123``); RecordValidationError naming ``field`` otherwise."""
    raw = (value or "").strip()
    if not raw:
        raise RecordValidationError(field, "is needed for SMS reminders: the client's mobile number")
    compact = re.sub(r"[\s.\-/]", "", raw).replace("(0)", "")
    compact = re.sub(r"[()]", "", compact)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+"):
        raise RecordValidationError(
            field,
            f"{raw!r} cannot take SMS: write it with + and the country code, like {EXAMPLE}",
        )
    digits = compact[1:]
    if not digits.isdigit() or not digits.isascii():
        raise RecordValidationError(
            field, f"{raw!r} cannot take SMS: a mobile number has only digits after +"
        )
    if digits.startswith("0"):
        raise RecordValidationError(field, f"{raw!r} cannot take SMS: no country code starts with 0")
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise RecordValidationError(
            field,
            f"{raw!r} cannot take SMS: an international number has {MIN_DIGITS} to {MAX_DIGITS} digits, "
            f"not {len(digits)}",
        )
    return "+" + digits


def reminder_text(
    *, kind: str, when: str, clinic: str, confirm_url: str, cancel_url: str | None, clinic_phone: str = ""
) -> str:
    """The SMS reminder: the type, the local time, the clinic and the links; nothing clinical, no names (an SMS
    is read on a lock screen). ``cancel_url`` None: it is too late to cancel by link (call instead)."""
    lines = [f"{clinic}: reminder of your {kind}, {when}.", f"Confirm: {confirm_url}"]
    if cancel_url is not None:
        lines.append(f"Cancel: {cancel_url}")
    else:
        lines.append(f"To cancel, please call{' ' + clinic_phone if clinic_phone else ' us'}.")
    text = "\n".join(lines)
    if len(text) > MAX_TEXT:  # a very long clinic or type name: keep the links whole
        head = f"{clinic[:60]}: {kind[:60]}, {when}."
        text = "\n".join([head, *lines[1:]])
    return text
