"""Amending a saved intake or examination (issue 17.7): the record is corrected in place, its version goes up by
one, and the version it replaced is kept whole with who amended it, when and why, as a signed note keeps its
original. An amendment names the version it read (optimistic locking: StaleRecordError when someone amended
first) and gives its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from taut.clinic import rules

Amendable = Literal["intake", "assessment"]
AMENDABLE: tuple[Amendable, ...] = ("intake", "assessment")


def amendment_reason(value: object) -> str:
    """Why the record is amended: required, one paragraph at most (RecordValidationError naming ``reason``)."""
    return rules.text("reason", value, max_len=2000).strip()


@dataclass(frozen=True, kw_only=True)
class RecordAmendment:
    """One amendment of an intake or examination: the version it replaced (``previous``, the record as its JSON
    form), who amended it (a user id and the name shown), when (UTC) and why."""

    entity: Amendable
    record_id: int
    version: int  # the version replaced; the amendment made version + 1
    previous: dict[str, Any]
    amended_by: int
    amended_by_name: str
    amended_at: datetime
    reason: str

    def __post_init__(self) -> None:
        rules.one_of("amendment.entity", self.entity, AMENDABLE)
        rules.aware("amendment.amended_at", self.amended_at)
