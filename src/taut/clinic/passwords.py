"""The password rule every account follows: at least 12 characters, not one of the commonly used passwords,
not a variation of the user's own name or e-mail, and not easy to guess.

"Commonly used" is the list of the 30,000 most frequent passwords of public breach corpora that the
``zxcvbn`` package (Dropbox's password-strength estimator, on PyPI) ships as ``frequency_lists["passwords"]``;
the same package estimates how guessable the rest is (score 0-4; we ask for 3, "safely unguessable").
Nothing of that list is copied into this repository.
"""

from __future__ import annotations

from functools import cache

from taut.clinic.errors import RecordValidationError

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """True for one of the commonly used passwords (case ignored), also with digits or ! added at the end."""
    p = password.lower()
    return p in _common() or p.rstrip("0123456789!.") in _common()


def check_password(password: object, *, field: str = "password", personal: tuple[str, ...] = ()) -> str:
    """The password if it follows the rule; otherwise RecordValidationError saying what to change.
    ``personal``: the user's name and e-mail, which a password may not be built on."""
    if not isinstance(password, str):
        raise RecordValidationError(field, "must be text")
    if len(password) < MIN_LENGTH:
        raise RecordValidationError(field, f"must be at least {MIN_LENGTH} characters, not {len(password)}")
    if len(password) > MAX_LENGTH:
        raise RecordValidationError(field, f"must be at most {MAX_LENGTH} characters")
    if is_common(password):
        raise RecordValidationError(field, "is one of the most commonly used passwords; choose another")
    words = [
        w.lower() for p in personal for w in p.replace("@", " ").replace(".", " ").split() if len(w) >= 4
    ]
    squashed = "".join(c for c in password.lower() if c.isalpha())
    if words and squashed and _mostly(squashed, words):
        raise RecordValidationError(field, "may not be built on your name or e-mail address; choose another")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=words)
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "add more words or characters nobody would guess"
        raise RecordValidationError(
            field, f"is too easy to guess ({hint.rstrip('.').lower()}); choose another"
        )
    return password


def _mostly(squashed: str, words: list[str]) -> bool:
    """True when the letters of the password are mostly the user's own name or e-mail words."""
    covered = sum(len(w) for w in words if w in squashed)
    return covered * 2 >= len(squashed)
