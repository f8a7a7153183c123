"""What the examination and plan forms show and read: trigger-point rows per muscle and side, ROM rows with
the normal value, planned points prefilled from the findings. Form fields are named
``trp:<trp_id>:<side>:<what>`` (side ``right``, ``left`` or ``mid``) and ``rom:<n>:<what>``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from taut.anatomy.regions import Side, body_map
from taut.clinic.assessment import (
    TEST_RESULTS,
    TRP_STATUSES,
    Assessment,
    EntrapmentTest,
    RomMeasurement,
    TriggerPointFinding,
    side_or_none,
)
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.naming import capital, trp_label, trp_name
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.rom import RomNorm, rom_norms
from taut.knowledge import knowledge
from taut.knowledge.model import TriggerPoint
from taut.web import clock, forms

SIDES = ("right", "left")
SIGNS = TRIGGER_POINT_SIGNS  # the columns of a trigger-point row after its status, as declared
ROM_ROWS = 6
TEST_ROWS = 3


@dataclass(frozen=True)
class TrpRow:
    trp_id: str
    name: str
    location: str
    side: str  # right / left / mid
    marker: str  # region key of the TrP site on this side ("neck.shoulder_angle:right")


@dataclass(frozen=True)
class MuscleBlock:
    slug: str
    name: str
    rows: tuple[TrpRow, ...]
    cautions: tuple[str, ...]
    examination: str


def muscle_block(name_or_slug: str) -> MuscleBlock:
    """The rows of one muscle: each trigger point on each side it can occur (LookupError if unknown)."""
    m = knowledge().muscle(name_or_slug)
    rows: list[TrpRow] = []
    for tp in m.trigger_points:
        for side in _sides(tp):
            marker = tp.marker.region + (f":{side}" if side != "mid" else "")
            rows.append(TrpRow(tp.id, trp_label(tp.id), tp.location, side, marker))
    ex = m.examination
    exam = " ".join(x for x in (ex.position, ex.notes) if x) if ex else ""
    return MuscleBlock(m.slug, capital(m.name), tuple(rows), tuple(m.treatment.cautions), exam)


def _sides(tp: TriggerPoint) -> tuple[str, ...]:
    """The sides a trigger point can be found on: its only side, "mid" on an unsided region, or both."""
    if tp.only_side:
        return (tp.only_side,)
    region = body_map().regions.get(tp.marker.region)
    if region is not None and not region.sided:
        return ("mid",)
    return SIDES


def muscle_choices() -> list[tuple[str, str]]:
    """(slug, display name) of every muscle, by name."""
    return sorted(((m.slug, capital(m.name)) for m in knowledge().muscles.values()), key=lambda x: x[1])


def rom_choices() -> list[RomNorm]:
    return list(rom_norms().values())


def _side(form: dict[str, str], name: str) -> Side | None:
    """The side chosen in field ``name`` ("right" or "left"; empty: none)."""
    return side_or_none(name, form.get(name) or None)


def _trp_rows(form: dict[str, str]) -> list[tuple[str, str]]:
    """(trp_id, side) of every trigger-point row whose status was chosen."""
    out = []
    for key, status in form.items():
        if not key.startswith("trp:") or not key.endswith(":status") or not status:
            continue
        trp_id, _, side = key.removeprefix("trp:").removesuffix(":status").rpartition(":")
        if not trp_id or side not in (*SIDES, "mid"):
            raise RecordValidationError(key, "is not a trigger-point row of this form")
        out.append((trp_id, side))
    return out


def findings_from_form(form: dict[str, str]) -> tuple[TriggerPointFinding, ...]:
    """A finding for every row whose status was chosen (every bad number of every row reported at once)."""
    out = []
    c = forms.Collect()
    for trp_id, side in _trp_rows(form):
        prefix = f"trp:{trp_id}:{side}:"
        values: dict[str, Any] = {f.name: c(forms.declared, form, prefix + f.form_key, f) for f in SIGNS}
        if not c.problems:
            out.append(
                TriggerPointFinding(
                    trp_id=trp_id,
                    side=None if side == "mid" else Side(side),
                    status=form[prefix + "status"],
                    **values,
                )
            )
    c.check()
    return tuple(out)


def rows(form: dict[str, str], prefix: str, first: str) -> range:
    """The numbers of the rows ``<prefix>:<n>:...`` the form holds (numbered from 0, each with ``first``)."""
    n = 0
    while f"{prefix}:{n}:{first}" in form:
        n += 1
    return range(n)


def rom_from_form(form: dict[str, str]) -> tuple[RomMeasurement, ...]:
    out = []
    c = forms.Collect()
    for n in rows(form, "rom", "movement"):
        movement = form[f"rom:{n}:movement"]
        degrees = c(forms.whole, form, f"rom:{n}:degrees", 0, 360)
        if movement and degrees is not None:
            side = c(_side, form, f"rom:{n}:side")
            norm = rom_norms().get(movement)
            if norm is not None and not norm.sided:
                side = None
            out.append(RomMeasurement(movement=movement, side=side, degrees=degrees))
        elif movement and f"rom:{n}:degrees" not in {p.field for p in c.problems}:
            c.add(f"rom:{n}:degrees", "give the degrees measured (or leave the movement empty)")
    c.check()
    return tuple(out)


def tests_from_form(form: dict[str, str]) -> tuple[EntrapmentTest, ...]:
    out = []
    c = forms.Collect()
    for n in rows(form, "test", "name"):
        name = form[f"test:{n}:name"].strip()
        if not name:
            continue
        side = c(_side, form, f"test:{n}:side")
        if not form.get(f"test:{n}:result"):
            c.add(f"test:{n}:result", f"choose the result of {name} (or leave the test's name empty)")
            continue
        out.append(
            EntrapmentTest(
                name=name,
                side=side,
                result=form.get(f"test:{n}:result", ""),
                structure=form.get(f"test:{n}:structure", "").strip(),
                notes=form.get(f"test:{n}:notes", "").strip(),  # kept through an amendment
            )
        )
    c.check()
    return tuple(out)


def assessment_from_form(form: dict[str, str]) -> Assessment:
    """The examination as typed; every wrong field is reported at once (forms.FormErrors)."""
    c = forms.Collect()
    day = c(forms.a_date, form, "assessed_on", required=True)
    findings = c(findings_from_form, form)
    rom = c(rom_from_form, form)
    tests = c(tests_from_form, form)
    c.check()
    assert day is not None and findings is not None and rom is not None and tests is not None
    return Assessment(
        assessed_on=day,
        findings=findings,
        posture=forms.lines(form, "posture"),
        gait=forms.lines(form, "gait"),
        rom=rom,
        entrapment_tests=tests,
        summary=form.get("summary", "").strip(),
    )


def _point(form: dict[str, str], i: int) -> PlannedPoint:
    return PlannedPoint(
        trp_id=form.get(f"point:{i}:trp_id", ""),
        side=_side(form, f"point:{i}:side"),
        technique=form.get(f"point:{i}:technique", ""),
    )


def points_shown(form: dict[str, str]) -> tuple[PlannedPoint, ...]:
    """Every point row of a plan form that can be shown again, ticked or not (after an error)."""
    out = []
    for i in rows(form, "point", "trp_id"):
        try:
            out.append(_point(form, i))
        except RecordValidationError:
            continue
    return tuple(out)


def plan_from_form(form: dict[str, str]) -> TreatmentPlan:
    """The plan as typed; its points are the rows ticked "treat", in the order given in their "Order" boxes
    (rows without a number keep their place). Every wrong field is reported at once (forms.FormErrors)."""
    c = forms.Collect()
    starts = c(forms.a_date, form, "starts_on", required=True)
    reassess = []
    for line in forms.lines(form, "reassess_on"):
        day = c(forms.a_date, {"reassess_on": line}, "reassess_on")
        if day is not None:
            reassess.append(day)
    goals = forms.lines(form, "goals")
    if not goals:
        c.add("goals", "at least one goal is required")
    sessions = c(forms.whole, form, "sessions_planned", 1, 100, required=True)
    interval = c(forms.whole, form, "interval_days", 1, 90, required=True)
    points = _ordered_points(form, c)
    c.check()
    assert starts is not None and sessions is not None and interval is not None
    return TreatmentPlan(
        starts_on=starts,
        goals=goals,
        sessions_planned=sessions,
        interval_days=interval,
        points=tuple(points),
        reassess_on=tuple(reassess),
        self_care=form.get("self_care", "").strip(),
        status=form.get("status", "active") or "active",
    )


def _ordered_points(form: dict[str, str], c: forms.Collect) -> list[PlannedPoint]:
    """The ticked points, sorted by their "Order" number (a row without one keeps its place)."""
    ranked = []
    for i in rows(form, "point", "trp_id"):
        order = c(forms.whole, form, f"point:{i}:order", 1, 999)
        if forms.checked(form, f"point:{i}:include"):
            point = c(_point, form, i)
            if point is not None:
                ranked.append((order if order is not None else i + 1, i, point))
    return [p for _, _, p in sorted(ranked, key=lambda r: (r[0], r[1]))]


def default_technique(trp_id: str) -> str:
    try:
        m, _ = knowledge().trigger_point(trp_id)
    except LookupError:
        return "ischemic_compression"
    return m.treatment.techniques[0] if m.treatment.techniques else "ischemic_compression"


def points_from_findings(a: Assessment | None) -> list[PlannedPoint]:
    """Active trigger points first, then latent ones, each with the muscle's first technique."""
    if a is None:
        return []
    order = {"active": 0, "latent": 1}
    found = sorted((f for f in a.findings if f.status in order), key=lambda f: order[f.status])
    return [PlannedPoint(trp_id=f.trp_id, side=f.side, technique=default_technique(f.trp_id)) for f in found]


def today() -> date:
    return clock.today()


STATUSES = TRP_STATUSES
RESULTS = TEST_RESULTS


EXAM_LABELS = {"assessed_on": "Date", "posture": "Posture", "gait": "Gait", "summary": "Summary"}
PLAN_LABELS = {
    "starts_on": "Starts on",
    "sessions_planned": "Sessions planned",
    "interval_days": "One session every … days",
    "goals": "Goals",
    "reassess_on": "Reassess on",
    "self_care": "Self-care for the client",
    "status": "Status",
    "version": "Version",
}


def field_label(field: str) -> str:
    """What the examination or plan form calls a field, in its labels' words (for the error summary):
    ``trp:upper_trapezius.trp1:right:pressure_threshold`` -> ``Pressure threshold: Upper trapezius TrP1,
    right``; ``rom:0:degrees`` -> ``Range of motion, row 1: degrees``."""
    known = EXAM_LABELS.get(field) or PLAN_LABELS.get(field)
    if known:
        return known
    kind, _, rest = field.partition(":")
    if kind == "trp":
        trp_id, side, key = [*rest.split(":"), "", "", ""][:3]
        what = next((f.label for f in SIGNS if f.form_key == key), capital(key.replace("_", " ")))
        side_words = "midline" if side == "mid" else side
        return f"{what}: {_trp_words(trp_id)}, {side_words}"
    row, _, what = rest.partition(":")
    if kind in ("rom", "test", "point") and row.isdigit():
        title = {"rom": "Range of motion", "test": "Entrapment test", "point": "Point to treat"}[kind]
        return f"{title}, row {int(row) + 1}: {what.replace('_', ' ')}"
    return forms.field_words(field)


def _trp_words(trp_id: str) -> str:
    try:
        return trp_name(trp_id)
    except LookupError:
        return trp_id


def labels_for(error: object) -> dict[str, str]:
    """The label of every field an error names."""
    return {p.field: field_label(p.field) for p in forms.problems(error)}
