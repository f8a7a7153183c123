"""A treatment session with every pressure hold, and the 48-hour check-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from taut.anatomy.regions import Side
from taut.clinic import rules
from taut.clinic.assessment import side_or_none
from taut.clinic.catalogue import Catalogue
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import CHECKIN_FIELDS

PRESSURE_LEVELS = {1: "light", 2: "moderate", 3: "firm", 4: "deep", 5: "very deep"}
PRESSURE_CHANGES = ("up", "down")
GOOD_PAIN_LIMIT = 7  # discomfort above this is past "good pain": the seed says never serious pain
RELIEF = CHECKIN_FIELDS["relief"].codes  # worse, none, some, much, complete
SESSION_STATUSES = ("open", "finished")


def hold_key(value: object) -> str:
    """A hold's key in its canonical form (a UUID, lower case with hyphens)."""
    from uuid import UUID

    try:
        return str(UUID(str(value)))
    except ValueError:
        raise RecordValidationError("hold.key", f"must be a UUID, not {value!r}") from None


@dataclass(frozen=True, kw_only=True)
class Hold:
    """One pressure hold on one trigger point."""

    trp_id: str
    side: Side | None
    technique: str
    pressure: int  # 1 light .. 5 very deep
    seconds: int
    discomfort: int  # the client's rating, 0-10
    pressure_change: str | None = None  # the client asked for more ("up") or less ("down")
    released: bool = False
    # The client-generated UUID the conductor's queue sends with the hold: the same key is stored once.
    # Not part of what the hold is (two holds compare equal whatever their keys).
    key: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", side_or_none("hold.side", self.side))
        if self.key is not None:
            object.__setattr__(self, "key", hold_key(self.key))
        rules.whole_number("hold.pressure", self.pressure, 1, 5)
        rules.whole_number("hold.seconds", self.seconds, 1, 600)
        rules.whole_number("hold.discomfort", self.discomfort, 0, 10)
        if self.pressure_change is not None:
            rules.one_of("hold.pressure_change", self.pressure_change, PRESSURE_CHANGES)
        if not isinstance(self.released, bool):
            raise RecordValidationError("hold.released", "must be true or false")

    @property
    def past_good_pain(self) -> bool:
        return self.discomfort > GOOD_PAIN_LIMIT


@dataclass(frozen=True, kw_only=True)
class TreatmentSession:
    id: int | None = None
    occurred_at: datetime
    practitioner_id: int
    pain_before: int
    pain_after: int | None = None
    holds: tuple[Hold, ...] = ()
    notes: str = ""
    aftercare: str = ""
    plan_id: int | None = None
    # "open" while the session conductor runs and holds are saved one by one; "finished" when closed.
    status: str = "finished"
    ended_at: datetime | None = None

    def validate(self, catalogue: Catalogue) -> TreatmentSession:
        rules.aware("session.occurred_at", self.occurred_at)
        rules.one_of("session.status", self.status, SESSION_STATUSES)
        if self.ended_at is not None:
            rules.aware("session.ended_at", self.ended_at)
            if self.ended_at < self.occurred_at:
                raise RecordValidationError("session.ended_at", "may not be before the session started")
        rules.whole_number("session.practitioner_id", self.practitioner_id, 1)
        rules.whole_number("session.pain_before", self.pain_before, 0, 10)
        rules.optional_whole_number("session.pain_after", self.pain_after, 0, 10)
        for i, h in enumerate(self.holds):
            catalogue.check_trigger_point(f"session.holds[{i}].trp_id", h.trp_id)
            catalogue.check_technique(f"session.holds[{i}].technique", h.technique)
        rules.text("session.notes", self.notes, required=False)
        rules.text("session.aftercare", self.aftercare, required=False)
        return self

    @property
    def open(self) -> bool:
        return self.status == "open"

    @property
    def minutes(self) -> int | None:
        """Whole minutes from start to end, when the session has ended."""
        if self.ended_at is None:
            return None
        return round((self.ended_at - self.occurred_at).total_seconds() / 60)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(
            f"hold {i + 1} ({h.trp_id}): discomfort {h.discomfort}/10 is past good pain"
            for i, h in enumerate(self.holds)
            if h.past_good_pain
        )


@dataclass(frozen=True, kw_only=True)
class CheckIn:
    """The 48-hour check-in after a session: tenderness is normal for up to 48 hours. Tenderness and relief are
    declared in ``clinic.fields.CHECKIN_FIELDS``, which every adapter reads."""

    id: int | None = None
    session_id: int
    recorded_at: datetime
    tenderness: int  # 0-10
    relief: str  # worse / none / some / much / complete
    questions: str = ""

    def __post_init__(self) -> None:
        rules.aware("checkin.recorded_at", self.recorded_at)
        CHECKIN_FIELDS.check(self)
        rules.text("checkin.questions", self.questions, required=False, max_len=5000)
