"""What the client's handout and the progress report say, as plain data built from a chart.

No HTML here: the PDF templates and the web app's printable pages render the same content.

    handout_content(chart, session_id, *, clinic, staff, kb=None) -> HandoutContent
    progress_content(chart, *, clinic, author, staff, written_on, kb=None) -> ProgressContent

``chart`` comes from ``taut.services.charts.load_chart`` (access-checked and audited); ``staff`` maps the
clinic's user ids to names (for the practitioner of each session). Both raise ``NothingToReport`` when the
chart holds nothing the document could show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from taut.anatomy.pain import PainDrawing
from taut.anatomy.regions import RegionRef, Side, body_map
from taut.clinic.chart import Chart, SessionEntry
from taut.clinic.errors import ClinicError
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.naming import capital, instrument_short
from taut.clinic.outcomes import INSTRUMENTS, Mcid
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.progress import Progress, TrpReading, mcid_edge, progress_of
from taut.knowledge import KnowledgeBase, knowledge
from taut.reports.letterhead import Letterhead, Signature


class NothingToReport(ClinicError, ValueError):
    """The record holds nothing the document could show (e.g. a session without any hold)."""


# --- the client's handout -------------------------------------------------------------------------------------

# What to expect and what helps in the 48 hours after a session, in plain words. That the worked areas may be
# tender for up to 48 hours is part of the method's own description of aftercare (the project's seed text, see
# PRODUCT.md section 1); the rest is ordinary aftercare advice written for this sheet.
EXPECT_48_HOURS: tuple[str, ...] = (
    "The treated muscles may feel sore, tender or bruised, much like after a hard workout. "
    "This is normal and usually fades within 48 hours.",
    "The spots we pressed can stay tender to the touch for a day or two.",
    "You may feel tired, relaxed or a little emotional today. Rest if you can.",
    "The pain you came with may ease straight away or over the next few days.",
)
HELPS: tuple[str, ...] = (
    "Drink water regularly for the rest of the day.",
    "Gentle heat eases soreness: a warm shower or bath, or a warm pack on the sore area for 15 to 20 minutes.",
    "Keep moving gently: walk, and do the stretches on this sheet slowly and within comfort.",
    "Avoid heavy lifting and hard training until the soreness has gone.",
)
CALL_US_IF: tuple[str, ...] = (
    "the soreness is severe, or still getting worse after 48 hours",
    "you notice new numbness, tingling or weakness",
    "a treated area becomes swollen, hot or red, or a large bruise appears",
    "you feel unwell, feverish or dizzy",
)
URGENT = (
    "Call emergency services at once for chest pain, difficulty breathing, a sudden severe headache, "
    "or sudden weakness or numbness of the face, an arm or a leg."
)


@dataclass(frozen=True)
class TreatedPoint:
    """One trigger point worked on in the session, where it is drawn on the body map."""

    trp_id: str
    side: Side | None
    name: str  # "TrP1, anterior (vertical) fibres"
    # the region the X goes on, with the side when the region is sided; None when a sided point was recorded
    # without its side (it is listed, not drawn)
    marker: RegionRef | None
    view: str  # front / back / side
    offset: tuple[float, float]


@dataclass(frozen=True)
class TreatedMuscle:
    """A muscle treated in the session, with its self-care from the knowledge base."""

    number: int  # 1, 2, ... as listed on the sheet and on the picture
    muscle: str  # canonical name, "upper trapezius"
    display: str  # "Upper trapezius"
    body_part: str  # "neck"
    sides: tuple[Side, ...]  # the patient's sides treated; empty for a midline muscle
    points: tuple[TreatedPoint, ...]
    stretch: str
    pressure: str | None  # self-pressure, when the knowledge base gives one


@dataclass(frozen=True)
class HandoutContent:
    clinic: str
    practitioner: str
    client_first_name: str
    client_name: str
    session_id: int
    session_date: date
    in_progress: bool  # the session is still open: the sheet lists the holds recorded so far
    pain_before: int
    pain_after: int | None
    muscles: tuple[TreatedMuscle, ...]
    stretch_dose: str  # how to hold a stretch (techniques.yaml, "stretching")
    expect: tuple[str, ...]
    helps: tuple[str, ...]
    call_us_if: tuple[str, ...]
    urgent: str
    therapist_note: str  # the session's aftercare words, as the therapist wrote them
    plan_self_care: str  # the plan's self-care, if any
    session_number: int | None  # this session's number within its plan
    sessions_planned: int | None
    next_in_days: int | None  # the plan's interval, while sessions remain
    letterhead: Letterhead | None = None  # the clinic's profile (None: the name alone)


def handout_content(
    chart: Chart,
    session_id: int,
    *,
    clinic: str,
    staff: Mapping[int, str],
    kb: KnowledgeBase | None = None,
    tz: tzinfo | None = None,
) -> HandoutContent:
    """The aftercare sheet of one of the chart's sessions, dated on the clinic's day (``tz``; UTC when none).
    Raises ``NothingToReport`` when the session is not in the chart or has no hold yet (there is nothing to say
    what was treated)."""
    kb = kb or knowledge()
    entry = next((e for e in chart.sessions if e.session.id == session_id), None)
    if entry is None:
        raise NothingToReport(f"session {session_id} is not in the chart of client {chart.client.id}")
    s = entry.session
    if not s.holds:
        raise NothingToReport(
            f"session {session_id} has no holds recorded yet: a handout lists the treated muscles"
        )
    plan = _plan(chart, s.plan_id)
    number = None
    if plan is not None:
        number = sum(
            1
            for e in chart.sessions
            if e.session.plan_id == s.plan_id and _key(e) <= (s.occurred_at, session_id)
        )
    next_in = None
    if plan is not None and number is not None and plan.status == "active" and number < plan.sessions_planned:
        next_in = plan.interval_days
    return HandoutContent(
        clinic=clinic,
        practitioner=staff.get(s.practitioner_id, ""),
        client_first_name=chart.client.given_name,
        client_name=chart.client.full_name,
        session_id=session_id,
        session_date=s.occurred_at.astimezone(tz or UTC).date(),
        in_progress=s.open,
        pain_before=s.pain_before,
        pain_after=s.pain_after,
        muscles=treated_muscles([(h.trp_id, h.side) for h in s.holds], kb),
        stretch_dose=kb.techniques["stretching"].dose if "stretching" in kb.techniques else "",
        expect=EXPECT_48_HOURS,
        helps=HELPS,
        call_us_if=CALL_US_IF,
        urgent=URGENT,
        therapist_note=s.aftercare.strip(),
        plan_self_care=plan.self_care.strip() if plan is not None else "",
        session_number=number,
        sessions_planned=plan.sessions_planned if plan is not None else None,
        next_in_days=next_in,
    )


def treated_muscles(points: list[tuple[str, Side | None]], kb: KnowledgeBase) -> tuple[TreatedMuscle, ...]:
    """The muscles of the treated (trigger point, side) pairs, in the order first treated, each point once."""
    bm = body_map()
    order: dict[str, list[TreatedPoint]] = {}
    for trp_id, side in points:
        muscle, tp = kb.trigger_point(trp_id)
        region = tp.marker.region
        sided = bm[region].sided
        point = TreatedPoint(
            trp_id=trp_id,
            side=side,
            name=tp.name,
            marker=None if sided and side is None else RegionRef(region, side if sided else None),
            view=tp.marker.view,
            offset=tp.marker.offset,
        )
        listed = order.setdefault(muscle.name, [])
        if all((p.trp_id, p.side) != (trp_id, side) for p in listed):
            listed.append(point)
    out = []
    for i, (name, pts) in enumerate(order.items(), 1):
        m = kb.muscles[name]
        sides = tuple(s for s in (Side.RIGHT, Side.LEFT) if any(p.side == s for p in pts))
        out.append(
            TreatedMuscle(
                number=i,
                muscle=name,
                display=capital(name),
                body_part=m.body_part,
                sides=sides,
                points=tuple(pts),
                stretch=m.treatment.self_care.stretch,
                pressure=m.treatment.self_care.pressure,
            )
        )
    return tuple(out)


# --- the progress report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawingSnapshot:
    recorded_on: date
    drawing: PainDrawing


# the declared fields of a finding that the letter shows, first -> latest (clinic/fields.py says why the others not)
LETTER_SIGNS = tuple(f for f in TRIGGER_POINT_SIGNS if f.letter)


@dataclass(frozen=True)
class FindingState:
    assessed_on: date
    status: str  # active / latent / resolved
    tenderness: int | None  # 0-10
    values: Mapping[str, object] = field(default_factory=dict)  # the LETTER_SIGNS by name

    @classmethod
    def of(cls, r: TrpReading) -> FindingState:
        return cls(r.on, r.status, r.tenderness, {f.name: r.signs.get(f.name) for f in LETTER_SIGNS})


@dataclass(frozen=True)
class TriggerPointRow:
    """One trigger point on one side over the assessments: its first and its latest finding."""

    trp_id: str
    muscle: str  # display name
    point: str  # "TrP1, anterior (vertical) fibres"
    side: Side | None
    sided: bool  # the point lies on a sided region (no side then means "not recorded", not "midline")
    first: FindingState
    latest: FindingState | None  # None when no later assessment examined it

    @property
    def tenderness_change(self) -> int | None:
        if self.latest is None or self.first.tenderness is None or self.latest.tenderness is None:
            return None
        return self.latest.tenderness - self.first.tenderness


@dataclass(frozen=True)
class RomRow:
    movement: str  # "Cervical rotation"
    side: Side | None
    first: tuple[date, int]
    latest: tuple[date, int] | None
    normal: int
    normal_source: str


@dataclass(frozen=True)
class OutcomePoint:
    taken_on: date
    value: float
    band: str | None
    delta: float | None  # from the baseline (None for the baseline itself)
    passes_mcid: bool | None  # None for the baseline, or when the instrument has no MCID


@dataclass(frozen=True)
class OutcomeSeries:
    """Every score of one instrument in date order; the first is the baseline."""

    instrument: str  # "nprs"
    short: str  # "NPRS"
    name: str  # "Numeric Pain Rating Scale"
    range: tuple[float, float]
    better: str  # "lower" or "higher"
    mcid: Mcid | None
    note: str
    points: tuple[OutcomePoint, ...]

    @property
    def baseline(self) -> OutcomePoint:
        return self.points[0]

    @property
    def latest(self) -> OutcomePoint:
        return self.points[-1]

    @property
    def mcid_threshold(self) -> float | None:
        """The score a change must reach from the baseline to count as clinically important."""
        return mcid_edge(INSTRUMENTS[self.instrument], self.baseline.value)

    @property
    def verdict(self) -> str:
        """The latest change from the baseline in words, judged against the MCID."""
        if len(self.points) < 2:
            return "baseline only"
        delta = self.latest.delta or 0.0
        gain = -delta if self.better == "lower" else delta
        if self.latest.passes_mcid:
            return "clinically important improvement"
        if gain > 0:
            return "improved, less than the MCID" if self.mcid else "improved (no established MCID)"
        if gain == 0:
            return "no change"
        return "worse"


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    occurred_on: date
    practitioner: str
    pain_before: int
    pain_after: int | None
    holds: int
    muscles: tuple[str, ...]  # display names, in the order treated
    minutes: int | None
    in_progress: bool
    checkin_tenderness: int | None
    checkin_relief: str | None


@dataclass(frozen=True)
class PlanSummary:
    starts_on: date
    goals: tuple[str, ...]
    sessions_planned: int
    sessions_done: int
    interval_days: int
    reassess_on: tuple[date, ...]
    status: str
    self_care: str
    points: tuple[str, ...]  # "Upper trapezius, TrP1 ... (right)"


@dataclass(frozen=True)
class Addressee:
    """Whom the progress letter is written to: the client's referring provider (clinic/fields.py)."""

    name: str | None
    practice: str | None
    address: str | None

    @classmethod
    def of(cls, client: Client) -> Addressee | None:
        """The client's referring provider, or None when none is recorded (the letter then greets a colleague)."""
        if not (client.referrer_name or client.referrer_practice):
            return None
        return cls(client.referrer_name, client.referrer_practice, client.referrer_address)

    @property
    def lines(self) -> tuple[str, ...]:
        """The address block: name, practice, then each line of the address."""
        address = tuple(x.strip() for x in (self.address or "").replace(",", "\n").splitlines() if x.strip())
        return tuple(x for x in (self.name, self.practice) if x) + address


@dataclass(frozen=True)
class ProgressContent:
    clinic: str
    author: str  # who writes the report (the signing user)
    practitioners: tuple[str, ...]  # who treated, in order of first session
    written_on: date
    client_name: str
    client_first_name: str
    date_of_birth: date
    age: int
    sex: str
    chief_complaint: str
    onset: str
    began_on: date | None
    duration_weeks: int | None
    aggravators: tuple[str, ...]
    first_drawing: DrawingSnapshot | None
    latest_drawing: DrawingSnapshot | None  # None when there is only one drawing
    assessments: tuple[date, ...]
    assessment_summary: str  # the latest assessment's summary
    trigger_points: tuple[TriggerPointRow, ...]
    rom: tuple[RomRow, ...]
    outcomes: tuple[OutcomeSeries, ...]
    sessions: tuple[SessionLine, ...]
    plan: PlanSummary | None  # the latest plan
    letterhead: Letterhead | None = None  # the clinic's profile (None: the name alone)
    signature: Signature | None = None  # the author's credentials and signature line
    addressee: Addressee | None = None  # the referring provider the letter is written to

    @property
    def salutation(self) -> str:
        """ "Dear Dr Anna Meier," to the referring provider by name; "Dear colleague," when no name is known."""
        name = self.addressee.name if self.addressee else None
        return f"Dear {name}," if name else "Dear colleague,"

    @property
    def care_period(self) -> tuple[date, date] | None:
        if not self.sessions:
            return None
        return self.sessions[0].occurred_on, self.sessions[-1].occurred_on


def progress_content(
    chart: Chart,
    *,
    clinic: str,
    author: str,
    staff: Mapping[int, str],
    written_on: date,
    kb: KnowledgeBase | None = None,
    tz: tzinfo | None = None,
) -> ProgressContent:
    """The progress report on the whole chart. Raises ``NothingToReport`` when the chart has no intake,
    assessment, session or outcome measure."""
    kb = kb or knowledge()
    c = chart.client
    if not (chart.intakes or chart.assessments or chart.sessions or chart.outcomes):
        raise NothingToReport(
            f"client {c.id} has no intake, assessment, session or outcome measure yet: nothing to report"
        )
    progress = progress_of(chart)
    first_intake = progress.first_intake
    last_intake = progress.latest_intake if len(chart.intakes) > 1 else None
    sessions = tuple(_session_line(e, staff, kb, tz) for e in chart.sessions)
    practitioners = tuple(dict.fromkeys(s.practitioner for s in sessions if s.practitioner))
    return ProgressContent(
        clinic=clinic,
        author=author,
        practitioners=practitioners,
        written_on=written_on,
        client_name=c.full_name,
        client_first_name=c.given_name,
        date_of_birth=c.date_of_birth,
        age=c.age_on(written_on),
        sex=c.sex,
        chief_complaint=first_intake.chief_complaint if first_intake else "",
        onset=first_intake.onset if first_intake else "unknown",
        began_on=first_intake.began_on if first_intake else None,
        duration_weeks=first_intake.duration_weeks if first_intake else None,
        aggravators=first_intake.aggravators if first_intake else (),
        first_drawing=DrawingSnapshot(first_intake.recorded_on, first_intake.pain_drawing)
        if first_intake
        else None,
        latest_drawing=DrawingSnapshot(last_intake.recorded_on, last_intake.pain_drawing)
        if last_intake
        else None,
        assessments=tuple(a.assessed_on for a in chart.assessments),
        assessment_summary=chart.assessments[-1].summary.strip() if chart.assessments else "",
        trigger_points=trigger_point_rows(progress, kb),
        rom=rom_rows(progress),
        outcomes=outcome_series(progress),
        sessions=sessions,
        plan=_plan_summary(chart, kb),
        addressee=Addressee.of(c),
    )


def trigger_point_rows(progress: Progress, kb: KnowledgeBase) -> tuple[TriggerPointRow, ...]:
    """Each trigger point and side found in any assessment, in the order first found: its first finding and
    its latest one from a later assessment."""
    rows = []
    for t in progress.trigger_points:
        muscle, tp = kb.trigger_point(t.trp_id)
        first, latest = t.first, t.latest
        rows.append(
            TriggerPointRow(
                trp_id=t.trp_id,
                muscle=capital(muscle.name),
                point=tp.name,
                side=t.side,
                sided=body_map()[tp.marker.region].sided,
                first=FindingState.of(first),
                latest=FindingState.of(latest) if len(t.readings) > 1 else None,
            )
        )
    return tuple(rows)


def rom_rows(progress: Progress) -> tuple[RomRow, ...]:
    """Each movement measured in any assessment, each side (right, left, unsided): first and latest degrees
    beside the normal value."""
    return tuple(
        RomRow(
            movement=m.name,
            side=Side(side) if side else None,
            first=(readings[0].on, readings[0].degrees),
            latest=(readings[-1].on, readings[-1].degrees) if len(readings) > 1 else None,
            normal=m.normal,
            normal_source=m.source,
        )
        for m in progress.rom
        for side, readings in m.sides.items()
    )


def outcome_series(progress: Progress) -> tuple[OutcomeSeries, ...]:
    """One series per instrument recorded, in the order of ``INSTRUMENTS`` (pain, function, disability,
    stress)."""
    return tuple(
        OutcomeSeries(
            instrument=key,
            short=instrument_short(key),
            name=ip.instrument.name,
            range=ip.instrument.range,
            better=ip.instrument.better,
            mcid=ip.instrument.mcid,
            note=ip.instrument.note,
            points=tuple(
                OutcomePoint(
                    taken_on=e.measure.taken_on,
                    value=e.score.value,
                    band=e.score.band,
                    delta=e.change.delta if e.change else None,
                    passes_mcid=e.change.passes_mcid if e.change else None,
                )
                for e in ip.entries
            ),
        )
        for key, ip in progress.instruments.items()
    )


def _session_line(
    e: SessionEntry, staff: Mapping[int, str], kb: KnowledgeBase, tz: tzinfo | None = None
) -> SessionLine:
    s = e.session
    assert s.id is not None
    muscles = tuple(dict.fromkeys(capital(kb.trigger_point(h.trp_id)[0].name) for h in s.holds))
    return SessionLine(
        session_id=s.id,
        occurred_on=s.occurred_at.astimezone(tz or UTC).date(),  # the clinic's day
        practitioner=staff.get(s.practitioner_id, ""),
        pain_before=s.pain_before,
        pain_after=s.pain_after,
        holds=len(s.holds),
        muscles=muscles,
        minutes=s.minutes,
        in_progress=s.open,
        checkin_tenderness=e.checkin.tenderness if e.checkin else None,
        checkin_relief=e.checkin.relief if e.checkin else None,
    )


def _plan_summary(chart: Chart, kb: KnowledgeBase) -> PlanSummary | None:
    if not chart.plans:
        return None
    p = chart.plans[-1]
    points = []
    for pp in p.points:
        muscle, tp = kb.trigger_point(pp.trp_id)
        where = f" ({pp.side.value})" if pp.side else ""
        points.append(f"{capital(muscle.name)}, {tp.name}{where}")
    return PlanSummary(
        starts_on=p.starts_on,
        goals=p.goals,
        sessions_planned=p.sessions_planned,
        sessions_done=sum(1 for e in chart.sessions if e.session.plan_id == p.id),
        interval_days=p.interval_days,
        reassess_on=p.reassess_on,
        status=p.status,
        self_care=p.self_care.strip(),
        points=tuple(points),
    )


def _plan(chart: Chart, plan_id: int | None) -> TreatmentPlan | None:
    return next((p for p in chart.plans if plan_id is not None and p.id == plan_id), None)


def _key(e: SessionEntry) -> tuple[datetime, int]:
    return (e.session.occurred_at, e.session.id or 0)
