"""The SOAP note of one treatment session, written from the structured record (never typed).

- Subjective: the client's account at the latest intake on or before the session (complaint, onset,
  mechanisms, aggravators, the pain drawing in words), the check-in after the previous session, pain before
  treatment, and the latest score of each outcome measure with its change and MCID flag.
- Objective: the latest examination on or before the session: trigger-point findings, posture, gait, range
  of motion beside its normal value, entrapment tests.
- Assessment: the confirmed trigger points and where the suggestion engine ranked them for the intake,
  cautions and red flags with the decisions taken.
- Plan: the holds of the session by trigger point, pain after, aftercare, the next visit from the plan.

Missing pieces (no intake, no examination, no outcomes, an open session) are said in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any, TypeVar

from taut.anatomy.pain import PainDrawing
from taut.anatomy.regions import RegionRef, Side
from taut.clinic.assessment import Assessment, TriggerPointFinding
from taut.clinic.billing import BillingSummary, session_billing
from taut.clinic.catalogue import catalogue
from taut.clinic.chart import Chart, OutcomeEntry, SessionEntry
from taut.clinic.errors import NotFound
from taut.clinic.factors import FACTORS
from taut.clinic.fields import CHECKIN_FIELDS, TRIGGER_POINT_SIGNS
from taut.clinic.intake import Intake, engine_case
from taut.clinic.naming import (
    instrument_short,
    iso_date,
    iso_minute,
    muscle_words,
    region_words,
    technique_name,
    time_of_day,
    trigger_point_words,
)
from taut.clinic.outcomes import INSTRUMENTS
from taut.clinic.people import Client
from taut.clinic.rom import rom_norms
from taut.clinic.screening import AWAITING, CLEARED, ScreeningDecision, flag_state, level_words, refers
from taut.clinic.sessions import PRESSURE_LEVELS, Hold, TreatmentSession
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.screening import safety_screen
from taut.reasoning import engine
from taut.reasoning.result import RankedMuscle, Suggestion

SUGGESTED_NOT_FOUND = 5  # how many top suggestions without a finding the assessment names

T = TypeVar("T")


@dataclass(frozen=True)
class SoapNote:
    session_id: int
    heading: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    billing: BillingSummary | None = None

    def render(self) -> str:
        """One text body with a heading per section."""
        sections = [
            ("SUBJECTIVE", self.subjective),
            ("OBJECTIVE", self.objective),
            ("ASSESSMENT", self.assessment),
            ("PLAN", self.plan),
        ]
        if self.billing is not None:
            sections.append(("BILLING (CPT, timed codes)", self.billing.render()))
        return "\n\n".join([self.heading, *(f"{title}\n{text}" for title, text in sections)]) + "\n"


def build_soap_note(
    chart: Chart,
    session_id: int,
    *,
    suggestion: Suggestion | None = None,
    billing: bool = False,
    kb: KnowledgeBase | None = None,
    tz: tzinfo | None = None,
) -> SoapNote:
    """The SOAP note of the chart's session ``session_id``. The engine runs on the latest intake unless a
    ``suggestion`` for it is given. Raises NotFound when the chart holds no such session. Times and days are
    the clinic's (``tz``; UTC when none): an evening session in Vancouver is noted on its own day."""
    kb = kb or knowledge()
    entry = next((e for e in chart.sessions if e.session.id == session_id), None)
    if entry is None:
        raise NotFound("session", session_id)
    session = entry.session
    day = session.occurred_at.astimezone(tz or UTC).date()
    intake = chart.latest_intake(day)
    exam = chart.latest_assessment(day)
    if suggestion is None and intake is not None:
        suggestion = engine.suggest(engine_case(intake, chart.client), kb)
    return SoapNote(
        session_id=session_id,
        heading=_heading(chart.client, session, session_id, tz),
        subjective=_subjective(chart, entry, intake, tz),
        objective=_objective(exam, kb),
        assessment=_assessment(chart, exam, intake, suggestion, kb, tz),
        plan=_plan(chart, session, kb, tz),
        billing=session_billing(session) if billing else None,
    )


# --- wording helpers ---------------------------------------------------------------------------------


def _latest(items: Iterable[T], key: Callable[[T], Any]) -> T | None:
    return max(items, key=key, default=None)


def _number(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}".rstrip("0").rstrip(".")


def drawing_words(drawing: PainDrawing) -> list[str]:
    """One phrase per painted region: ``right temple 6/10 aching``."""
    out = []
    for m in drawing:
        words = [region_words(m.ref)]
        if m.intensity is not None:
            words.append(f"{m.intensity}/10")
        if m.qualities:
            words.append(", ".join(m.qualities))
        out.append(" ".join(words))
    return out


def _joined(items: Iterable[str]) -> str:
    return ", ".join(items)


def _heading(client: Client, session: TreatmentSession, session_id: int, tz: tzinfo | None = None) -> str:
    start = session.occurred_at
    zone = str(tz) if tz is not None else "UTC"
    when = iso_minute(start, tz)
    if session.ended_at is not None:
        when += f"-{time_of_day(session.ended_at, tz)} {zone} ({session.minutes} min)"
    else:
        when += f" {zone} (open, no end time yet)"
    return (
        f"SOAP note: {client.full_name}, born {client.date_of_birth:%Y-%m-%d}; session {session_id}, {when}"
    )


# --- S --------------------------------------------------------------------------------------------------


def _subjective(chart: Chart, entry: SessionEntry, intake: Intake | None, tz: tzinfo | None = None) -> str:
    session = entry.session
    day = session.occurred_at.astimezone(tz or UTC).date()
    lines: list[str] = []
    if intake is None:
        lines.append("No intake recorded on or before this session.")
    else:
        lines.append(f"Chief complaint (intake of {intake.recorded_on:%Y-%m-%d}): {intake.chief_complaint}")
        onset = f"Onset: {intake.onset}"
        if intake.began_on is not None:
            onset += f", since {intake.began_on:%Y-%m-%d}"
        if intake.duration_days is not None:
            onset += f"; felt for {intake.duration_days} days at intake"
        elif intake.duration_weeks is not None:
            onset += f"; {intake.duration_weeks} weeks at intake"
        lines.append(onset + ".")
        lines.extend(_screen_lines(intake))
        if intake.mechanisms:
            lines.append(f"Mechanisms: {_joined(intake.mechanisms)}.")
        if intake.aggravators:
            lines.append(f"Aggravated by: {_joined(intake.aggravators)}.")
        if intake.symptoms:
            lines.append(f"Symptoms: {_joined(intake.symptoms)}.")
        lines.append("Pain drawing (the patient's sides):")
        lines.extend(f"- {w}" for w in drawing_words(intake.pain_drawing))
        if intake.medications:
            lines.append(f"Medications: {'; '.join(intake.medications)}.")
        lines.extend(factor_lines(intake))
    previous = _previous_session(chart, session)
    if previous is not None and previous.checkin is not None:
        c = previous.checkin
        text = (
            f"Check-in after the previous session ({iso_date(previous.session.occurred_at, tz)}): "
            f"{CHECKIN_FIELDS.soap_words(c)}."
        )
        if c.questions.strip():
            text += f" Questions: {c.questions.strip()}"
        lines.append(text)
    lines.append(f"Pain before treatment: {session.pain_before}/10.")
    lines.extend(_outcome_lines(chart.outcomes, day))
    return "\n".join(lines)


def _previous_session(chart: Chart, session: TreatmentSession) -> SessionEntry | None:
    before = [
        e
        for e in chart.sessions
        if e.session.id != session.id and e.session.occurred_at < session.occurred_at
    ]
    return _latest(before, lambda e: (e.session.occurred_at, e.session.id or 0))


def _outcome_lines(outcomes: tuple[OutcomeEntry, ...], day: date) -> list[str]:
    latest: dict[str, OutcomeEntry] = {}
    for o in outcomes:  # in date order (Chart), so the last one of each instrument wins
        if o.measure.taken_on <= day:
            latest[o.measure.instrument] = o
    if not latest:
        return ["Outcome measures: none recorded on or before this session."]
    lines = ["Outcome measures (latest on or before this session):"]
    lines.extend(f"- {outcome_words(latest[i])}" for i in INSTRUMENTS if i in latest)
    return lines


def outcome_words(o: OutcomeEntry) -> str:
    """``NPRS 4/10 (moderate) on 2025-03-10: -2 from 6 at baseline, reaches the MCID (2 points)``."""
    ins = INSTRUMENTS[o.measure.instrument]
    label = instrument_short(ins.id)
    value = f"{_number(o.score.value)}/{_number(ins.range[1])}"
    if o.score.band:
        value += f" ({o.score.band})"
    text = f"{label} {value} on {o.measure.taken_on:%Y-%m-%d}"
    ch = o.change
    if ch is None:
        return text + ": baseline"
    delta = "no change" if ch.delta == 0 else f"{'+' if ch.delta > 0 else '-'}{_number(abs(ch.delta))}"
    text += f": {delta} from {_number(ch.baseline)} at baseline"
    if ch.mcid is None:
        return text + ", no established MCID"
    mcid = f"the MCID ({_number(ch.mcid.points)} points)"
    if ch.passes_mcid:
        return text + f", improvement reaches {mcid}"
    if ch.improved:
        return text + f", improvement below {mcid}"
    return text + (", worse" if ch.delta != 0 else "")


# --- O --------------------------------------------------------------------------------------------------


def finding_words(f: TriggerPointFinding, kb: KnowledgeBase) -> str:
    """The finding in words from the declared fields: point, status, each sign + or -, each measurement taken."""
    signs = [x.soap_words(getattr(f, x.name)) for x in TRIGGER_POINT_SIGNS.of_kind("flag")]
    measured = [x.soap_words(getattr(f, x.name)) for x in TRIGGER_POINT_SIGNS.of_kind("whole", "number")]
    text = f"{trigger_point_words(f.trp_id, f.side, kb)}: {f.status}; {', '.join(s for s in signs if s)}"
    return "; ".join([text, *(m for m in measured if m)])


def _objective(exam: Assessment | None, kb: KnowledgeBase) -> str:
    if exam is None:
        return "No examination recorded on or before this session."
    lines = [f"Examination of {exam.assessed_on:%Y-%m-%d} (the latest on or before this session)."]
    if exam.findings:
        lines.append("Trigger points:")
        lines.extend(f"- {finding_words(f, kb)}" for f in exam.findings)
    else:
        lines.append("Trigger points: none recorded.")
    lines.append(f"Posture: {'; '.join(exam.posture)}." if exam.posture else "Posture: not recorded.")
    lines.append(f"Gait: {'; '.join(exam.gait)}." if exam.gait else "Gait: not recorded.")
    if exam.rom:
        lines.append("Range of motion (active; normal values AAOS):")
        for m in exam.rom:
            name = rom_norms()[m.movement].name
            side = f", {m.side.value}" if m.side is not None else ""
            lines.append(
                f"- {name}{side}: {m.degrees} degrees (normal {m.normal}, {m.percent_of_normal}% of normal)"
            )
    if exam.entrapment_tests:
        lines.append("Entrapment tests:")
        for t in exam.entrapment_tests:
            where = _joined(x for x in (t.side.value if t.side else "", t.structure) if x)
            lines.append(f"- {t.name}{f' ({where})' if where else ''}: {t.result}")
    return "\n".join(lines)


def exam_lines(exam: Assessment, kb: KnowledgeBase) -> list[str]:
    """The examination in the SOAP note's words, line by line, without the note's heading (for its own page)."""
    return _objective(exam, kb).splitlines()[1:]


# --- A --------------------------------------------------------------------------------------------------


def _engine_words(
    f: TriggerPointFinding, ranking: tuple[RankedMuscle, ...], source: str, kb: KnowledgeBase
) -> str:
    """Where the engine ranked the finding's muscle, on the finding's side (or only on the other)."""
    name = muscle_words(f.muscle, kb)
    same = [(i, r) for i, r in enumerate(ranking) if r.muscle == name]
    if not same:
        return f"not among the {len(ranking)} muscles ranked by {source}"
    for i, r in same:
        if f.side is None or r.side in (f.side.value, "both"):
            own = _joined(
                region_words(RegionRef.parse(e.ref)) for e in r.explains if e.trigger_point == f.trp_id
            )
            other = _joined(region_words(RegionRef.parse(e.ref)) for e in r.explains)
            explains = f"; explains {own}" if own else f"; the muscle explains {other}" if other else ""
            return f"ranked {i + 1} of {len(ranking)} by {source} ({r.side}, score {r.score:.2f}{explains})"
    i, r = same[0]
    return f"{source} ranked {name} {i + 1} of {len(ranking)} for the {r.side} side only"


def _assessment(
    chart: Chart,
    exam: Assessment | None,
    intake: Intake | None,
    suggestion: Suggestion | None,
    kb: KnowledgeBase,
    tz: tzinfo | None = None,
) -> str:
    lines: list[str] = []
    ranking = suggestion.ranking if suggestion is not None else ()
    source = "the suggestion engine" + (
        f" for the intake of {intake.recorded_on:%Y-%m-%d}" if intake is not None else ""
    )
    confirmed = [f for f in exam.findings if f.status != "resolved"] if exam is not None else []
    if exam is None:
        lines.append("No trigger points confirmed yet: no examination on or before this session.")
    elif not confirmed:
        lines.append(
            f"No active or latent trigger points found at the examination of {exam.assessed_on:%Y-%m-%d}."
        )
    else:
        lines.append(f"Confirmed trigger points (examination of {exam.assessed_on:%Y-%m-%d}):")
        for f in confirmed:
            text = f"- {trigger_point_words(f.trp_id, f.side, kb)}: {f.status}"
            if suggestion is None:
                text += "; no intake to compare with the suggestion engine"
            else:
                text += f"; {_engine_words(f, ranking, source, kb)}"
            lines.append(text)
    if exam is not None:
        resolved = [f for f in exam.findings if f.status == "resolved"]
        if resolved:
            lines.append(f"Resolved: {_joined(trigger_point_words(f.trp_id, f.side, kb) for f in resolved)}.")
    if suggestion is not None:
        found_muscles = {muscle_words(f.muscle, kb) for f in (exam.findings if exam is not None else ())}
        # Only muscles whose referral explains part of the drawing: the rest are ranked on priors alone.
        missed = [r for r in ranking if r.muscle not in found_muscles and r.explains][:SUGGESTED_NOT_FOUND]
        if missed:
            names = _joined(f"{r.muscle} ({r.side}, {r.score:.2f})" for r in missed)
            label = "Suggested, not found at examination" if exam is not None else "Suggested for examination"
            lines.append(f"{label}: {names}.")
    if exam is not None and exam.summary.strip():
        lines.append(f"Examiner's summary: {exam.summary.strip()}")
    lines.extend(_caution_lines(intake, suggestion))
    lines.extend(_red_flag_lines(chart, intake, suggestion, tz))
    return "\n".join(lines)


def _caution_lines(intake: Intake | None, suggestion: Suggestion | None) -> list[str]:
    if intake is None:
        return []
    answered = intake.cautions(catalogue())
    flags = (
        (*suggestion.cautions, *(f for f in suggestion.red_flags if not refers(f.level)))
        if suggestion is not None
        else ()
    )
    if not answered and not flags:
        return ["Cautions: none from the screening."]
    lines = []
    if answered:
        lines.append(f"Cautions answered yes at screening: {_joined(answered)}.")
    for c in flags:
        lines.append(f"- Caution, {c.name}: {c.message}")
    return lines


def _screen_lines(intake: Intake) -> list[str]:
    """The safety screen in the subjective: the questions answered yes, and those left open (unsure)."""
    if not intake.answers:
        return []
    screen = safety_screen()
    yes = [screen.question(a.question).ask for a in intake.answers if a.answer == "yes"]
    unsure = [screen.question(a.question).ask for a in intake.answers if a.answer == "unsure"]
    no = sum(1 for a in intake.answers if a.answer == "no")
    lines = [f"Safety screen: {len(yes)} yes, {len(unsure)} unsure (not ruled out), {no} no."]
    lines.extend(f"- Yes: {q}" for q in yes)
    lines.extend(f"- Unsure: {q}" for q in unsure)
    return lines


def _red_flag_lines(
    chart: Chart, intake: Intake | None, suggestion: Suggestion | None, tz: tzinfo | None = None
) -> list[str]:
    """The red flags of the intake with the decisions taken, each dated on the clinic's day (``tz``)."""
    if intake is None:
        return []
    decisions = [d for d in chart.decisions if d.intake_id == intake.id]
    clearances = [c for c in chart.clearances if c.intake_id == intake.id]
    flags = tuple(f for f in suggestion.red_flags if refers(f.level)) if suggestion is not None else ()
    if not flags and not decisions:
        return ["Red flags: none raised at intake."]
    lines = ["Red flags:"]
    used: set[int] = set()
    for flag in flags:
        label = level_words(flag.level)[0]
        answers = [d for d in decisions if flag.code in d.flags]
        if not answers:
            lines.append(f"- {flag.name} ({label}): NO DECISION RECORDED; refer before treatment.")
            continue
        for d in answers:
            used.add(id(d))
            lines.append(f"- {flag.name} ({label}): {_decision_words(d, tz)}")
        state = flag_state(flag.code, decisions, clearances)
        if state.status == CLEARED and state.clearance is not None:
            c = state.clearance
            lines.append(
                f"  Medical clearance: cleared by {c.cleared_by} on {c.cleared_on:%Y-%m-%d} for {c.scope}"
                + (f" ({c.note})" if c.note else "")
                + "."
            )
        elif state.status == AWAITING:
            lines.append("  Awaiting medical clearance.")
    for d in decisions:
        if id(d) not in used:
            lines.append(f"- {_joined(d.flags)}: {_decision_words(d, tz)}")
    return lines


def _decision_words(d: ScreeningDecision, tz: tzinfo | None = None) -> str:
    when = iso_date(d.decided_at, tz)
    if d.decision == "referred":
        return f"referred to {d.referred_to} on {when}; {d.reason}"
    return f"OVERRIDE on {when} (treated without medical clearance): {d.reason}"


# --- P --------------------------------------------------------------------------------------------------


def _span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def hold_group_words(holds: list[Hold], kb: KnowledgeBase) -> str:
    """One technique on one trigger point: holds, seconds, pressure, discomfort, released."""
    technique = technique_name(holds[0].technique, kb)
    seconds = [h.seconds for h in holds]
    pressures = [h.pressure for h in holds]
    names = sorted(
        {PRESSURE_LEVELS[p] for p in pressures}, key=lambda n: list(PRESSURE_LEVELS.values()).index(n)
    )
    secs = f"{seconds[0]} s" if len(seconds) == 1 else f"{' + '.join(map(str, seconds))} = {sum(seconds)} s"
    text = (
        f"{technique}: {len(holds)} hold{'s' if len(holds) != 1 else ''}, {secs}, "
        f"pressure {_span(pressures)}/5 ({' to '.join(names)}), discomfort {_span([h.discomfort for h in holds])}/10, "
        f"released {sum(h.released for h in holds)} of {len(holds)}"
    )
    ups = sum(h.pressure_change == "up" for h in holds)
    downs = sum(h.pressure_change == "down" for h in holds)
    if ups:
        text += f"; more pressure asked {ups}x"
    if downs:
        text += f"; less pressure asked {downs}x"
    return text


def _treatment_lines(session: TreatmentSession, kb: KnowledgeBase) -> list[str]:
    if not session.holds:
        return ["Treatment: no holds recorded."]
    groups: dict[tuple[str, Side | None], dict[str, list[Hold]]] = {}
    for h in session.holds:
        groups.setdefault((h.trp_id, h.side), {}).setdefault(h.technique, []).append(h)
    total = sum(h.seconds for h in session.holds)
    held = f"{total // 60} min {total % 60} s" if total >= 60 else f"{total} s"
    hold_word = "hold" if len(session.holds) == 1 else "holds"
    lines = [f"Treatment: {len(session.holds)} {hold_word}, {held} of holds in all."]
    for (trp_id, side), by_technique in groups.items():
        lines.append(f"- {trigger_point_words(trp_id, side, kb)}:")
        lines.extend(f"  - {hold_group_words(holds, kb)}" for holds in by_technique.values())
    lines.extend(
        f"Warning: hold {i} ({trigger_point_words(h.trp_id, h.side, kb)}): discomfort {h.discomfort}/10 is past "
        "good pain."
        for i, h in enumerate(session.holds, 1)
        if h.past_good_pain
    )
    return lines


def _plan(chart: Chart, session: TreatmentSession, kb: KnowledgeBase, tz: tzinfo | None = None) -> str:
    day = session.occurred_at.astimezone(tz or UTC).date()
    lines = _treatment_lines(session, kb)
    if session.open:
        lines.append(
            "The session is still open: the holds saved so far are listed; pain after and aftercare are "
            "recorded when it is finished."
        )
    if session.notes.strip():
        lines.append(f"Session notes: {session.notes.strip()}")
    if session.pain_after is None:
        lines.append(f"Pain after treatment: not recorded (before: {session.pain_before}/10).")
    else:
        delta = session.pain_after - session.pain_before
        change = "no change" if delta == 0 else f"{delta:+d}"
        lines.append(
            f"Pain after treatment: {session.pain_after}/10 (before {session.pain_before}/10, {change})."
        )
    lines.append(
        f"Aftercare: {session.aftercare.strip()}" if session.aftercare.strip() else "Aftercare: not recorded."
    )
    plan = chart.plan_of(session, tz)
    if plan is None:
        lines.append("No active treatment plan: next visit to be arranged.")
        return "\n".join(lines)
    if plan.self_care.strip():
        lines.append(f"Self-care: {plan.self_care.strip()}")
    lines.append(f"Plan of {plan.starts_on:%Y-%m-%d} ({plan.status}); goals: {'; '.join(plan.goals)}.")
    done = sum(
        1
        for e in chart.sessions
        if e.session.occurred_at <= session.occurred_at
        and (
            e.session.plan_id == plan.id
            or (e.session.plan_id is None and e.session.occurred_at.date() >= plan.starts_on)
        )
    )
    left = plan.sessions_planned - done
    if plan.status != "active":
        lines.append(f"The plan is {plan.status}: no further visits planned under it.")
    elif left > 0:
        nxt = day + timedelta(days=plan.interval_days)
        lines.append(
            f"Session {done} of {plan.sessions_planned} planned, {left} remaining; next visit "
            f"{nxt:%Y-%m-%d} (every {plan.interval_days} days)."
        )
    else:
        lines.append(
            f"Session {done} of {plan.sessions_planned} planned: the planned sessions are done; "
            "reassess and decide on further care."
        )
    upcoming = [d for d in plan.reassess_on if d > day]
    if upcoming:
        lines.append(f"Reassessment on {min(upcoming):%Y-%m-%d}.")
    return "\n".join(lines)


def factor_lines(intake: Intake) -> list[str]:
    """One line per group of perpetuating factors told, by the declaration (clinic/factors.py):
    "Psychosocial factors: Stress level 7/10; Stress: deadline at work."."""
    out = []
    for group in FACTORS:
        words = group.words(getattr(intake.factors, group.name))
        if words:
            out.append(f"{group.label} factors: {'; '.join(words)}.")
    return out
