"""What the therapist decided about red flags found at intake: the client was referred, or the therapist
overrode the flag with a reason; and the medical clearance that answers a referral. Treatment may not start
while a red flag has no decision, nor after a referral until the clearance is recorded (or an override)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError
from taut.reasoning.result import Flag

DECISIONS = ("referred", "override")

# What each level of a red flag asks of the therapist, most urgent first (knowledge.model LEVELS): its label
# and the action in words, as the intake page, the chart, the referral letter and the SOAP note show it.
LEVELS: dict[str, tuple[str, str]] = {
    "emergency": ("Emergency", "Call emergency services now. Do not treat."),
    "urgent": ("Urgent", "Same-day medical review. Do not treat today."),
    "refer": ("Refer", "Refer to the client's physician before any treatment."),
    "caution": ("Caution", "Treat within the limits shown in the session conductor."),
}


def refers(level: str) -> bool:
    """A red flag of this level holds treatment until a decision (emergency, urgent, refer); a caution-level
    flag only limits the session, as a caution does."""
    return level != "caution"


def level_words(level: str) -> tuple[str, str]:
    """(label, action) of a flag's level; an unknown level reads as "refer"."""
    return LEVELS.get(level, LEVELS["refer"])


@dataclass(frozen=True, kw_only=True)
class ScreeningDecision:
    id: int | None = None
    intake_id: int
    decision: str  # referred / override
    flags: tuple[str, ...]  # the red flags (vocabulary terms or rule ids) this decision answers
    reason: str
    referred_to: str = ""  # who the client was referred to (GP, emergency department, ...)
    decided_by: int | None = None
    decided_at: datetime

    def __post_init__(self) -> None:
        rules.one_of("decision.decision", self.decision, DECISIONS)
        rules.aware("decision.decided_at", self.decided_at)
        rules.text("decision.reason", self.reason, max_len=5000)
        rules.text(
            "decision.referred_to", self.referred_to, required=self.decision == "referred", max_len=200
        )
        if not self.flags:
            raise RecordValidationError("decision.flags", "name at least one red flag this decision answers")
        for i, f in enumerate(self.flags):
            rules.text(f"decision.flags[{i}]", f, max_len=200)


def unanswered(red_flags: Iterable[Flag], decisions: Iterable[ScreeningDecision]) -> tuple[Flag, ...]:
    """The red flags no referral or override among ``decisions`` answers."""
    answered = {f for d in decisions for f in d.flags}
    return tuple(f for f in red_flags if f.code not in answered and refers(f.level))


@dataclass(frozen=True, kw_only=True)
class MedicalClearance:
    """The client's physician cleared treatment after a referral: who, on which day, for what. It answers red
    flags the client was referred for; until then starting a session stays blocked."""

    id: int | None = None
    intake_id: int
    flags: tuple[str, ...]  # the referred red flags it clears
    cleared_by: str  # the physician (name, practice)
    cleared_on: date  # the day the physician cleared treatment
    scope: str  # what for: the treatment cleared, and any limits the physician set
    note: str = ""
    recorded_by: int | None = None
    recorded_at: datetime

    def __post_init__(self) -> None:
        rules.text("clearance.cleared_by", self.cleared_by, max_len=200)
        rules.a_date("clearance.cleared_on", self.cleared_on)
        rules.aware("clearance.recorded_at", self.recorded_at)
        rules.not_after("clearance.cleared_on", self.cleared_on, self.recorded_at.date(), "today")
        rules.text("clearance.scope", self.scope, max_len=2000)
        rules.text("clearance.note", self.note, required=False, max_len=5000)
        if not self.flags:
            raise RecordValidationError(
                "clearance.flags", "name at least one red flag this clearance answers"
            )
        for i, f in enumerate(self.flags):
            rules.text(f"clearance.flags[{i}]", f, max_len=200)


# What a red flag of an intake is waiting for, or why it no longer blocks treatment.
PENDING = "pending"  # no decision: refer or override
AWAITING = "awaiting_clearance"  # referred: blocked until medical clearance
CLEARED = "cleared"  # referred, then cleared by the physician
OVERRIDDEN = "overridden"  # the therapist overrode it with a reason (audited)
BLOCKING = (PENDING, AWAITING)


@dataclass(frozen=True)
class FlagState:
    code: str
    status: str  # pending | awaiting_clearance | cleared | overridden
    decision: ScreeningDecision | None = None  # the latest decision naming the flag
    clearance: MedicalClearance | None = None

    @property
    def blocks(self) -> bool:
        return self.status in BLOCKING


def flag_state(
    code: str, decisions: Iterable[ScreeningDecision], clearances: Iterable[MedicalClearance] = ()
) -> FlagState:
    """Where one red flag stands: the latest decision naming it counts (an override after a referral lifts
    the block; a new referral after an override blocks again until cleared); a referral is answered by a
    clearance recorded after it."""
    named = sorted((d for d in decisions if code in d.flags), key=lambda d: (d.decided_at, d.id or 0))
    if not named:
        return FlagState(code, PENDING)
    last = named[-1]
    if last.decision == "override":
        return FlagState(code, OVERRIDDEN, last)
    cleared = sorted(
        (c for c in clearances if code in c.flags and c.recorded_at >= last.decided_at),
        key=lambda c: (c.recorded_at, c.id or 0),
    )
    if cleared:
        return FlagState(code, CLEARED, last, cleared[-1])
    return FlagState(code, AWAITING, last)


def flag_states(
    codes: Iterable[str],
    decisions: Iterable[ScreeningDecision],
    clearances: Iterable[MedicalClearance] = (),
) -> tuple[FlagState, ...]:
    ds, cs = tuple(decisions), tuple(clearances)
    return tuple(flag_state(c, ds, cs) for c in codes)
