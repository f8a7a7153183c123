"""A record rebuilt from a stored row (``mapping._as_stored``) without running its rules again is the record the
rules build: equal, with the same repr and hash, for a frozen dataclass with a ``__dict__`` and for a slotted one;
a field missing or unknown is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from taut.anatomy.regions import Side
from taut.clinic.sessions import Hold
from taut.store import mapping


@dataclass(frozen=True, slots=True)
class _Slotted:
    a: int
    b: str = ""


def test_a_stored_hold_is_the_hold_its_rules_make() -> None:
    values = dict(trp_id="upper_trapezius.trp1", side=Side("right"), technique="ischemic_compression",
                  pressure=3, seconds=20, discomfort=5, pressure_change="up", released=True, key=None)  # fmt: skip
    stored, made = mapping._as_stored(Hold, **values), Hold(**values)  # type: ignore[arg-type]
    assert stored == made and repr(stored) == repr(made) and hash(stored) == hash(made)
    with pytest.raises(AttributeError):
        stored.seconds = 30  # type: ignore[misc]  # still frozen


def test_a_slotted_record_is_rebuilt_field_by_field() -> None:
    stored = mapping._as_stored(_Slotted, a=1, b="x")
    assert stored == _Slotted(1, "x") and not hasattr(stored, "__dict__")


def test_fields_missing_or_unknown_are_refused() -> None:
    with pytest.raises(TypeError, match=r"_Slotted: fields \['b'\] given wrongly"):
        mapping._as_stored(_Slotted, a=1)
    with pytest.raises(TypeError, match=r"\['c'\]"):
        mapping._as_stored(_Slotted, a=1, b="", c=2)
