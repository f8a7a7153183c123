"""A client's progress: the series behind the progress page, the progress API and the progress report, derived
from the chart in the core (``services.progress.load_progress`` reads the chart, clinical roles only, audited).

``progress_of`` turns a chart into pain per session, each outcome instrument with its baseline, MCID target and latest change (the rules
of ``taut.clinic.outcomes``), range of motion per movement and side beside its normal value, and each trigger
point's tenderness and status over the examinations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from taut.anatomy.regions import Side
from taut.clinic.chart import Chart, OutcomeEntry
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.intake import Intake
from taut.clinic.outcomes import INSTRUMENTS, Change, Instrument, change
from taut.clinic.people import Client
from taut.clinic.rom import rom_norms


@dataclass(frozen=True)
class SessionPain:
    number: int  # 1 = the first session
    session_id: int | None
    occurred_at: datetime
    before: int
    after: int | None
    open: bool

    @property
    def on(self) -> date:
        return self.occurred_at.date()


@dataclass(frozen=True)
class InstrumentProgress:
    """Every measure of one instrument in date order; the first is the baseline."""

    instrument: Instrument
    entries: tuple[OutcomeEntry, ...]

    @property
    def baseline(self) -> float:
        return self.entries[0].score.value

    @property
    def latest(self) -> OutcomeEntry:
        return self.entries[-1]

    @property
    def change(self) -> Change | None:
        """The latest measure's change from the baseline (None with a single measure)."""
        return self.latest.change

    @property
    def target(self) -> float | None:
        """The score that is an improvement of exactly the MCID from the baseline, kept inside the scale; None
        when the instrument has no established MCID."""
        edge = mcid_edge(self.instrument, self.baseline)
        if edge is None:
            return None
        lo, hi = self.instrument.range
        return min(max(edge, lo), hi)


@dataclass(frozen=True)
class RomReading:
    on: date
    degrees: int


@dataclass(frozen=True)
class RomProgress:
    movement: str  # "cervical.rotation"
    name: str
    normal: int
    source: str
    sides: dict[str, tuple[RomReading, ...]]  # "left" / "right" / "" (unsided) -> readings in date order


@dataclass(frozen=True)
class TrpReading:
    on: date
    status: str  # active / latent / resolved
    tenderness: int | None
    ppt_kpa: float | None
    signs: Mapping[str, object] = field(default_factory=dict)  # every declared sign and measurement by name


@dataclass(frozen=True)
class TrpProgress:
    trp_id: str
    side: Side | None
    readings: tuple[TrpReading, ...]  # one per examination that recorded this point, in date order

    @property
    def first(self) -> TrpReading:
        return self.readings[0]

    @property
    def latest(self) -> TrpReading:
        return self.readings[-1]

    @property
    def tenderness_change(self) -> int | None:
        a, b = self.first.tenderness, self.latest.tenderness
        return None if a is None or b is None or len(self.readings) < 2 else b - a

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses in order, repeats collapsed: ("active", "latent", "resolved")."""
        out: list[str] = []
        for r in self.readings:
            if not out or out[-1] != r.status:
                out.append(r.status)
        return tuple(out)


@dataclass(frozen=True)
class Progress:
    client: Client
    sessions: tuple[SessionPain, ...]
    instruments: dict[str, InstrumentProgress]  # in the order of INSTRUMENTS, measured ones only
    rom: tuple[RomProgress, ...]
    trigger_points: tuple[TrpProgress, ...]
    examinations: tuple[date, ...]
    first_intake: Intake | None
    latest_intake: Intake | None

    @property
    def session_pain_change(self) -> Change | None:
        """Pain at the start of the latest session against the start of the first (on the NPRS rules), when there
        are two sessions or more."""
        if len(self.sessions) < 2:
            return None
        return change("nprs", self.sessions[0].before, self.sessions[-1].before)

    @property
    def mean_relief(self) -> float | None:
        """The mean drop of pain within a session (before - after) over the sessions with both ratings."""
        drops = [s.before - s.after for s in self.sessions if s.after is not None]
        return round(sum(drops) / len(drops), 1) if drops else None


def mcid_edge(instrument: Instrument, baseline: float) -> float | None:
    """The score one MCID better than ``baseline`` (it may lie outside the scale); None when the instrument has no
    established MCID."""
    if instrument.mcid is None:
        return None
    step = instrument.mcid.points
    return baseline - step if instrument.better == "lower" else baseline + step


def progress_of(chart: Chart) -> Progress:
    sessions = tuple(
        SessionPain(
            i,
            e.session.id,
            e.session.occurred_at,
            e.session.pain_before,
            e.session.pain_after,
            e.session.open,
        )
        for i, e in enumerate(
            sorted(chart.sessions, key=lambda e: (e.session.occurred_at, e.session.id or 0)), 1
        )
    )
    by_instrument: dict[str, list[OutcomeEntry]] = {}
    for o in chart.outcomes:  # already in date order, changes from the first of each instrument
        by_instrument.setdefault(o.measure.instrument, []).append(o)
    instruments = {
        k: InstrumentProgress(INSTRUMENTS[k], tuple(by_instrument[k]))
        for k in INSTRUMENTS
        if k in by_instrument
    }
    assessments = sorted(chart.assessments, key=lambda a: (a.assessed_on, a.id or 0))
    rom: dict[str, dict[str, list[RomReading]]] = {}
    trps: dict[tuple[str, Side | None], list[TrpReading]] = {}
    for a in assessments:
        for m in a.rom:
            side = m.side.value if m.side is not None else ""
            rom.setdefault(m.movement, {}).setdefault(side, []).append(RomReading(a.assessed_on, m.degrees))
        for f in a.findings:
            trps.setdefault((f.trp_id, f.side), []).append(
                TrpReading(a.assessed_on, f.status, f.tenderness, f.ppt_kpa, TRIGGER_POINT_SIGNS.values(f))
            )
    norms = rom_norms()
    rom_progress = tuple(
        RomProgress(
            movement,
            norms[movement].name,
            norms[movement].aaos,
            norms[movement].source,
            {s: tuple(readings[s]) for s in sorted(readings, key=_side_order)},
        )
        for movement, readings in rom.items()
    )
    return Progress(
        client=chart.client,
        sessions=sessions,
        instruments=instruments,
        rom=rom_progress,
        trigger_points=tuple(TrpProgress(t, s, tuple(r)) for (t, s), r in trps.items()),
        examinations=tuple(dict.fromkeys(a.assessed_on for a in assessments)),
        first_intake=chart.first_intake(),
        latest_intake=chart.latest_intake(),
    )


def _side_order(side: str) -> int:
    return {"right": 0, "left": 1}.get(side, 2)
