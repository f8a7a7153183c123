"""The chart as a timeline: every intake, assessment, plan, session, check-in, outcome, decision and note as
one dated entry, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from taut.clinic.chart import Chart
from taut.clinic.intake import engine_case
from taut.clinic.naming import capital, instrument_short, region_name, trp_name
from taut.clinic.screening import flag_states, level_words, refers
from taut.reasoning.redflags import screen

STATUS_WORDS = {
    "pending": "no decision yet: refer or override before treatment",
    "awaiting_clearance": "referred: treatment blocked until medical clearance",
    "cleared": "medical clearance recorded",
    "overridden": "overridden with a reason (no medical clearance)",
}


@dataclass(frozen=True)
class FlagLine:
    name: str
    level: str
    level_label: str
    status: str
    words: str

    @property
    def blocks(self) -> bool:
        return self.status in ("pending", "awaiting_clearance")


def safety_lines(chart: Chart) -> tuple[int | None, list[FlagLine]]:
    """The red flags of the latest intake and where each stands, for the chart's banner: (intake id, lines)."""
    intake = chart.latest_intake()
    if intake is None:
        return None, []
    red, _ = screen(engine_case(intake, chart.client))
    decisions = [d for d in chart.decisions if d.intake_id == intake.id]
    clearances = [c for c in chart.clearances if c.intake_id == intake.id]
    by_code = {f.code: f for f in red if refers(f.level)}
    lines = [
        FlagLine(
            by_code[s.code].name,
            by_code[s.code].level,
            level_words(by_code[s.code].level)[0],
            s.status,
            STATUS_WORDS[s.status],
        )
        for s in flag_states(by_code, decisions, clearances)
    ]
    return intake.id, lines


@dataclass(frozen=True)
class Entry:
    when: datetime
    kind: str  # intake, assessment, plan, session, checkin, outcome, decision, note
    title: str
    lines: tuple[str, ...] = ()
    link: str | None = None
    badges: tuple[str, ...] = field(default=())


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), UTC)


def timeline(chart: Chart) -> list[Entry]:
    """Entries newest first (entries at the same moment in the order of the kinds below)."""
    out = [
        *_intakes(chart),
        *_decisions(chart),
        *_assessments(chart),
        *_plans(chart),
        *_sessions(chart),
        *_outcomes(chart),
        *_notes(chart),
    ]
    out.sort(key=lambda e: e.when, reverse=True)
    return out


def _intakes(chart: Chart) -> Iterator[Entry]:
    for i in chart.intakes:
        marks = ", ".join(
            f"{region_name(m.ref.key)}{f' {m.intensity}/10' if m.intensity is not None else ''}"
            for m in i.pain_drawing
        )
        yield Entry(
            _at(i.recorded_on),
            "intake",
            f"Intake: {i.chief_complaint}",
            (f"Pain: {marks}",),
            f"/clients/{chart.client.id}/intake/{i.id}",
        )


def _decisions(chart: Chart) -> Iterator[Entry]:
    for d in chart.decisions:
        if d.decision == "referred":
            yield Entry(
                d.decided_at, "decision", f"Referred to {d.referred_to}", (d.reason,), None, ("red flag",)
            )
        else:
            what = "Red flag overridden (treated without medical clearance)"
            yield Entry(
                d.decided_at, "decision", what, (f"Reason: {d.reason}",), None, ("red flag", "override")
            )
    for mc in chart.clearances:
        yield Entry(
            mc.recorded_at,
            "decision",
            f"Medical clearance by {mc.cleared_by}",
            (f"Cleared on {mc.cleared_on:%Y-%m-%d} for: {mc.scope}", *((mc.note,) if mc.note else ())),
            f"/clients/{chart.client.id}/intake/{mc.intake_id}#screening-decisions",
            ("cleared",),
        )


def _assessments(chart: Chart) -> Iterator[Entry]:
    for a in chart.assessments:
        found = [
            f"{trp_name(f.trp_id)} {('(' + f.side.value + ')') if f.side else ''} {f.status}"
            for f in a.findings
        ]
        lines = tuple(x for x in (", ".join(found), a.summary) if x)
        yield Entry(_at(a.assessed_on), "assessment", "Examination", lines)


def _plans(chart: Chart) -> Iterator[Entry]:
    for p in chart.plans:
        yield Entry(
            _at(p.starts_on),
            "plan",
            f"Treatment plan ({p.status})",
            (f"{p.sessions_planned} sessions, every {p.interval_days} days", *p.goals),
            f"/clients/{chart.client.id}/plan/{p.id}",
        )


def _sessions(chart: Chart) -> Iterator[Entry]:
    """Each session, followed by its 48-hour check-in when there is one."""
    for e in chart.sessions:
        s = e.session
        pain = f"pain {s.pain_before}" + (f" → {s.pain_after}" if s.pain_after is not None else "")
        yield Entry(
            s.occurred_at,
            "session",
            f"Treatment session: {len(s.holds)} hold{'s' if len(s.holds) != 1 else ''}",
            (pain, *((s.notes,) if s.notes else ())),
            f"/sessions/{s.id}" if s.open else f"/sessions/{s.id}/aftercare",
            ("in progress",) if s.open else (),
        )
        if e.checkin is not None:
            c = e.checkin
            lines = (
                f"tenderness {c.tenderness}/10, relief: {c.relief}",
                *((c.questions,) if c.questions else ()),
            )
            yield Entry(c.recorded_at, "checkin", "48-hour check-in", lines)


def _outcomes(chart: Chart) -> Iterator[Entry]:
    for o in chart.outcomes:
        line = f"{instrument_short(o.measure.instrument)} {o.score.value:g}" + (
            f" ({o.score.band})" if o.score.band else ""
        )
        badges: tuple[str, ...] = ()
        if o.change is not None:
            line += f", change {o.change.delta:+g}"
            if o.change.passes_mcid:
                badges = ("MCID reached",)
        yield Entry(_at(o.measure.taken_on), "outcome", "Outcome measure", (line,), None, badges)


def _notes(chart: Chart) -> Iterator[Entry]:
    for n in chart.notes:
        state = "signed" if n.signed else "draft"
        yield Entry(
            n.written_at,
            "note",
            f"{capital(n.kind)} note ({state})",
            (n.body[:160] + ("…" if len(n.body) > 160 else ""),),
            f"/notes/{n.id}",
            (("amendment",) if n.amends_id else ()),
        )
