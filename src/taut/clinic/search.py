"""Finding people by what the front desk types: names without regard to case or accents ("muller" finds
"Müller"), e-mail addresses and phone numbers. A client is indexed under a handful of folded words; a query
matches a client when every word of it starts one of the client's words."""

from __future__ import annotations

import re
import unicodedata

# Letters that do not decompose into a base letter and a mark.
_SPECIAL = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_WORD = re.compile(r"[a-z0-9]+")
_EMAIL = re.compile(r"^[a-z0-9][^\s@]*@[^\s@]*$")  # an address, or the start of one
_PHONE = re.compile(r"^[+\d][\d\s().\-/]{3,}$")
MAX_WORD = 60  # longer words are cut: nobody types more of one word to find a person
MAX_QUERY_WORDS = 6


def fold(text: str) -> str:
    """Lower case without accents: 'Müller-Łęcka' -> 'muller-lecka'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_SPECIAL)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def client_words(
    given_name: str, family_name: str, email: str | None = None, phone: str | None = None
) -> frozenset[str]:
    """The words a client is found under: each part of the names, the e-mail address whole and in parts, and
    the phone number as digits (whole, each ending of seven digits or more, and its last four digits)."""
    words = set(_WORD.findall(fold(f"{given_name} {family_name}")))
    if email:
        folded = fold(email.strip())
        words.add(folded)
        words.update(_WORD.findall(folded.split("@", 1)[0]))
    if phone:
        digits = _digits(phone)
        if digits:
            # every ending of seven digits or more, so a number typed without its country code or trunk 0 is
            # found, and the last four digits
            words.update(digits[i:] for i in range(max(1, len(digits) - 6)))
            words.add(digits[-4:])
    return frozenset(w[:MAX_WORD] for w in words if w)


def reads_as_phone(query: str) -> bool:
    """Whether a search is read as a phone number: four digits or more, with nothing else but spaces, dashes,
    dots, slashes, brackets and a leading +. Such a search looks for a phone number, never for a name."""
    q = query.strip()
    return bool(_PHONE.match(q)) and len(_digits(q)) >= 4


def query_words(query: str) -> tuple[str, ...]:
    """The folded words of a search ('Müller, Anna' -> ('muller', 'anna')); a phone number typed with spaces or
    dashes is one word of digits; an e-mail address is one word. At most six words."""
    q = query.strip()
    if not q:
        return ()
    if reads_as_phone(q):
        digits = _digits(q)
        # an international 00 or a national trunk 0 is left out: the stored endings match without it
        return (digits[2:] if digits.startswith("00") else digits[1:] if digits.startswith("0") else digits,)
    out: list[str] = []
    for part in q.split():
        folded = fold(part)
        found = [folded] if _EMAIL.match(folded) else _WORD.findall(folded)
        for w in found:
            if w and w[:MAX_WORD] not in out:
                out.append(w[:MAX_WORD])
    return tuple(out[:MAX_QUERY_WORDS])


def prefix_upper_bound(word: str) -> str:
    """The smallest string greater than every string that starts with ``word`` in binary order, for a range
    scan on an index: 'mul' -> 'mum'."""
    if not word:
        raise ValueError("a prefix needs at least one character")
    return word[:-1] + chr(ord(word[-1]) + 1)
