"""The chart as a timeline: every intake, assessment, plan, session, check-in, outcome, decision and note as
one dated entry, newest first (within a day: in the order things happened)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from taut.clinic.chart import Chart
from taut.clinic.intake import engine_case
from taut.clinic.naming import instrument_short, note_kind_name, region_name, trp_name
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
    date_only: bool = False  # a record with a day but no time of day (intake, examination, plan, outcome)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), UTC)


# Records with only a day come first within that day, in the order the work is done.
DAY_ORDER = {"intake": 0, "outcome": 1, "assessment": 2, "plan": 3}


def newest_first(entries: list[Entry], tz: tzinfo = UTC) -> list[Entry]:
    """Newest day first (the day in ``tz`` for a timed entry); within a day, latest first: the timed entries
    by their time, after the records with only a day (which come in the order the work is done)."""

    def key(e: Entry) -> tuple[date, int, int, datetime]:
        if e.date_only:
            return (e.when.date(), 0, DAY_ORDER.get(e.kind, len(DAY_ORDER)), e.when)
        return (e.when.astimezone(tz).date(), 1, 0, e.when)

    return sorted(entries, key=key, reverse=True)


def timeline(chart: Chart) -> list[Entry]:
    """Entries newest first (see ``newest_first``; the chart page sorts again in the clinic's zone)."""
    out = [
        *_intakes(chart),
        *_decisions(chart),
        *_assessments(chart),
        *_plans(chart),
        *_sessions(chart),
        *_outcomes(chart),
        *_notes(chart),
    ]
    return newest_first(out)


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
            _amended(i.version),
            date_only=True,
        )


def _amended(version: int) -> tuple[str, ...]:
    """The badge of an amended intake or examination (its page shows the earlier versions)."""
    return (f"amended (version {version})",) if version > 1 else ()


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
        link = f"/clients/{chart.client.id}/exam/{a.id}"
        yield Entry(
            _at(a.assessed_on), "assessment", "Examination", lines, link, _amended(a.version), date_only=True
        )


def _plans(chart: Chart) -> Iterator[Entry]:
    for p in chart.plans:
        yield Entry(
            _at(p.starts_on),
            "plan",
            f"Treatment plan ({p.status})",
            (f"{p.sessions_planned} sessions, every {p.interval_days} days", *p.goals),
            f"/clients/{chart.client.id}/plan/{p.id}",
            date_only=True,
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
        yield Entry(
            _at(o.measure.taken_on), "outcome", "Outcome measure", (line,), None, badges, date_only=True
        )


def _notes(chart: Chart) -> Iterator[Entry]:
    for n in chart.notes:
        state = "signed" if n.signed else "draft"
        yield Entry(
            n.written_at,
            "note",
            f"{note_kind_name(n.kind)} ({state})",
            (n.body[:160] + ("…" if len(n.body) > 160 else ""),),
            f"/notes/{n.id}",
            (("amendment",) if n.amends_id else ()),
        )
