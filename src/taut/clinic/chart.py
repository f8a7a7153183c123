"""The client's chart: everything recorded about one client, as one read model, and the facts derived from it,
each defined once here: the latest intake and assessment (on a date), the active plan on a date, the open
session, the red flags still pending and the check-ins due.

"Latest" is always by the record's own date, then by id (the order it was entered on one day): an intake
recorded later for an earlier day is not the latest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from taut.clinic.assessment import Assessment
from taut.clinic.intake import Intake, engine_case
from taut.clinic.notes import Note
from taut.clinic.outcomes import Change, OutcomeMeasure, Score, change
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import MedicalClearance, ScreeningDecision, unanswered
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.reasoning.redflags import screen
from taut.reasoning.result import Flag

CHECKIN_AFTER = timedelta(hours=48)  # the check-in after a session asks about the 48 hours that follow it


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

    def latest_intake(self, on: date | None = None) -> Intake | None:
        """The latest intake (recorded on or before ``on`` when given), by (recorded_on, id)."""
        return latest_intake(self.intakes, on)

    def first_intake(self) -> Intake | None:
        """The first intake, by (recorded_on, id)."""
        return min(self.intakes, key=_intake_order, default=None)

    def latest_assessment(self, on: date | None = None) -> Assessment | None:
        """The latest examination (on or before ``on`` when given), by (assessed_on, id)."""
        found = (a for a in self.assessments if on is None or a.assessed_on <= on)
        return max(found, key=lambda a: (a.assessed_on, a.id or 0), default=None)

    def active_plan(self, on: date | None = None) -> TreatmentPlan | None:
        """The active plan: of the plans with status "active" (and started on or before ``on`` when given),
        the one that starts last, by (starts_on, id)."""
        found = (p for p in self.plans if p.status == "active" and (on is None or p.starts_on <= on))
        return max(found, key=lambda p: (p.starts_on, p.id or 0), default=None)

    def plan_of(self, session: TreatmentSession, tz: tzinfo | None = None) -> TreatmentPlan | None:
        """The plan a session follows: its own plan, else the plan active on the session's day in the clinic's
        zone ``tz`` (UTC when none: an evening session in Vancouver is on its own day, not the next)."""
        own = next((p for p in self.plans if session.plan_id is not None and p.id == session.plan_id), None)
        return own if own is not None else self.active_plan(session.occurred_at.astimezone(tz or UTC).date())

    def open_session(self) -> TreatmentSession | None:
        """The session still open (the conductor running), the latest when there were ever several."""
        return max(
            (e.session for e in self.sessions if e.session.open),
            key=lambda s: (s.occurred_at, s.id or 0),
            default=None,
        )

    def pending_red_flags(self) -> tuple[Flag, ...]:
        """The red flags of the latest intake that no referral or override answers: they block a session."""
        intake = self.latest_intake()
        if intake is None:
            return ()
        red, _ = screen(engine_case(intake, self.client))
        return unanswered(red, (d for d in self.decisions if d.intake_id == intake.id))

    def checkins_due(self, now: datetime | None = None) -> tuple[TreatmentSession, ...]:
        """Finished sessions without their 48-hour check-in, oldest first; with ``now``, only those whose 48
        hours have passed."""
        due = []
        for e in self.sessions:
            s = e.session
            if s.open or e.checkin is not None:
                continue
            if now is not None and (s.ended_at or s.occurred_at) + CHECKIN_AFTER > now:
                continue
            due.append(s)
        return tuple(sorted(due, key=lambda s: (s.occurred_at, s.id or 0)))


def latest_intake(intakes: Iterable[Intake], on: date | None = None) -> Intake | None:
    """The latest of ``intakes`` (recorded on or before ``on`` when given), by (recorded_on, id): the one rule
    for "the latest intake" (the store orders its query the same way)."""
    return max((i for i in intakes if on is None or i.recorded_on <= on), key=_intake_order, default=None)


def _intake_order(i: Intake) -> tuple[date, int]:
    return (i.recorded_on, i.id or 0)


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
