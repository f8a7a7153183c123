"""The chart as a timeline: every intake, assessment, plan, session, check-in, outcome, decision and note as
one dated entry, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from taut.clinic.chart import Chart
from taut.clinic.naming import capital, instrument_short, region_name, trp_name


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
    cid = chart.client.id
    out = [
        *_intakes(chart, cid),
        *_decisions(chart),
        *_assessments(chart),
        *_plans(chart, cid),
        *_sessions(chart),
        *_outcomes(chart),
        *_notes(chart),
    ]
    out.sort(key=lambda e: e.when, reverse=True)
    return out


def _intakes(chart: Chart, cid: int | None) -> list[Entry]:
    out = []
    for i in chart.intakes:
        marks = ", ".join(
            f"{region_name(m.ref.key)}{f' {m.intensity}/10' if m.intensity is not None else ''}"
            for m in i.pain_drawing
        )
        out.append(
            Entry(
                _at(i.recorded_on),
                "intake",
                f"Intake: {i.chief_complaint}",
                (f"Pain: {marks}",),
                f"/clients/{cid}/intake/{i.id}",
            )
        )
    return out


def _decisions(chart: Chart) -> list[Entry]:
    out = []
    for d in chart.decisions:
        what = f"Referred to {d.referred_to}" if d.decision == "referred" else "Red flag overridden"
        out.append(Entry(d.decided_at, "decision", what, (d.reason,), None, ("red flag",)))
    return out


def _assessments(chart: Chart) -> list[Entry]:
    out = []
    for a in chart.assessments:
        found = [
            f"{trp_name(f.trp_id)} {('(' + f.side.value + ')') if f.side else ''} {f.status}"
            for f in a.findings
        ]
        lines = tuple(x for x in (", ".join(found), a.summary) if x)
        out.append(Entry(_at(a.assessed_on), "assessment", "Examination", lines))
    return out


def _plans(chart: Chart, cid: int | None) -> list[Entry]:
    return [
        Entry(
            _at(p.starts_on),
            "plan",
            f"Treatment plan ({p.status})",
            (f"{p.sessions_planned} sessions, every {p.interval_days} days", *p.goals),
            f"/clients/{cid}/plan/{p.id}",
        )
        for p in chart.plans
    ]


def _sessions(chart: Chart) -> list[Entry]:
    """Each session, followed by its check-in when there is one."""
    out = []
    for e in chart.sessions:
        s = e.session
        pain = f"pain {s.pain_before}" + (f" → {s.pain_after}" if s.pain_after is not None else "")
        out.append(
            Entry(
                s.occurred_at,
                "session",
                f"Treatment session: {len(s.holds)} hold{'s' if len(s.holds) != 1 else ''}",
                (pain, *((s.notes,) if s.notes else ())),
                f"/sessions/{s.id}" if s.open else f"/sessions/{s.id}/aftercare",
                ("in progress",) if s.open else (),
            )
        )
        if e.checkin is not None:
            c = e.checkin
            relief = f"tenderness {c.tenderness}/10, relief: {c.relief}"
            out.append(
                Entry(
                    c.recorded_at,
                    "checkin",
                    "48-hour check-in",
                    (relief, *((c.questions,) if c.questions else ())),
                )
            )
    return out


def _outcomes(chart: Chart) -> list[Entry]:
    out = []
    for o in chart.outcomes:
        line = f"{instrument_short(o.measure.instrument)} {o.score.value:g}" + (
            f" ({o.score.band})" if o.score.band else ""
        )
        badges: tuple[str, ...] = ()
        if o.change is not None:
            line += f", change {o.change.delta:+g}"
            if o.change.passes_mcid:
                badges = ("MCID reached",)
        out.append(Entry(_at(o.measure.taken_on), "outcome", "Outcome measure", (line,), None, badges))
    return out


def _notes(chart: Chart) -> list[Entry]:
    return [
        Entry(
            n.written_at,
            "note",
            f"{capital(n.kind)} note ({'signed' if n.signed else 'draft'})",
            (n.body[:160] + ("…" if len(n.body) > 160 else ""),),
            f"/notes/{n.id}",
            (("amendment",) if n.amends_id else ()),
        )
        for n in chart.notes
    ]
