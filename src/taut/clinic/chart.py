"""The client's chart: everything recorded about one client, as one read model."""

from __future__ import annotations

from dataclasses import dataclass

from taut.clinic.assessment import Assessment
from taut.clinic.intake import Intake
from taut.clinic.notes import Note
from taut.clinic.outcomes import Change, OutcomeMeasure, Score, change
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.clinic.sessions import CheckIn, TreatmentSession


@dataclass(frozen=True)
class SessionEntry:
    session: TreatmentSession
    checkin: CheckIn | None


@dataclass(frozen=True)
class OutcomeEntry:
    measure: OutcomeMeasure
    score: Score
    change: Change | None  # from the first measure of the same instrument


@dataclass(frozen=True)
class Chart:
    client: Client
    intakes: tuple[Intake, ...]
    assessments: tuple[Assessment, ...]
    plans: tuple[TreatmentPlan, ...]
    sessions: tuple[SessionEntry, ...]
    outcomes: tuple[OutcomeEntry, ...]
    notes: tuple[Note, ...]
    decisions: tuple[ScreeningDecision, ...] = ()  # red-flag referrals and overrides
    clearances: tuple[MedicalClearance, ...] = ()  # medical clearance after a referral


def outcome_entries(measures: list[OutcomeMeasure]) -> tuple[OutcomeEntry, ...]:
    """Entries in date order, each after the first of its instrument with its change from that first one."""
    baseline: dict[str, float] = {}
    out = []
    for m in sorted(measures, key=lambda m: (m.taken_on, m.id or 0)):
        s = m.score
        if m.instrument in baseline:
            out.append(OutcomeEntry(m, s, change(m.instrument, baseline[m.instrument], s.value)))
        else:
            baseline[m.instrument] = s.value
            out.append(OutcomeEntry(m, s, None))
    return tuple(out)
