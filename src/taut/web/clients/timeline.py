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
    """Entries newest first."""
    cid = chart.client.id
    out: list[Entry] = []
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
    for d in chart.decisions:
        what = f"Referred to {d.referred_to}" if d.decision == "referred" else "Red flag overridden"
        out.append(Entry(d.decided_at, "decision", what, (d.reason,), None, ("red flag",)))
    for a in chart.assessments:
        found = [
            f"{trp_name(f.trp_id)} {('(' + f.side.value + ')') if f.side else ''} {f.status}"
            for f in a.findings
        ]
        lines = tuple(x for x in (", ".join(found), a.summary) if x)
        out.append(Entry(_at(a.assessed_on), "assessment", "Examination", lines))
    for p in chart.plans:
        out.append(
            Entry(
                _at(p.starts_on),
                "plan",
                f"Treatment plan ({p.status})",
                (f"{p.sessions_planned} sessions, every {p.interval_days} days", *p.goals),
                f"/clients/{cid}/plan/{p.id}",
            )
        )
    for e in chart.sessions:
        s = e.session
        pain = f"pain {s.pain_before}" + (f" → {s.pain_after}" if s.pain_after is not None else "")
        badges = ("in progress",) if s.open else ()
        out.append(
            Entry(
                s.occurred_at,
                "session",
                f"Treatment session: {len(s.holds)} hold{'s' if len(s.holds) != 1 else ''}",
                (pain, *((s.notes,) if s.notes else ())),
                f"/sessions/{s.id}" if s.open else f"/sessions/{s.id}/aftercare",
                badges,
            )
        )
        if e.checkin is not None:
            c = e.checkin
            out.append(
                Entry(
                    c.recorded_at,
                    "checkin",
                    "48-hour check-in",
                    (
                        f"tenderness {c.tenderness}/10, relief: {c.relief}",
                        *((c.questions,) if c.questions else ()),
                    ),
                )
            )
    for o in chart.outcomes:
        line = f"{instrument_short(o.measure.instrument)} {o.score.value:g}" + (
            f" ({o.score.band})" if o.score.band else ""
        )
        badges = ()
        if o.change is not None:
            line += f", change {o.change.delta:+g}"
            if o.change.passes_mcid:
                badges = ("MCID reached",)
        out.append(Entry(_at(o.measure.taken_on), "outcome", "Outcome measure", (line,), None, badges))
    for n in chart.notes:
        state = "signed" if n.signed else "draft"
        out.append(
            Entry(
                n.written_at,
                "note",
                f"{capital(n.kind)} note ({state})",
                (n.body[:160] + ("…" if len(n.body) > 160 else ""),),
                f"/notes/{n.id}",
                (("amendment",) if n.amends_id else ()),
            )
        )
    out.sort(key=lambda e: e.when, reverse=True)
    return out
