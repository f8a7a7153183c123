"""What the therapist decided about red flags found at intake: the client was referred, or the therapist
overrode the flag with a reason. Treatment may not start while a red flag has no decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError
from taut.reasoning.result import Flag

DECISIONS = ("referred", "override")


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
    return tuple(f for f in red_flags if f.code not in answered)
