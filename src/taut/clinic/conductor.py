"""The session conductor's rules, pure: which points a session treats and in what order, the technique a point
starts with, and the client's cautions from the latest intake (services/conductor_support.py reads the records
and hands them here; web/conductor/page.py applies them for the start form and the conductor page).

The points of a session come from its plan; without a plan (or a plan without points) from the active
trigger-point findings of the client's latest assessment. Holds on points outside that list follow it.
The client's cautions come from the latest intake: the caution rules of red_flags.yaml the intake raises
(the same screen as the engine) and any caution answered yes that no rule names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from taut.anatomy.regions import Side
from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.catalogue import catalogue
from taut.clinic.intake import Intake, engine_case
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import refers
from taut.clinic.sessions import TreatmentSession
from taut.knowledge import knowledge
from taut.reasoning.redflags import screen

DEFAULT_TECHNIQUE = "ischemic_compression"


@dataclass(frozen=True)
class Caution:
    title: str  # "Anticoagulant medication"
    text: str  # what to do
    lighter: bool  # the rule asks for lighter pressure (the conductor then starts at light)


@dataclass(frozen=True)
class Point:
    """A point to treat in the session, in order."""

    trp_id: str
    side: Side | None
    technique: str
    source: str  # plan | assessment | added (a saved hold on a point outside the list)

    @property
    def key(self) -> str:
        return f"{self.trp_id}:{self.side.value if self.side else ''}"


def session_points(
    session: TreatmentSession, plan: TreatmentPlan | None, findings: Iterable[TriggerPointFinding]
) -> tuple[tuple[Point, ...], str]:
    """(the points in order, where they come from: plan, assessment or none). Without plan points they are
    the active ``findings`` (of the latest assessment). Points of saved holds that are not in the list follow
    it (source "added"), so a reload shows every point worked on."""
    if plan is not None and plan.points:
        points = [Point(p.trp_id, p.side, p.technique, "plan") for p in plan.points]
        source = "plan"
    else:
        points = assessment_points(findings)
        source = "assessment" if points else "none"
    keys = {p.key for p in points}
    for h in session.holds:
        p = Point(h.trp_id, h.side, h.technique, "added")
        if p.key not in keys:
            keys.add(p.key)
            points.append(p)
    return tuple(points), source


def assessment_points(findings: Iterable[TriggerPointFinding]) -> list[Point]:
    return [
        Point(f.trp_id, f.side, default_technique(f.trp_id), "assessment")
        for f in findings
        if f.status == "active"
    ]


def default_technique(trp_id: str) -> str:
    """Ischemic compression when the muscle's treatment lists it, else the muscle's first technique."""
    try:
        muscle, _ = knowledge().trigger_point(trp_id)
    except LookupError:
        return DEFAULT_TECHNIQUE
    listed = muscle.treatment.techniques
    return DEFAULT_TECHNIQUE if DEFAULT_TECHNIQUE in listed or not listed else listed[0]


def client_cautions(intake: Intake | None, client: Client) -> tuple[Caution, ...]:
    """The latest intake's cautions: each caution rule it raises, then any caution answered yes that no
    raised rule names (shown with the vocabulary's meaning)."""
    if intake is None:
        return ()
    red, raised = screen(engine_case(intake, client))
    raised = (*raised, *(f for f in red if not refers(f.level)))  # caution-level red flags limit the session
    out = [Caution(f.name, f.message, knowledge().rules[f.code].action == "lighten_pressure") for f in raised]
    named = {t for f in raised for t in f.because}
    kb = knowledge()
    for term in intake.cautions(catalogue()):
        if term not in named:
            meaning = kb.vocabulary[term].meaning if term in kb.vocabulary else ""
            out.append(Caution(term[:1].upper() + term[1:], meaning, False))
    return tuple(out)
